"""The /v7/users operations, asserted on status, headers and body as clients rely on them."""

from __future__ import annotations

import json
import re
import uuid
from typing import Any

import httpx
import pytest

from rosterd.core import users as users_core
from tests.support.orgs import OrgFactory, TestOrg
from tests.support.server import LiveServer

TIMESTAMP = re.compile(r"^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ$")
# `lastLogin` only once a user has logged in (tests/api/thousandeyes/test_user_fields.py).
EXTENDED_USER_KEYS = {"uid", "name", "email", "dateRegistered", "loginAccountGroup"}
CREATED_USER_KEYS = {
    "uid",
    "name",
    "email",
    "dateRegistered",
    "loginAccountGroup",
    "accountGroupRoles",
    "allAccountGroupRoles",
    "_links",
}
USER_DETAIL_KEYS = CREATED_USER_KEYS
REGULAR_USER = {
    "roleId": "3",
    "name": "Regular User",
    "isBuiltin": True,
    "hasManagementPermissions": False,
}
ORG_ADMIN = {
    "roleId": "1",
    "name": "Organization Admin",
    "isBuiltin": True,
    "hasManagementPermissions": True,
}


def unique_email(local: str = "jane") -> str:
    """Emails unique across the session: a shared one would make the person span orgs."""
    return f"{local}.{uuid.uuid4().hex[:12]}@example.com"


def new_user(client: httpx.Client, aid: str | None = None, **fields: Any) -> httpx.Response:
    body = {"name": "Jane Doe", "email": unique_email()} | fields
    return client.post("/users", json=body, params={"aid": aid} if aid else None)


def test_list_users_returns_extended_users_with_links(
    client: httpx.Client, org: TestOrg, live_server: LiveServer
) -> None:
    response = client.get("/users", headers={"Accept": "application/hal+json"})

    assert response.status_code == 200
    assert response.headers["content-type"] == "application/hal+json"
    body = response.json()
    assert body["_links"] == {"self": {"href": f"{live_server.thousandeyes_url}/users"}}
    [admin] = body["users"]
    assert set(admin) == EXTENDED_USER_KEYS
    assert admin["uid"] == str(org.admin.uid)
    assert admin["email"] == org.admin.email
    assert TIMESTAMP.match(admin["dateRegistered"])
    assert admin["loginAccountGroup"] == {"aid": org.aid, "accountGroupName": org.name}


def test_plain_json_is_answered_when_hal_is_not_asked_for(client: httpx.Client) -> None:
    response = client.get("/users", headers={"Accept": "application/json"})

    assert response.status_code == 200
    assert response.headers["content-type"] == "application/json"


def test_create_user_answers_201_with_location_and_created_user(
    client: httpx.Client, org: TestOrg, live_server: LiveServer
) -> None:
    response = new_user(client, org.aid)

    assert response.status_code == 201
    body = response.json()
    assert set(body) == CREATED_USER_KEYS
    href = f"{live_server.thousandeyes_url}/users/{body['uid']}"
    assert response.headers["location"] == href
    assert body["_links"] == {"self": {"href": href}}
    assert body["uid"].isdigit()
    assert body["name"] == "Jane Doe"
    assert body["email"].startswith("jane.")
    assert TIMESTAMP.match(body["dateRegistered"])
    # Without roles in the request the user is a Regular User where the call acts.
    group = {"aid": org.aid, "accountGroupName": org.name}
    assert body["loginAccountGroup"] == group
    assert body["accountGroupRoles"] == [{"accountGroup": group, "roles": [REGULAR_USER]}]
    assert body["allAccountGroupRoles"] == []


def test_create_user_with_roles_in_groups_and_in_all_groups(
    client: httpx.Client, org: TestOrg
) -> None:
    emea = org.add_account_group("EMEA")
    response = new_user(
        client,
        loginAccountGroupId=str(emea.aid),
        accountGroupRoles=[
            {"accountGroupId": str(emea.aid), "roleIds": ["3", "2"]},
        ],
        allAccountGroupRoleIds=["3"],
    )

    assert response.status_code == 201
    body = response.json()
    emea_json = {"aid": str(emea.aid), "accountGroupName": "EMEA"}
    assert body["loginAccountGroup"] == emea_json
    account_admin = {
        "roleId": "2",
        "name": "Account Admin",
        "isBuiltin": True,
        "hasManagementPermissions": True,
    }
    assert body["accountGroupRoles"] == [
        {"accountGroup": emea_json, "roles": [account_admin, REGULAR_USER]}
    ]
    assert body["allAccountGroupRoles"] == [REGULAR_USER]


def test_get_user_returns_user_detail(client: httpx.Client, org: TestOrg) -> None:
    created = new_user(client).json()

    response = client.get(f"/users/{created['uid']}", params={"aid": org.aid})

    assert response.status_code == 200
    body = response.json()
    assert set(body) == USER_DETAIL_KEYS
    assert body == created


