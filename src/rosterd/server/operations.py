"""What rosterd adds for its operators beside the APIs: the documentation pages of each dialect
with an OpenAPI document, and `/metrics` when it is turned on (docs/operations.md)."""

from __future__ import annotations

from fastapi import FastAPI
from starlette.applications import Starlette
from starlette.routing import Mount

from rosterd.server.docs import add_docs_pages
from rosterd.server.settings import Settings


def add_operations(app: Starlette, settings: Settings) -> None:
    for route in app.router.routes:
        if isinstance(route, Mount) and isinstance(route.app, FastAPI) and route.app.openapi_url:
            add_docs_pages(route.app, route.path)
