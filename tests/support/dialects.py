"""The dialect apps inside a rosterd app, built (they are built on first use when served)."""

from __future__ import annotations

from fastapi import FastAPI
from starlette.applications import Starlette
from starlette.routing import Mount

from rosterd.server.mounts import LazyApp


def dialect_apps(app: Starlette) -> dict[str, FastAPI]:
    """Each mounted dialect's FastAPI app by its prefix, in matching order."""
    apps = {}
    for route in app.routes:
        if isinstance(route, Mount) and isinstance(route.app, LazyApp):
            built = route.app.built()
            if isinstance(built, FastAPI):  # the console, also built lazily, is not a dialect
                apps[route.path] = built
    return apps
