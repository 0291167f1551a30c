"""The application factory: one ASGI app with a sub-application per dialect."""

from __future__ import annotations

import logging

from fastapi import FastAPI
from fastapi.responses import JSONResponse

from rosterd import __version__
from rosterd.core.ports import DirectoryStore
from rosterd.dialects.kandji import PREFIX as KANDJI_PREFIX
from rosterd.dialects.kandji import create_kandji_app
from rosterd.dialects.scim import PREFIX as SCIM_PREFIX
from rosterd.dialects.scim import create_scim_app
from rosterd.dialects.thousandeyes import PREFIX as THOUSANDEYES_PREFIX
from rosterd.dialects.thousandeyes import create_thousandeyes_app
from rosterd.server.logging import describe
from rosterd.server.middleware import AnsweredErrorsMiddleware, RequestLogMiddleware
from rosterd.server.routing import NO_TELEMETRY, mount
from rosterd.server.services import Services
from rosterd.server.settings import Settings
from rosterd.storage import SqlDirectoryStore, make_engine

log = logging.getLogger("rosterd")


def create_app(settings: Settings, store: DirectoryStore | None = None) -> FastAPI:
    """Build rosterd for `settings`; the schema must already be migrated (`rosterd db upgrade`)."""
    if store is None:
        store = SqlDirectoryStore(make_engine(settings.database_url))
    services = Services.build(settings, store)
    app = FastAPI(
        telemetry=NO_TELEMETRY,
        title="rosterd",
        version=__version__,
        docs_url=None,
        redoc_url=None,
        openapi_url=None,
    )
    app.state.services = services

    @app.get("/healthz", include_in_schema=False)
    def healthz() -> dict[str, str]:
        return {"status": "ok"}

    @app.get("/readyz", include_in_schema=False)
    def readyz() -> JSONResponse:
        try:
            store.ping()
        except Exception as exc:
            log.warning("database unreachable: %s", describe(exc))
            return JSONResponse({"status": "unavailable", "database": "unreachable"}, 503)
        return JSONResponse({"status": "ok", "database": "ok"})

    mount(app, THOUSANDEYES_PREFIX, create_thousandeyes_app(services))
    # Mounts match by prefix in order: a dialect under /api/v1/... (SCIM) goes before this one.
    mount(app, SCIM_PREFIX, create_scim_app(services))
    mount(app, KANDJI_PREFIX, create_kandji_app(services))
    app.add_middleware(RequestLogMiddleware)
    app.add_middleware(AnsweredErrorsMiddleware)  # outermost: it sees what the others raise
    return app
