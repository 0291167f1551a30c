"""Authentication, permissions, account-group context and the seed's two identity rules."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager

import httpx
import pytest

from rosterd.core import permissions as perm
from rosterd.core.audit import CLI_ACTOR
from rosterd.core.auth import AuthService
from rosterd.core.organizations import OrganizationsService
from tests.api.thousandeyes.test_users import new_user, unique_email
from tests.support.orgs import OrgFactory, TestOrg
from tests.support.server import LiveServer

UNAUTHORIZED_HEADER = 'Bearer error="invalid_token"'


@contextmanager
def client_for(live_server: LiveServer, token: str) -> Iterator[httpx.Client]:
    with httpx.Client(
        base_url=live_server.thousandeyes_url, headers={"Authorization": f"Bearer {token}"}
    ) as c:
        yield c


def member(client: httpx.Client, org: TestOrg, **fields: object) -> tuple[dict[str, object], str]:
    """Create a user through the API and return it with an API token of its own."""
    response = new_user(client, **fields)
    assert response.status_code == 201, response.text
    body = response.json()
    return body, org.token_for(str(body["email"]))


def assert_unauthorized(response: httpx.Response, description: str) -> None:
    assert response.status_code == 401
    assert response.headers["content-type"] == "application/problem+json"
    assert response.headers["www-authenticate"] == UNAUTHORIZED_HEADER
    assert response.json() == {"error": "invalid_token", "error_description": description}


@pytest.mark.parametrize(
    ("headers", "description"),
    [
        ({}, "Missing access token"),
        ({"Authorization": "Bearer"}, "Missing access token"),
        ({"Authorization": "Basic dXNlcjpwYXNz"}, "Missing access token"),
        ({"Authorization": "Bearer rst_unknown-token-value"}, "Invalid access token"),
        ({"Authorization": "Bearer a"}, "Invalid access token"),
    ],
)
def test_requests_without_a_valid_token_are_401(
    anonymous: httpx.Client, headers: dict[str, str], description: str
) -> None:
    for path in ("/users", "/users/current", "/users/1", "/account-groups", "/roles"):
        assert_unauthorized(anonymous.get(path, headers=headers), description)


def test_revoked_token_is_refused(live_server: LiveServer, org: TestOrg) -> None:
    token = org.token_for(org.admin.email)
    with client_for(live_server, token) as c:
        assert c.get("/users/current").status_code == 200
        AuthService(org.store).revoke_token(
            org_subdomain=org.subdomain, token=token, actor=CLI_ACTOR
        )
        assert_unauthorized(c.get("/users/current"), "Invalid access token")


def test_tokens_are_stored_only_as_hashes(org: TestOrg) -> None:
    with org.store.engine.connect() as conn:
        dump = "\n".join(str(row) for row in conn.exec_driver_sql("SELECT * FROM api_tokens"))
    assert org.token not in dump


def test_regular_user_may_read_itself_but_not_list_users(
    client: httpx.Client, org: TestOrg, live_server: LiveServer
) -> None:
    _, token = member(client, org)
    with client_for(live_server, token) as regular:
        assert regular.get("/users/current").status_code == 200
        response = regular.get("/users")
        assert response.status_code == 403
        assert response.headers["content-type"] == "application/problem+json"
        body = response.json()
        assert body["title"] == "Forbidden"
        assert body["status"] == 403
        assert "View all users" in body["detail"]
        assert (
            regular.post("/users", json={"name": "x", "email": unique_email()}).status_code == 403
        )
        assert regular.get("/permissions").status_code == 403


def test_edit_users_reaches_only_its_own_account_groups(
    client: httpx.Client, org: TestOrg, live_server: LiveServer
) -> None:
    other = org.add_account_group("Other")
    helpdesk = org.add_role("Helpdesk", perm.API_ACCESS, perm.VIEW_ALL_USERS, perm.EDIT_USERS)
    _, token = member(
        client,
        org,
        accountGroupRoles=[{"accountGroupId": org.aid, "roleIds": [str(helpdesk.role_id)]}],
    )
    outsider = new_user(
        client, accountGroupRoles=[{"accountGroupId": str(other.aid), "roleIds": ["3"]}]
    ).json()

    with client_for(live_server, token) as desk:
        # Allowed: a Regular User in the desk's own account group.
        inside = desk.post("/users", json={"name": "In", "email": unique_email()})
        assert inside.status_code == 201
        assert desk.put(f"/users/{inside.json()['uid']}", json={"name": "In 2"}).status_code == 200
        # Refused: assignments in another group, all-group roles, management roles.
        assert (
            desk.post(
                "/users",
                json={
                    "name": "Out",
                    "email": unique_email(),
                    "accountGroupRoles": [{"accountGroupId": str(other.aid), "roleIds": ["3"]}],
                },
            ).status_code
            == 403
        )
        assert (
            desk.post(
                "/users",
                json={"name": "All", "email": unique_email(), "allAccountGroupRoleIds": ["3"]},
            ).status_code
            == 403
        )
        granted = desk.post(
            "/users",
            json={
                "name": "Admin",
                "email": unique_email(),
                "accountGroupRoles": [{"accountGroupId": org.aid, "roleIds": ["1"]}],
            },
        )
        assert granted.status_code == 403
        assert "Assign management permissions" in granted.json()["detail"]
        assert desk.delete(f"/users/{outsider['uid']}").status_code == 403
        assert desk.delete(f"/users/{inside.json()['uid']}").status_code == 204


def test_aid_must_be_an_account_group_the_caller_is_assigned_to(
    client: httpx.Client, org: TestOrg, orgs: OrgFactory, live_server: LiveServer
) -> None:
    mine = org.add_account_group("Mine")
    _, token = member(
        client, org, accountGroupRoles=[{"accountGroupId": str(mine.aid), "roleIds": ["2"]}]
    )
    theirs = orgs.create()

    with client_for(live_server, token) as c:
        assert c.get("/users", params={"aid": str(mine.aid)}).status_code == 200
        forbidden = c.get("/users", params={"aid": org.aid})
        assert forbidden.status_code == 403
        assert forbidden.json()["detail"] == f"You are not assigned to the account group {org.aid}"
    # The admin holds roles in all account groups of its own org, but never in another org's.
    assert client.get("/users", params={"aid": str(mine.aid)}).status_code == 200
    assert client.get("/users", params={"aid": theirs.aid}).status_code == 403
    assert client.get("/users", params={"aid": "999999999"}).status_code == 403


def test_email_change_locks_the_users_tokens_until_confirmed(
    client: httpx.Client, org: TestOrg, live_server: LiveServer
) -> None:
    user, token = member(client, org)
    new_email = unique_email("changed")

    response = client.put(f"/users/{user['uid']}", json={"email": new_email})
    assert response.status_code == 200
    assert response.json()["email"] == new_email

    with client_for(live_server, token) as c:
        assert_unauthorized(
            c.get("/users/current"), "The user's email address changed and is not yet confirmed"
        )
        OrganizationsService(org.store).confirm_email(
            org_subdomain=org.subdomain, email=new_email, actor=CLI_ACTOR
        )
        assert c.get("/users/current").json()["email"] == new_email


def test_an_email_already_in_another_org_changes_nothing_in_this_one(
    client: httpx.Client, orgs: OrgFactory, org: TestOrg
) -> None:
    """The answer never depends on another organization's data: a person who also belongs to
    another organization gets this one's login account group, as a new address does."""
    elsewhere = orgs.create()
    group = org.add_account_group("Second")
    roles = [{"accountGroupId": str(group.aid), "roleIds": ["3"]}]

    answers = [
        new_user(client, email=email, loginAccountGroupId=str(group.aid), accountGroupRoles=roles)
        for email in (elsewhere.admin.email.upper(), unique_email("fresh"))
    ]

    for response in answers:
        assert response.status_code == 201, response.text
        assert response.json()["loginAccountGroup"] == {
            "aid": str(group.aid),
            "accountGroupName": "Second",
        }
    known, fresh = (r.json() for r in answers)
    assert set(known) == set(fresh)
    both = [*roles, {"accountGroupId": org.aid, "roleIds": ["3"]}]
    moved = client.put(
        f"/users/{known['uid']}", json={"loginAccountGroupId": org.aid, "accountGroupRoles": both}
    )
    assert moved.status_code == 200
    assert moved.json()["loginAccountGroup"]["aid"] == org.aid


def test_every_change_writes_exactly_one_audit_event(client: httpx.Client, org: TestOrg) -> None:
    def actions() -> list[str]:
        with org.store.read() as tx:
            return [e.action for e in tx.list_audit_events(org.account_group.org_id)]

    before = actions()
    created = new_user(client).json()
    client.put(f"/users/{created['uid']}", json={"name": "Renamed"})
    assert new_user(client, email=created["email"]).status_code == 400  # failed: no event
    client.delete(f"/users/{created['uid']}")

    assert actions()[len(before) :] == ["user.create", "user.update", "user.delete"]
    with org.store.read() as tx:
        last = tx.list_audit_events(org.account_group.org_id)[-1]
    assert last.actor_type == "user"
    assert last.actor_id == str(org.admin.uid)
    assert last.request_id  # the request id of the API call that made the change
