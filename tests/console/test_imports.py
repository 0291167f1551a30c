"""Importing a directory file from an integration's page: the upload, its dry-run plan, the
apply in the background and its report, over HTTP against a real server (SQLite and
PostgreSQL)."""

from __future__ import annotations

import re
import time
from collections.abc import Iterator

import httpx
import pytest

from rosterd.core.admins import LAST_ORGANIZATION_ADMIN
from rosterd.core.audit_log import AuditLogService
from rosterd.core.auth import AuthService
from rosterd.core.entities import Integration, User
from rosterd.core.integrations import IntegrationsService
from rosterd.core.ports import AuditQuery
from rosterd.storage import SqlDirectoryStore
from tests.console.admin import account_admin_token, regular_user_token
from tests.console.conftest import PEOPLE, ConsoleOrg, csrf_of, sign_in
from tests.support.server import LiveServer, start_server

ART, KEL = PEOPLE[0]["email"], PEOPLE[1]["email"]
NEW = "h.e.pennypacker@pennypacker.test"
# Art as he is, Kel moved to Sales, and one new person.
CHANGES = (
    "email,name,department\n"
    f"{ART},Art Vandelay,\n"
    f"{KEL},Kel Varnsen,Sales\n"
    f"{NEW},H.E. Pennypacker,Finance\n"
)
PLAN = re.compile(r"/console/integrations/[0-9a-f-]{36}/imports/([\w-]+)$")


def accuhive(store: SqlDirectoryStore, people: ConsoleOrg) -> Integration:
    (found,) = IntegrationsService(store).list_integrations(org_subdomain=people.org.subdomain)
    return found


def user(store: SqlDirectoryStore, people: ConsoleOrg, email: str) -> User | None:
    with store.read() as tx:
        return tx.find_user_by_email(people.org.admin.org_id, email)


def user_count(store: SqlDirectoryStore, people: ConsoleOrg) -> int:
    with store.read() as tx:
        return tx.count_users(people.org.admin.org_id)


def upload(
    client: httpx.Client,
    integration: Integration,
    content: str | bytes,
    *,
    csrf: str | None,
    filename: str = "people.csv",
    format: str = "auto",
    full: bool = False,
) -> httpx.Response:
    data = {"format": format} | ({"csrf": csrf} if csrf is not None else {})
    if full:
        data["full"] = "on"
    return client.post(
        f"/integrations/{integration.uuid}/imports",
        data=data,
        files={"file": (filename, content, "text/csv")},
    )


def admin_session(client: httpx.Client, people: ConsoleOrg, integration: Integration) -> str:
    sign_in(client, people.org.token)
    return csrf_of(client.get(f"/integrations/{integration.uuid}"))


def admin_at(
    client: httpx.Client, people: ConsoleOrg, store: SqlDirectoryStore
) -> tuple[Integration, str]:
    """The organization's integration, and the CSRF token of its admin's new session."""
    integration = accuhive(store, people)
    return integration, admin_session(client, people, integration)


def plan_path(client: httpx.Client, integration: Integration, csrf: str) -> str:
    """The console path of CHANGES's plan."""
    import_id, _ = planned(client, upload(client, integration, CHANGES, csrf=csrf))
    return f"/integrations/{integration.uuid}/imports/{import_id}"


def planned(client: httpx.Client, response: httpx.Response) -> tuple[str, httpx.Response]:
    """The import id a good upload redirects to, and its plan page."""
    assert response.status_code == 303, response.text
    location = response.headers["location"]
    found = PLAN.search(location)
    assert found, location
    return found.group(1), client.get(location.removeprefix("/console"))


def finished(client: httpx.Client, path: str) -> httpx.Response:
    """The import's progress fragment once the import has finished."""
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        fragment = client.get(f"{path}/progress")
        assert fragment.status_code == 200
        if "hx-trigger" not in fragment.text:
            return fragment
        time.sleep(0.05)
    raise AssertionError("the import did not finish")


def events(store: SqlDirectoryStore, people: ConsoleOrg) -> list[tuple[str, str, str | None]]:
    found = AuditLogService(store).list_events(
        principal=AuthService(store).authenticate(people.org.token),
        query=AuditQuery(descending=False, limit=100),
    )
    return [(e.action, e.actor_type, e.actor_id) for e in found.events]


