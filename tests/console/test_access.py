"""The console's account groups, roles and permissions: the lists, a group's and a role's page,
and creating, editing and deleting them, over HTTP against a real server (SQLite and
PostgreSQL), with the /v7 operations' checks."""

from __future__ import annotations

import re

import httpx
import pytest

from rosterd.console import _account_groups as console_account_groups
from rosterd.core import permissions as perm
from rosterd.core.audit_log import AuditLogService
from rosterd.core.auth import AuthService
from rosterd.core.catalogue import CatalogueService
from rosterd.core.entities import Role, RoleAssignments
from rosterd.core.ports import AuditQuery
from rosterd.storage import SqlDirectoryStore
from tests.console.admin import account_admin_token, regular_user_token, scoped_token
from tests.console.conftest import ConsoleOrg, csrf_of, sign_in

# Catalogue ids (core/permissions.py) of the role forms' checkboxes.
API_ACCESS, VIEW_ALL_USERS, VIEW_TESTS = "1", "2", "12"


def signed_in(client: httpx.Client, token: str, path: str) -> httpx.Response:
    sign_in(client, token)
    return client.get(path)


def role_form(csrf: str, name: str, *permission_ids: str) -> dict[str, str]:
    return {"csrf": csrf, "name": name} | {f"permission-{i}": "on" for i in permission_ids}


def roles_of(store: SqlDirectoryStore, people: ConsoleOrg) -> dict[str, Role]:
    principal = AuthService(store).authenticate(people.org.token)
    found = CatalogueService(store).list_roles(principal=principal, aid=None)
    return {r.name: r for r in found}


def group_names(store: SqlDirectoryStore, people: ConsoleOrg) -> list[str]:
    principal = AuthService(store).authenticate(people.org.token)
    ctx = CatalogueService(store).list_account_groups(principal=principal)
    return sorted(g.name for g in ctx.account_groups.values())


def last_action(store: SqlDirectoryStore, people: ConsoleOrg) -> tuple[str, str]:
    event = (
        AuditLogService(store)
        .list_events(
            principal=AuthService(store).authenticate(people.org.token),
            query=AuditQuery(descending=True, limit=1),
        )
        .events[0]
    )
    return event.action, event.actor_type


def test_account_groups_create_rename_and_delete(
    browserless: httpx.Client, console_org: ConsoleOrg, store: SqlDirectoryStore
) -> None:
    org = console_org.org
    page = signed_in(browserless, org.token, "/account-groups")
    assert page.status_code == 200
    assert '<a href="/console/account-groups">Account groups</a>' in page.text  # navigation
    home = org.account_group
    assert f'<a href="/console/account-groups/{home.aid}">{home.name}</a>' in page.text
    assert "The organization&#39;s default" in page.text
    csrf = csrf_of(page)

    made = browserless.post("/account-groups", data={"csrf": csrf, "name": " Remote "})
    assert made.status_code == 303
    aid = made.headers["location"].rsplit("/", 1)[1]
    assert made.headers["location"] == f"/console/account-groups/{aid}"
    assert last_action(store, console_org) == ("account_group.create", "user")
    group = browserless.get(f"/account-groups/{aid}")
    assert "<h1>Remote</h1>" in group.text
    assert f"<dt>Id (aid)</dt><dd><code>{aid}</code></dd>" in group.text
    assert "Rename" in group.text
    assert "Delete account group" in group.text

    renamed = browserless.post(f"/account-groups/{aid}", data={"csrf": csrf, "name": "Far away"})
    assert renamed.status_code == 303
    assert last_action(store, console_org) == ("account_group.update", "user")
    assert "<h1>Far away</h1>" in browserless.get(f"/account-groups/{aid}").text

    deleted = browserless.post(f"/account-groups/{aid}/delete", data={"csrf": csrf})
    assert deleted.status_code == 303
    assert deleted.headers["location"] == "/console/account-groups"
    assert last_action(store, console_org) == ("account_group.delete", "user")
    assert group_names(store, console_org) == [home.name]


