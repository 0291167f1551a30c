"""The documented endpoint a request calls, as API tokens' endpoint permissions name it.

An endpoint is a method and a full path template (`DELETE /v7/users/{id}`), the same in every
dialect, so that one token may be limited to endpoints of any of them.
"""

from __future__ import annotations

from collections.abc import Iterable

from fastapi.routing import APIRoute
from starlette.requests import Request
from starlette.routing import BaseRoute

from rosterd.core.entities import EndpointPermission


def called_endpoint(request: Request) -> EndpointPermission:
    """The endpoint the router matched for `request` (a dependency runs only on a match)."""
    scope = request.scope
    mount_path = scope["root_path"].removeprefix(scope.get("app_root_path", ""))
    method = "GET" if request.method == "HEAD" else request.method
    return EndpointPermission(mount_path + scope["route"].path_format, method)


def endpoint_catalogue(prefix: str, routes: Iterable[BaseRoute]) -> tuple[EndpointPermission, ...]:
    """Every documented endpoint of a dialect mounted at `prefix`."""
    return tuple(
        sorted(
            (
                EndpointPermission(prefix + route.path_format, method)
                for route in routes
                if isinstance(route, APIRoute) and route.include_in_schema
                for method in route.methods or ()
            ),
            key=lambda e: (e.path, e.http_method),
        )
    )
