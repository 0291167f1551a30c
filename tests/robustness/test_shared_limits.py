"""With Redis, an organization's rate limit holds across worker processes; without it, no 500s.

When Redis goes away while rosterd runs, requests are allowed (no 5xx); when it comes back, the
limit holds again without a restart.
"""

from __future__ import annotations

import os
import time
from collections import Counter
from concurrent.futures import ThreadPoolExecutor

import httpx
import pytest

from tests.support.orgs import OrgFactory
from tests.support.process import (
    REDIS_CLI,
    REDIS_SERVER,
    free_port,
    start_process,
    start_processes,
    start_redis,
)

LIMIT = 12
CURRENT_USER = "/v7/users/current"
REMAINING = "x-organization-rate-limit-remaining"


@pytest.fixture
def redis_url() -> str:
    url = os.environ.get("ROSTERD_TEST_REDIS_URL")
    if url:
        return url
    if os.environ.get("ROSTERD_REQUIRE_REDIS") == "1":
        pytest.fail("ROSTERD_TEST_REDIS_URL is not set but ROSTERD_REQUIRE_REDIS=1")
    pytest.skip("shared rate-limit tests need ROSTERD_TEST_REDIS_URL")


@pytest.fixture
def redis_binaries() -> None:
    """The tests that stop and start a Redis of their own need redis-server and redis-cli."""
    if REDIS_SERVER and REDIS_CLI:
        return
    if os.environ.get("ROSTERD_REQUIRE_REDIS") == "1":
        pytest.fail("redis-server or redis-cli is not on PATH but ROSTERD_REQUIRE_REDIS=1")
    pytest.skip("needs redis-server and redis-cli on PATH")


def round_robin_statuses(base_urls: list[str], token: str, count: int) -> Counter[int]:
    """Request i goes to process i mod n, so every process sees a share of the traffic."""

    def one(i: int) -> int:
        url = f"{base_urls[i % len(base_urls)]}/v7/users/current"
        return httpx.get(url, headers={"Authorization": f"Bearer {token}"}, timeout=30).status_code

    with ThreadPoolExecutor(max_workers=6) as pool:
        return Counter(pool.map(one, range(count)))


def test_the_limit_is_shared_by_every_process(
    database_url: str, orgs: OrgFactory, redis_url: str
) -> None:
    org = orgs.create(rate_limit_per_minute=LIMIT)
    servers = start_processes(3, database_url, ROSTERD_REDIS_URL=redis_url)
    try:
        statuses = round_robin_statuses([s.base_url for s in servers], org.token, 3 * LIMIT)
    finally:
        for server in servers:
            server.stop()
    # Without a shared store each process would allow LIMIT requests: 3 * LIMIT in total.
    assert statuses == {200: LIMIT, 429: 2 * LIMIT}


def test_several_workers_of_one_server_share_the_limit(
    database_url: str, orgs: OrgFactory, redis_url: str
) -> None:
    org = orgs.create(rate_limit_per_minute=LIMIT)
    server = start_process(database_url, args=("--workers", "2"), ROSTERD_REDIS_URL=redis_url)
    try:
        statuses = round_robin_statuses([server.base_url], org.token, 2 * LIMIT)
    finally:
        server.stop()
    assert statuses == {200: LIMIT, 429: LIMIT}


def test_an_unreachable_redis_degrades_to_unlimited_never_to_errors(
    database_url: str, orgs: OrgFactory
) -> None:
    org = orgs.create(rate_limit_per_minute=2)
    closed_port = free_port()
    server = start_process(database_url, ROSTERD_REDIS_URL=f"redis://127.0.0.1:{closed_port}/0")
    try:
        responses = [
            httpx.get(
                f"{server.base_url}/v7/users/current",
                headers={"Authorization": f"Bearer {org.token}"},
                timeout=30,
            )
            for _ in range(5)
        ]
    finally:
        server.stop()
    assert [r.status_code for r in responses] == [200] * 5
    assert "x-organization-rate-limit-limit" not in responses[0].headers


def until_counted(client: httpx.Client) -> tuple[list[httpx.Response], httpx.Response]:
    """Requests until one is counted again (it carries the rate-limit headers): those before, it."""
    uncounted: list[httpx.Response] = []
    deadline = time.monotonic() + 30  # the back-off is a few seconds
    while time.monotonic() < deadline:
        response = client.get(CURRENT_USER)
        if REMAINING in response.headers:
            return uncounted, response
        uncounted.append(response)
        time.sleep(0.05)
    pytest.fail(f"the limit was not counted again within 30 s ({len(uncounted)} requests)")


@pytest.mark.usefixtures("redis_binaries")
def test_redis_going_away_allows_requests_and_its_return_restores_the_limit(
    database_url: str, orgs: OrgFactory
) -> None:
    org = orgs.create(rate_limit_per_minute=LIMIT)
    redis = start_redis()
    server = start_process(database_url, ROSTERD_REDIS_URL=redis.url)
    client = httpx.Client(
        base_url=server.base_url, headers={"Authorization": f"Bearer {org.token}"}, timeout=30
    )
    try:
        before = [client.get(CURRENT_USER).status_code for _ in range(LIMIT + 2)]
        redis.kill()
        during = [client.get(CURRENT_USER) for _ in range(2 * LIMIT)]
        redis = start_redis(redis.port)
        backing_off, first_counted = until_counted(client)
        after = [client.get(CURRENT_USER).status_code for _ in range(LIMIT)]
    finally:
        client.close()
        server.stop()
        redis.kill()
    assert before == [200] * LIMIT + [429] * 2
    # Redis gone (and while rosterd backs off after its return): allowed, unlimited, no headers.
    assert [r.status_code for r in during + backing_off] == [200] * len(during + backing_off)
    assert not [r for r in during + backing_off if REMAINING in r.headers]
    # The restarted Redis is empty, so the first counted request opens a fresh window.
    assert (first_counted.status_code, first_counted.headers[REMAINING]) == (200, str(LIMIT - 1))
    assert after == [200] * (LIMIT - 1) + [429]
