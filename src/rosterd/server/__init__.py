"""The HTTP server: app factory, settings, middleware, rate limits."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from rosterd.server.settings import Settings

if TYPE_CHECKING:
    from rosterd.server.app import create_app

__all__ = ["Settings", "create_app"]


def __getattr__(name: str) -> Any:
    # The web stack is imported on first use, so that CLI commands that never serve start fast.
    if name == "create_app":
        from rosterd.server.app import create_app

        return create_app
    raise AttributeError(name)