def test_account_group_refusals_are_said_beside_the_form(
    browserless: httpx.Client, console_org: ConsoleOrg, store: SqlDirectoryStore
) -> None:
    org = console_org.org
    csrf = csrf_of(signed_in(browserless, org.token, "/account-groups"))
    taken = browserless.post(
        "/account-groups", data={"csrf": csrf, "name": org.account_group.name.upper()}
    )
    assert taken.status_code == 400
    assert (
        '<p class="error" role="alert" id="create-error">Account group name taken: an account '
        f"group named &#39;{org.account_group.name.upper()}&#39; already exists.</p>"
    ) in taken.text
    assert f'value="{org.account_group.name.upper()}"' in taken.text
    assert 'aria-invalid="true"' in taken.text
    blank = browserless.post("/account-groups", data={"csrf": csrf, "name": "  "})
    assert blank.status_code == 400
    assert "account_group_name cannot be blank." in blank.text

    home = org.account_group.aid
    kept = browserless.post(f"/account-groups/{home}/delete", data={"csrf": csrf})
    assert kept.status_code == 400
    assert (
        '<p class="error" role="alert" id="delete-error">The organization&#39;s default account '
        "group cannot be deleted: The organization&#39;s default account group is kept.</p>"
    ) in kept.text
    other = org.add_account_group("Other")
    clash = browserless.post(
        f"/account-groups/{other.aid}", data={"csrf": csrf, "name": org.account_group.name}
    )
    assert clash.status_code == 400
    assert f'value="{org.account_group.name}"' in clash.text  # what was typed, not the name
    assert 'id="rename-error"' in clash.text
    assert group_names(store, console_org) == sorted([org.account_group.name, "Other"])


def test_roles_list_and_a_built_in_roles_page_is_read_only(
    browserless: httpx.Client, console_org: ConsoleOrg
) -> None:
    page = signed_in(browserless, console_org.org.token, "/roles")
    assert page.status_code == 200
    assert '<a href="/console/roles">Roles</a>' in page.text  # navigation
    assert '<a href="/console/roles/3">Regular User</a>' in page.text
    assert (
        '<td data-label="Permissions">API Access, View reports, View snapshots, View tests, '
        "Edit tests</td>"
    ) in page.text
    assert "Create role" in page.text
    regular = browserless.get("/roles/3")
    assert regular.status_code == 200
    assert "Built-in (read only)" in regular.text
    assert "<li>API Access</li>" in regular.text
    assert "Save role" not in regular.text
    assert "Delete role" not in regular.text
    refused = browserless.post("/roles/3", data=role_form(csrf_of(page), "Mine", API_ACCESS))
    assert refused.status_code == 403
    assert "The built-in role &#39;Regular User&#39; cannot be changed or deleted." in refused.text
    assert browserless.get("/roles/1").text.count("<li>") == len(perm.CATALOGUE)


def test_create_edit_and_delete_a_custom_role(
    browserless: httpx.Client, console_org: ConsoleOrg, store: SqlDirectoryStore
) -> None:
    csrf = csrf_of(signed_in(browserless, console_org.org.token, "/roles"))
    made = browserless.post("/roles", data=role_form(csrf, "Auditor", API_ACCESS, VIEW_ALL_USERS))
    assert made.status_code == 303
    role_id = roles_of(store, console_org)["Auditor"].role_id
    assert made.headers["location"] == f"/console/roles/{role_id}"
    assert last_action(store, console_org) == ("role.create", "user")
    page = browserless.get(f"/roles/{role_id}")
    assert re.search(r"<li>API Access</li><li>View all users <span", page.text)
    assert 'name="permission-2" value="on" checked>' in page.text  # the edit form as it is
    assert 'value="Auditor"' in page.text

    edited = browserless.post(f"/roles/{role_id}", data=role_form(csrf, "Test viewer", VIEW_TESTS))
    assert edited.status_code == 303
    assert last_action(store, console_org) == ("role.update", "user")
    role = roles_of(store, console_org)["Test viewer"]
    assert role.permission_codes == frozenset({"TESTS_READ"})

    deleted = browserless.post(f"/roles/{role_id}/delete", data={"csrf": csrf})
    assert deleted.status_code == 303
    assert deleted.headers["location"] == "/console/roles"
    assert last_action(store, console_org) == ("role.delete", "user")
    assert "Test viewer" not in roles_of(store, console_org)


