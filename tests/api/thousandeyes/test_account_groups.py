"""/v7/account-groups/{id} and POST /v7/account-groups: create, retrieve, rename and delete."""

from __future__ import annotations

import re
from typing import Any

import httpx
import pytest

from rosterd.core import permissions as perm
from rosterd.core.entities import RoleAssignments
from rosterd.storage import SqlDirectoryStore
from tests.api.thousandeyes.test_roles import create as create_role
from tests.api.thousandeyes.test_roles import errors
from tests.api.thousandeyes.test_users import new_user
from tests.support.orgs import OrgFactory, TestOrg
from tests.support.server import LiveServer

ORGANIZATION_ADMIN = {
    "roleId": "1",
    "name": "Organization Admin",
    "isBuiltin": True,
    "hasManagementPermissions": True,
}
REGULAR_USER = {
    "roleId": "3",
    "name": "Regular User",
    "isBuiltin": True,
    "hasManagementPermissions": False,
}


def create(client: httpx.Client, name: str, **params: str) -> httpx.Response:
    return client.post("/account-groups", json={"accountGroupName": name}, params=params)


def as_user(live_server: LiveServer, token: str) -> httpx.Client:
    return httpx.Client(
        base_url=live_server.thousandeyes_url, headers={"Authorization": f"Bearer {token}"}
    )


def member(org: TestOrg, client: httpx.Client, aid: str, *role_ids: str) -> tuple[str, str]:
    """A new user with `role_ids` in the group `aid`: (uid, token)."""
    created = new_user(client, accountGroupRoles=[{"accountGroupId": aid, "roleIds": role_ids}])
    assert created.status_code == 201, created.text
    return created.json()["uid"], org.token_for(created.json()["email"])


def test_create_answers_201_with_location_and_the_group(
    client: httpx.Client, org: TestOrg, live_server: LiveServer
) -> None:
    response = create(client, "  EMEA  ")

    assert response.status_code == 201
    body = response.json()
    href = f"{live_server.thousandeyes_url}/account-groups/{body['aid']}"
    assert response.headers["location"] == href
    assert body == {
        "aid": body["aid"],
        "accountGroupName": "EMEA",
        "isCurrentAccountGroup": False,
        "isDefaultAccountGroup": False,
        "organizationName": org.name,
        "orgId": str(org.admin.org_id),
        "_links": {"self": {"href": href}},
    }
    detail = client.get(f"/account-groups/{body['aid']}").json()
    assert re.fullmatch(r"[a-z0-9]{19}", detail.pop("accountToken"))
    assert detail == body
    listed = client.get("/account-groups").json()["accountGroups"]
    assert [g["accountGroupName"] for g in listed] == [org.name, "EMEA"]


def test_the_account_token_is_the_groups_own_and_stays(client: httpx.Client) -> None:
    first, second = (create(client, name).json()["aid"] for name in ("One", "Two"))

    def token(aid: str) -> str:
        found: str = client.get(f"/account-groups/{aid}").json()["accountToken"]
        return found

    assert token(first) != token(second)
    before = token(first)
    assert client.put(f"/account-groups/{first}", json={"accountGroupName": "Uno"}).is_success
    assert token(first) == before


def test_expand_user_lists_the_members_with_their_roles_there(
    client: httpx.Client, org: TestOrg
) -> None:
    created = create(client, "APAC", expand="user")
    aid = created.json()["aid"]
    admin = {
        "name": org.admin.name,
        "email": org.admin.email,
        "uid": str(org.admin.uid),
        "dateRegistered": org.admin.created_at.strftime("%Y-%m-%dT%H:%M:%SZ"),
        "roles": [ORGANIZATION_ADMIN],
    }
    # Whoever holds roles in all account groups holds them in the new one at once.
    assert created.json()["users"] == [admin]
    uid, _ = member(org, client, aid, "3")
    new_user(client, accountGroupRoles=[{"accountGroupId": org.aid, "roleIds": ["3"]}])

    detail = client.get(f"/account-groups/{aid}", params={"expand": "user,agent"}).json()

    assert [(u["uid"], u["roles"]) for u in detail["users"]] == [
        (str(org.admin.uid), [ORGANIZATION_ADMIN]),
        (uid, [REGULAR_USER]),
    ]
    assert detail["agents"] == []  # rosterd keeps no Enterprise Agents
    plain = client.get(f"/account-groups/{aid}").json()
    assert "users" not in plain
    assert "agents" not in plain
    only_agents = client.get(f"/account-groups/{aid}", params={"expand": "agent"}).json()
    assert "users" not in only_agents
    assert only_agents["agents"] == []


def test_an_empty_expand_is_the_sdks_empty_list_and_expands_nothing(
    client: httpx.Client,
) -> None:
    aid = create(client, "LATAM").json()["aid"]
    plain = client.get(f"/account-groups/{aid}").json()

    # The SDK sends `?expand=` for `expand=[]` (tests/clients/test_thousandeyes_sdk_admin.py).
    response = client.get(f"/account-groups/{aid}?expand=")

    assert response.status_code == 200
    assert response.json() == plain
    refused = client.get(f"/account-groups/{aid}?expand=,")
    assert refused.status_code == 400


