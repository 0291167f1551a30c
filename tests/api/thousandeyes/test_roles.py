"""/v7/roles/{id} and POST /v7/roles: create, retrieve, replace and delete custom roles."""

from __future__ import annotations

from typing import Any

import httpx
import pytest

from rosterd.core import permissions as perm
from rosterd.storage import SqlDirectoryStore
from tests.api.thousandeyes.test_users import new_user
from tests.support.orgs import OrgFactory, TestOrg
from tests.support.server import LiveServer


def permission(code: str) -> dict[str, Any]:
    spec = next(p for p in perm.CATALOGUE if p.code == code)
    return {
        "label": spec.label,
        "permissionId": str(spec.permission_id),
        "isManagementPermission": spec.is_management,
        "permission": spec.code,
    }


def ids(*codes: str) -> list[str]:
    return [str(next(p for p in perm.CATALOGUE if p.code == c).permission_id) for c in codes]


def create(client: httpx.Client, name: str, *codes: str) -> httpx.Response:
    return client.post("/roles", json={"name": name, "permissions": ids(*codes)})


def errors(response: httpx.Response, status: int = 400) -> list[tuple[str, str]]:
    assert response.status_code == status, response.text
    assert response.headers["content-type"] == "application/problem+json"
    return [(e["field"], e["code"]) for e in response.json().get("errors", [])]


def test_create_answers_201_with_location_and_the_role(
    client: httpx.Client, live_server: LiveServer
) -> None:
    response = create(client, "Helpdesk", perm.VIEW_ALL_USERS, perm.API_ACCESS)

    assert response.status_code == 201
    body = response.json()
    href = f"{live_server.thousandeyes_url}/roles/{body['roleId']}"
    assert response.headers["location"] == href
    assert body == {
        "name": "Helpdesk",
        "roleId": body["roleId"],
        "isBuiltin": False,
        "permissions": [permission(perm.API_ACCESS), permission(perm.VIEW_ALL_USERS)],
        "_links": {"self": {"href": href}},
    }
    assert client.get(f"/roles/{body['roleId']}").json() == body
    listed = {r["roleId"]: r for r in client.get("/roles").json()["roles"]}
    assert listed[body["roleId"]]["hasManagementPermissions"] is True


def test_update_replaces_name_and_permissions(client: httpx.Client) -> None:
    role_id = create(client, "Helpdesk", perm.API_ACCESS, perm.VIEW_ALL_USERS).json()["roleId"]

    response = client.put(
        f"/roles/{role_id}", json={"name": "Auditors", "permissions": ids("ACTIVITY_LOG_READ")}
    )

    assert response.status_code == 200
    body = response.json()
    assert body["name"] == "Auditors"
    assert body["permissions"] == [permission("ACTIVITY_LOG_READ")]
    assert client.get(f"/roles/{role_id}").json() == body
    # The name alone may be left out; the permissions may not (replace-based).
    kept = client.put(f"/roles/{role_id}", json={"permissions": []})
    assert kept.json()["name"] == "Auditors"
    assert kept.json()["permissions"] == []
    assert errors(client.put(f"/roles/{role_id}", json={"name": None, "permissions": []})) == [
        ("name", "STRING_TYPE")
    ]
    assert errors(client.put(f"/roles/{role_id}", json={"name": "X"})) == [
        ("permissions", "MISSING")
    ]


def test_delete_answers_204_and_the_role_is_gone(client: httpx.Client) -> None:
    role_id = create(client, "Temporary", perm.API_ACCESS).json()["roleId"]

    response = client.delete(f"/roles/{role_id}")

    assert response.status_code == 204
    assert response.content == b""
    assert client.get(f"/roles/{role_id}").status_code == 404
    assert role_id not in {r["roleId"] for r in client.get("/roles").json()["roles"]}


def test_a_role_someone_holds_cannot_be_deleted(client: httpx.Client, org: TestOrg) -> None:
    role_id = create(client, "Helpdesk", perm.API_ACCESS).json()["roleId"]
    user = new_user(
        client, accountGroupRoles=[{"accountGroupId": org.aid, "roleIds": [role_id, "3"]}]
    ).json()

    refused = client.delete(f"/roles/{role_id}")

    assert errors(refused) == [("id", "ROLE_IN_USE")]
    assert refused.json()["detail"] == (
        "The role is assigned to 1 user; remove it from them before deleting it"
    )
    roles = [{"accountGroupId": org.aid, "roleIds": ["3"]}]
    assert client.put(f"/users/{user['uid']}", json={"accountGroupRoles": roles}).is_success
    assert client.delete(f"/roles/{role_id}").status_code == 204


@pytest.mark.parametrize("role_id", ["1", "2", "3"])
def test_built_in_roles_cannot_be_changed_or_deleted(client: httpx.Client, role_id: str) -> None:
    assert client.get(f"/roles/{role_id}").json()["isBuiltin"] is True
    changed = client.put(f"/roles/{role_id}", json={"name": "Mine", "permissions": []})
    deleted = client.delete(f"/roles/{role_id}")
    for response in (changed, deleted):
        assert response.status_code == 403
        assert "cannot be changed or deleted" in response.json()["detail"]
    assert client.get(f"/roles/{role_id}").json()["name"] != "Mine"


def test_unknown_malformed_and_other_organizations_roles_are_not_found(
    client: httpx.Client, orgs: OrgFactory
) -> None:
    theirs = orgs.create().add_role("Theirs", perm.API_ACCESS)
    for role_id in ["999999", "abc", str(theirs.role_id), "-1"]:
        for response in (
            client.get(f"/roles/{role_id}"),
            client.put(f"/roles/{role_id}", json={"permissions": []}),
            client.delete(f"/roles/{role_id}"),
        ):
            assert response.status_code == 404, (role_id, response.text)
            assert response.json()["title"] == "URI Resource Not Found"


