"""Every route is bound (server/binding.py), and a bound route answers exactly as FastAPI would.

Each request below is sent twice to the same live server: as served (bound), and with every
route handed back to FastAPI's own serving. Status, headers and body must be the same, byte for
byte: the valid requests (read only), and above all the invalid ones, which a bound route hands
to FastAPI so that the error and its precedence (a missing token before a bad parameter) are
FastAPI's.
"""

from __future__ import annotations

import json
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass

import httpx
import pytest
from fastapi.routing import APIRoute

from rosterd.dialects.kandji._routes import router as kandji_router
from rosterd.dialects.scim._routes import router as scim_router
from rosterd.dialects.thousandeyes._routes import router as thousandeyes_router
from rosterd.server import Settings, create_app
from rosterd.server.binding import BoundRoute
from rosterd.storage import SqlDirectoryStore
from tests.api.scim.conftest import scim_integration
from tests.support.dialects import dialect_apps
from tests.support.orgs import OrgFactory
from tests.support.server import start_server

ROUTERS = {"thousandeyes": thousandeyes_router, "kandji": kandji_router, "scim": scim_router}
_PER_REQUEST = {"x-request-id", "date"}


@pytest.mark.parametrize("dialect", sorted(ROUTERS))
def test_every_route_of_a_dialect_is_bound(dialect: str) -> None:
    routes = ROUTERS[dialect].routes
    assert routes
    assert [r.path for r in routes if not (isinstance(r, BoundRoute) and r.bound)] == []


def test_every_fastapi_route_of_a_served_dialect_is_a_bound_route(
    store: SqlDirectoryStore, database_url: str
) -> None:
    """The docs pages too: a dialect app opens no exit stack for FastAPI's own serving, so a
    plain APIRoute would fail on every request (server/routing.py, `DialectApp`)."""
    app = create_app(Settings(database_url=database_url), store)
    for prefix, dialect in dialect_apps(app).items():
        plain = [r.path for r in dialect.routes if type(r) is APIRoute]
        assert (prefix, plain) == (prefix, [])
        if dialect.openapi_url is not None:  # its docs page is one of them
            assert "/docs" in {getattr(r, "path", None) for r in dialect.routes}


@contextmanager
def served_by_fastapi() -> Iterator[None]:
    """Every dialect route served by FastAPI's solver, as before binding, for the block."""
    routes = [r for router in ROUTERS.values() for r in router.routes]
    assert all(isinstance(r, BoundRoute) for r in routes)
    bound = [(r, r.app) for r in routes]
    try:
        for route, _ in bound:
            route.app = route.fastapi_app  # type: ignore[attr-defined]
        yield
    finally:
        for route, app in bound:
            route.app = app


@dataclass(frozen=True)
class Call:
    method: str
    path: str
    token: str | None  # "admin", "scim", None (no Authorization), or a literal value
    content: bytes | None = None
    content_type: str | None = None

    def send(self, client: httpx.Client, tokens: dict[str, str]) -> httpx.Response:
        headers = {}
        if self.token is not None:
            headers["Authorization"] = f"Bearer {tokens.get(self.token, self.token)}"
        if self.content_type is not None:
            headers["Content-Type"] = self.content_type
        return client.request(self.method, self.path, headers=headers, content=self.content)


def _json(value: object) -> bytes:
    return json.dumps(value).encode()


