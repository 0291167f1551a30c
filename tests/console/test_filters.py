"""The console's filters of the users list (search as you type over emails and names, account
group, role, integration, archived) and of the audit log (actor, target, action, time), over
HTTP against a real server (SQLite and PostgreSQL); another organization's groups, roles,
integrations and people are never matched or shown."""

from __future__ import annotations

import re
from dataclasses import dataclass
from urllib.parse import unquote

import httpx
import pytest

from rosterd.core.audit import ACTIONS
from rosterd.core.directory_sync import DirectorySyncService, parse_record
from rosterd.core.entities import RoleAssignments
from rosterd.core.integrations import IntegrationsService
from rosterd.storage import SqlDirectoryStore
from tests.console.admin import add_devices
from tests.console.conftest import PEOPLE, ConsoleOrg, csrf_of, sign_in

ART, KEL = PEOPLE[0]["email"], PEOPLE[1]["email"]
NO_USERS = '<p id="no-users">No users match.</p>'


@dataclass(frozen=True)
class Roles:
    people: ConsoleOrg
    importers: int  # an account group of the org, where Kel holds `Auditor`
    auditor: int
    integration: str  # the people's integration's UUID


def import_people(store: SqlDirectoryStore, people: ConsoleOrg, rows: list[dict[str, str]]) -> None:
    """More people in the organization's integration."""
    org = people.org
    (integration,) = IntegrationsService(store).list_integrations(org_subdomain=org.subdomain)
    DirectorySyncService(store).import_users(
        org_subdomain=org.subdomain,
        integration_uuid=str(integration.uuid),
        records=[parse_record(r, f"row {n}") for n, r in enumerate(rows, 1)],
        full=False,
    )


def emails(page: httpx.Response) -> list[str]:
    """The emails of the users list's rows, in order."""
    assert page.status_code == 200, page.text
    return re.findall(r'<td><a href="/console/users/[^"]+">([^<]+)</a></td>', page.text)


@pytest.fixture
def roles(console_org: ConsoleOrg, store: SqlDirectoryStore) -> Roles:
    org = console_org.org
    importers, auditor = org.add_account_group("Importers"), org.add_role("Auditor")
    with store.write() as tx:
        found = tx.get_organization_by_subdomain(org.subdomain)
        assert found is not None
        kel = tx.find_user_by_email(found.id, KEL)
        assert kel is not None
        held = tx.get_role_assignments(kel.uid)
        tx.set_role_assignments(
            kel.uid,
            RoleAssignments(
                {**held.by_account_group, importers.aid: frozenset({auditor.role_id})},
                held.all_account_groups,
            ),
        )
        (integration,) = tx.list_integrations(found.id)
    return Roles(console_org, importers.aid, auditor.role_id, str(integration.uuid))


def test_search_matches_emails_and_names_in_any_case(
    browserless: httpx.Client, console_org: ConsoleOrg
) -> None:
    sign_in(browserless, console_org.org.token)
    assert emails(browserless.get("/users", params={"q": "varn"})) == [KEL]
    # "art v" is in Art Vandelay's name, not in any email.
    assert emails(browserless.get("/users", params={"q": "ART V"})) == [ART]
    assert emails(browserless.get("/users", params={"q": "vandelay.test"})) == [KEL, ART]
    page = browserless.get("/users", params={"q": "a"})  # shorter than a trigram
    assert emails(page) == [KEL, ART, console_org.org.admin.email]
    nobody = browserless.get("/users", params={"q": "nobody-at-all"})
    assert nobody.status_code == 200
    assert NO_USERS in nobody.text


def test_typing_asks_for_the_rows_alone(browserless: httpx.Client, console_org: ConsoleOrg) -> None:
    sign_in(browserless, console_org.org.token)
    rows = browserless.get("/users", params={"q": "kel"}, headers={"HX-Request": "true"})
    assert emails(rows) == [KEL]
    assert "<h1>" not in rows.text
    assert 'hx-trigger="input changed delay:250ms from:#q, change from:select"' in (
        browserless.get("/users").text
    )


def test_account_group_and_role_filters(browserless: httpx.Client, roles: Roles) -> None:
    org = roles.people.org
    sign_in(browserless, org.token)
    page = browserless.get("/users")
    # The organization's account groups and roles are offered.
    assert f'<option value="{roles.importers}" >Importers</option>' in page.text
    assert f'<option value="{roles.auditor}" >Auditor</option>' in page.text
    in_group = browserless.get("/users", params={"account_group": roles.importers})
    # The admin holds Organization Admin in all account groups, which counts in each.
    assert emails(in_group) == [KEL, org.admin.email]
    assert f'<option value="{roles.importers}" selected>Importers</option>' in in_group.text
    assert emails(browserless.get("/users", params={"role": roles.auditor})) == [KEL]
    both = {"account_group": org.account_group.aid, "role": roles.auditor}
    assert emails(browserless.get("/users", params=both)) == []
    combined = {"q": "kel", "account_group": roles.importers, "role": roles.auditor}
    assert emails(browserless.get("/users", params=combined)) == [KEL]


