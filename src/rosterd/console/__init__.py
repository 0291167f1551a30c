"""The web console at /console (docs/console.md): server-rendered pages over the core services.

Mounted lazily: nothing the console needs (Jinja2, its templates) loads before the first
request under /console, so `rosterd serve` starts as fast without it.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Final

if TYPE_CHECKING:
    from starlette.applications import Starlette
    from starlette.types import ASGIApp

    from rosterd.server.services import Services

PREFIX: Final = "/console"

__all__ = ["PREFIX", "mount_console"]


def mount_console(app: Starlette, services: Services) -> None:
    """Serve the console under /console of `app`, built on its first request (it is not an
    API: the warm-up after the start leaves it alone)."""
    from rosterd.server.mounts import LazyApp, mount

    def build() -> ASGIApp:
        from rosterd.console._app import create_console_app

        return create_console_app(services)

    mount(app, PREFIX, LazyApp("console", build))
