"""The console's directory integrations: the list, creating one, an integration's page, and
rotating and revoking its SCIM token, over HTTP against a real server (SQLite and PostgreSQL)."""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path

import httpx

from rosterd.core.audit_log import AuditLogService
from rosterd.core.auth import AuthService
from rosterd.core.integrations import IntegrationsService
from rosterd.core.ports import AuditQuery
from rosterd.storage import SqlDirectoryStore
from tests.console.admin import account_admin_token, regular_user_token
from tests.console.conftest import ConsoleOrg, csrf_of, fill, sign_in
from tests.support.orgs import OrgFactory
from tests.support.process import start_process
from tests.support.server import LiveServer, sqlite_database

TOKEN = re.compile(r'<code id="scim-token">([^<]+)</code>')


def create(client: httpx.Client, csrf: str, name: str, type: str) -> httpx.Response:
    return client.post("/integrations", data={"csrf": csrf, "name": name, "type": type})


def signed_in_admin(client: httpx.Client, people: ConsoleOrg) -> str:
    """Sign the organization's admin in; the session's CSRF token."""
    sign_in(client, people.org.token)
    return csrf_of(client.get("/integrations"))


@dataclass(frozen=True)
class Made:
    """A scim integration made through the console by the signed-in admin."""

    csrf: str
    page: httpx.Response
    token: str  # shown on `page`, once
    uuid: str


def made_okta(client: httpx.Client, people: ConsoleOrg) -> Made:
    csrf = signed_in_admin(client, people)
    page = create(client, csrf, "Okta", "scim")
    assert page.status_code == 201
    token = TOKEN.search(page.text)
    uuid = re.search(r"<dt>UUID</dt><dd><code>([^<]+)</code>", page.text)
    assert token
    assert uuid
    return Made(csrf, page, token.group(1), uuid.group(1))


def integration_names(store: SqlDirectoryStore, people: ConsoleOrg) -> list[str]:
    found = IntegrationsService(store).list_integrations(org_subdomain=people.org.subdomain)
    return [i.name for i in found]


def last_event(store: SqlDirectoryStore, people: ConsoleOrg) -> tuple[str, str, str | None]:
    found = AuditLogService(store).list_events(
        principal=AuthService(store).authenticate(people.org.token),
        query=AuditQuery(descending=True, limit=1),
    )
    event = found.events[0]
    return event.action, event.actor_type, event.actor_id


def scim_status(live_server: LiveServer, token: str) -> int:
    response = httpx.get(
        f"{live_server.base_url}/api/v1/scim/Users",
        headers={"Authorization": f"Bearer {token}"},
        timeout=30,
    )
    return response.status_code


def test_the_list_shows_each_integration_with_a_link_to_its_users(
    browserless: httpx.Client, console_org: ConsoleOrg, store: SqlDirectoryStore
) -> None:
    sign_in(browserless, console_org.org.token)
    page = browserless.get("/integrations")
    assert page.status_code == 200
    (existing,) = IntegrationsService(store).list_integrations(
        org_subdomain=console_org.org.subdomain
    )
    assert f'<a href="/console/integrations/{existing.uuid}">accuhive</a>' in page.text
    assert f'href="/console/users?integration={existing.uuid}"' in page.text
    assert '<td data-label="Type">office365</td>' in page.text
    assert '<td data-label="SCIM token">—</td>' in page.text
    assert existing.created_at.strftime("%Y-%m-%d %H:%M UTC") in page.text
    assert '<a href="/console/integrations">Integrations</a>' in page.text  # in the navigation
    one = browserless.get(f"/integrations/{existing.uuid}")
    assert one.status_code == 200
    assert f'href="/console/users?integration={existing.uuid}"' in one.text
    assert "Rotate token" not in one.text  # an office365 integration has no SCIM token


def test_create_a_scim_integration_its_token_shown_once(
    browserless: httpx.Client,
    console_org: ConsoleOrg,
    store: SqlDirectoryStore,
    live_server: LiveServer,
) -> None:
    csrf = signed_in_admin(browserless, console_org)
    made = create(browserless, csrf, "  Okta  ", "scim")
    assert made.status_code == 201
    assert made.headers["cache-control"] == "no-store"
    token = TOKEN.search(made.text)
    assert token, made.text
    assert "shown this once" in made.text
    assert '<dd id="token-state">Active</dd>' in made.text
    assert scim_status(live_server, token.group(1)) == 200
    assert last_event(store, console_org)[:2] == ("integration.create", "user")

    assert integration_names(store, console_org) == ["accuhive", "Okta"]  # trimmed
    okta = IntegrationsService(store).authenticate_scim(token.group(1))
    assert okta is not None
    again = browserless.get(f"/integrations/{okta.uuid}")
    assert token.group(1) not in again.text  # never again
    assert TOKEN.search(again.text) is None
    listing = browserless.get("/integrations")
    assert token.group(1) not in listing.text
    assert '<td data-label="SCIM token">Active</td>' in listing.text


