"""SCIM 2.0 provisioning (RFC 7643 / RFC 7644) for directory integrations, under /api/v1/scim."""

from __future__ import annotations

from fastapi import FastAPI

from rosterd import __version__
from rosterd.dialects.scim import _errors
from rosterd.dialects.scim._deps import ScimServices
from rosterd.dialects.scim._routes import PREFIX, router
from rosterd.server.hosts import allowed_host
from rosterd.server.middleware import BodyLimitMiddleware, StateHeadersMiddleware
from rosterd.server.request_checks import RequestChecksMiddleware
from rosterd.server.routing import NO_TELEMETRY
from rosterd.server.services import Services

__all__ = ["PREFIX", "create_scim_app"]


def create_scim_app(services: Services) -> FastAPI:
    # SCIM describes itself through its discovery endpoints (/ServiceProviderConfig,
    # /ResourceTypes, /Schemas), so no OpenAPI document is served.
    app = FastAPI(
        # The routes themselves, not an included router: FastAPI matches an included router's
        # routes twice per request, through a layer of its own.
        routes=router.routes,
        telemetry=NO_TELEMETRY,
        title="rosterd — SCIM 2.0",
        version=__version__,
        docs_url=None,
        redoc_url=None,
        openapi_url=None,
    )
    app.state.scim = ScimServices.of(services)
    _errors.install(app)
    app.add_middleware(RequestChecksMiddleware, checks=[allowed_host(services.settings)])
    app.add_middleware(BodyLimitMiddleware, max_bytes=services.settings.max_body_bytes)
    app.add_middleware(StateHeadersMiddleware)  # the rate-limit headers, on every response
    return app
