"""The console's user page: account groups and roles edited as `PUT /v7/users/{id}` edits
them, the user's devices, and their API tokens issued and revoked, over HTTP against a real
server (SQLite and PostgreSQL)."""

from __future__ import annotations

import logging
import re
from dataclasses import dataclass

import httpx
import pytest

from rosterd.core import permissions as perm
from rosterd.core.audit import CLI_ACTOR
from rosterd.core.audit_log import AuditLogService
from rosterd.core.auth import AuthService, UserTokens
from rosterd.core.entities import AuditEvent, User
from rosterd.core.ports import AuditQuery
from rosterd.core.tokens import hash_token
from rosterd.core.users import AccountGroupRolesInput, UserInput, UsersService
from rosterd.storage import SqlDirectoryStore
from tests.console.admin import WithDevices, add_devices
from tests.console.conftest import PEOPLE, ConsoleOrg, csrf_of, sign_in
from tests.support.orgs import TestOrg

ORG_ADMIN, ACCOUNT_ADMIN, REGULAR_USER = 1, 2, 3  # the built-in roles' ids
Held = tuple[dict[int, frozenset[int]], frozenset[int]]  # by account group, in all of them
EDIT_ONLY = (
    "This operation requires the 'Edit users' or 'Edit users in all account groups' permission"
)


@dataclass(frozen=True)
class People:
    console: ConsoleOrg
    org: TestOrg
    art: User  # a Regular User, with a Mac assigned
    kel: User  # a viewer: may read the directory, not edit it
    kel_token: str
    account_admin: User  # `Edit users`, but not in all account groups
    account_admin_token: str
    with_devices: WithDevices


def find(store: SqlDirectoryStore, org: TestOrg, email: str) -> User:
    with store.read() as tx:
        found = tx.find_user_by_email(org.admin.org_id, email)
    assert found is not None
    return found


def give_role(store: SqlDirectoryStore, org: TestOrg, user: User, role_id: int) -> None:
    UsersService(store).update_user(
        principal=AuthService(store).authenticate(org.token),
        aid=None,
        user_id=str(user.uid),
        data=UserInput(account_group_roles=[AccountGroupRolesInput(org.aid, [str(role_id)])]),
        actor=CLI_ACTOR,
    )


@pytest.fixture
def people(console_org: ConsoleOrg, store: SqlDirectoryStore) -> People:
    org = console_org.org
    viewer = org.add_role("Directory viewer", perm.API_ACCESS, perm.VIEW_ALL_USERS)
    art, kel = (find(store, org, person["email"]) for person in PEOPLE)
    give_role(store, org, art, REGULAR_USER)  # directory users come with no roles
    give_role(store, org, kel, viewer.role_id)
    admin = UsersService(store).create_user(
        principal=AuthService(store).authenticate(org.token),
        aid=None,
        data=UserInput(
            name="Bob Sacamano",
            email="bob.sacamano@vandelay.test",
            account_group_roles=[AccountGroupRolesInput(org.aid, [str(ACCOUNT_ADMIN)])],
        ),
        actor=CLI_ACTOR,
    )
    return People(
        console=console_org,
        org=org,
        art=art,
        kel=kel,
        kel_token=org.token_for(kel.email),
        account_admin=admin.user,
        account_admin_token=org.token_for(admin.user.email),
        with_devices=add_devices(console_org, store),
    )


def make_editor_everywhere(store: SqlDirectoryStore, org: TestOrg, user: User) -> None:
    """Give `user` (only) a role with 'Edit users in all account groups' but no 'Assign
    management permissions'."""
    editor = org.add_role(
        "Editor everywhere",
        perm.API_ACCESS,
        perm.VIEW_ALL_USERS,
        perm.EDIT_USERS_ALL_ACCOUNT_GROUPS,
    )
    give_role(store, org, user, editor.role_id)


def tokens_of(store: SqlDirectoryStore, org: TestOrg, user: User) -> UserTokens:
    """`user`'s tokens, as `org`'s admin sees them (their last uses written first, so that two
    lists a minute apart differ only by what the test did)."""
    admin = AuthService(store).authenticate(org.token)
    store.flush_token_uses()
    return AuthService(store).list_user_tokens(principal=admin, user_uid=user.uid)


