"""Routing facts the dialects' error handlers need."""

from __future__ import annotations

from starlette.requests import Request
from starlette.routing import Match

_METHODS = ("GET", "HEAD", "POST", "PUT", "PATCH", "DELETE", "OPTIONS")


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
