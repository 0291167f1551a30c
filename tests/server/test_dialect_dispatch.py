"""An API request goes from the outer app's middleware straight to its dialect
(`server/mounts.DialectDispatch`), past the router: the answers must be the router's own."""

from __future__ import annotations

import asyncio

import httpx
import pytest
from starlette.applications import Starlette

from rosterd.server import Settings, create_app
from rosterd.server.mounts import DialectDispatch
from tests.support.orgs import OrgFactory

VARYING = {"x-request-id", "date"}


def _routed_by_the_router(app: Starlette) -> Starlette:
    """`app` without its dialect dispatch: every request goes through the router, as before."""
    app.user_middleware = [m for m in app.user_middleware if m.cls is not DialectDispatch]
    return app


def _answers(
    app: Starlette, root_path: str, requests: list[tuple[str, str, str]]
) -> list[tuple[str, str, int, list[tuple[str, str]], bytes]]:
    async def ask() -> list[tuple[str, str, int, list[tuple[str, str]], bytes]]:
        transport = httpx.ASGITransport(app=app, root_path=root_path)
        async with httpx.AsyncClient(transport=transport, base_url="http://127.0.0.1:8000") as c:
            answers = []
            for method, path, token in requests:
                headers = {"Authorization": f"Bearer {token}"} if token else {}
                got = await c.request(method, root_path + path, headers=headers)
                kept = sorted((k, v) for k, v in got.headers.items() if k not in VARYING)
                answers.append((method, path, got.status_code, kept, got.content))
            return answers

    return asyncio.run(ask())


@pytest.mark.parametrize("root_path", ["", "/directory"])
def test_the_dispatch_answers_every_dialect_as_the_router_does(
    database_url: str, orgs: OrgFactory, root_path: str
) -> None:
    org = orgs.create()
    asked = [  # (method, path, token, the status it gets)
        ("GET", f"/v7/users/{org.admin.uid}", org.token, 200),
        ("GET", f"/v7/users?aid={org.aid}", org.token, 200),
        ("GET", "/v7/users/a%0Ab", org.token, 404),
        ("GET", "/v7/nowhere", org.token, 404),
        ("GET", "/v7/users/1", "", 401),
        ("GET", f"/api/v1/users/{org.admin.id}", org.token, 200),
        ("GET", "/api/v1/users?limit=2", org.token, 200),
        ("DELETE", "/api/v1/users", org.token, 405),
        ("GET", "/api/v1/scim/Users", org.token, 401),  # not a SCIM token
        ("GET", "/api/v1/scim/ServiceProviderConfig", "", 401),
        ("GET", "/v7", org.token, 307),  # the outer router's redirect to /v7/
        ("GET", "/healthz", "", 200),
        ("GET", "/nowhere", "", 404),
    ]
    requests = [(method, path, token) for method, path, token, _ in asked]
    settings = Settings(database_url=database_url, rate_limits=False)
    dispatched = _answers(create_app(settings), root_path, requests)
    routed = _answers(_routed_by_the_router(create_app(settings)), root_path, requests)
    assert dispatched == routed
    assert [answer[2] for answer in dispatched] == [status for *_, status in asked]
