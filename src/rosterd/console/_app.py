"""The console's Starlette app: its routes, templates, static files and error pages."""

from __future__ import annotations

from pathlib import Path
from typing import Final

from jinja2 import Environment, FileSystemLoader, select_autoescape
from starlette.applications import Starlette
from starlette.routing import Mount, Route
from starlette.staticfiles import StaticFiles

from rosterd.console import PREFIX
from rosterd.console._pages import Console
from rosterd.console._session import SessionSigner
from rosterd.server.services import Services

HERE: Final = Path(__file__).parent


def create_console_app(services: Services) -> Starlette:
    templates = Environment(
        loader=FileSystemLoader(HERE / "templates"),
        autoescape=select_autoescape(default=True, default_for_string=True),
        auto_reload=False,
    )
    templates.globals["base"] = PREFIX
    console = Console(services, templates, SessionSigner(services.settings.console_secret))
    return Starlette(
        routes=[
            Route("/", console.home, methods=["GET"]),
            Route("/signin", console.signin_form, methods=["GET"]),
            Route("/signin", console.signin, methods=["POST"]),
            Route("/signout", console.signout, methods=["POST"]),
            Route("/users", console.users, methods=["GET"]),
            Route("/users/{user_id}", console.user, methods=["GET"]),
            Route("/audit", console.audit, methods=["GET"]),
            Mount("/static", StaticFiles(directory=HERE / "static")),
        ],
    )
