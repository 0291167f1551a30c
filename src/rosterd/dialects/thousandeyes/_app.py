"""The ThousandEyes dialect's app: its routes, its error envelope and its OpenAPI document,
built when the dialect is first needed (`server/mounts.py`)."""

from __future__ import annotations

from typing import Any

from fastapi import FastAPI
from fastapi.openapi.utils import get_openapi

from rosterd import __version__
from rosterd.dialects.thousandeyes import PREFIX, _errors
from rosterd.dialects.thousandeyes._routes import describe, router
from rosterd.server.request_limits import enforce_request_limits
from rosterd.server.routing import dialect_app
from rosterd.server.services import Services


def create_thousandeyes_app(services: Services) -> FastAPI:
    app = dialect_app(
        router,
        services.settings,
        install_errors=_errors.install,
        read_scope=services.store.shared_read,
        checks=[enforce_request_limits],
        title="rosterd — ThousandEyes v7 Users API",
        version=__version__,
        description="The ThousandEyes v7 administrative Users API, as served by rosterd. "
        "Every failure is `application/problem+json`, including a 404 for a path under /v7 "
        "that names no resource and a 405 (with `Allow`) for a method a path does not serve.",
        openapi_url="/openapi.json",
        servers=[{"url": PREFIX}],
    )
    app.state.services = services

    def openapi() -> dict[str, Any]:
        if app.openapi_schema is None:
            app.openapi_schema = describe(
                get_openapi(
                    title=app.title,
                    version=app.version,
                    description=app.description,
                    routes=app.routes,
                    servers=app.servers,
                )
            )
        return app.openapi_schema

    app.openapi = openapi  # type: ignore[method-assign]
    return app
