"""The `rosterd` command line."""

from rosterd.cli._app import app, main

__all__ = ["app", "main"]
