"""Routing facts the dialects' error handlers need."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from contextlib import AbstractContextManager
from typing import Any

from fastapi import APIRouter, FastAPI
from fastapi.telemetry import TelemetryConfig
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.routing import Match

from rosterd.server.binding import BoundRoute
from rosterd.server.docs import add_docs_pages
from rosterd.server.hosts import allowed_host
from rosterd.server.middleware import BodyLimitMiddleware, StateHeadersMiddleware
from rosterd.server.request_checks import RequestCheck, RequestChecksMiddleware
from rosterd.server.settings import Settings

_METHODS = ("GET", "HEAD", "POST", "PUT", "PATCH", "DELETE", "OPTIONS")

# FastAPI's built-in OpenTelemetry looks up the global providers (environment reads) on every
# request of every app, mounted ones too; rosterd configures none, so it is off.
NO_TELEMETRY: TelemetryConfig = {"tracing": False, "metrics": False, "logs": False}


def allowed_methods(request: Request) -> list[str]:
    """Every method some route of this app fully accepts for the request's path, for `Allow`.

    Starlette's own 405 names only the first route that matched the path; a path served by
    several routes (GET and POST /users) needs them all. Asking each route per method keeps
    this independent of how the framework nests included routers.
    """
    allowed = []
    for method in _METHODS:
        scope = dict(request.scope) | {"method": method}
        if any(route.matches(scope)[0] is Match.FULL for route in request.app.router.routes):
            allowed.append(method)
    return allowed


class DialectApp(FastAPI):
    """A FastAPI app served by Starlette's middleware stack: its error handlers, the dialect's
    middleware, its routes. FastAPI adds three layers of its own around every request (the
    telemetry's, which rosterd turns off; a body limit, which rosterd's own middleware sets;
    the exit stack FastAPI's request handler closes uploaded files on, which `BoundRoute`
    opens where FastAPI serves a route: every route added to it is one). Each of them costs
    every request of every dialect."""

    def __init__(self, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self.router.route_class = BoundRoute

    __call__ = Starlette.__call__
    build_middleware_stack = Starlette.build_middleware_stack


def dialect_app(
    router: APIRouter,
    settings: Settings,
    *,
    install_errors: Callable[[FastAPI], None],
    read_scope: Callable[[], AbstractContextManager[None]],
    checks: Sequence[RequestCheck] = (),
    **documented: Any,
) -> FastAPI:
    """A dialect's FastAPI app: its routes, its error envelope (`install_errors`), and what
    every dialect runs around them, innermost first: the request checks (the allowed Host,
    then `checks`), the body-size limit, the per-request headers. `documented`: the OpenAPI
    document's title, version, description, servers, `openapi_url`. `read_scope`: what an
    event-loop route's dependencies and handler run in (`server/binding.py`), the store's one
    read transaction for all of them."""
    app = DialectApp(
        # The routes themselves, not an included router: FastAPI matches an included router's
        # routes twice per request, through a layer of its own.
        routes=router.routes,
        telemetry=NO_TELEMETRY,
        docs_url=None,
        redoc_url=None,
        **documented,
    )
    install_errors(app)
    if app.openapi_url is not None:  # its Swagger UI page, after the routes (docs/operations.md)
        add_docs_pages(app, app.servers[0]["url"])
    app.state.read_scope = read_scope
    app.add_middleware(RequestChecksMiddleware, checks=[allowed_host(settings), *checks])
    app.add_middleware(BodyLimitMiddleware, max_bytes=settings.max_body_bytes)
    app.add_middleware(StateHeadersMiddleware)  # the rate-limit headers, on every response
    return app
