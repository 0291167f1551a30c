"""SCIM is served on the Kandji host, so its requests count against the organization's Kandji
limits (10,000 an hour, 50 a second, shared with the Kandji API), with Kandji's headers; a spent
limit is a SCIM 429 with Retry-After."""

from __future__ import annotations

from collections.abc import Iterator

import httpx
import pytest

from rosterd.storage import SqlDirectoryStore
from tests.api.scim.conftest import (
    SCIM_JSON,
    USER,
    Provisioning,
    error,
    scim_client,
    scim_integration,
    unique_email,
)
from tests.support.orgs import OrgFactory
from tests.support.process import free_port
from tests.support.server import LiveServer, start_server

HOUR_LEFT = "X-Ratelimit-Remaining-Hour"


def kandji_client(server: LiveServer, provisioning: Provisioning) -> httpx.Client:
    return httpx.Client(
        base_url=server.kandji_url, headers={"Authorization": f"Bearer {provisioning.org.token}"}
    )


def test_every_scim_response_carries_the_organization_s_kandji_counters(
    scim: httpx.Client, kandji: httpx.Client
) -> None:
    first = scim.get("/Users")
    second = scim.get("/Users/nope")  # errors count, and carry the headers, too
    through_kandji = kandji.get("/users")
    third = scim.get("/Groups")

    assert first.headers["Ratelimit-Limit"] == "50"
    assert first.headers["X-Ratelimit-Limit-Hour"] == "10000"
    assert first.headers["X-Ratelimit-Limit-Second"] == "50"
    assert first.headers["Ratelimit-Reset"] == "1"
    assert int(first.headers["X-Ratelimit-Remaining-Second"]) <= 49
    assert second.status_code == 404
    # One budget: the Kandji API's request is counted between SCIM's.
    left = [int(r.headers[HOUR_LEFT]) for r in (first, second, through_kandji, third)]
    assert left == [9999, 9998, 9997, 9996]


@pytest.fixture
def strict_server(store: SqlDirectoryStore, database_url: str) -> Iterator[LiveServer]:
    with start_server(database_url, store, kandji_requests_per_hour=3) as server:
        yield server


def test_429_with_retry_after_when_the_organization_s_hour_is_spent(
    strict_server: LiveServer, provisioning: Provisioning, scim: httpx.Client
) -> None:
    refused = unique_email()
    with (
        scim_client(strict_server, provisioning.token) as strict,
        kandji_client(strict_server, provisioning) as kandji,
    ):
        statuses = [
            kandji.get("/users").status_code,
            strict.get("/Users").status_code,
            strict.post("/Users", json={"schemas": [USER], "userName": unique_email()}).status_code,
        ]
        limited = strict.post("/Users", json={"schemas": [USER], "userName": refused})
        kandji_after = kandji.get("/users")

    assert statuses == [200, 200, 201]
    assert limited.status_code == 429
    wait = int(limited.headers["Retry-After"])
    assert 3500 < wait <= 3600
    assert limited.headers["content-type"] == SCIM_JSON
    assert limited.json() == error(
        429, f"API rate limit exceeded. Expected available in {wait} seconds."
    )
    assert limited.headers["Ratelimit-Limit"] == "3"  # the window closest to running out
    assert limited.headers["Ratelimit-Remaining"] == "0"
    assert limited.headers["X-Ratelimit-Limit-Hour"] == "3"
    assert limited.headers[HOUR_LEFT] == "0"
    # The Kandji API shares the spent budget.
    assert kandji_after.status_code == 429
    assert kandji_after.json() == {
        "detail": f"Request was throttled. Expected available in {wait} seconds."
    }
    # The refused create wrote nothing (asked of another server, whose counters are its own).
    found = scim.get("/Users", params={"filter": f'userName eq "{refused}"'}).json()
    assert found["totalResults"] == 0


def test_another_organization_keeps_its_budget(
    strict_server: LiveServer,
    provisioning: Provisioning,
    store: SqlDirectoryStore,
    orgs: OrgFactory,
) -> None:
    other = scim_integration(store, orgs.create())
    with (
        scim_client(strict_server, provisioning.token) as spent,
        scim_client(strict_server, other.token) as fresh,
    ):
        assert [spent.get("/Users").status_code for _ in range(4)] == [200, 200, 200, 429]
        response = fresh.get("/Users")

    assert response.status_code == 200
    assert response.headers[HOUR_LEFT] == "2"


@pytest.mark.parametrize(
    "unlimited",
    [
        pytest.param({"rate_limits": False}, id="rate limits off"),
        pytest.param({"redis_url": f"redis://127.0.0.1:{free_port()}/0"}, id="no redis there"),
    ],
)
def test_without_limits_every_request_is_served_without_the_headers(
    store: SqlDirectoryStore,
    database_url: str,
    provisioning: Provisioning,
    unlimited: dict[str, object],
) -> None:
    """ROSTERD_RATE_LIMITS=off, or a Redis that cannot be reached (served open, as the other
    dialects are)."""
    with (
        start_server(database_url, store, kandji_requests_per_hour=1, **unlimited) as server,
        scim_client(server, provisioning.token) as scim,
    ):
        responses = [scim.get("/Users") for _ in range(3)]

    assert [r.status_code for r in responses] == [200, 200, 200]
    assert "Ratelimit-Limit" not in responses[0].headers
    assert HOUR_LEFT not in responses[0].headers