def test_update_renames_and_answers_the_detail(client: httpx.Client) -> None:
    aid = create(client, "Sales").json()["aid"]

    response = client.put(
        f"/account-groups/{aid}", json={"accountGroupName": "Field Sales", "agents": []}
    )

    assert response.status_code == 200
    body = response.json()
    assert body["accountGroupName"] == "Field Sales"
    assert set(body) == {
        "aid",
        "accountGroupName",
        "isCurrentAccountGroup",
        "isDefaultAccountGroup",
        "organizationName",
        "orgId",
        "_links",
        "accountToken",
    }
    assert client.get(f"/account-groups/{aid}").json() == body


def test_names_are_unique_in_the_organization_ignoring_case(
    client: httpx.Client, org: TestOrg
) -> None:
    first = create(client, "Support").json()["aid"]
    other = create(client, "Docs").json()["aid"]

    assert errors(create(client, "SUPPORT")) == [("accountGroupName", "DUPLICATE")]
    assert errors(create(client, org.name.lower())) == [("accountGroupName", "DUPLICATE")]
    assert errors(client.put(f"/account-groups/{other}", json={"accountGroupName": "support"})) == [
        ("accountGroupName", "DUPLICATE")
    ]
    # Its own name is no conflict, nor another organization's.
    assert client.put(f"/account-groups/{first}", json={"accountGroupName": "Support"}).is_success


@pytest.mark.parametrize(
    ("body", "params", "expected"),
    [
        ({}, {}, [("accountGroupName", "MISSING")]),
        ({"accountGroupName": None}, {}, [("accountGroupName", "STRING_TYPE")]),
        ({"accountGroupName": "   "}, {}, [("accountGroupName", "BLANK")]),
        ({"accountGroupName": "Team\u0000"}, {}, [("accountGroupName", "INVALID_NAME")]),
        ({"accountGroupName": "Tab\there"}, {}, [("accountGroupName", "INVALID_NAME")]),
        ({"accountGroupName": "x" * 256}, {}, [("accountGroupName", "STRING_TOO_LONG")]),
        ({"accountGroupName": "A", "agents": None}, {}, [("agents", "LIST_TYPE")]),
        (
            {"accountGroupName": "A", "agents": ["105", "719"]},
            {},
            [("agents[0]", "UNKNOWN_AGENT"), ("agents[1]", "UNKNOWN_AGENT")],
        ),
        ({"accountGroupName": "A"}, {"expand": "users"}, [("expand", "STRING_PATTERN_MISMATCH")]),
        (
            {"accountGroupName": "A"},
            {"expand": ",".join(["user"] * 9)},  # the document allows 8
            [("expand", "STRING_PATTERN_MISMATCH")],
        ),
    ],
)
def test_bad_account_group_requests_are_refused(
    client: httpx.Client,
    body: dict[str, Any],
    params: dict[str, str],
    expected: list[tuple[str, str]],
) -> None:
    assert errors(client.post("/account-groups", json=body, params=params)) == expected
    aid = create(client, "Target").json()["aid"]
    assert errors(client.put(f"/account-groups/{aid}", json=body, params=params)) == expected
    assert client.get(f"/account-groups/{aid}").json()["accountGroupName"] == "Target"


def test_delete_answers_204_and_the_group_is_gone(client: httpx.Client) -> None:
    aid = create(client, "Temporary").json()["aid"]

    response = client.delete(f"/account-groups/{aid}")

    assert response.status_code == 204
    assert response.content == b""
    assert client.get(f"/account-groups/{aid}").status_code == 404
    assert aid not in {g["aid"] for g in client.get("/account-groups").json()["accountGroups"]}
    # Acting in it is over at once.
    assert client.get("/users", params={"aid": aid}).status_code == 403


def test_the_default_group_and_the_current_one_are_kept(client: httpx.Client, org: TestOrg) -> None:
    assert errors(client.delete(f"/account-groups/{org.aid}")) == [("id", "DEFAULT_ACCOUNT_GROUP")]
    aid = create(client, "Home").json()["aid"]
    moved = client.put(
        f"/users/{org.admin.uid}",
        json={
            "loginAccountGroupId": aid,
            "accountGroupRoles": [{"accountGroupId": aid, "roleIds": ["1"]}],
            "allAccountGroupRoleIds": ["1"],
        },
    )
    assert moved.status_code == 200, moved.text

    assert errors(client.delete(f"/account-groups/{aid}")) == [("id", "CURRENT_ACCOUNT_GROUP")]