def test_a_file_is_planned_then_imported_with_a_report(
    browserless: httpx.Client, console_org: ConsoleOrg, store: SqlDirectoryStore
) -> None:
    integration, csrf = admin_at(browserless, console_org, store)
    page = browserless.get(f"/integrations/{integration.uuid}")
    assert '<h2 id="import">Import users</h2>' in page.text
    assert 'enctype="multipart/form-data"' in page.text
    assert "at most 100 MiB" in page.text
    before = events(store, console_org)

    import_id, plan = planned(browserless, upload(browserless, integration, CHANGES, csrf=csrf))
    assert plan.status_code == 200
    assert "File <code>people.csv</code>, 3 users." in plan.text
    assert "Nothing has been written yet." in plan.text
    assert "<dt>Create</dt><dd>1 user</dd>" in plan.text
    assert "<dt>Update</dt><dd>1 user</dd>" in plan.text
    assert "<dt>Leave unchanged</dt><dd>1 user</dd>" in plan.text
    assert "<dt>Archive</dt>" not in plan.text  # not a full sync
    assert f"<li>create {NEW}</li>" in plan.text
    assert f"<li>update {KEL} (department)</li>" in plan.text
    assert "confirm_archive" not in plan.text
    assert user(store, console_org, NEW) is None  # the plan wrote nothing
    assert events(store, console_org) == before

    path = f"/integrations/{integration.uuid}/imports/{import_id}"
    applied = browserless.post(f"{path}/apply", data={"csrf": csrf})
    assert applied.status_code == 303
    assert applied.headers["location"] == f"/console{path}"
    report = finished(browserless, path)
    assert "<h2>Imported</h2>" in report.text
    assert '<label for="import-bar">3 of 3 records written</label>' in report.text  # as it ran
    assert (
        "<dt>Created</dt><dd>1</dd>\n    <dt>Updated</dt><dd>1</dd>\n"
        "    <dt>Unchanged</dt><dd>1</dd>\n    <dt>Archived</dt><dd>0</dd>"
    ) in report.text
    assert "<h2>Imported</h2>" in browserless.get(path).text  # the page shows it too

    new, kel = user(store, console_org, NEW), user(store, console_org, KEL)
    assert new is not None
    assert (new.name, new.department, new.integration_id) == (
        "H.E. Pennypacker",
        "Finance",
        integration.id,
    )
    assert kel is not None
    assert kel.department == "Sales"
    actor = ("integration", str(integration.uuid))  # as `rosterd users import` records it
    assert events(store, console_org)[len(before) :] == [
        ("user.update", *actor),
        ("user.create", *actor),
    ]
    again = browserless.post(f"{path}/apply", data={"csrf": csrf})  # sent twice: runs once
    assert again.status_code == 303
    assert user_count(store, console_org) == 4


def test_a_full_sync_that_archives_asks_to_confirm_the_count(
    browserless: httpx.Client, console_org: ConsoleOrg, store: SqlDirectoryStore
) -> None:
    integration, csrf = admin_at(browserless, console_org, store)
    only_art = f'{{"email": "{ART}", "name": "Art Vandelay"}}\n'
    sent = upload(browserless, integration, only_art, csrf=csrf, filename="art.jsonl", full=True)
    import_id, plan = planned(browserless, sent)
    assert "File <code>art.jsonl</code>, 1 user, a full sync." in plan.text
    assert "<dt>Archive</dt><dd>1 user</dd>" in plan.text
    assert f"<li>archive {KEL}</li>" in plan.text
    assert "This full sync archives 1 user that the file leaves out." in plan.text
    assert 'name="confirm_archive" value="yes" required' in plan.text

    path = f"/integrations/{integration.uuid}/imports/{import_id}"
    unconfirmed = browserless.post(f"{path}/apply", data={"csrf": csrf})
    assert unconfirmed.status_code == 400
    assert "Confirm that the import archives 1 user." in unconfirmed.text
    kel = user(store, console_org, KEL)
    assert kel is not None
    assert not kel.archived

    confirmed = browserless.post(f"{path}/apply", data={"csrf": csrf, "confirm_archive": "yes"})
    assert confirmed.status_code == 303
    assert "<dt>Archived</dt><dd>1</dd>" in finished(browserless, path).text
    kel = user(store, console_org, KEL)
    assert kel is not None
    assert kel.archived
    assert events(store, console_org)[-1] == ("user.archive", "integration", str(integration.uuid))