def test_create_an_office365_integration_goes_to_its_page(
    browserless: httpx.Client, console_org: ConsoleOrg
) -> None:
    csrf = signed_in_admin(browserless, console_org)
    made = create(browserless, csrf, "Entra ID", "office365")
    assert made.status_code == 303
    assert made.headers["location"].startswith("/console/integrations/")
    page = browserless.get(made.headers["location"].removeprefix("/console"))
    assert "<h1>Entra ID</h1>" in page.text
    assert TOKEN.search(page.text) is None


def test_a_refused_creation_is_said_beside_the_form_keeping_what_was_typed(
    browserless: httpx.Client, console_org: ConsoleOrg
) -> None:
    csrf = signed_in_admin(browserless, console_org)
    blank = create(browserless, csrf, "   ", "scim")
    assert blank.status_code == 400
    assert (
        '<p class="error" role="alert" id="create-error">Invalid integration: '
        "name cannot be blank.</p>"
    ) in blank.text
    assert '<option value="scim" selected>' in blank.text
    wrong = create(browserless, csrf, "Mine", "ldap")
    assert wrong.status_code == 400
    assert "type must be one of office365, gsuite, scim." in wrong.text
    assert 'value="Mine"' in wrong.text
    assert 'aria-invalid="true"' in wrong.text
    assert browserless.get("/integrations").text.count("<tr>") == 1 + 1  # only accuhive


def test_rotate_and_revoke_the_scim_token(
    browserless: httpx.Client,
    console_org: ConsoleOrg,
    store: SqlDirectoryStore,
    live_server: LiveServer,
) -> None:
    made = made_okta(browserless, console_org)
    csrf, first, uuid = made.csrf, made.token, made.uuid
    path = f"/integrations/{uuid}/token"

    rotated = browserless.post(path, data={"csrf": csrf, "action": "rotate"})
    assert rotated.status_code == 200
    shown = TOKEN.search(rotated.text)
    assert shown
    second = shown.group(1)
    assert second != first
    assert scim_status(live_server, first) == 401
    assert scim_status(live_server, second) == 200
    assert last_event(store, console_org)[:2] == ("integration.token.rotate", "user")

    revoked = browserless.post(path, data={"csrf": csrf, "action": "revoke"})
    assert revoked.status_code == 303
    assert revoked.headers["location"] == f"/console/integrations/{uuid}"
    assert scim_status(live_server, second) == 401
    assert last_event(store, console_org)[:2] == ("integration.token.revoke", "user")
    page = browserless.get(f"/integrations/{uuid}")
    assert '<dd id="token-state">Revoked</dd>' in page.text
    assert "Make a new token" in page.text
    assert "Revoke token" not in page.text
    assert '<td data-label="SCIM token">Revoked</td>' in browserless.get("/integrations").text


def test_an_office365_integration_has_no_token_to_rotate(
    browserless: httpx.Client, console_org: ConsoleOrg, store: SqlDirectoryStore
) -> None:
    csrf = signed_in_admin(browserless, console_org)
    (existing,) = IntegrationsService(store).list_integrations(
        org_subdomain=console_org.org.subdomain
    )
    refused = browserless.post(
        f"/integrations/{existing.uuid}/token", data={"csrf": csrf, "action": "rotate"}
    )
    assert refused.status_code == 400
    assert "Invalid integration: only scim integrations have a token." in refused.text


def test_forged_forms_are_refused(
    browserless: httpx.Client, console_org: ConsoleOrg, store: SqlDirectoryStore
) -> None:
    made = made_okta(browserless, console_org)
    forged = create(browserless, "guessed", "Forged", "scim")
    assert forged.status_code == 403
    assert "did not come from the console" in forged.text
    assert integration_names(store, console_org) == ["accuhive", "Okta"]
    no_csrf = browserless.post(f"/integrations/{made.uuid}/token", data={"action": "revoke"})
    assert no_csrf.status_code == 403
    assert IntegrationsService(store).authenticate_scim(made.token) is not None  # still works


