"""Deleting a user from their page, as `DELETE /api/v1/users/{id}` deletes them: a
confirmation page first, then the core's refusals (devices still assigned, the last
Organization Admin, a manager without 'Assign management permissions', a lower-privilege or
scoped token) said on the user's page with nothing deleted, over HTTP against a real server
(SQLite and PostgreSQL)."""

from __future__ import annotations

import httpx

from rosterd.storage import SqlDirectoryStore
from tests.console.conftest import ConsoleOrg, csrf_of, sign_in
from tests.console.test_user import (
    ORG_ADMIN,
    People,
    give_role,
    last_event,
    make_editor_everywhere,
    people,
)
from tests.support.orgs import TestOrg

__all__ = ["people"]  # test_user.py's fixture, used here

NO_PERMISSION = "You do not have permission to perform this action."
DISABLED = '<button type="button" class="danger" disabled aria-describedby="delete-refusal">'


def exists(store: SqlDirectoryStore, org: TestOrg, email: str) -> bool:
    with store.read() as tx:
        return tx.find_user_by_email(org.admin.org_id, email) is not None


def test_deleting_asks_first_then_deletes_and_records_it(
    browserless: httpx.Client, people: People, store: SqlDirectoryStore
) -> None:
    sign_in(browserless, people.org.token)
    kel = people.kel
    page = browserless.get(f"/users/{kel.id}")
    assert f'<form method="get" action="/console/users/{kel.id}/delete">' in page.text
    assert DISABLED not in page.text
    confirm = browserless.get(f"/users/{kel.id}/delete")
    assert confirm.status_code == 200
    assert "<h1>Delete Kel Varnsen?</h1>" in confirm.text
    assert f'<form method="post" action="/console/users/{kel.id}/delete">' in confirm.text
    assert f'<button type="submit" class="danger">Delete {kel.email}</button>' in confirm.text
    assert 'id="yourself"' not in confirm.text
    assert exists(store, people.org, kel.email)  # asking deletes nothing

    deleted = browserless.post(f"/users/{kel.id}/delete", data={"csrf": csrf_of(confirm)})
    assert deleted.status_code == 303
    assert deleted.headers["location"] == f"/console/users?deleted={kel.id}"
    assert not exists(store, people.org, kel.email)
    event = last_event(store, people.org)
    assert (event.action, event.target_type, event.target_id) == (
        "user.delete",
        "user",
        str(kel.id),
    )
    assert (event.actor_type, event.actor_id) == ("user", str(people.org.admin.uid))
    assert event.new_state == {"email": kel.email, "name": kel.name, "uid": str(kel.uid)}
    listed = browserless.get(f"/users?deleted={kel.id}")
    assert (
        '<p class="notice" role="status" id="notice">The user was deleted. What was changed '
        f'stays in the <a href="/console/audit?target={kel.id}">audit log</a>.</p>'
    ) in listed.text
    assert kel.email not in listed.text
    assert browserless.get(f"/users/{kel.id}").status_code == 404
    # A link naming a user who is still there (or no user) shows no notice.
    for value in (str(people.art.id), "not-a-uuid"):
        assert 'id="notice"' not in browserless.get(f"/users?deleted={value}").text


def test_a_user_with_devices_is_not_deleted_and_the_page_says_why(
    browserless: httpx.Client, people: People, store: SqlDirectoryStore
) -> None:
    sign_in(browserless, people.org.token)
    art = people.art
    page = browserless.get(f"/users/{art.id}")
    assert (
        '<p class="note" id="delete-refusal">User still assigned to one or more devices.</p>'
    ) in page.text
    assert DISABLED in page.text
    assert f'action="/console/users/{art.id}/delete"' not in page.text
    before = last_event(store, people.org)
    for refused in (
        browserless.get(f"/users/{art.id}/delete"),
        browserless.post(f"/users/{art.id}/delete", data={"csrf": csrf_of(page)}),
    ):
        assert refused.status_code == 400
        assert (
            '<p class="error" role="alert" id="delete-refusal">'
            "User still assigned to one or more devices.</p>"
        ) in refused.text
        assert "Art&#39;s MacBook" in refused.text  # the page, with what it showed
    assert exists(store, people.org, art.email)
    assert last_event(store, people.org) == before


