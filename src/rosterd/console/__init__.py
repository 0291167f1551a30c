"""The web console at /console (docs/console.md): server-rendered pages over the core services.

Mounted lazily: nothing the console needs (Jinja2, its templates) loads before the first
request under /console, so `rosterd serve` starts as fast without it.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Final

from starlette.types import ASGIApp, Receive, Scope, Send

if TYPE_CHECKING:
    from starlette.applications import Starlette

    from rosterd.server.services import Services

PREFIX: Final = "/console"

__all__ = ["PREFIX", "mount_console"]


def mount_console(app: Starlette, services: Services) -> None:
    """Serve the console under /console of `app`."""
    from rosterd.server.routing import mount

    mount(app, PREFIX, _LazyConsole(services))


class _LazyConsole:
    """Builds the console on its first request."""

    def __init__(self, services: Services) -> None:
        self._services = services
        self._app: ASGIApp | None = None

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if self._app is None:
            from rosterd.console._app import create_console_app

            self._app = create_console_app(self._services)
        await self._app(scope, receive, send)
