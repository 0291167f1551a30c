"""The read endpoints a caller needs to fill a UserRequest, and the dialect's OpenAPI document."""

from __future__ import annotations

import httpx

from rosterd.core import permissions as perm
from tests.support.orgs import TestOrg
from tests.support.server import LiveServer


def test_account_groups_lists_the_callers_groups(
    client: httpx.Client, org: TestOrg, live_server: LiveServer
) -> None:
    emea = org.add_account_group("EMEA")

    response = client.get("/account-groups")

    assert response.status_code == 200
    assert response.json() == {
        "accountGroups": [
            {
                "aid": org.aid,
                "accountGroupName": org.name,
                "isCurrentAccountGroup": True,
                "isDefaultAccountGroup": True,
                "organizationName": org.name,
                "orgId": str(org.account_group.org_id),
            },
            {
                "aid": str(emea.aid),
                "accountGroupName": "EMEA",
                "isCurrentAccountGroup": False,
                "isDefaultAccountGroup": False,
                "organizationName": org.name,
                "orgId": str(org.account_group.org_id),
            },
        ],
        "_links": {"self": {"href": f"{live_server.thousandeyes_url}/account-groups"}},
    }


def test_roles_lists_built_ins_and_the_orgs_custom_roles(
    client: httpx.Client, org: TestOrg
) -> None:
    helpdesk = org.add_role("Helpdesk", perm.API_ACCESS, perm.VIEW_ALL_USERS)

    response = client.get("/roles", params={"aid": org.aid})

    assert response.status_code == 200
    assert response.json()["roles"] == [
        {
            "roleId": "1",
            "name": "Organization Admin",
            "isBuiltin": True,
            "hasManagementPermissions": True,
        },
        {
            "roleId": "2",
            "name": "Account Admin",
            "isBuiltin": True,
            "hasManagementPermissions": True,
        },
        {
            "roleId": "3",
            "name": "Regular User",
            "isBuiltin": True,
            "hasManagementPermissions": False,
        },
        {
            "roleId": str(helpdesk.role_id),
            "name": "Helpdesk",
            "isBuiltin": False,
            "hasManagementPermissions": True,
        },
    ]


def test_permissions_lists_the_catalogue(client: httpx.Client) -> None:
    response = client.get("/permissions")

    assert response.status_code == 200
    permissions = response.json()["permissions"]
    assert len(permissions) == len(perm.CATALOGUE)
    assert permissions[0] == {
        "label": "API Access",
        "permissionId": "1",
        "isManagementPermission": False,
        "permission": "API_ACCESS",
    }
    labels = {p["label"] for p in permissions}
    assert {"View all users", "Edit users", "Edit users in all account groups"} <= labels


def test_openapi_document_describes_exactly_this_dialect(anonymous: httpx.Client) -> None:
    response = anonymous.get("/openapi.json")

    assert response.status_code == 200
    document = response.json()
    assert document["servers"] == [{"url": "/v7"}]
    operations = {
        (method.upper(), path) for path, item in document["paths"].items() for method in item
    }
    assert operations == {
        ("GET", "/users"),
        ("POST", "/users"),
        ("GET", "/users/current"),
        ("GET", "/users/{id}"),
        ("PUT", "/users/{id}"),
        ("DELETE", "/users/{id}"),
        ("GET", "/account-groups"),
        ("POST", "/account-groups"),
        ("GET", "/account-groups/{id}"),
        ("PUT", "/account-groups/{id}"),
        ("DELETE", "/account-groups/{id}"),
        ("GET", "/audit-user-events"),
        ("GET", "/roles"),
        ("POST", "/roles"),
        ("GET", "/roles/{id}"),
        ("PUT", "/roles/{id}"),
        ("DELETE", "/roles/{id}"),
        ("GET", "/permissions"),
    }
    create = document["paths"]["/users"]["post"]
    assert set(create["responses"]) >= {"201", "400", "401", "403", "404", "429"}