@pytest.mark.parametrize(
    ("content", "problems"),
    [
        (
            f"email,name\n{NEW},Pennypacker\nnot-an-email,Someone\n,Nobody\n",
            ["line 3: email must be a valid email address"],
        ),
        (
            f"email\n{NEW}\n{ART}\n{NEW.upper()}\n",
            [f"line 4: email: {NEW.upper()} is listed twice"],
        ),
        (
            "email,phone\nx@y.test,1\n",
            [
                "line 1: unknown column 'phone'; the columns are: email, name, department, "
                "job_title, external_id, active"
            ],
        ),
    ],
)
def test_a_bad_file_says_its_lines_and_writes_nothing(
    browserless: httpx.Client,
    console_org: ConsoleOrg,
    store: SqlDirectoryStore,
    content: str,
    problems: list[str],
) -> None:
    integration, csrf = admin_at(browserless, console_org, store)
    before = (user_count(store, console_org), events(store, console_org))
    refused = upload(browserless, integration, content, csrf=csrf)
    assert refused.status_code == 400
    listed = "".join(f"<li>{p}</li>" for p in problems).replace("'", "&#39;")
    assert f"<ul>{listed}</ul>\n  <p>Nothing was written.</p>" in refused.text
    assert 'role="alert" id="import-error"' in refused.text
    assert (user_count(store, console_org), events(store, console_org)) == before


def test_a_file_that_is_not_text_or_has_no_name_is_refused(
    browserless: httpx.Client, console_org: ConsoleOrg, store: SqlDirectoryStore
) -> None:
    integration, csrf = admin_at(browserless, console_org, store)
    binary = upload(browserless, integration, b"email\n\xff\xfe\n", csrf=csrf, filename="../x.csv")
    assert binary.status_code == 400
    assert "x.csv is not UTF-8 text (byte 6 cannot be read)." in binary.text
    unnamed = upload(browserless, integration, "email\n", csrf=csrf, filename="")
    assert unnamed.status_code == 400
    assert "Choose a file to import." in unnamed.text
    bad_format = upload(browserless, integration, "email\n", csrf=csrf, format="xml")
    assert bad_format.status_code == 400
    assert "Choose the file&#39;s format from the list." in bad_format.text
    as_json = upload(browserless, integration, CHANGES, csrf=csrf, format="json")
    assert as_json.status_code == 400
    assert "not a JSON document" in as_json.text
    not_multipart = browserless.post(
        f"/integrations/{integration.uuid}/imports", data={"csrf": csrf}
    )
    assert not_multipart.status_code == 400
    assert "The upload could not be read." in not_multipart.text


def test_losing_the_last_admin_is_refused_at_the_plan(
    browserless: httpx.Client, console_org: ConsoleOrg, store: SqlDirectoryStore
) -> None:
    integration, csrf = admin_at(browserless, console_org, store)
    admin = console_org.org.admin.email
    refused = upload(browserless, integration, f"email,active\n{admin},false\n", csrf=csrf)
    assert refused.status_code == 403
    said = LAST_ORGANIZATION_ADMIN.replace("'", "&#39;")
    assert f'id="import-error">\n  <p>{said}.</p>\n  <p>Nothing was written.</p>' in refused.text
    found = user(store, console_org, admin)
    assert found is not None
    assert found.active


@pytest.fixture
def small_uploads(live_server: LiveServer) -> Iterator[httpx.Client]:
    """A server of its own (the same database) taking files of at most 100 bytes."""
    with (
        start_server(
            live_server.settings.database_url, live_server.store, console_import_max_bytes=100
        ) as server,
        httpx.Client(base_url=server.base_url + "/console") as client,
    ):
        yield client


def test_a_file_over_the_size_limit_is_refused(
    small_uploads: httpx.Client, console_org: ConsoleOrg, store: SqlDirectoryStore
) -> None:
    integration, csrf = admin_at(small_uploads, console_org, store)
    assert "at most 100 bytes" in small_uploads.get(f"/integrations/{integration.uuid}").text
    large = "email\n" + "".join(f"person{i}@example.test\n" for i in range(10))
    refused = upload(small_uploads, integration, large, csrf=csrf)
    assert refused.status_code == 413
    assert "<p>The file is larger than 100 bytes.</p>" in refused.text
    assert user(store, console_org, "person0@example.test") is None
    huge = upload(small_uploads, integration, large * 10_000, csrf=csrf)  # past the form's room
    assert huge.status_code == 413
    assert "<p>The file is larger than 100 bytes.</p>" in huge.text


