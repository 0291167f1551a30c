"""Nobody removes, demotes or disables a user with a management role without the right to grant
one, and no organization loses its last active Organization Admin, through any API."""

from __future__ import annotations

import threading
from datetime import UTC, datetime
from typing import Any

import httpx
import pytest

from rosterd.core import permissions as perm
from rosterd.core.admins import LAST_ORGANIZATION_ADMIN
from rosterd.core.errors import Forbidden
from tests.api.kandji.conftest import Directory
from tests.api.scim.conftest import create_user, patch_op, scim_client, scim_integration
from tests.api.scim.conftest import error as scim_error
from tests.api.thousandeyes.test_access import client_for, member
from tests.api.thousandeyes.test_users import unique_email
from tests.support.orgs import OrgFactory, TestOrg
from tests.support.server import LiveServer

ORG_ADMIN, ACCOUNT_ADMIN, REGULAR_USER = "1", "2", "3"
NEEDS_ASSIGN = (
    "Deleting, demoting or disabling a user with the {} role requires the "
    "'Assign management permissions' permission"
)


def problem(path: str, status: int, detail: str) -> dict[str, Any]:
    title = {400: "Bad Request", 403: "Forbidden"}[status]
    return {"type": "about:blank", "title": title, "status": status, "detail": detail,
            "instance": path}  # fmt: skip


def roles_in(org: TestOrg, *role_ids: str) -> dict[str, Any]:
    return {"accountGroupRoles": [{"accountGroupId": org.aid, "roleIds": list(role_ids)}]}


def account_admin(client: httpx.Client, org: TestOrg) -> str:
    _, token = member(client, org, **roles_in(org, ACCOUNT_ADMIN))
    return token


def test_an_account_admin_may_not_disable_demote_or_delete_an_organization_admin(
    client: httpx.Client, org: TestOrg, live_server: LiveServer
) -> None:
    """An Organization Admin of the Account Admin's own account group, so that `Edit users`
    reaches it: only the management role protects it."""
    admin, admin_token = member(client, org, **roles_in(org, ORG_ADMIN))
    target = f"/users/{admin['uid']}"
    before = client.get(target).json()

    with client_for(live_server, account_admin(client, org)) as aa:
        attempts = [
            aa.put(target, json={"email": unique_email("taken-over")}),
            aa.put(target, json=roles_in(org, REGULAR_USER)),
            aa.delete(target),
        ]
        renamed = aa.put(target, json={"name": "Renamed By Account Admin"})

    for response in attempts:
        assert response.status_code == 403, response.text
        assert response.headers["content-type"] == "application/problem+json"
        assert response.json() == problem(
            f"/v7{target}", 403, NEEDS_ASSIGN.format("Organization Admin")
        )
    # A rename disables nobody and takes no role away.
    assert renamed.status_code == 200
    after = client.get(target).json()
    assert after["email"] == before["email"]
    assert after["accountGroupRoles"] == before["accountGroupRoles"]
    with client_for(live_server, admin_token) as c:
        assert c.get("/users/current").status_code == 200  # the admin's token still works


def test_an_account_admin_may_not_remove_another_account_admin_but_may_a_regular_user(
    client: httpx.Client, org: TestOrg, live_server: LiveServer
) -> None:
    peer, _ = member(client, org, **roles_in(org, ACCOUNT_ADMIN))
    regular, _ = member(client, org, **roles_in(org, REGULAR_USER))

    with client_for(live_server, account_admin(client, org)) as aa:
        demote = aa.put(f"/users/{peer['uid']}", json=roles_in(org, REGULAR_USER))
        delete = aa.delete(f"/users/{peer['uid']}")
        regular_email = aa.put(f"/users/{regular['uid']}", json={"email": unique_email()})
        regular_delete = aa.delete(f"/users/{regular['uid']}")

    for response in (demote, delete):
        assert response.status_code == 403
        assert response.json()["detail"] == NEEDS_ASSIGN.format("Account Admin")
    assert regular_email.status_code == 200
    assert regular_delete.status_code == 204


def test_the_last_organization_admin_cannot_delete_or_demote_itself(
    client: httpx.Client, org: TestOrg
) -> None:
    me = f"/users/{org.admin.uid}"

    attempts = [
        client.delete(me),
        client.put(me, json=roles_in(org, ACCOUNT_ADMIN) | {"allAccountGroupRoleIds": []}),
    ]

    for response in attempts:
        assert response.status_code == 403
        assert response.json() == problem(f"/v7{me}", 403, LAST_ORGANIZATION_ADMIN)
    assert client.get("/users/current").json()["allAccountGroupRoles"][0]["roleId"] == ORG_ADMIN
    # With a second Organization Admin, either may go.
    second, _ = member(client, org, allAccountGroupRoleIds=[ORG_ADMIN])
    assert client.delete(f"/users/{second['uid']}").status_code == 204


def test_an_archived_organization_admin_does_not_count(
    client: httpx.Client, org: TestOrg, live_server: LiveServer
) -> None:
    second, _ = member(client, org, allAccountGroupRoleIds=[ORG_ADMIN])
    with org.store.write() as tx:
        tx.archive_users(org_id(org), [int(str(second["uid"]))], datetime.now(UTC))

    response = client.delete(f"/users/{org.admin.uid}")

    assert response.status_code == 403
    assert response.json()["detail"] == LAST_ORGANIZATION_ADMIN