LONG = "9" * 65
USER_BODY = {"name": "Ada", "email": "ada@example.com", "loginAccountGroupId": "1"}
CALLS = [
    # ThousandEyes: path and query parameters
    Call("GET", "/v7/users/{uid}", "admin"),
    Call("GET", "/v7/users/{uid}?aid={aid}", "admin"),
    Call("GET", "/v7/users/{uid}?aid=", "admin"),
    Call("GET", "/v7/users/{uid}?aid=" + LONG, "admin"),
    Call("GET", "/v7/users/{uid}?aid=" + LONG, None),
    Call("GET", "/v7/users/" + LONG, "admin"),
    Call("GET", "/v7/users/" + LONG, None),
    Call("GET", "/v7/users/current", "admin"),
    Call("GET", "/v7/users?aid=" + LONG, "admin"),
    Call("GET", "/v7/users?aid=x&aid={aid}", "admin"),
    Call("GET", "/v7/roles?aid=" + LONG, "admin"),
    Call("DELETE", "/v7/users/" + LONG, "admin"),
    # ThousandEyes: bodies that do not bind
    Call("POST", "/v7/users", "admin"),
    Call("POST", "/v7/users", "admin", b"", "application/json"),
    Call("POST", "/v7/users", "admin", b"{not json", "application/json"),
    Call("POST", "/v7/users", "admin", b"[]", "application/json"),
    Call("POST", "/v7/users", "admin", _json({"name": "Ada"}), "application/json"),
    Call("POST", "/v7/users", "admin", _json(USER_BODY), "text/plain"),
    Call("POST", "/v7/users", "admin", _json(USER_BODY), None),
    Call("POST", "/v7/users", "admin", b"[" * 100_000, "application/json"),
    Call("POST", "/v7/users", None, b"{not json", "application/json"),
    Call("POST", "/v7/users", None, _json({"name": "Ada"}), "application/json"),
    Call("POST", "/v7/users?aid=" + LONG, "admin", _json(USER_BODY), "application/json"),
    Call("PUT", "/v7/users/{uid}", "admin", _json({"email": 5}), "application/json"),
    Call("PUT", "/v7/users/" + LONG, "admin", _json(USER_BODY), "application/json"),
    # Kandji
    Call("GET", "/api/v1/users/{uuid}", "admin"),
    Call("GET", "/api/v1/users/" + LONG, "admin"),
    Call("GET", "/api/v1/users/not-a-uuid", "admin"),
    Call("GET", "/api/v1/users?email=" + "e" * 300, "admin"),
    Call("GET", "/api/v1/users?archived=maybe", "admin"),
    Call("GET", "/api/v1/users?cursor=" + "c" * 3000, None),
    Call("GET", "/api/v1/users?email=ada&email=bob", "admin"),
    Call("GET", "/api/v1/devices?limit=abc", "admin"),
    Call("GET", "/api/v1/audit/events?limit=-1", "admin"),
    Call("PATCH", "/api/v1/devices/" + LONG, "admin", _json({"user": None}), "application/json"),
    Call("PATCH", f"/api/v1/devices/{uuid.UUID(int=1)}", "admin", b"{", "application/json"),
    # SCIM
    Call("GET", "/api/v1/scim/Users/{scim_id}", "scim"),
    Call("GET", "/api/v1/scim/Users?count=abc", "scim"),
    Call("GET", "/api/v1/scim/Users?startIndex=0&count=1", "scim"),
    Call("GET", "/api/v1/scim/Schemas/nope", "scim"),
    Call("GET", "/api/v1/scim/Users/" + LONG, None),
    Call("POST", "/api/v1/scim/Users", "scim", b"{", "application/scim+json"),
    Call("POST", "/api/v1/scim/Users", "scim", b"{}", "text/plain"),
    Call("POST", "/api/v1/scim/Users/.search", "scim", _json({"count": "x"}), "application/json"),
]


def _comparable(response: httpx.Response) -> tuple[int, list[tuple[bytes, bytes]], bytes]:
    """Status, headers as sent (names in their case, in order) but the per-request ones, body."""
    headers = [(k, v) for k, v in response.headers.raw if k.lower().decode() not in _PER_REQUEST]
    return response.status_code, headers, response.content


def test_bound_routes_answer_as_fastapi_does(
    database_url: str, store: SqlDirectoryStore, orgs: OrgFactory
) -> None:
    org = orgs.create()
    provisioning = scim_integration(store, org)
    # Rate limits off: their counters would differ between the two answers.
    with (
        start_server(database_url, store, rate_limits=False) as server,
        httpx.Client(base_url=server.base_url, timeout=10) as client,
    ):
        created = client.post(
            "/api/v1/scim/Users",
            headers={"Authorization": f"Bearer {provisioning.token}"},
            json={"schemas": ["urn:ietf:params:scim:schemas:core:2.0:User"], "userName": "a@b.co"},
        )
        assert created.status_code == 201, created.text
        scim_id = created.json()["id"]
        tokens = {"admin": org.token, "scim": provisioning.token}
        listed = client.get("/api/v1/users", headers={"Authorization": f"Bearer {org.token}"})
        someone = next(u for u in listed.json()["results"] if u["email"] == "a@b.co")
        names = {
            "uid": str(someone["deprecated_user_id"]),
            "uuid": someone["id"],
            "scim_id": scim_id,
            "aid": org.aid,
        }
        calls = [
            Call(c.method, c.path.format(**names), c.token, c.content, c.content_type)
            for c in CALLS
        ]
        bound = [_comparable(c.send(client, tokens)) for c in calls]
        with served_by_fastapi():
            by_fastapi = [_comparable(c.send(client, tokens)) for c in calls]
    for call, ours, theirs in zip(calls, bound, by_fastapi, strict=True):
        assert ours == theirs, f"{call.method} {call.path[:80]}"
    # The matrix means something only if it reaches both sides of the binding.
    statuses = {status for status, _, _ in bound}
    assert {200, 400, 401}.issubset(statuses), statuses