def test_another_organizations_group_role_or_integration_matches_nobody(
    browserless: httpx.Client, roles: Roles, other_org: ConsoleOrg, store: SqlDirectoryStore
) -> None:
    far_group = other_org.org.add_account_group("Far away")
    far_role = other_org.org.add_role("Far role")
    (far_integration,) = IntegrationsService(store).list_integrations(
        org_subdomain=other_org.org.subdomain
    )
    sign_in(browserless, roles.people.org.token)
    cases = {
        "account_group": (far_group.aid, "There is no such account group in this organization."),
        "role": (far_role.role_id, "There is no such role in this organization."),
        "integration": (far_integration.uuid, "There is no such integration in this organization."),
    }
    for name, (value, message) in cases.items():
        page = browserless.get("/users", params={name: value})
        assert page.status_code == 200
        assert f'<span class="error" id="{name}-error">{message}</span>' in page.text
        assert NO_USERS in page.text
        assert "someone.else@elsewhere.test" not in page.text
        assert "Far away" not in page.text
    malformed = browserless.get("/users", params={"integration": "not-a-uuid", "role": "x"})
    assert malformed.status_code == 200
    assert NO_USERS in malformed.text
    assert 'id="integration-error"' in malformed.text
    assert 'id="role-error"' in malformed.text


def test_an_integration_link_lists_its_users(browserless: httpx.Client, roles: Roles) -> None:
    """The integrations' pages link to `/console/users?integration=UUID`."""
    sign_in(browserless, roles.people.org.token)
    page = browserless.get(f"/users?integration={roles.integration}")
    assert emails(page) == [KEL, ART]
    assert f'<option value="{roles.integration}" selected>accuhive</option>' in page.text
    archived = browserless.get(f"/users?integration={roles.integration}&archived=yes")
    assert NO_USERS in archived.text


def test_the_next_page_keeps_the_filters(
    browserless: httpx.Client, console_org: ConsoleOrg, store: SqlDirectoryStore
) -> None:
    org = console_org.org
    rows = [{"email": f"p{i:02d}@many.test", "name": f"Many Person {i:02d}"} for i in range(55)]
    import_people(store, console_org, rows)
    sign_in(browserless, org.token)
    first = browserless.get("/users", params={"q": "many person", "archived": "no"})
    assert emails(first) == [f"p{i:02d}@many.test" for i in range(54, 4, -1)]
    link = re.search(r'<a rel="next" href="/console/users\?([^"]+)">Next page</a>', first.text)
    assert link is not None
    query = unquote(link.group(1).replace("&amp;", "&")).replace("+", " ")
    assert query.startswith("q=many person&archived=no&after=")
    second = browserless.get("/users?" + link.group(1).replace("&amp;", "&"))
    assert emails(second) == [f"p{i:02d}@many.test" for i in range(4, -1, -1)]
    assert 'rel="next"' not in second.text


def _events(page: httpx.Response) -> list[tuple[str, str]]:
    """(action, target) of the audit log's rows, in order."""
    assert page.status_code == 200, page.text
    found = re.findall(
        r'<td data-label="Action"><code>([^<]+)</code></td>\s*<td data-label="Actor">[^<]*</td>'
        r'\s*<td data-label="Target">([^<]+)</td>',
        page.text,
    )
    return [(action, target.strip()) for action, target in found]


