"""The HTTP server: app factory, settings, middleware, rate limits."""

from rosterd.server.app import create_app
from rosterd.server.settings import Settings

__all__ = ["Settings", "create_app"]