def test_current_user_is_the_caller(client: httpx.Client, org: TestOrg) -> None:
    response = client.get("/users/current")

    assert response.status_code == 200
    body = response.json()
    assert set(body) == USER_DETAIL_KEYS
    assert body["uid"] == str(org.admin.uid)
    assert body["allAccountGroupRoles"] == [ORG_ADMIN]


def test_update_is_partial_for_plain_fields(client: httpx.Client) -> None:
    created = new_user(client).json()

    response = client.put(f"/users/{created['uid']}", json={"name": "Jane Smith"})

    assert response.status_code == 200
    body = response.json()
    assert body["name"] == "Jane Smith"
    assert body["email"] == created["email"]
    assert body["accountGroupRoles"] == created["accountGroupRoles"]


def test_update_replaces_account_group_roles_and_all_group_roles(
    client: httpx.Client, org: TestOrg
) -> None:
    apac = org.add_account_group("APAC")
    created = new_user(client, allAccountGroupRoleIds=["3"]).json()

    response = client.put(
        f"/users/{created['uid']}",
        json={
            "accountGroupRoles": [{"accountGroupId": str(apac.aid), "roleIds": ["2"]}],
            "allAccountGroupRoleIds": [],
        },
    )

    assert response.status_code == 200
    body = response.json()
    apac_json = {"aid": str(apac.aid), "accountGroupName": "APAC"}
    assert [g["accountGroup"] for g in body["accountGroupRoles"]] == [apac_json]
    assert body["allAccountGroupRoles"] == []
    # The login account group moved along, since the user left the old one.
    assert body["loginAccountGroup"] == apac_json


def test_update_that_leaves_no_role_is_refused(client: httpx.Client) -> None:
    created = new_user(client).json()

    response = client.put(f"/users/{created['uid']}", json={"accountGroupRoles": []})

    assert response.status_code == 400
    assert response.json()["errors"] == [
        {
            "code": "REQUIRED",
            "field": "accountGroupRoles",
            "message": "a user needs at least one role in some account group",
        }
    ]


def test_delete_user_answers_204_and_the_user_is_gone(client: httpx.Client) -> None:
    created = new_user(client).json()

    response = client.delete(f"/users/{created['uid']}")

    assert response.status_code == 204
    assert response.content == b""
    assert client.get(f"/users/{created['uid']}").status_code == 404
    assert client.delete(f"/users/{created['uid']}").status_code == 404


@pytest.mark.parametrize("user_id", ["999999999", "not-a-number", "1e3", "%20"])
def test_unknown_user_is_a_404_problem(client: httpx.Client, user_id: str) -> None:
    response = client.get(f"/users/{user_id}")

    assert response.status_code == 404
    assert response.headers["content-type"] == "application/problem+json"
    body = response.json()
    assert body["type"] == "about:blank"
    assert body["title"] == "URI Resource Not Found"
    assert body["status"] == 404
    assert body["instance"].startswith("/v7/users/")


def test_another_organizations_user_is_not_found(
    client: httpx.Client, orgs: OrgFactory, live_server: LiveServer
) -> None:
    other = orgs.create()
    uid = str(other.admin.uid)

    assert client.get(f"/users/{uid}").status_code == 404
    assert client.put(f"/users/{uid}", json={"name": "x"}).status_code == 404
    assert client.delete(f"/users/{uid}").status_code == 404
    with httpx.Client(
        base_url=live_server.thousandeyes_url, headers={"Authorization": f"Bearer {other.token}"}
    ) as theirs:
        assert theirs.get(f"/users/{uid}").status_code == 200


def test_listing_never_shows_other_organizations(
    client: httpx.Client, orgs: OrgFactory, org: TestOrg
) -> None:
    orgs.create()
    emails = {u["email"] for u in client.get("/users").json()["users"]}
    assert emails == {org.admin.email}


def test_listing_reads_in_batches_and_sends_one_body_of_every_user(
    client: httpx.Client, org: TestOrg, live_server: LiveServer, monkeypatch: pytest.MonkeyPatch
) -> None:
    # Batches of 7 over 1 + 20 users: three full batches, so every seam between them shows.
    monkeypatch.setattr(users_core, "USERS_PER_READ", 7)
    created = [new_user(client).json() for _ in range(20)]

    response = client.get("/users", headers={"Accept": "application/hal+json"})

    assert response.status_code == 200
    assert response.headers["content-type"] == "application/hal+json"
    assert response.headers["transfer-encoding"] == "chunked"  # streamed, not held in memory
    body = response.json()
    assert [u["uid"] for u in body["users"]] == [str(org.admin.uid)] + [c["uid"] for c in created]
    # Byte for byte what one JSON response of the same content is (Starlette's compact form).
    assert response.content == json.dumps(body, ensure_ascii=False, separators=(",", ":")).encode()