@pytest.mark.parametrize(
    ("body", "expected"),
    [
        ({"permissions": ids(perm.API_ACCESS)}, [("name", "MISSING")]),
        ({"name": None, "permissions": []}, [("name", "STRING_TYPE")]),
        ({"name": "  ", "permissions": []}, [("name", "INVALID")]),
        # PostgreSQL refuses NUL in text: refused as a name, never a 500.
        ({"name": "Ops\u0000", "permissions": []}, [("name", "INVALID_NAME")]),
        ({"name": "organization admin", "permissions": []}, [("name", "DUPLICATE")]),
        ({"name": "R", "permissions": ["1", "999"]}, [("permissions[1]", "UNKNOWN_PERMISSION")]),
        ({"name": "R", "permissions": [1]}, [("permissions[0]", "STRING_TYPE")]),
        ({"name": "R", "permissions": None}, [("permissions", "LIST_TYPE")]),
    ],
)
def test_bad_role_requests_are_refused(
    client: httpx.Client, body: dict[str, Any], expected: list[tuple[str, str]]
) -> None:
    assert errors(client.post("/roles", json=body)) == expected


def test_role_names_are_unique_in_the_organization(client: httpx.Client) -> None:
    first = create(client, "Helpdesk").json()["roleId"]
    other = create(client, "Support").json()["roleId"]

    assert errors(create(client, "HELPDESK")) == [("name", "DUPLICATE")]
    assert errors(client.put(f"/roles/{other}", json={"name": "helpdesk", "permissions": []})) == [
        ("name", "DUPLICATE")
    ]
    # Its own name is no conflict.
    assert client.put(f"/roles/{first}", json={"name": "Helpdesk", "permissions": []}).is_success


def test_managing_roles_takes_edit_roles_and_management_takes_assign(
    live_server: LiveServer, org: TestOrg, store: SqlDirectoryStore
) -> None:
    account_admin = org.token_for(_user_with_role(org, store, "2"))
    regular = org.token_for(_user_with_role(org, store, "3"))
    with (
        httpx.Client(
            base_url=live_server.thousandeyes_url,
            headers={"Authorization": f"Bearer {account_admin}"},
        ) as admin,
        httpx.Client(
            base_url=live_server.thousandeyes_url, headers={"Authorization": f"Bearer {regular}"}
        ) as user,
    ):
        assert create(user, "Nope", perm.API_ACCESS).status_code == 403
        # Account Admin holds `Edit roles` but not `Assign management permissions`.
        plain = create(admin, "Plain", perm.API_ACCESS)
        assert plain.status_code == 201
        assert create(admin, "Managers", perm.API_ACCESS, perm.VIEW_ALL_USERS).status_code == 403
        role_id = plain.json()["roleId"]
        raised = {"permissions": ids(perm.API_ACCESS, perm.EDIT_USERS_ALL_ACCOUNT_GROUPS)}
        assert admin.put(f"/roles/{role_id}", json=raised).status_code == 403
        assert user.delete(f"/roles/{role_id}").status_code == 403
        assert user.get(f"/roles/{role_id}").status_code == 200  # reading is anyone's
        assert admin.delete(f"/roles/{role_id}").status_code == 204


def test_a_changed_role_binds_its_holders_at_once(
    client: httpx.Client, live_server: LiveServer, org: TestOrg
) -> None:
    role_id = create(client, "Readers", perm.API_ACCESS, perm.VIEW_ALL_USERS).json()["roleId"]
    email = new_user(
        client, accountGroupRoles=[{"accountGroupId": org.aid, "roleIds": [role_id]}]
    ).json()["email"]
    with httpx.Client(
        base_url=live_server.thousandeyes_url,
        headers={"Authorization": f"Bearer {org.token_for(email)}"},
    ) as reader:
        assert reader.get("/users").status_code == 200
        assert client.put(
            f"/roles/{role_id}", json={"permissions": ids(perm.API_ACCESS)}
        ).is_success
        assert reader.get("/users").status_code == 403


def test_role_changes_are_audited(
    client: httpx.Client, org: TestOrg, store: SqlDirectoryStore
) -> None:
    role_id = create(client, "Helpdesk", perm.API_ACCESS).json()["roleId"]
    client.put(f"/roles/{role_id}", json={"name": "Desk", "permissions": []})
    client.delete(f"/roles/{role_id}")

    with store.read() as tx:
        events = [
            (e.action, e.new_state)
            for e in tx.list_audit_events(org.admin.org_id)
            if e.target_type == "role" and e.target_id == role_id
        ]
    assert events == [
        ("role.create", {"name": "Helpdesk", "permissions": [perm.API_ACCESS]}),
        ("role.update", {"name": "Desk", "permissions": []}),
        ("role.delete", None),
    ]


def _user_with_role(org: TestOrg, store: SqlDirectoryStore, role_id: str) -> str:
    """A new user of `org` holding the built-in role `role_id` in the default group: its email."""
    from rosterd.core.audit import CLI_ACTOR
    from rosterd.core.auth import AuthService
    from rosterd.core.users import AccountGroupRolesInput, UserInput, UsersService

    admin = AuthService(store).authenticate(org.token)
    email = f"role{role_id}.{org.subdomain}@example.com"
    UsersService(store).create_user(
        principal=admin,
        aid=None,
        data=UserInput(
            name=f"Holder {role_id}",
            email=email,
            account_group_roles=[AccountGroupRolesInput(org.aid, [role_id])],
        ),
        actor=CLI_ACTOR,
    )
    return email
