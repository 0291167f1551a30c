"""The console's Starlette app: its routes, templates, static files and error pages."""

from __future__ import annotations

from pathlib import Path
from typing import Final

from jinja2 import Environment, FileSystemLoader, select_autoescape
from starlette.applications import Starlette
from starlette.routing import Mount, Route
from starlette.staticfiles import StaticFiles

from rosterd.console import PREFIX
from rosterd.console._account_groups import AccountGroupPages
from rosterd.console._audit import AuditPages
from rosterd.console._devices import DevicePages
from rosterd.console._imports import ImportPages
from rosterd.console._roles import RolePages
from rosterd.console._session import SessionSigner
from rosterd.console._signin import SigninPages
from rosterd.console._user import UserPage
from rosterd.console._users import UserPages
from rosterd.server.services import Services

HERE: Final = Path(__file__).parent
IMPORT: Final = "/integrations/{integration_id}/imports/{import_id}"  # one import's pages


def create_console_app(services: Services) -> Starlette:
    templates = Environment(
        loader=FileSystemLoader(HERE / "templates"),
        autoescape=select_autoescape(default=True, default_for_string=True),
        auto_reload=False,
    )
    templates.globals["base"] = PREFIX
    parts = (services, templates, SessionSigner(services.settings.console_secret))
    signin, users, audit = SigninPages(*parts), UserPages(*parts), AuditPages(*parts)
    devices, user = DevicePages(*parts), UserPage(*parts)
    integrations, groups, roles = (
        ImportPages(*parts),
        AccountGroupPages(*parts),
        RolePages(*parts),
    )
    return Starlette(
        routes=[
            Route("/", signin.home, methods=["GET"]),
            Route("/signin", signin.signin_form, methods=["GET"]),
            Route("/signin", signin.signin, methods=["POST"]),
            Route("/signout", signin.signout, methods=["POST"]),
            Route("/users", users.users, methods=["GET"]),
            Route("/users/{user_id}", user.user, methods=["GET"]),
            Route("/users/{user_id}/roles", user.update_roles, methods=["POST"]),
            Route("/users/{user_id}/delete", user.confirm_delete, methods=["GET"]),
            Route("/users/{user_id}/delete", user.delete, methods=["POST"]),
            Route("/users/{user_id}/tokens", user.create_token, methods=["POST"]),
            Route("/users/{user_id}/tokens/{token_id}/revoke", user.revoke_token, methods=["POST"]),
            Route("/audit", audit.audit, methods=["GET"]),
            Route("/devices", devices.devices, methods=["GET"]),
            Route("/devices/{device_id}", devices.device, methods=["GET"]),
            Route("/devices/{device_id}", devices.assign, methods=["POST"]),
            Route("/integrations", integrations.integrations, methods=["GET"]),
            Route("/integrations", integrations.create, methods=["POST"]),
            Route("/integrations/{integration_id}", integrations.integration, methods=["GET"]),
            Route("/integrations/{integration_id}/token", integrations.token, methods=["POST"]),
            Route("/integrations/{integration_id}/imports", integrations.upload, methods=["POST"]),
            Route(IMPORT, integrations.import_page, methods=["GET"]),
            Route(f"{IMPORT}/progress", integrations.progress, methods=["GET"]),
            Route(f"{IMPORT}/apply", integrations.apply, methods=["POST"]),
            Route(f"{IMPORT}/cancel", integrations.cancel, methods=["POST"]),
            Route("/account-groups", groups.account_groups, methods=["GET"]),
            Route("/account-groups", groups.create, methods=["POST"]),
            Route("/account-groups/{aid}", groups.account_group, methods=["GET"]),
            Route("/account-groups/{aid}", groups.rename, methods=["POST"]),
            Route("/account-groups/{aid}/delete", groups.delete, methods=["POST"]),
            Route("/roles", roles.roles, methods=["GET"]),
            Route("/roles", roles.create, methods=["POST"]),
            Route("/roles/{role_id}", roles.role, methods=["GET"]),
            Route("/roles/{role_id}", roles.update, methods=["POST"]),
            Route("/roles/{role_id}/delete", roles.delete, methods=["POST"]),
            Mount("/static", StaticFiles(directory=HERE / "static")),
        ],
    )
