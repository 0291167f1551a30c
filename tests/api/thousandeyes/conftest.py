"""Fixtures for the /v7 API tests: an httpx client per organization."""

from __future__ import annotations

from collections.abc import Iterator

import httpx
import pytest

from tests.support.orgs import OrgFactory, TestOrg
from tests.support.server import LiveServer


@pytest.fixture
def org(orgs: OrgFactory) -> TestOrg:
    return orgs.create()


@pytest.fixture
def client(live_server: LiveServer, org: TestOrg) -> Iterator[httpx.Client]:
    """An httpx client authenticated as `org`'s Organization Admin."""
    with httpx.Client(
        base_url=live_server.thousandeyes_url, headers={"Authorization": f"Bearer {org.token}"}
    ) as c:
        yield c


@pytest.fixture
def anonymous(live_server: LiveServer) -> Iterator[httpx.Client]:
    with httpx.Client(base_url=live_server.thousandeyes_url) as c:
        yield c