def test_role_refusals_keep_what_was_typed(
    browserless: httpx.Client, console_org: ConsoleOrg, store: SqlDirectoryStore
) -> None:
    csrf = csrf_of(signed_in(browserless, console_org.org.token, "/roles"))
    taken = browserless.post("/roles", data=role_form(csrf, "regular user", VIEW_TESTS))
    assert taken.status_code == 400
    assert (
        '<p class="error" role="alert" id="role-error">Role name taken: a role named '
        "&#39;regular user&#39; already exists.</p>"
    ) in taken.text
    assert 'value="regular user"' in taken.text
    assert 'name="permission-12" value="on" checked>' in taken.text
    assert 'name="permission-1" value="on" >' in taken.text  # not checked: not sent
    unknown = browserless.post("/roles", data=role_form(csrf, "Odd", "99"))
    assert unknown.status_code == 400
    assert "Unknown permissions: no permission with id 99." in unknown.text

    held = console_org.org.add_role("Held", perm.API_ACCESS)
    with store.write() as tx:
        tx.set_role_assignments(
            console_org.org.admin.uid,
            RoleAssignments(
                by_account_group={console_org.org.account_group.aid: frozenset({1, held.role_id})}
            ),
        )
    in_use = browserless.post(f"/roles/{held.role_id}/delete", data={"csrf": csrf})
    assert in_use.status_code == 400
    assert (
        '<p class="error" role="alert" id="delete-error">The role is assigned to 1 user; remove '
        "it from them before deleting it: the role is assigned to users.</p>"
    ) in in_use.text
    assert "Held" in roles_of(store, console_org)


def test_forged_forms_are_refused(
    browserless: httpx.Client, console_org: ConsoleOrg, store: SqlDirectoryStore
) -> None:
    signed_in(browserless, console_org.org.token, "/roles")
    role = browserless.post("/roles", data=role_form("guessed", "Forged", API_ACCESS))
    assert role.status_code == 403
    assert "did not come from the console" in role.text
    group = browserless.post("/account-groups", data={"name": "Forged"})
    assert group.status_code == 403
    assert "Forged" not in roles_of(store, console_org)
    assert "Forged" not in group_names(store, console_org)


def test_a_regular_user_sees_read_only_pages(
    browserless: httpx.Client, console_org: ConsoleOrg, store: SqlDirectoryStore
) -> None:
    roleless = signed_in(browserless, console_org.regular_token, "/account-groups")
    assert roleless.status_code == 403  # Art holds no role yet
    assert "This operation requires the &#39;API Access&#39; permission" in roleless.text
    assert browserless.get("/roles").status_code == 403
    groups = signed_in(browserless, regular_user_token(console_org, store), "/account-groups")
    assert groups.status_code == 200
    assert "Create account group" not in groups.text
    group = browserless.get(f"/account-groups/{console_org.org.account_group.aid}")
    assert group.status_code == 403
    assert (
        "This operation requires the &#39;View all account groups settings&#39; permission"
        in group.text
    )
    roles = browserless.get("/roles")
    assert roles.status_code == 200
    assert "Create role" not in roles.text
    role = browserless.get("/roles/3")
    assert role.status_code == 200
    assert "Save role" not in role.text
    csrf = csrf_of(roles)
    refused = browserless.post("/roles", data=role_form(csrf, "Mine", API_ACCESS))
    assert refused.status_code == 403
    assert "This operation requires the &#39;Edit roles&#39; permission." in refused.text
    made = browserless.post("/account-groups", data={"csrf": csrf, "name": "Mine"})
    assert made.status_code == 403
    assert "This operation requires the &#39;Edit all account groups&#39; permission." in made.text
    assert "Mine" not in roles_of(store, console_org)
    assert "Mine" not in group_names(store, console_org)


def test_an_account_admin_may_not_hand_out_management_permissions(
    browserless: httpx.Client, console_org: ConsoleOrg, store: SqlDirectoryStore
) -> None:
    roles = signed_in(browserless, account_admin_token(console_org, store), "/roles")
    assert "Create role" in roles.text  # Account Admins hold Edit roles
    csrf = csrf_of(roles)
    refused = browserless.post("/roles", data=role_form(csrf, "Viewer", API_ACCESS, VIEW_ALL_USERS))
    assert refused.status_code == 403
    assert (
        '<p class="error" role="alert" id="role-error">This operation requires the '
        "&#39;Assign management permissions&#39; permission.</p>"
    ) in refused.text
    assert 'value="Viewer"' in refused.text
    assert 'name="permission-2" value="on" checked>' in refused.text
    made = browserless.post("/roles", data=role_form(csrf, "Viewer", API_ACCESS, VIEW_TESTS))
    assert made.status_code == 303
    groups = browserless.get("/account-groups")
    assert "Create account group" not in groups.text  # Account Admins may not edit groups
    group = browserless.get(f"/account-groups/{console_org.org.account_group.aid}")
    assert group.status_code == 200
    assert "Rename" not in group.text


