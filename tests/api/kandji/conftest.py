"""Fixtures for the /api/v1 (Kandji) API tests: clients, and a directory to fill."""

from __future__ import annotations

import uuid
from collections.abc import Iterator
from typing import Any

import httpx
import pytest

from rosterd.core.audit import CLI_ACTOR
from rosterd.core.devices import DevicesService
from rosterd.core.directory_sync import DirectorySyncService, SyncResult, parse_record
from rosterd.core.entities import Integration, User
from rosterd.core.integrations import IntegrationsService
from rosterd.storage import SqlDirectoryStore
from tests.support.orgs import OrgFactory, TestOrg
from tests.support.server import LiveServer


class Directory:
    """An organization's directory as the tests fill it: integrations, users, devices."""

    def __init__(self, org: TestOrg, store: SqlDirectoryStore) -> None:
        self.org = org
        self.store = store

    def integration(self, name: str = "accuhive", type: str = "office365") -> Integration:
        return (
            IntegrationsService(self.store)
            .create_integration(
                org_subdomain=self.org.subdomain, name=name, type=type, actor=CLI_ACTOR
            )
            .integration
        )

    def import_users(
        self, integration: Integration, rows: list[dict[str, Any]], *, full: bool = False
    ) -> SyncResult:
        return DirectorySyncService(self.store).import_users(
            org_subdomain=self.org.subdomain,
            integration_uuid=str(integration.uuid),
            records=[parse_record(row, f"row {i}") for i, row in enumerate(rows, start=1)],
            full=full,
        )

    def add_users(
        self, integration: Integration, count: int, prefix: str = "user", tag: str | None = None
    ) -> list[User]:
        """`count` users `{prefix}{i}.{tag}@example.com`, the tag random unless given."""
        tag = tag or uuid.uuid4().hex[:8]
        rows = [{"email": f"{prefix}{i:05d}.{tag}@example.com"} for i in range(count)]
        self.import_users(integration, rows)
        return [self.user(row["email"]) for row in rows]

    def add_device(self, serial: str | None = None, **fields: Any) -> str:
        """Import one device; returns its device_id."""
        device_id = str(uuid.uuid4())
        row = {"serial_number": serial or uuid.uuid4().hex[:12].upper(), "device_id": device_id}
        DevicesService(self.store).import_devices(
            org_subdomain=self.org.subdomain, records=[row | fields]
        )
        return device_id

    def user(self, email: str) -> User:
        with self.store.read() as tx:
            org = tx.get_organization_by_subdomain(self.org.subdomain)
            assert org is not None
            found = tx.find_user_by_email(org.id, email)
        assert found is not None, email
        return found


@pytest.fixture
def org(orgs: OrgFactory) -> TestOrg:
    return orgs.create()


@pytest.fixture
def directory(org: TestOrg, store: SqlDirectoryStore) -> Directory:
    return Directory(org, store)


@pytest.fixture
def people(directory: Directory) -> Directory:
    """`directory` with two directory users, Art Vandelay and Kel Varnsen (vandelay.test)."""
    directory.import_users(
        directory.integration(),
        [
            {"email": "art.vandelay@vandelay.test", "name": "Art Vandelay"},
            {"email": "kel.varnsen@vandelay.test", "name": "Kel Varnsen"},
        ],
    )
    return directory


@pytest.fixture
def client(live_server: LiveServer, org: TestOrg) -> Iterator[httpx.Client]:
    """An httpx client with `org`'s admin token, at /api/v1."""
    with httpx.Client(
        base_url=live_server.kandji_url, headers={"Authorization": f"Bearer {org.token}"}
    ) as c:
        yield c


@pytest.fixture
def anonymous(live_server: LiveServer) -> Iterator[httpx.Client]:
    with httpx.Client(base_url=live_server.kandji_url) as c:
        yield c