def last_event(store: SqlDirectoryStore, org: TestOrg) -> AuditEvent:
    return (
        AuditLogService(store)
        .list_events(
            principal=AuthService(store).authenticate(org.token),
            query=AuditQuery(descending=True, limit=1),
        )
        .events[0]
    )


def roles_of(
    store: SqlDirectoryStore, user: User
) -> tuple[dict[int, frozenset[int]], frozenset[int]]:
    with store.read() as tx:
        held = tx.get_role_assignments(user.uid)
    return held.by_account_group, held.all_account_groups


def as_regular_user(org: TestOrg) -> Held:
    return {org.account_group.aid: frozenset({REGULAR_USER})}, frozenset()


def box(org: TestOrg, role_id: int) -> str:
    """The roles form's checkbox for `role_id` in the organization's default account group."""
    return f"role:{org.aid}:{role_id}"


def checked(page: httpx.Response, name: str) -> bool:
    found = re.search(rf'<input type="checkbox" name="{re.escape(name)}" ?(checked)?>', page.text)
    assert found, name
    return found.group(1) is not None


def test_the_page_shows_roles_devices_and_tokens(
    browserless: httpx.Client, people: People, store: SqlDirectoryStore
) -> None:
    sign_in(browserless, people.org.token)
    page = browserless.get(f"/users/{people.art.id}")
    assert page.status_code == 200
    assert '<h2 id="roles">Account groups and roles</h2>' in page.text
    assert checked(page, box(people.org, REGULAR_USER))
    assert not checked(page, box(people.org, ORG_ADMIN))
    assert not checked(page, f"all:{ORG_ADMIN}")
    mac = people.with_devices.assigned.device
    assert f'<a href="/console/devices/{mac.device_id}">Art&#39;s MacBook</a>' in page.text
    assert "Spare iPad" not in page.text
    assert f"While devices are assigned to {people.art.email}, they cannot be deleted" in page.text
    tokens = tokens_of(store, people.org, people.art)
    assert len(tokens.tokens) == 1
    assert "(no name)" in page.text
    assert f'/users/{people.art.id}/tokens/{tokens.tokens[0].id}/revoke"' in page.text
    art_token = people.console.regular_token  # the one token listed
    assert art_token not in page.text
    assert hash_token(art_token) not in page.text
    kel = browserless.get(f"/users/{people.kel.id}")
    assert '<p id="no-devices">No devices are assigned to this user.</p>' in kel.text
    assert "cannot be deleted" not in kel.text


def test_editing_roles_saves_them_and_records_it(
    browserless: httpx.Client, people: People, store: SqlDirectoryStore
) -> None:
    sign_in(browserless, people.org.token)
    page = browserless.get(f"/users/{people.art.id}")
    form = {
        "csrf": csrf_of(page),
        box(people.org, REGULAR_USER): "on",
        box(people.org, ACCOUNT_ADMIN): "on",
    }
    saved = browserless.post(f"/users/{people.art.id}/roles", data=form)
    assert saved.status_code == 303
    assert saved.headers["location"] == f"/console/users/{people.art.id}#roles"
    assert roles_of(store, people.art) == (
        {people.org.account_group.aid: frozenset({ACCOUNT_ADMIN, REGULAR_USER})},
        frozenset(),
    )
    page = browserless.get(f"/users/{people.art.id}")
    assert checked(page, box(people.org, ACCOUNT_ADMIN))
    event = last_event(store, people.org)
    assert event.action == "user.update"
    assert (event.actor_type, event.actor_id) == ("user", str(people.org.admin.uid))
    assert event.new_state is not None
    assert event.new_state["account_group_roles"] == {people.org.aid: [ACCOUNT_ADMIN, REGULAR_USER]}

    in_all = browserless.post(
        f"/users/{people.art.id}/roles", data={"csrf": csrf_of(page), f"all:{REGULAR_USER}": "on"}
    )
    assert in_all.status_code == 303
    assert roles_of(store, people.art) == ({}, frozenset({REGULAR_USER}))