def org_id(org: TestOrg) -> int:
    with org.store.read() as tx:
        found = tx.get_organization_by_subdomain(org.subdomain)
    assert found is not None
    return found.id


def test_kandji_delete_protects_management_roles_and_the_last_admin(
    live_server: LiveServer, client: httpx.Client, org: TestOrg, store: Any
) -> None:
    """Kandji's delete needs `Edit users in all account groups`; without the right to grant
    management roles it may still not remove a manager."""
    deleter = org.add_role(
        "Deleter", perm.API_ACCESS, perm.VIEW_ALL_USERS, perm.EDIT_USERS_ALL_ACCOUNT_GROUPS
    )
    _, token = member(client, org, allAccountGroupRoleIds=[str(deleter.role_id)])
    peer, _ = member(client, org, **roles_in(org, ACCOUNT_ADMIN))
    regular, _ = member(client, org, **roles_in(org, REGULAR_USER))
    headers = {"Authorization": f"Bearer {token}"}
    with httpx.Client(base_url=live_server.kandji_url, headers=headers) as kandji:
        users = Directory(org, store)
        peer_id, regular_id = (users.user(str(u["email"])).id for u in (peer, regular))
        refused = [kandji.delete(f"/users/{i}") for i in (peer_id, org.admin.id)]
        allowed = kandji.delete(f"/users/{regular_id}")
    admin_headers = {"Authorization": f"Bearer {org.token}"}
    with httpx.Client(base_url=live_server.kandji_url, headers=admin_headers) as kandji:
        last = kandji.delete(f"/users/{org.admin.id}")

    for response in refused:
        assert response.status_code == 403
        assert response.json() == {"detail": "You do not have permission to perform this action."}
    assert allowed.status_code == 204
    assert last.status_code == 403
    assert last.json() == {"detail": "You do not have permission to perform this action."}
    assert client.get(f"/users/{org.admin.uid}").status_code == 200
    assert client.get(f"/users/{peer['uid']}").status_code == 200


def test_two_organization_admins_deleting_each_other_at_once_leave_one(
    live_server: LiveServer, orgs: OrgFactory
) -> None:
    """On PostgreSQL the two deletes run side by side; the organization row makes them queue."""
    for _ in range(8):
        org = orgs.create()
        headers = {"Authorization": f"Bearer {org.token}"}
        with httpx.Client(base_url=live_server.thousandeyes_url, headers=headers) as c:
            second, second_token = member(c, org, allAccountGroupRoleIds=[ORG_ADMIN])
        plans = [(org.token, second["uid"]), (second_token, org.admin.uid)]
        barrier = threading.Barrier(2)
        statuses: list[int] = []

        def delete(
            token: str,
            uid: object,
            barrier: threading.Barrier = barrier,
            statuses: list[int] = statuses,
        ) -> None:
            with client_for(live_server, token) as c:
                barrier.wait()
                statuses.append(c.delete(f"/users/{uid}").status_code)

        threads = [threading.Thread(target=delete, args=plan) for plan in plans]
        for t in threads:
            t.start()
        for t in threads:
            t.join()

        # Either one delete wins and the other's caller is gone (401) or refused (403), or
        # they queue and the second is refused as the last admin: never both deleted.
        assert sorted(statuses) in ([204, 401], [204, 403]), statuses
        with org.store.read() as tx:
            assert len(tx.active_role_holders(org_id(org), int(ORG_ADMIN))) == 1


def test_a_directory_or_scim_deactivation_keeps_the_last_admin(
    live_server: LiveServer, client: httpx.Client, org: TestOrg, store: Any
) -> None:
    """The IdP may not lock the organization out: a provisioned user made the only
    Organization Admin is neither deactivated nor archived, by SCIM or by a full sync."""
    provisioning = scim_integration(store, org)
    with scim_client(live_server, provisioning.token) as scim:
        person = create_user(scim)
        uid = next(
            u["uid"] for u in client.get("/users").json()["users"]
            if u["email"] == person["userName"]
        )  # fmt: skip
        promoted = client.put(f"/users/{uid}", json={"allAccountGroupRoleIds": [ORG_ADMIN]})
        assert promoted.status_code == 200
        assert client.delete(f"/users/{org.admin.uid}").status_code == 204
        token = org.token_for(person["userName"])

        deactivate = scim.patch(
            f"/Users/{person['id']}",
            json=patch_op({"op": "replace", "path": "active", "value": False}),
        )
        archive = scim.delete(f"/Users/{person['id']}")

    for response in (deactivate, archive):
        assert response.status_code == 403, response.text
        assert response.json() == scim_error(403, LAST_ORGANIZATION_ADMIN)
    directory = Directory(org, store)
    with pytest.raises(Forbidden, match="last active Organization Admin"):
        directory.import_users(provisioning.integration, [], full=True)
    assert directory.user(person["userName"]).archived is False
    with client_for(live_server, token) as c:
        assert c.get("/users/current").status_code == 200
