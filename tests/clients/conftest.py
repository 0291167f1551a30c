"""Fixtures for the SDK tests: the SDKs pointed at a live rosterd, one fresh org per test."""

from __future__ import annotations

import uuid
from collections.abc import Iterator

import httpx
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
