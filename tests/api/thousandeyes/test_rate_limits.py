"""Per-organization rate limits on /v7: headers on every response, 429 with Retry-After."""

from __future__ import annotations

import time

import httpx

from tests.api.thousandeyes.test_access import client_for
from tests.support.orgs import OrgFactory, TestOrg
from tests.support.server import LiveServer, start_server


def test_every_response_carries_the_organization_counters(client: httpx.Client) -> None:
    first = client.get("/users/current")
    second = client.get("/users/nope")  # errors count and carry the headers too

    assert first.headers["x-organization-rate-limit-limit"] == "240"
    remaining = int(first.headers["x-organization-rate-limit-remaining"])
    assert int(second.headers["x-organization-rate-limit-remaining"]) == remaining - 1
    reset = int(first.headers["x-organization-rate-limit-reset"])
    assert time.time() < reset <= time.time() + 61


def test_the_limit_is_per_organization_and_answers_429(
    orgs: OrgFactory, live_server: LiveServer, org: TestOrg
) -> None:
    small = orgs.create(rate_limit_per_minute=3)
    with client_for(live_server, small.token) as c:
        statuses = [c.get("/users/current").status_code for _ in range(3)]
        limited = c.get("/users/current")
    assert statuses == [200, 200, 200]
    assert limited.status_code == 429
    assert limited.headers["content-type"] == "application/problem+json"
    assert limited.headers["x-organization-rate-limit-limit"] == "3"
    assert limited.headers["x-organization-rate-limit-remaining"] == "0"
    assert 1 <= int(limited.headers["retry-after"]) <= 60
    assert limited.json() == {
        "type": "about:blank",
        "title": "Too Many Requests",
        "status": 429,
        "detail": "Exhausted rate limit for the organization",
        "instance": "/v7/users/current",
    }
    # Another organization is not affected.
    with client_for(live_server, org.token) as other:
        assert other.get("/users/current").status_code == 200


def test_rate_limits_can_be_turned_off(
    database_url: str, live_server: LiveServer, orgs: OrgFactory
) -> None:
    small = orgs.create(rate_limit_per_minute=1)
    with (
        start_server(database_url, live_server.store, rate_limits=False) as unlimited,
        client_for(unlimited, small.token) as c,
    ):
        responses = [c.get("/users/current") for _ in range(3)]
    assert [r.status_code for r in responses] == [200, 200, 200]
    assert "x-organization-rate-limit-limit" not in responses[0].headers