def test_audit_filters_by_actor_target_action_and_time(
    browserless: httpx.Client,
    console_org: ConsoleOrg,
    other_org: ConsoleOrg,
    store: SqlDirectoryStore,
) -> None:
    org = console_org.org
    with_devices = add_devices(console_org, store)
    sign_in(browserless, org.token)
    device = with_devices.spare.device.device_id
    form = browserless.get(f"/devices/{device}")
    assigned = browserless.post(
        f"/devices/{device}",
        data={"csrf": csrf_of(form), "user_email": KEL, "action": "assign"},
    )
    assert assigned.status_code == 303
    kel = _user(store, org.subdomain, KEL)

    by_admin = browserless.get("/audit", params={"actor": org.admin.email.upper()})
    assert _events(by_admin) == [("device.update", f"device {device}")]
    by_cli = {action for action, _ in _events(browserless.get("/audit", params={"actor": "cli"}))}
    assert "token.create" in by_cli  # the fixture's tokens, made with the CLI
    assert "device.update" not in by_cli
    about_kel = _events(browserless.get("/audit", params={"target": KEL}))
    assert about_kel == [("user.create", f"user {kel.id}")]
    by_id = browserless.get("/audit", params={"target": str(kel.id)})
    assert _events(by_id) == about_kel
    on_users = _events(browserless.get("/audit", params={"action": "user."}))
    assert {action for action, _ in on_users} == {"user.create"}
    art = _user(store, org.subdomain, ART)
    assert {target for _, target in on_users} >= {f"user {art.id}", f"user {kel.id}"}
    exact = _events(browserless.get("/audit", params={"action": "device.update"}))
    assert exact == [("device.update", f"device {device}")]
    # The action filter is a list of the recorded actions and their families.
    listed = browserless.get("/audit", params={"action": "device."})
    assert '<option value="">Any</option>' in listed.text
    assert (
        '<optgroup label="device">\n      <option value="device." selected>Every device action'
        '</option>\n      <option value="device.create" >device.create</option>'
        '<option value="device.update" >device.update</option>'
    ) in listed.text
    for action in ACTIONS:
        assert f'<option value="{action}" >{action}</option>' in listed.text
    in_family = _events(listed)
    assert ("device.update", f"device {device}") in in_family
    assert {action for action, _ in in_family} <= {"device.create", "device.update"}
    for unknown in ("user", "user.upd", "nonsense."):  # not an action, nor a family
        refused = browserless.get("/audit", params={"action": unknown})
        assert refused.status_code == 200
        assert _events(refused) == []
        assert (
            '<span class="error" id="action-error">There is no such action: choose one from the '
            "list.</span>"
        ) in refused.text
        assert f'<option value="{unknown}" selected>{unknown}</option>' in refused.text
    future = browserless.get("/audit", params={"from": "2999-01-01T00:00"})
    assert _events(future) == []
    assert "No changes recorded that match." in future.text
    until_then = _events(browserless.get("/audit", params={"to": "2999-01-01", "target": KEL}))
    assert until_then == about_kel
    # Another organization's people are nobody here.
    assert other_org.org.admin.email not in browserless.get("/audit").text
    far = browserless.get("/audit", params={"actor": other_org.org.admin.email})
    assert far.status_code == 200
    assert _events(far) == []


def test_an_unknown_person_or_time_is_said_beside_its_field(
    browserless: httpx.Client, console_org: ConsoleOrg
) -> None:
    sign_in(browserless, console_org.org.token)
    for name in ("actor", "target"):
        page = browserless.get("/audit", params={name: "nobody@nowhere.test"})
        assert page.status_code == 200
        assert (
            f'<span class="error" id="{name}-error">'
            "No user of this organization has that email or id.</span>"
        ) in page.text
        assert 'value="nobody@nowhere.test"' in page.text
        assert _events(page) == []
    bad = browserless.get("/audit", params={"from": "yesterday"})
    assert bad.status_code == 200
    assert (
        '<span class="error" id="from-error">'
        "Give a time as 2026-12-01 or 2026-12-01T08:00 (UTC).</span>"
    ) in bad.text
    assert _events(bad) == []


def test_a_users_page_links_to_their_audit_trail(
    browserless: httpx.Client, console_org: ConsoleOrg, store: SqlDirectoryStore
) -> None:
    kel = _user(store, console_org.org.subdomain, KEL)
    sign_in(browserless, console_org.org.token)
    page = browserless.get(f"/users/{kel.id}")
    link = f'<a href="/console/audit?target={kel.id}">Audit trail</a>'
    assert link in page.text
    trail = browserless.get(f"/audit?target={kel.id}")
    assert _events(trail) == [("user.create", f"user {kel.id}")]


def test_the_filtered_audit_log_pages_with_its_filters(
    browserless: httpx.Client, console_org: ConsoleOrg, store: SqlDirectoryStore
) -> None:
    org = console_org.org
    import_people(store, console_org, [{"email": f"a{i:02d}@trail.test"} for i in range(60)])
    sign_in(browserless, org.token)
    first = browserless.get("/audit", params={"action": "user."})
    assert len(_events(first)) == 50
    link = re.search(r'<a rel="next" href="/console/audit\?([^"]+)">Older changes</a>', first.text)
    assert link is not None
    assert link.group(1).startswith("action=user.&amp;before=")
    older = _events(browserless.get("/audit?" + link.group(1).replace("&amp;", "&")))
    assert len(older) == 12  # the 62 users' creations, Art's and Kel's among them
    assert {action for action, _ in older} == {"user.create"}
    seen = [target for _, target in _events(first)] + [target for _, target in older]
    assert len(set(seen)) == 62


def _user(store: SqlDirectoryStore, subdomain: str, email: str):  # type: ignore[no-untyped-def]
    with store.read() as tx:
        org = tx.get_organization_by_subdomain(subdomain)
        assert org is not None
        found = tx.find_user_by_email(org.id, email)
    assert found is not None
    return found
