"""Fixtures for the SDK tests: the SDKs pointed at a live rosterd, one fresh org per test."""

from __future__ import annotations

import uuid
from collections.abc import Iterator
from typing import Any

import httpx
import kandji
import pytest
from thousandeyes_sdk.administrative import UserAccountGroupRole, UserRequest, UsersApi
from thousandeyes_sdk.administrative.models.created_user import CreatedUser
from thousandeyes_sdk.core import ApiClient, Configuration

from tests.support.orgs import OrgFactory, TestOrg
from tests.support.server import LiveServer

KANDJI_MISSING = (
    "rosterd does not serve the Kandji API (/api/v1/users) yet: the Kandji dialect "
    "(src/rosterd/dialects/kandji) is being built in parallel"
)


def unique_email(prefix: str = "sdk") -> str:
    return f"{prefix}-{uuid.uuid4().hex[:12]}@example.com"


def kandji_served(live_server: LiveServer) -> bool:
    """True once /api/v1/users is routed: unauthenticated it answers 401, not a bare 404."""
    return httpx.get(f"{live_server.base_url}/api/v1/users").status_code != 404


@pytest.fixture
def org(orgs: OrgFactory) -> TestOrg:
    return orgs.create()


@pytest.fixture
def te_configuration(live_server: LiveServer, org: TestOrg) -> Configuration:
    return Configuration(host=live_server.thousandeyes_url, access_token=org.token)


@pytest.fixture
def te_client(te_configuration: Configuration) -> Iterator[ApiClient]:
    with ApiClient(te_configuration) as client:
        yield client


@pytest.fixture
def te_users(te_client: ApiClient) -> UsersApi:
    return UsersApi(te_client)


def create_member(
    users: UsersApi, org: TestOrg, *, role_ids: list[str] | None = None
) -> CreatedUser:
    """A new user of `org`, created through the SDK (Regular User unless roles are given)."""
    request = UserRequest(name="Member", email=unique_email())
    if role_ids is not None:
        request.account_group_roles = [
            UserAccountGroupRole(account_group_id=org.aid, role_ids=role_ids)
        ]
    return users.create_user(request)


@pytest.fixture
def require_kandji(live_server: LiveServer) -> None:
    if not kandji_served(live_server):
        pytest.skip(KANDJI_MISSING)


class KandjiDirectory:
    """Fills an organization's Kandji directory (integrations, users, devices) through the
    core services, as a directory sync would. Imported lazily: the Kandji dialect and its
    services are being built in parallel, and tests that need them skip until they exist."""

    def __init__(self, org: TestOrg) -> None:
        self.org = org

    def integration(self, name: str = "accuhive", type: str = "office365") -> Any:
        from rosterd.core.audit import CLI_ACTOR
        from rosterd.core.integrations import IntegrationsService

        return (
            IntegrationsService(self.org.store)
            .create_integration(
                org_subdomain=self.org.subdomain, name=name, type=type, actor=CLI_ACTOR
            )
            .integration
        )

    def import_users(
        self, integration: Any, rows: list[dict[str, Any]], *, full: bool = False
    ) -> None:
        from rosterd.core.directory_sync import DirectorySyncService, parse_record

        DirectorySyncService(self.org.store).import_users(
            org_subdomain=self.org.subdomain,
            integration_uuid=str(integration.uuid),
            records=[parse_record(row, f"row {i}") for i, row in enumerate(rows, start=1)],
            full=full,
        )

    def add_device(self, user_email: str) -> str:
        """A device assigned to the user; returns its device_id."""
        from rosterd.core.devices import DevicesService

        device_id = str(uuid.uuid4())
        row = {
            "serial_number": uuid.uuid4().hex[:12].upper(),
            "device_id": device_id,
            "user_email": user_email,
        }
        DevicesService(self.org.store).import_devices(
            org_subdomain=self.org.subdomain, records=[row]
        )
        return device_id

    def user_id(self, email: str) -> str:
        with self.org.store.read() as tx:
            org = tx.get_organization_by_subdomain(self.org.subdomain)
            assert org is not None
            found = tx.find_user_by_email(org.id, email)
        assert found is not None, email
        return str(found.id)

    def limited_token(self, *endpoints: tuple[str, str]) -> str:
        """A token of the org's admin allowed only the given (path, method) endpoints."""
        from rosterd.core.audit import CLI_ACTOR
        from rosterd.core.auth import AuthService
        from rosterd.core.entities import EndpointPermission

        return (
            AuthService(self.org.store)
            .create_token(
                org_subdomain=self.org.subdomain,
                email=self.org.admin.email,
                actor=CLI_ACTOR,
                permissions=[EndpointPermission(path, method) for path, method in endpoints],
            )
            .token
        )


@pytest.fixture
def directory(org: TestOrg, require_kandji: None) -> KandjiDirectory:
    return KandjiDirectory(org)


@pytest.fixture
def kandji_client(
    live_server: LiveServer, org: TestOrg, require_kandji: None
) -> Iterator[kandji.ApiClient]:
    configuration = kandji.Configuration(host=live_server.base_url, access_token=org.token)
    with kandji.ApiClient(configuration) as client:
        yield client


@pytest.fixture
def kandji_users(kandji_client: kandji.ApiClient) -> kandji.UsersApi:
    return kandji.UsersApi(kandji_client)