def test_a_group_someone_has_their_only_roles_in_is_kept(
    client: httpx.Client, org: TestOrg
) -> None:
    aid = create(client, "Contractors").json()["aid"]
    uid, _ = member(org, client, aid, "3")

    refused = client.delete(f"/account-groups/{aid}")

    assert errors(refused) == [("id", "ACCOUNT_GROUP_IN_USE")]
    assert refused.json()["detail"] == (
        "1 user has roles only in this account group; give them roles in another one, "
        "or delete them, before deleting it"
    )
    both = [{"accountGroupId": g, "roleIds": ["3"]} for g in (aid, org.aid)]
    assert client.put(
        f"/users/{uid}", json={"accountGroupRoles": both, "loginAccountGroupId": aid}
    ).is_success
    assert client.delete(f"/account-groups/{aid}").status_code == 204
    # Their roles there went with it, and they log in to the default group now.
    user = client.get(f"/users/{uid}").json()
    assert [r["accountGroup"]["aid"] for r in user["accountGroupRoles"]] == [org.aid]
    assert user["loginAccountGroup"] == {"aid": org.aid, "accountGroupName": org.name}


def test_deleting_a_group_never_leaves_the_organization_without_an_admin(
    orgs: OrgFactory, store: SqlDirectoryStore, live_server: LiveServer
) -> None:
    org = orgs.create()
    with as_user(live_server, org.token) as admin:
        remote = create(admin, "Remote").json()["aid"]
        role_id = create_role(
            admin,
            "Group keeper",
            perm.API_ACCESS,
            perm.EDIT_ACCOUNT_GROUPS,
            perm.ASSIGN_MANAGEMENT_PERMISSIONS,
            perm.DELETE_ACCOUNT,
        ).json()["roleId"]
        _, keeper = member(org, admin, org.aid, role_id)
    # The only Organization Admin holds that role in "Remote" alone (and another role at home).
    with store.write() as tx:
        tx.set_role_assignments(
            org.admin.uid,
            RoleAssignments(
                by_account_group={int(remote): frozenset({1}), int(org.aid): frozenset({3})}
            ),
        )

    with as_user(live_server, keeper) as client:
        refused = client.delete(f"/account-groups/{remote}")

    assert refused.status_code == 403
    assert refused.json()["detail"] == (
        "The organization's last active Organization Admin cannot be deleted, demoted or "
        "deactivated"
    )


def test_managing_account_groups_takes_the_vendors_permissions(
    client: httpx.Client, org: TestOrg, live_server: LiveServer
) -> None:
    aid = create(client, "Managed").json()["aid"]
    _, account_admin = member(org, client, org.aid, "2")
    _, regular = member(org, client, org.aid, "3")
    editor_role = create_role(
        client, "Group editor", perm.API_ACCESS, perm.EDIT_ACCOUNT_GROUPS
    ).json()["roleId"]
    _, editor = member(org, client, org.aid, editor_role)
    body = {"accountGroupName": "Renamed"}

    with as_user(live_server, regular) as user:
        assert user.get(f"/account-groups/{aid}").status_code == 403
        assert user.post("/account-groups", json=body).status_code == 403
    with as_user(live_server, account_admin) as viewer:
        # Account Admin may view every group's settings, not edit them.
        assert viewer.get(f"/account-groups/{aid}").status_code == 200
        assert viewer.put(f"/account-groups/{aid}", json=body).status_code == 403
        refused = viewer.post("/account-groups", json=body)
        assert refused.status_code == 403
        assert refused.json()["detail"] == (
            "This operation requires the 'Edit all account groups' permission"
        )
    with as_user(live_server, editor) as edits:
        assert edits.put(f"/account-groups/{aid}", json=body).status_code == 200
        assert edits.get(f"/account-groups/{aid}").status_code == 403  # view is its own
        # Deleting also takes `Assign management permissions` and `Delete account`.
        assert edits.delete(f"/account-groups/{aid}").status_code == 403
    assert client.delete(f"/account-groups/{aid}").status_code == 204


def test_another_organizations_groups_are_not_found(client: httpx.Client, orgs: OrgFactory) -> None:
    other = orgs.create()
    theirs = other.aid
    body = {"accountGroupName": "Mine now"}

    for response in (
        client.get(f"/account-groups/{theirs}"),
        client.put(f"/account-groups/{theirs}", json=body),
        client.delete(f"/account-groups/{theirs}"),
        client.get("/account-groups/not-a-number"),
    ):
        assert response.status_code == 404
        assert response.headers["content-type"] == "application/problem+json"
    # The other organization's name is free here.
    assert create(client, other.name).status_code == 201


def test_account_group_changes_are_audited_in_the_group_acted_in(
    client: httpx.Client, org: TestOrg, store: SqlDirectoryStore
) -> None:
    aid = create(client, "Audited").json()["aid"]
    client.put(f"/account-groups/{aid}", json={"accountGroupName": "Checked"})
    client.delete(f"/account-groups/{aid}")

    with store.read() as tx:
        events = [
            (e.action, e.new_state, e.aid, e.target_name, e.actor_id)
            for e in tx.list_audit_events(org.admin.org_id)
            if e.target_type == "account_group" and e.target_id == aid
        ]
    home, admin = int(org.aid), str(org.admin.uid)
    assert events == [
        ("account_group.create", {"name": "Audited"}, home, "Audited", admin),
        ("account_group.update", {"name": "Checked"}, home, "Checked", admin),
        ("account_group.delete", None, home, "Checked", admin),
    ]
