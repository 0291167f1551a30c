"""The SCIM dialect's app: its routes and its error envelope, built when the dialect is first
needed (`server/mounts.py`)."""

from __future__ import annotations

from fastapi import FastAPI

from rosterd import __version__
from rosterd.dialects.scim import _errors
from rosterd.dialects.scim._deps import ScimServices
from rosterd.dialects.scim._routes import router
from rosterd.server.routing import dialect_app
from rosterd.server.services import Services


def create_scim_app(services: Services) -> FastAPI:
    # SCIM describes itself through its discovery endpoints (/ServiceProviderConfig,
    # /ResourceTypes, /Schemas), so no OpenAPI document is served.
    app = dialect_app(
        router,
        services.settings,
        install_errors=_errors.install,
        read_scope=services.store.shared_read,
        title="rosterd — SCIM 2.0",
        version=__version__,
        openapi_url=None,
    )
    app.state.scim = ScimServices.of(services)
    return app
