"""scim2-tester 0.5.2 against rosterd, on its persistent store (SQLite and PostgreSQL), with rate
limits off (the checks run back to back, faster than a tenant's 50 requests a second).

The bar is python-scim's own in-memory reference server, scim2-server: it passes every one of
scim2-tester's 135 checks. rosterd must pass the same checks, each one, with no error and nothing
skipped.
"""

from __future__ import annotations

from collections import Counter
from typing import Any

import httpx2
import pytest
from scim2_client.engines.httpx2 import SyncSCIMClient
from scim2_client.engines.wsgi import WSGISCIMClient
from scim2_server.applications.wsgi import WSGIApplication
from scim2_server.memory import InMemoryStorage
from scim2_server.utils import load_default_provider
from scim2_tester import CheckResult, Status, check_server

from tests.api.scim.conftest import Provisioning
from tests.support.server import LiveServer

REFERENCE_CHECKS = 135  # scim2-server 0.8.3 under scim2-tester 0.5.2


def _tally(results: list[CheckResult]) -> Counter[tuple[str | None, str | None]]:
    return Counter((r.title, r.resource_type) for r in results)


def _failures(results: list[CheckResult]) -> list[str]:
    return [
        f"{r.status.name} {r.resource_type or ''} {r.title}: {r.reason} {r.data!r}"[:2000]
        for r in results
        if r.status is not Status.SUCCESS
    ]


@pytest.fixture(scope="module")
def reference_results() -> list[CheckResult]:
    app = WSGIApplication(InMemoryStorage(), load_default_provider())
    return check_server(WSGISCIMClient(app, base_url="http://localhost/v2"))


def test_the_reference_server_passes_every_check(reference_results: list[CheckResult]) -> None:
    assert _failures(reference_results) == []
    assert len(reference_results) == REFERENCE_CHECKS


def test_rosterd_passes_every_check_the_reference_server_passes(
    unlimited_server: LiveServer,
    provisioning: Provisioning,
    reference_results: list[CheckResult],
) -> None:
    # scim2-tester sends its checks as fast as it can and does not retry a 429.
    with httpx2.Client(
        base_url=unlimited_server.scim_url,
        headers={"Authorization": f"Bearer {provisioning.token}"},
    ) as http:
        results = check_server(SyncSCIMClient(http))

    assert _failures(results) == []
    assert _tally(results) == _tally(reference_results)


def test_scim2_tester_sees_rosterd_as_it_describes_itself(
    live_server: LiveServer, provisioning: Provisioning
) -> None:
    """The discovery checks alone, which also build the client's picture of the server."""
    with httpx2.Client(
        base_url=live_server.scim_url,
        headers={"Authorization": f"Bearer {provisioning.token}"},
    ) as http:
        client = SyncSCIMClient(http)
        results = check_server(client, include_tags={"discovery"})
        resource_types: list[Any] = [r.name for r in client.provider.resource_types]

    assert _failures([r for r in results if r.status is not Status.SKIPPED]) == []
    assert resource_types == ["User", "Group"]