def test_forged_uploads_and_applies_are_refused(
    browserless: httpx.Client, console_org: ConsoleOrg, store: SqlDirectoryStore
) -> None:
    integration, csrf = admin_at(browserless, console_org, store)
    for forged in (None, "guessed"):
        refused = upload(browserless, integration, CHANGES, csrf=forged)
        assert refused.status_code == 403
        assert "did not come from the console" in refused.text
    path = plan_path(browserless, integration, csrf)
    for action in ("apply", "cancel"):
        refused = browserless.post(f"{path}/{action}", data={"csrf": "guessed"})
        assert refused.status_code == 403
    assert user(store, console_org, NEW) is None
    assert "Nothing has been written yet." in browserless.get(path).text  # still there
    progress = browserless.get(f"{path}/progress")
    assert "The import has not started: confirm it on its dry run." in progress.text
    assert "hx-trigger" not in progress.text  # nothing to poll


def test_cancel_deletes_the_upload(
    browserless: httpx.Client, console_org: ConsoleOrg, store: SqlDirectoryStore
) -> None:
    integration, csrf = admin_at(browserless, console_org, store)
    path = plan_path(browserless, integration, csrf)
    cancelled = browserless.post(f"{path}/cancel", data={"csrf": csrf})
    assert cancelled.status_code == 303
    assert cancelled.headers["location"] == f"/console/integrations/{integration.uuid}"
    gone = browserless.get(path)
    assert gone.status_code == 404
    assert "There is no such import: it may have expired. Upload the file again." in gone.text
    assert browserless.post(f"{path}/apply", data={"csrf": csrf}).status_code == 404
    assert user(store, console_org, NEW) is None


def test_an_upload_is_only_its_sessions(
    live_server: LiveServer,
    browserless: httpx.Client,
    console_org: ConsoleOrg,
    other_org: ConsoleOrg,
    store: SqlDirectoryStore,
) -> None:
    integration, csrf = admin_at(browserless, console_org, store)
    path = plan_path(browserless, integration, csrf)
    theirs = accuhive(store, other_org)
    with httpx.Client(base_url=live_server.base_url + "/console") as other:
        # The same admin's token in another session, and another organization's admin.
        for people in (console_org, other_org):
            other_csrf = admin_session(other, people, accuhive(store, people))
            for attempt in (
                other.get(path),
                other.get(f"{path}/progress"),
                other.post(f"{path}/apply", data={"csrf": other_csrf}),
                other.post(f"{path}/cancel", data={"csrf": other_csrf}),
                other.get(f"/integrations/{theirs.uuid}/imports/{path.rsplit('/', 1)[1]}"),
            ):
                assert attempt.status_code == 404
                assert "Nothing has been written yet." not in attempt.text
        other_csrf = admin_session(other, other_org, theirs)
        refused = upload(other, integration, CHANGES, csrf=other_csrf)  # not their integration
        assert refused.status_code == 404
    assert user(store, console_org, NEW) is None
    assert "Nothing has been written yet." in browserless.get(path).text


def test_lower_privileges_and_scoped_tokens_may_not_import(
    browserless: httpx.Client, console_org: ConsoleOrg, store: SqlDirectoryStore
) -> None:
    integration, csrf = admin_at(browserless, console_org, store)
    path = plan_path(browserless, integration, csrf)

    sign_in(browserless, account_admin_token(console_org, store))
    page = browserless.get(f"/integrations/{integration.uuid}")
    assert page.status_code == 200
    assert "Import users" not in page.text
    own_csrf = csrf_of(page)
    refused = upload(browserless, integration, CHANGES, csrf=own_csrf)
    assert refused.status_code == 403
    assert "You do not have permission to perform this action." in refused.text
    assert browserless.get(path).status_code == 403

    for token, message in (
        (regular_user_token(console_org, store), "You do not have permission"),
        (console_org.scoped_token, "directory integrations have none"),
    ):
        sign_in(browserless, token)
        csrf = csrf_of(browserless.get("/integrations"))  # its refusal has the sign-out form
        refused = upload(browserless, integration, CHANGES, csrf=csrf)
        assert refused.status_code == 403
        assert message in refused.text
    assert user(store, console_org, NEW) is None


def test_the_progress_fragment_takes_back_only_a_count_it_could_have_shown(
    browserless: httpx.Client, console_org: ConsoleOrg, store: SqlDirectoryStore
) -> None:
    integration, csrf = admin_at(browserless, console_org, store)
    path = plan_path(browserless, integration, csrf)
    assert browserless.post(f"{path}/apply", data={"csrf": csrf}).status_code == 303
    finished(browserless, path)
    for shown in ("1", "99999999999999999999999", "\u00b2", "-5", "x", ""):
        fragment = browserless.get(f"{path}/progress", params={"done": shown})
        assert fragment.status_code == 200, shown
        assert '<label for="import-bar">3 of 3 records written</label>' in fragment.text
