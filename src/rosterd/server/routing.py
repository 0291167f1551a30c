"""Routing facts the dialects' error handlers need."""

from __future__ import annotations

import re

from fastapi.telemetry import TelemetryConfig
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.routing import Match, Mount
from starlette.types import ASGIApp

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


def mount(app: Starlette, prefix: str, dialect: ASGIApp) -> None:
    """Mount a dialect under `prefix` for every path below it.

    Starlette's mount pattern ends in `.*`, which stops at a newline: `/v7/users/a%0Ab` would
    miss the dialect and get the outer app's bare JSON 404 instead of the vendor's envelope.
    """
    route = Mount(prefix, app=dialect)
    route.path_regex = re.compile(route.path_regex.pattern, re.DOTALL)
    app.router.routes.append(route)
