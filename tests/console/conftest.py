"""Fixtures for the console tests: an organization with a few people, and a signed-in client."""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass

import httpx
import pytest

from rosterd.core.audit import CLI_ACTOR
from rosterd.core.auth import AuthService
from rosterd.core.directory_sync import DirectorySyncService, parse_record
from rosterd.core.entities import EndpointPermission
from rosterd.core.integrations import IntegrationsService
from rosterd.storage import SqlDirectoryStore
from tests.support.orgs import OrgFactory, TestOrg
from tests.support.server import LiveServer

PEOPLE = [
    {"email": "art.vandelay@vandelay.test", "name": "Art Vandelay"},
    {"email": "kel.varnsen@vandelay.test", "name": "Kel Varnsen"},
]


@dataclass(frozen=True)
class ConsoleOrg:
    org: TestOrg
    regular_token: str  # Art Vandelay's: a Regular User, who may not list the directory
    scoped_token: str  # the admin's, limited to GET /api/v1/users/{id}


def fill(org: TestOrg, store: SqlDirectoryStore) -> ConsoleOrg:
    integration = (
        IntegrationsService(store)
        .create_integration(
            org_subdomain=org.subdomain, name="accuhive", type="office365", actor=CLI_ACTOR
        )
        .integration
    )
    DirectorySyncService(store).import_users(
        org_subdomain=org.subdomain,
        integration_uuid=str(integration.uuid),
        records=[parse_record(row, f"row {i}") for i, row in enumerate(PEOPLE, start=1)],
        full=False,
    )
    scoped = AuthService(store).create_token(
        org_subdomain=org.subdomain,
        email=org.admin.email,
        actor=CLI_ACTOR,
        permissions=[EndpointPermission("/api/v1/users/{id}", "GET")],
    )
    return ConsoleOrg(org, org.token_for(PEOPLE[0]["email"]), scoped.token)


@pytest.fixture
def console_org(orgs: OrgFactory, store: SqlDirectoryStore) -> ConsoleOrg:
    return fill(orgs.create(), store)


@pytest.fixture
def other_org(orgs: OrgFactory, store: SqlDirectoryStore) -> ConsoleOrg:
    return fill(orgs.create(admin_email="someone.else@elsewhere.test"), store)


@pytest.fixture
def browserless(live_server: LiveServer) -> Iterator[httpx.Client]:
    """An httpx client at /console that keeps cookies and does not follow redirects."""
    with httpx.Client(base_url=live_server.base_url + "/console") as c:
        yield c


def sign_in(client: httpx.Client, token: str) -> httpx.Response:
    return client.post("/signin", data={"token": token})


def csrf_of(page: httpx.Response) -> str:
    found = re.search(r'name="csrf" value="([^"]+)"', page.text)
    assert found, page.text
    return found.group(1)