def test_a_refused_edit_is_said_beside_the_form_with_the_boxes_as_sent(
    browserless: httpx.Client, people: People, store: SqlDirectoryStore
) -> None:
    sign_in(browserless, people.org.token)
    csrf = csrf_of(browserless.get(f"/users/{people.art.id}"))
    none = browserless.post(f"/users/{people.art.id}/roles", data={"csrf": csrf})
    assert none.status_code == 400
    assert (
        '<p class="error" role="alert" id="roles-error">A user needs at least one role '
        "A user needs at least one role in some account group.</p>"
    ) in none.text
    assert not checked(none, box(people.org, REGULAR_USER))  # as sent, not as stored

    browserless.cookies.clear()
    sign_in(browserless, people.account_admin_token)
    page = browserless.get(f"/users/{people.art.id}")
    assert checked(page, box(people.org, REGULAR_USER))
    grant = {"csrf": csrf_of(page), box(people.org, ORG_ADMIN): "on"}
    refused = browserless.post(f"/users/{people.art.id}/roles", data=grant)
    assert refused.status_code == 403
    assert (
        "Granting Organization Admin requires the &#39;Assign management permissions&#39; "
        "permission</p>"
    ) in refused.text
    assert checked(refused, box(people.org, ORG_ADMIN))
    assert not checked(refused, box(people.org, REGULAR_USER))
    assert roles_of(store, people.art) == (
        {people.org.account_group.aid: frozenset({REGULAR_USER})},
        frozenset(),
    )


def test_forged_forms_are_refused(
    browserless: httpx.Client, people: People, store: SqlDirectoryStore
) -> None:
    sign_in(browserless, people.org.token)
    before = tokens_of(store, people.org, people.art)
    for path, data in (
        ("roles", {box(people.org, ORG_ADMIN): "on"}),
        ("tokens", {"name": "forged"}),
        (f"tokens/{before.tokens[0].id}/revoke", {}),
    ):
        forged = browserless.post(
            f"/users/{people.art.id}/{path}", data={"csrf": "guessed", **data}
        )
        assert forged.status_code == 403
        assert "This form had expired or did not come from the console." in forged.text
    assert roles_of(store, people.art)[0] == {
        people.org.account_group.aid: frozenset({REGULAR_USER})
    }
    after = tokens_of(store, people.org, people.art)
    assert after == before


def test_a_viewer_sees_the_page_read_only_and_is_refused_an_edit(
    browserless: httpx.Client, people: People, store: SqlDirectoryStore
) -> None:
    sign_in(browserless, people.kel_token)
    page = browserless.get(f"/users/{people.art.id}")
    assert page.status_code == 200
    assert f'action="/console/users/{people.art.id}/roles"' not in page.text
    assert 'type="checkbox"' not in page.text
    assert '<dl class="facts" id="role-list">' in page.text
    assert "<dd>Regular User</dd>" in page.text
    assert "/revoke" not in page.text
    assert 'id="token-name"' not in page.text
    assert (
        "This operation requires the &#39;Edit users in all account groups&#39; permission"
        not in page.text
    )
    assert "You do not have permission to perform this action." in page.text  # the tokens' note
    csrf = csrf_of(page)
    refused = browserless.post(
        f"/users/{people.art.id}/roles", data={"csrf": csrf, box(people.org, ORG_ADMIN): "on"}
    )
    assert refused.status_code == 403
    assert EDIT_ONLY.replace("'", "&#39;") in refused.text
    created = browserless.post(f"/users/{people.art.id}/tokens", data={"csrf": csrf, "name": "x"})
    assert created.status_code == 403
    assert "You do not have permission to perform this action." in created.text
    assert "rst_" not in created.text
    assert roles_of(store, people.art)[0] == {
        people.org.account_group.aid: frozenset({REGULAR_USER})
    }


def test_a_scoped_token_sees_no_forms_and_is_refused_every_edit(
    browserless: httpx.Client, console_org: ConsoleOrg, people: People, store: SqlDirectoryStore
) -> None:
    sign_in(browserless, console_org.scoped_token)
    page = browserless.get(f"/users/{people.art.id}")
    assert page.status_code == 200
    assert "limited to other endpoints than GET /v7/users/{id}, so the user's roles" in page.text
    assert "limited to other endpoints than GET /api/v1/devices" in page.text
    assert "Art&#39;s MacBook" not in page.text
    assert "limited to some endpoints, so it may not issue or revoke tokens" in page.text
    assert 'id="token-name"' not in page.text
    csrf = csrf_of(page)
    roles = browserless.post(
        f"/users/{people.art.id}/roles", data={"csrf": csrf, box(people.org, ORG_ADMIN): "on"}
    )
    assert roles.status_code == 403
    assert "This API token is limited to other endpoints than PUT /v7/users/{id}" in roles.text
    own = tokens_of(store, people.org, people.org.admin)
    for path in ("tokens", f"tokens/{own.tokens[0].id}/revoke"):
        refused = browserless.post(
            f"/users/{people.org.admin.id}/{path}", data={"csrf": csrf, "name": "wider"}
        )
        assert refused.status_code == 403
        assert (
            "This API token is limited to some endpoints, so it may not issue or revoke tokens: "
            "sign in with an unlimited one."
        ) in refused.text
    assert roles_of(store, people.art)[0] == {
        people.org.account_group.aid: frozenset({REGULAR_USER})
    }
    assert tokens_of(store, people.org, people.org.admin) == own


