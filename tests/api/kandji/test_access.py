"""Who may call /api/v1: tokens, Kandji-style endpoint permissions, roles, and rate limits."""

from __future__ import annotations

from collections.abc import Iterator

import httpx
import pytest

from rosterd.core.audit import CLI_ACTOR
from rosterd.core.auth import AuthService
from rosterd.core.entities import EndpointPermission
from rosterd.storage import SqlDirectoryStore
from tests.api.kandji.conftest import Directory
from tests.support.orgs import TestOrg
from tests.support.server import LiveServer, start_server

NO_PERMISSION = {"detail": "You do not have permission to perform this action."}


def scoped_token(org: TestOrg, store: SqlDirectoryStore, *endpoints: tuple[str, str]) -> str:
    return (
        AuthService(store)
        .create_token(
            org_subdomain=org.subdomain,
            email=org.admin.email,
            actor=CLI_ACTOR,
            permissions=[EndpointPermission(path, method) for method, path in endpoints],
        )
        .token
    )


def as_token(live_server: LiveServer, token: str) -> httpx.Client:
    return httpx.Client(
        base_url=live_server.kandji_url, headers={"Authorization": f"Bearer {token}"}
    )


def test_missing_token_is_401(anonymous: httpx.Client) -> None:
    for response in (anonymous.get("/users"), anonymous.delete("/users/x")):
        assert response.status_code == 401
        assert response.json() == {"detail": "Authentication credentials were not provided."}
        assert response.headers["www-authenticate"] == 'Bearer realm="api"'


@pytest.mark.parametrize("header", ["Bearer rst_not-a-real-token", "Bearer x", "Basic YTpi"])
def test_invalid_token_is_401(anonymous: httpx.Client, header: str) -> None:
    response = anonymous.get("/users", headers={"Authorization": header})

    assert response.status_code == 401
    expected = (
        "Invalid token."
        if header.startswith("Bearer")
        else ("Authentication credentials were not provided.")
    )
    assert response.json() == {"detail": expected}


def test_revoked_token_is_401(
    live_server: LiveServer, org: TestOrg, store: SqlDirectoryStore
) -> None:
    token = org.token_for(org.admin.email)
    AuthService(store).revoke_token(org_subdomain=org.subdomain, token=token, actor=CLI_ACTOR)

    with as_token(live_server, token) as c:
        response = c.get("/users")

    assert response.status_code == 401
    assert response.json() == {"detail": "Invalid token."}


def test_endpoint_permissions_limit_a_token(
    live_server: LiveServer, org: TestOrg, store: SqlDirectoryStore, directory: Directory
) -> None:
    [user] = directory.add_users(directory.integration(), 1)
    device_id = directory.add_device()
    token = scoped_token(
        org,
        store,
        ("GET", "/api/v1/users"),
        ("GET", "/api/v1/users/{id}"),
        ("PATCH", "/api/v1/devices/{device_id}"),
    )

    with as_token(live_server, token) as c:
        allowed = [
            c.get("/users"),
            c.get(f"/users/{user.id}"),
            c.patch(f"/devices/{device_id}", json={"user": str(user.id)}),
        ]
        refused = [
            c.delete(f"/users/{user.id}"),
            c.get("/devices"),
            c.get(f"/devices/{device_id}"),
            c.get("/audit/events"),
        ]

    assert [r.status_code for r in allowed] == [200, 200, 200]
    assert [r.status_code for r in refused] == [403, 403, 403, 403]
    assert all(r.json() == NO_PERMISSION for r in refused)
    assert directory.user(user.email).id == user.id  # not deleted


def test_a_token_without_permissions_may_call_every_endpoint(client: httpx.Client) -> None:
    for path in ("/users", "/devices", "/audit/events"):
        assert client.get(path).status_code == 200


def test_a_regular_users_token_reaches_no_tenant_wide_operation(
    live_server: LiveServer, org: TestOrg, client: httpx.Client
) -> None:
    with httpx.Client(
        base_url=live_server.thousandeyes_url, headers={"Authorization": f"Bearer {org.token}"}
    ) as te:
        regular = te.post("/users", json={"name": "Reg", "email": f"reg@{org.subdomain}.test"})
    assert regular.status_code == 201
    token = org.token_for(f"reg@{org.subdomain}.test")
    [admin] = client.get("/users", params={"id": str(org.admin.id)}).json()["results"]

    with as_token(live_server, token) as c:
        responses = [
            c.get("/users"),
            c.get(f"/users/{admin['id']}"),
            c.delete(f"/users/{admin['id']}"),
            c.get("/devices"),
            c.get("/audit/events"),
        ]

    assert [r.status_code for r in responses] == [403] * 5
    assert all(r.json() == NO_PERMISSION for r in responses)


def test_rate_limit_headers_as_kandji_sends_them(client: httpx.Client) -> None:
    first = client.get("/users")
    second = client.get("/users")

    assert first.headers["Ratelimit-Limit"] == "50"
    assert first.headers["X-Ratelimit-Limit-Hour"] == "10000"
    assert first.headers["X-Ratelimit-Limit-Second"] == "50"
    assert int(first.headers["Ratelimit-Reset"]) == 1
    hour = [int(r.headers["X-Ratelimit-Remaining-Hour"]) for r in (first, second)]
    assert hour == [9999, 9998]
    assert int(second.headers["X-Ratelimit-Remaining-Second"]) <= 49
    assert second.headers["Ratelimit-Remaining"] == second.headers["X-Ratelimit-Remaining-Second"]


@pytest.fixture
def strict_server(store: SqlDirectoryStore, database_url: str) -> Iterator[LiveServer]:
    with start_server(database_url, store, kandji_requests_per_hour=3) as server:
        yield server


def test_429_with_retry_after_when_the_hour_is_spent(
    strict_server: LiveServer, org: TestOrg
) -> None:
    with as_token(strict_server, org.token) as c:
        responses = [c.get("/users") for _ in range(4)]

    assert [r.status_code for r in responses] == [200, 200, 200, 429]
    limited = responses[-1]
    wait = int(limited.headers["Retry-After"])
    assert 3500 < wait <= 3600
    assert limited.json() == {
        "detail": f"Request was throttled. Expected available in {wait} seconds."
    }
    assert limited.headers["X-Ratelimit-Remaining-Hour"] == "0"
    assert limited.headers["Ratelimit-Limit"] == "3"  # the window closest to running out


def test_rate_limits_can_be_turned_off(
    store: SqlDirectoryStore, database_url: str, org: TestOrg
) -> None:
    with (
        start_server(database_url, store, rate_limits=False, kandji_requests_per_hour=1) as server,
        as_token(server, org.token) as c,
    ):
        responses = [c.get("/users") for _ in range(3)]

    assert [r.status_code for r in responses] == [200, 200, 200]
    assert "Ratelimit-Limit" not in responses[0].headers
