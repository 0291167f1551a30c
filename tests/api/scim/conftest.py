"""Fixtures for the /api/v1/scim tests: a SCIM integration per test, and clients of every API."""

from __future__ import annotations

import uuid
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

import httpx
import pytest

from rosterd.core.audit import CLI_ACTOR
from rosterd.core.entities import Integration
from rosterd.core.integrations import IntegrationsService
from rosterd.storage import SqlDirectoryStore
from tests.support.orgs import OrgFactory, TestOrg
from tests.support.server import LiveServer, start_server

SCIM_JSON = "application/scim+json"
USER = "urn:ietf:params:scim:schemas:core:2.0:User"
GROUP = "urn:ietf:params:scim:schemas:core:2.0:Group"
ENTERPRISE = "urn:ietf:params:scim:schemas:extension:enterprise:2.0:User"
PATCH_OP = "urn:ietf:params:scim:api:messages:2.0:PatchOp"
ERROR = "urn:ietf:params:scim:api:messages:2.0:Error"
LIST = "urn:ietf:params:scim:api:messages:2.0:ListResponse"


@dataclass(frozen=True)
class Provisioning:
    """A SCIM directory integration of an organization, with its token."""

    org: TestOrg
    integration: Integration
    token: str


def scim_integration(store: SqlDirectoryStore, org: TestOrg, name: str = "Okta") -> Provisioning:
    created = IntegrationsService(store).create_integration(
        org_subdomain=org.subdomain, name=name, type="scim", actor=CLI_ACTOR
    )
    assert created.scim_token is not None
    return Provisioning(org, created.integration, created.scim_token)


def scim_client(live_server: LiveServer, token: str) -> httpx.Client:
    return httpx.Client(
        base_url=live_server.scim_url,
        headers={"Authorization": f"Bearer {token}", "Content-Type": SCIM_JSON},
    )


def patch_op(*operations: dict[str, Any]) -> dict[str, Any]:
    return {"schemas": [PATCH_OP], "Operations": list(operations)}


def error(status: int, detail: str, scim_type: str | None = None) -> dict[str, Any]:
    body: dict[str, Any] = {"schemas": [ERROR], "status": str(status)}
    if scim_type:
        body["scimType"] = scim_type
    return body | {"detail": detail}


def unique_email(prefix: str = "user") -> str:
    return f"{prefix}.{uuid.uuid4().hex[:10]}@example.com"


@pytest.fixture
def org(orgs: OrgFactory) -> TestOrg:
    return orgs.create()


@pytest.fixture
def provisioning(store: SqlDirectoryStore, org: TestOrg) -> Provisioning:
    return scim_integration(store, org)


@pytest.fixture
def scim(live_server: LiveServer, provisioning: Provisioning) -> Iterator[httpx.Client]:
    """An httpx client with the integration's SCIM token, at /api/v1/scim."""
    with scim_client(live_server, provisioning.token) as c:
        yield c


@pytest.fixture(scope="module")
def unlimited_server(database_url: str, live_server: LiveServer) -> Iterator[LiveServer]:
    """A server without rate limits, for clients that send many requests at once and do not
    retry a 429 (the fuzzer, scim2-tester): their volume must never meet one."""
    with start_server(database_url, live_server.store, rate_limits=False) as server:
        yield server


@pytest.fixture
def kandji(live_server: LiveServer, org: TestOrg) -> Iterator[httpx.Client]:
    with httpx.Client(
        base_url=live_server.kandji_url, headers={"Authorization": f"Bearer {org.token}"}
    ) as c:
        yield c


@pytest.fixture
def thousandeyes(live_server: LiveServer, org: TestOrg) -> Iterator[httpx.Client]:
    with httpx.Client(
        base_url=live_server.thousandeyes_url, headers={"Authorization": f"Bearer {org.token}"}
    ) as c:
        yield c


@pytest.fixture
def anonymous(live_server: LiveServer) -> Iterator[httpx.Client]:
    with httpx.Client(base_url=live_server.scim_url) as c:
        yield c


def create_user(scim: httpx.Client, **fields: Any) -> dict[str, Any]:
    """A user with a unique email-shaped userName (and the given fields); the created body."""
    body = {"schemas": [USER], "userName": unique_email()} | fields
    response = scim.post("/Users", json=body)
    assert response.status_code == 201, response.text
    created: dict[str, Any] = response.json()
    return created