def test_lower_privileges_see_read_only_pages_or_a_refusal(
    browserless: httpx.Client, console_org: ConsoleOrg, store: SqlDirectoryStore
) -> None:
    made = made_okta(browserless, console_org)
    okta = IntegrationsService(store).authenticate_scim(made.token)
    assert okta is not None

    # An Account Admin may view users (so integrations) but not edit users in all groups.
    sign_in(browserless, account_admin_token(console_org, store))
    listing = browserless.get("/integrations")
    assert listing.status_code == 200
    assert "Okta" in listing.text
    assert "Create integration" not in listing.text
    page = browserless.get(f"/integrations/{okta.uuid}")
    assert page.status_code == 200
    assert "Rotate token" not in page.text
    own_csrf = csrf_of(page)
    refused = browserless.post(
        f"/integrations/{okta.uuid}/token", data={"csrf": own_csrf, "action": "rotate"}
    )
    assert refused.status_code == 403
    assert "You do not have permission to perform this action." in refused.text
    assert TOKEN.search(refused.text) is None
    assert create(browserless, own_csrf, "Mine", "scim").status_code == 403
    assert IntegrationsService(store).authenticate_scim(made.token) == okta

    # A Regular User, and a user without roles, may not see them at all.
    for token in (regular_user_token(console_org, store), console_org.regular_token):
        sign_in(browserless, token)
        regular = browserless.get("/integrations")
        assert regular.status_code == 403
        assert "You do not have permission to perform this action." in regular.text
        assert "Okta" not in regular.text
        assert browserless.get(f"/integrations/{okta.uuid}").status_code == 403


def test_a_token_limited_to_endpoints_is_refused(
    browserless: httpx.Client, console_org: ConsoleOrg, store: SqlDirectoryStore
) -> None:
    (existing,) = IntegrationsService(store).list_integrations(
        org_subdomain=console_org.org.subdomain
    )
    sign_in(browserless, console_org.scoped_token)
    for path in ("/integrations", f"/integrations/{existing.uuid}"):
        refused = browserless.get(path)
        assert refused.status_code == 403
        assert (
            "This API token is limited to some API endpoints, and directory integrations have "
            "none: sign in with a token without endpoint limits"
        ) in refused.text
    made = create(browserless, csrf_of(refused), "Mine", "scim")
    assert made.status_code == 403
    assert integration_names(store, console_org) == ["accuhive"]


def test_another_organizations_integration_is_not_found(
    browserless: httpx.Client,
    console_org: ConsoleOrg,
    other_org: ConsoleOrg,
    store: SqlDirectoryStore,
) -> None:
    (theirs,) = IntegrationsService(store).list_integrations(org_subdomain=other_org.org.subdomain)
    csrf = signed_in_admin(browserless, console_org)
    page = browserless.get(f"/integrations/{theirs.uuid}")
    assert page.status_code == 404
    assert other_org.org.subdomain not in page.text
    refused = browserless.post(
        f"/integrations/{theirs.uuid}/token", data={"csrf": csrf, "action": "revoke"}
    )
    assert refused.status_code == 404
    assert browserless.get("/integrations/not-a-uuid").status_code == 404
    assert browserless.get("/integrations").text.count("<tr>") == 1 + 1


def test_the_scim_tokens_are_never_in_the_log(tmp_path: Path) -> None:
    """A real `rosterd serve`, its log at DEBUG: the tokens the console shows are not in it."""
    url, store = sqlite_database(tmp_path)
    people = fill(OrgFactory(store).create(), store)
    log = tmp_path / "rosterd.log"
    server = start_process(url, log=log, ROSTERD_LOG_LEVEL="DEBUG", ROSTERD_RATE_LIMITS="off")
    try:
        with httpx.Client(base_url=server.base_url + "/console") as client:
            made = made_okta(client, people)
            path = f"/integrations/{made.uuid}/token"
            rotated = client.post(path, data={"csrf": made.csrf, "action": "rotate"})
            shown = TOKEN.search(rotated.text)
            assert shown
    finally:
        server.stop()
        store.close()
    written = log.read_text()
    assert "Started server process" in written  # the log was captured
    for token in (made.token, shown.group(1)):
        assert token not in written