def test_the_last_organization_admin_is_kept_and_deleting_oneself_signs_out(
    browserless: httpx.Client, people: People, store: SqlDirectoryStore
) -> None:
    org = people.org
    sign_in(browserless, org.token)
    last = (
        "The organization&#39;s last active Organization Admin cannot be deleted, demoted or "
        "deactivated"
    )
    page = browserless.get(f"/users/{org.admin.id}")
    assert f'<p class="note" id="delete-refusal">{last}</p>' in page.text
    refused = browserless.post(f"/users/{org.admin.id}/delete", data={"csrf": csrf_of(page)})
    assert refused.status_code == 403
    assert f'<p class="error" role="alert" id="delete-refusal">{last}</p>' in refused.text
    assert exists(store, org, org.admin.email)

    give_role(store, org, people.kel, ORG_ADMIN)  # another admin: deleting oneself is allowed
    confirm = browserless.get(f"/users/{org.admin.id}/delete")
    assert confirm.status_code == 200
    assert "This is your own user: deleting it signs you out" in confirm.text
    out = browserless.post(f"/users/{org.admin.id}/delete", data={"csrf": csrf_of(confirm)})
    assert out.status_code == 303
    assert out.headers["location"] == "/console/signin"
    assert 'rosterd_console=""' in out.headers["set-cookie"]
    assert not exists(store, org, org.admin.email)
    assert browserless.get("/users").headers["location"] == "/console/signin"


def test_lower_privilege_and_scoped_tokens_are_refused(
    browserless: httpx.Client, console_org: ConsoleOrg, people: People, store: SqlDirectoryStore
) -> None:
    org, kel = people.org, people.kel
    make_editor_everywhere(store, org, people.account_admin)
    manager = (
        "Deleting, demoting or disabling a user with the Directory viewer role requires the "
        "&#39;Assign management permissions&#39; permission"
    )
    scoped = "This API token is limited to other endpoints than DELETE /api/v1/users/{id}"
    for token, refusal in (
        (people.kel_token, NO_PERMISSION),  # a viewer: no 'Edit users in all account groups'
        (people.account_admin_token, manager),  # Kel holds a role with management permissions
        (console_org.scoped_token, scoped),
    ):
        browserless.cookies.clear()
        sign_in(browserless, token)
        page = browserless.get(f"/users/{kel.id}")
        assert page.status_code == 200
        assert f'<p class="note" id="delete-refusal">{refusal}</p>' in page.text
        assert DISABLED in page.text
        confirm = browserless.get(f"/users/{kel.id}/delete")
        assert confirm.status_code == 403
        assert f'role="alert" id="delete-refusal">{refusal}</p>' in confirm.text
        refused = browserless.post(f"/users/{kel.id}/delete", data={"csrf": csrf_of(page)})
        assert refused.status_code == 403
        assert f'role="alert" id="delete-refusal">{refusal}</p>' in refused.text
    assert exists(store, org, kel.email)


def test_forged_and_other_organizations_deletes_are_refused(
    browserless: httpx.Client, people: People, other_org: ConsoleOrg, store: SqlDirectoryStore
) -> None:
    sign_in(browserless, people.org.token)
    forged = browserless.post(f"/users/{people.kel.id}/delete", data={"csrf": "guessed"})
    assert forged.status_code == 403
    assert "This form had expired or did not come from the console." in forged.text
    assert exists(store, people.org, people.kel.email)
    csrf = csrf_of(browserless.get(f"/users/{people.kel.id}"))
    theirs = other_org.org.admin
    for refused in (
        browserless.get(f"/users/{theirs.id}/delete"),
        browserless.post(f"/users/{theirs.id}/delete", data={"csrf": csrf}),
    ):
        assert refused.status_code == 404
        assert "Not found." in refused.text
        assert theirs.email not in refused.text
    assert exists(store, other_org.org, theirs.email)