def test_another_organizations_user_is_never_shown_or_edited(
    browserless: httpx.Client, people: People, other_org: ConsoleOrg, store: SqlDirectoryStore
) -> None:
    sign_in(browserless, people.org.token)
    csrf = csrf_of(browserless.get(f"/users/{people.art.id}"))
    theirs = other_org.org.admin
    page = browserless.get(f"/users/{theirs.id}")
    assert page.status_code == 404
    assert theirs.email not in page.text
    their_token = tokens_of(store, other_org.org, theirs)
    for path in ("roles", "tokens", f"tokens/{their_token.tokens[0].id}/revoke"):
        refused = browserless.post(
            f"/users/{theirs.id}/{path}",
            data={"csrf": csrf, box(other_org.org, REGULAR_USER): "on", "name": "in"},
        )
        assert refused.status_code == 404
        assert "Not found." in refused.text
    # Their token's id under one of our own users is no token of ours either.
    crossed = browserless.post(
        f"/users/{people.art.id}/tokens/{their_token.tokens[0].id}/revoke", data={"csrf": csrf}
    )
    assert crossed.status_code == 404
    assert "This user has no such active token." in crossed.text
    AuthService(store).authenticate(other_org.org.token)  # still valid
    assert roles_of(store, theirs) == ({}, frozenset({ORG_ADMIN}))


def test_a_token_is_shown_once_and_revoked(
    browserless: httpx.Client,
    people: People,
    store: SqlDirectoryStore,
    caplog: pytest.LogCaptureFixture,
) -> None:
    caplog.set_level(logging.DEBUG)  # the server runs in this process: its logs land here
    sign_in(browserless, people.org.token)
    page = browserless.get(f"/users/{people.art.id}")
    created = browserless.post(
        f"/users/{people.art.id}/tokens", data={"csrf": csrf_of(page), "name": "laptop script"}
    )
    assert created.status_code == 200
    secret = re.search(r'<code id="new-token">(rst_[^<]+)</code>', created.text)
    assert secret, created.text
    assert "shown this once and never again" in created.text
    assert AuthService(store).authenticate(secret.group(1)).user.uid == people.art.uid
    event = last_event(store, people.org)
    assert (event.action, event.target_name) == ("token.create", "laptop script")
    assert secret.group(1) not in str(event.new_state)
    assert secret.group(1) not in caplog.text
    again = browserless.get(f"/users/{people.art.id}")
    assert secret.group(1) not in again.text
    assert hash_token(secret.group(1)) not in again.text
    assert "laptop script" in again.text

    token_id = max(t.id for t in tokens_of(store, people.org, people.art).tokens)
    revoked = browserless.post(
        f"/users/{people.art.id}/tokens/{token_id}/revoke", data={"csrf": csrf_of(again)}
    )
    assert revoked.status_code == 303
    assert revoked.headers["location"] == f"/console/users/{people.art.id}#tokens"
    assert sign_in(httpx.Client(base_url=browserless.base_url), secret.group(1)).status_code == 401
    event = last_event(store, people.org)
    assert (event.action, event.target_id, event.actor_id) == (
        "token.revoke",
        str(token_id),
        str(people.org.admin.uid),
    )
    shown = browserless.get(f"/users/{people.art.id}")
    assert f"/tokens/{token_id}/revoke" not in shown.text
    assert "Revoked " in shown.text
    twice = browserless.post(
        f"/users/{people.art.id}/tokens/{token_id}/revoke", data={"csrf": csrf_of(shown)}
    )
    assert twice.status_code == 404
    assert "This user has no such active token." in twice.text