def test_scoped_tokens_see_only_their_endpoints(
    browserless: httpx.Client, console_org: ConsoleOrg, store: SqlDirectoryStore
) -> None:
    org = console_org.org
    page = signed_in(browserless, console_org.scoped_token, "/account-groups")
    assert page.status_code == 403
    assert "This API token is limited to other endpoints than GET /v7/account-groups" in page.text
    assert "limited to other endpoints than GET /v7/roles" in browserless.get("/roles").text
    reader = scoped_token(console_org, store, "GET /v7/roles", "GET /v7/roles/{id}")
    roles = signed_in(browserless, reader, "/roles")
    assert roles.status_code == 200
    assert "Create role" not in roles.text
    custom = org.add_role("Custom", perm.API_ACCESS)
    role = browserless.get(f"/roles/{custom.role_id}")
    assert role.status_code == 200
    assert "Save role" not in role.text
    assert "Delete role" not in role.text
    refused = browserless.post(f"/roles/{custom.role_id}/delete", data={"csrf": csrf_of(role)})
    assert refused.status_code == 403
    assert "limited to other endpoints than DELETE /v7/roles/{id}" in refused.text
    assert "Custom" in roles_of(store, console_org)


def test_another_organizations_groups_and_roles_are_not_found(
    browserless: httpx.Client, console_org: ConsoleOrg, other_org: ConsoleOrg
) -> None:
    their_group = other_org.org.add_account_group("Theirs")
    their_role = other_org.org.add_role("Their role", perm.API_ACCESS)
    csrf = csrf_of(signed_in(browserless, console_org.org.token, "/roles"))
    for path in (
        f"/account-groups/{their_group.aid}",
        f"/account-groups/{other_org.org.account_group.aid}",
        f"/roles/{their_role.role_id}",
        "/roles/not-a-number",
        "/account-groups/not-a-number",
    ):
        page = browserless.get(path)
        assert page.status_code == 404, path
        assert "Theirs" not in page.text
    for path in (
        f"/roles/{their_role.role_id}",
        f"/roles/{their_role.role_id}/delete",
        f"/account-groups/{their_group.aid}",
        f"/account-groups/{their_group.aid}/delete",
    ):
        assert browserless.post(path, data=role_form(csrf, "Mine")).status_code == 404, path
    assert "Their role" not in browserless.get("/roles").text
    assert "Theirs" not in browserless.get("/account-groups").text


def test_account_groups_show_their_member_counts_up_to_a_bound(
    browserless: httpx.Client,
    console_org: ConsoleOrg,
    store: SqlDirectoryStore,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    org = console_org.org
    home, other = org.account_group, org.add_account_group("Other")
    regular_user_token(console_org, store)  # Art: Regular User in the home group
    listed = signed_in(browserless, org.token, "/account-groups")
    assert '<th scope="col">Members</th>' in listed.text
    # The admin holds their role in all account groups: a member of each.
    for group, count in ((home, "2"), (other, "1")):
        assert (
            f'<td data-label="Members"><a href="/console/users?account_group={group.aid}" '
            f'aria-label="Members of {group.name}: {count}">{count}</a></td>'
        ) in listed.text
    page = browserless.get(f"/account-groups/{home.aid}")
    assert (
        f'<dt>Members</dt><dd><a href="/console/users?account_group={home.aid}">2</a>'
    ) in page.text
    monkeypatch.setattr(console_account_groups, "MEMBERS_BOUND", 1)
    bounded = browserless.get("/account-groups")
    assert f'aria-label="Members of {home.name}: 1+">1+</a>' in bounded.text
    assert f'aria-label="Members of {other.name}: 1">1</a>' in bounded.text

    # Members are what 'View all account groups settings' shows: a Regular User sees none.
    browserless.cookies.clear()
    regular = signed_in(browserless, regular_user_token(console_org, store), "/account-groups")
    assert regular.status_code == 200
    assert "Members" not in regular.text
