"""rosterd's ThousandEyes SDK `RolesApi`, `AccountGroupsApi` and `PermissionsApi` against a
live rosterd: every operation and variant, with the interface of the official SDK 6.0.0's."""

from __future__ import annotations

import json

import pydantic
import pytest
from thousandeyes_sdk.administrative import (
    AccountGroupInfo,
    AccountGroups,
    AccountGroupsApi,
    Permission,
    Permissions,
    PermissionsApi,
    Role,
    RoleDetail,
    RoleRequestBody,
    Roles,
    RolesApi,
    SelfLinks,
    UsersApi,
)
from thousandeyes_sdk.core import ApiClient
from thousandeyes_sdk.core.exceptions import (
    BadRequestException,
    ForbiddenException,
    NotFoundException,
)

from rosterd.core import permissions as perm
from tests.clients.conftest import create_member
from tests.support.orgs import TestOrg
from tests.support.server import LiveServer


def permission(code: str) -> Permission:
    spec = next(p for p in perm.CATALOGUE if p.code == code)
    return Permission(
        label=spec.label,
        permission_id=str(spec.permission_id),
        is_management_permission=spec.is_management,
        permission=spec.code,
    )


def ids(*codes: str) -> list[str]:
    return [permission(code).permission_id or "" for code in codes]


@pytest.fixture
def te_roles(te_client: ApiClient) -> RolesApi:
    return RolesApi(te_client)


def test_create_get_update_delete(
    te_roles: RolesApi, org: TestOrg, live_server: LiveServer
) -> None:
    created = te_roles.create_role_with_http_info(
        RoleRequestBody(name="Helpdesk", permissions=ids(perm.API_ACCESS, perm.VIEW_ALL_USERS)),
        aid=org.aid,
    )
    assert created.status_code == 201
    role = created.data
    assert isinstance(role, RoleDetail)
    href = f"{live_server.thousandeyes_url}/roles/{role.role_id}"
    assert created.headers is not None
    assert created.headers["Location"] == href
    assert role == RoleDetail(
        name="Helpdesk",
        role_id=role.role_id,
        is_builtin=False,
        permissions=[permission(perm.API_ACCESS), permission(perm.VIEW_ALL_USERS)],
        links=SelfLinks.from_dict({"self": {"href": href}}),
    )
    assert role.role_id is not None
    assert te_roles.get_role(role.role_id, aid=org.aid) == role

    updated = te_roles.update_role(role.role_id, RoleRequestBody(permissions=ids(perm.API_ACCESS)))
    assert updated.name == "Helpdesk"
    assert updated.permissions == [permission(perm.API_ACCESS)]

    listed = te_roles.get_roles(aid=org.aid)
    assert isinstance(listed, Roles)
    assert Role(
        role_id=role.role_id, name="Helpdesk", is_builtin=False, has_management_permissions=False
    ) in (listed.roles or [])

    deleted = te_roles.delete_role_with_http_info(role.role_id)
    assert (deleted.status_code, deleted.data) == (204, None)
    with pytest.raises(NotFoundException) as gone:
        te_roles.get_role(role.role_id)
    assert gone.value.status == 404


def test_without_preload_content_is_unparsed(te_roles: RolesApi) -> None:
    response = te_roles.get_role_without_preload_content("1")
    assert response.status == 200
    assert json.loads(response.data)["name"] == "Organization Admin"
    missing = te_roles.get_role_without_preload_content("999999")
    assert missing.status == 404  # not raised


def test_refusals_raise_the_sdks_exceptions(
    te_roles: RolesApi, te_users: UsersApi, org: TestOrg
) -> None:
    with pytest.raises(ForbiddenException):
        te_roles.update_role("3", RoleRequestBody(name="Mine", permissions=[]))
    with pytest.raises(BadRequestException) as duplicate:
        te_roles.create_role(RoleRequestBody(name="Regular User"))
    assert duplicate.value.data is not None
    role_id = te_roles.create_role(RoleRequestBody(name="Held", permissions=[])).role_id
    assert role_id is not None
    create_member(te_users, org, role_ids=[role_id, "3"])
    with pytest.raises(BadRequestException) as in_use:
        te_roles.delete_role(role_id)
    assert [e.code for e in in_use.value.data.errors or []] == ["ROLE_IN_USE"]


def test_ids_must_be_strings_and_unknown_keywords_are_refused(te_roles: RolesApi) -> None:
    with pytest.raises(pydantic.ValidationError):
        te_roles.get_role(1)  # type: ignore[arg-type]
    with pytest.raises(pydantic.ValidationError):
        te_roles.get_roles(page=2)  # type: ignore[call-arg]


def test_account_groups_and_permissions_are_listed(
    te_client: ApiClient, org: TestOrg, live_server: LiveServer
) -> None:
    groups = AccountGroupsApi(te_client).get_account_groups_with_http_info()
    assert groups.status_code == 200
    assert isinstance(groups.data, AccountGroups)
    assert groups.data.account_groups == [
        AccountGroupInfo(
            aid=org.aid,
            account_group_name=org.account_group.name,
            is_current_account_group=True,
            is_default_account_group=True,
            organization_name=org.name,
            org_id=str(org.account_group.org_id),
        )
    ]
    assert groups.data.links is not None

    permissions = PermissionsApi(te_client).get_permissions(aid=org.aid)
    assert isinstance(permissions, Permissions)
    assert permissions.permissions == [permission(p.code) for p in perm.CATALOGUE]
    raw = PermissionsApi(te_client).get_permissions_without_preload_content()
    assert raw.status == 200
    assert json.loads(raw.data)["_links"] == {
        "self": {"href": f"{live_server.thousandeyes_url}/permissions"}
    }