def test_a_too_long_name_is_said_and_kept(browserless: httpx.Client, people: People) -> None:
    sign_in(browserless, people.org.token)
    page = browserless.get(f"/users/{people.art.id}")
    name = "n" * 256
    refused = browserless.post(
        f"/users/{people.art.id}/tokens", data={"csrf": csrf_of(page), "name": name}
    )
    assert refused.status_code == 400
    assert "A token&#39;s name has at most 255 characters." in refused.text
    assert f'value="{name}"' in refused.text
    assert 'aria-invalid="true" aria-describedby="token-error"' in refused.text
    assert "new-token" not in refused.text


def test_an_account_admin_manages_their_own_tokens_only(
    browserless: httpx.Client, people: People, store: SqlDirectoryStore
) -> None:
    sign_in(browserless, people.account_admin_token)
    own = browserless.get(f"/users/{people.account_admin.id}")
    assert 'id="token-name"' in own.text
    created = browserless.post(
        f"/users/{people.account_admin.id}/tokens", data={"csrf": csrf_of(own), "name": "mine"}
    )
    assert created.status_code == 200
    assert '<code id="new-token">rst_' in created.text
    others = browserless.get(f"/users/{people.art.id}")
    assert 'id="token-name"' not in others.text
    assert "You do not have permission to perform this action." in others.text
    art_token = tokens_of(store, people.org, people.art).tokens[0]
    refused = browserless.post(
        f"/users/{people.art.id}/tokens/{art_token.id}/revoke", data={"csrf": csrf_of(others)}
    )
    assert refused.status_code == 403
    assert "You do not have permission to perform this action." in refused.text


def test_managing_an_admins_tokens_needs_assign_management(
    browserless: httpx.Client, people: People, store: SqlDirectoryStore
) -> None:
    org = people.org
    make_editor_everywhere(store, org, people.kel)
    sign_in(browserless, people.kel_token)
    art = browserless.get(f"/users/{people.art.id}")
    assert 'id="token-name"' in art.text  # a Regular User's tokens: allowed
    admin = browserless.get(f"/users/{org.admin.id}")
    assert 'id="token-name"' not in admin.text
    refused = browserless.post(
        f"/users/{org.admin.id}/tokens", data={"csrf": csrf_of(admin), "name": "as the admin"}
    )
    assert refused.status_code == 403
    assert (
        "Managing the tokens of a user with the Organization Admin role requires the "
        "&#39;Assign management permissions&#39; permission"
    ) in refused.text
    assert "new-token" not in refused.text


def test_revoking_the_sessions_own_token_ends_the_session(
    browserless: httpx.Client, people: People, store: SqlDirectoryStore
) -> None:
    sign_in(browserless, people.org.token)
    principal = AuthService(store).authenticate(people.org.token)
    page = browserless.get(f"/users/{people.org.admin.id}")
    assert "(this session)" in page.text
    out = browserless.post(
        f"/users/{people.org.admin.id}/tokens/{principal.token_id}/revoke",
        data={"csrf": csrf_of(page)},
    )
    assert out.status_code == 303
    assert out.headers["location"] == "/console/signin"
    assert 'rosterd_console=""' in out.headers["set-cookie"]
    after = browserless.get(f"/users/{people.org.admin.id}")
    assert after.status_code == 303
    assert after.headers["location"] == "/console/signin"


def test_the_token_list_shows_when_each_token_was_last_used(
    browserless: httpx.Client, people: People, store: SqlDirectoryStore
) -> None:
    sign_in(browserless, people.org.token)
    store.flush_token_uses()  # written off the request, within a minute: now, for the test
    page = browserless.get(f"/users/{people.org.admin.id}")
    assert '<th scope="col">Last used (UTC)</th>' in page.text
    own = tokens_of(store, people.org, people.org.admin).tokens[0]
    assert own.last_used_at is not None
    row = page.text.split("<strong>(this session)</strong>", 1)[1].split("</tr>", 1)[0]
    used = own.last_used_at.strftime("%Y-%m-%d %H:%M")
    assert f'<td data-label="Last used">{used}</td>' in row
    art = browserless.get(f"/users/{people.art.id}")  # Art's token: never used
    assert '<td data-label="Last used">—</td>' in art.text
