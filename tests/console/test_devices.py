"""The console's devices: the filtered list, a device's page, assigning and unassigning, over
HTTP against a real server (SQLite and PostgreSQL)."""

from __future__ import annotations

import re

import httpx
import pytest

from rosterd.core.audit_log import AuditLogService
from rosterd.core.auth import AuthService
from rosterd.core.ports import AuditQuery, DeviceQuery
from rosterd.storage import SqlDirectoryStore
from tests.console.admin import WithDevices, add_devices, scoped_token
from tests.console.conftest import PEOPLE, ConsoleOrg, csrf_of, sign_in


def assign(client: httpx.Client, device_id: object, csrf: str, email: str) -> httpx.Response:
    """The device page's form, sent with its Assign button."""
    return client.post(
        f"/devices/{device_id}", data={"csrf": csrf, "user_email": email, "action": "assign"}
    )


@pytest.fixture
def devices(console_org: ConsoleOrg, store: SqlDirectoryStore) -> WithDevices:
    return add_devices(console_org, store)


@pytest.fixture
def other_devices(other_org: ConsoleOrg, store: SqlDirectoryStore) -> WithDevices:
    return add_devices(other_org, store)


def test_devices_list_and_filter(browserless: httpx.Client, devices: WithDevices) -> None:
    sign_in(browserless, devices.people.org.token)
    page = browserless.get("/devices")
    assert page.status_code == 200
    assert "Art&#39;s MacBook" in page.text
    assert "Spare iPad" in page.text
    assert "A user with devices cannot be deleted" in page.text
    by_user = browserless.get("/devices", params={"user": "art.vandelay"})
    assert "Art&#39;s MacBook" in by_user.text
    assert "Spare iPad" not in by_user.text
    ipads = browserless.get("/devices", params={"platform": "iPad"})
    assert "Spare iPad" in ipads.text
    assert "Art&#39;s MacBook" not in ipads.text
    tagged = browserless.get("/devices", params={"tag": "latex", "serial": "C02"})
    assert "Art&#39;s MacBook" in tagged.text
    none = browserless.get("/devices", params={"model": "Commodore"})
    assert '<p id="no-devices">No devices match.</p>' in none.text
    assert 'value="Commodore"' in none.text  # the filter keeps what was typed


def test_devices_pages_by_keyset(
    browserless: httpx.Client, devices: WithDevices, store: SqlDirectoryStore
) -> None:
    from rosterd.core.devices import DevicesService

    DevicesService(store).import_devices(
        org_subdomain=devices.people.org.subdomain,
        records=[{"serial_number": f"BULK{i:04}", "platform": "Mac"} for i in range(105)],
    )
    with store.read() as tx:  # the Macs' ids in enrolment order, as the pages show them
        macs = tx.list_devices(
            devices.people.org.admin.org_id, DeviceQuery(platform="Mac"), limit=300, offset=0
        )
    ids = [d.device.id for d in macs]
    assert len(ids) == 106  # and Art's MacBook
    sign_in(browserless, devices.people.org.token)

    def page(**params: object) -> tuple[str, list[str]]:
        found = browserless.get("/devices", params={"platform": "Mac", **params})
        assert found.status_code == 200
        serials = re.findall(r'data-label="Serial number"><code>([^<]*)</code>', found.text)
        return found.text, serials

    first, shown = page()
    assert first.count("<tr>") == 1 + 50  # the header row and a page of devices
    assert shown == [d.device.serial_number for d in macs[:50]]
    assert f'href="/console/devices?platform=Mac&amp;after={ids[49]}">Next page' in first
    assert "Previous page" not in first
    second, shown = page(after=ids[49])
    assert shown == [d.device.serial_number for d in macs[50:100]]
    assert f'href="/console/devices?platform=Mac&amp;after={ids[99]}">Next page' in second
    assert f'href="/console/devices?platform=Mac&amp;before={ids[50]}">Previous page' in second
    last, shown = page(after=ids[99])
    assert last.count("<tr>") == 1 + 6
    assert "Next page" not in last
    assert f'href="/console/devices?platform=Mac&amp;before={ids[100]}">Previous page' in last
    # Back: the 50 before, with the links on both sides; then the first page, without one back.
    back, shown = page(before=ids[100])
    assert shown == [d.device.serial_number for d in macs[50:100]]
    assert f'after={ids[99]}">Next page' in back
    assert f'before={ids[50]}">Previous page' in back
    start, shown = page(before=ids[50])
    assert shown == [d.device.serial_number for d in macs[:50]]
    assert f'after={ids[49]}">Next page' in start
    assert "Previous page" not in start
    # A position no id can be is no position: the first page, not an error.
    for nonsense in ("x", "-5", str(1 << 63), "²"):
        assert page(after=nonsense)[1] == [d.device.serial_number for d in macs[:50]]


def test_assign_and_unassign_a_device(
    browserless: httpx.Client, devices: WithDevices, store: SqlDirectoryStore
) -> None:
    sign_in(browserless, devices.people.org.token)
    spare = devices.spare.device.device_id
    page = browserless.get(f"/devices/{spare}")
    assert page.status_code == 200
    assert '<dd id="assignee">Nobody</dd>' in page.text
    assert '<label for="user_email">Assign to the user with the email</label>' in page.text
    done = assign(browserless, spare, csrf_of(page), PEOPLE[1]["email"])
    assert done.status_code == 303
    assert done.headers["location"] == f"/console/devices/{spare}"
    page = browserless.get(f"/devices/{spare}")
    assert f">{PEOPLE[1]['email']}</a></dd>" in page.text
    assert f"While this device is assigned, {PEOPLE[1]['email']} cannot be deleted" in page.text
    events = (
        AuditLogService(store)
        .list_events(
            principal=AuthService(store).authenticate(devices.people.org.token),
            query=AuditQuery(descending=True, limit=1),
        )
        .events
    )
    assert events[0].action == "device.update"
    assert events[0].actor_type == "user"
    assert events[0].new_state is not None
    assert events[0].new_state["serial_number"] == "DMPVARNSEN02"

    gone = browserless.post(f"/devices/{spare}", data={"csrf": csrf_of(page), "action": "unassign"})
    assert gone.status_code == 303
    assert '<dd id="assignee">Nobody</dd>' in browserless.get(f"/devices/{spare}").text


def test_an_unknown_email_is_said_in_the_form_and_kept(
    browserless: httpx.Client, devices: WithDevices, other_org: ConsoleOrg
) -> None:
    sign_in(browserless, devices.people.org.token)
    spare = devices.spare.device.device_id
    page = browserless.get(f"/devices/{spare}")
    for email in ("nobody@vandelay.test", other_org.org.admin.email):
        refused = assign(browserless, spare, csrf_of(page), email)
        assert refused.status_code == 400
        assert (
            f"There is no user with the email &#39;{email}&#39; in this organization."
            in refused.text
        )
        assert f'value="{email}"' in refused.text
        assert 'aria-invalid="true"' in refused.text
    empty = assign(browserless, spare, csrf_of(page), "")
    assert empty.status_code == 400
    assert "Type the email of the user to assign." in empty.text
    assert '<dd id="assignee">Nobody</dd>' in browserless.get(f"/devices/{spare}").text


def test_a_forged_assignment_is_refused(browserless: httpx.Client, devices: WithDevices) -> None:
    sign_in(browserless, devices.people.org.token)
    spare = devices.spare.device.device_id
    forged = assign(browserless, spare, "guessed", PEOPLE[1]["email"])
    assert forged.status_code == 403
    assert "did not come from the console" in forged.text
    assert '<dd id="assignee">Nobody</dd>' in browserless.get(f"/devices/{spare}").text


def test_a_regular_user_may_not_see_or_assign_devices(
    browserless: httpx.Client, devices: WithDevices
) -> None:
    sign_in(browserless, devices.people.org.token)
    csrf = csrf_of(browserless.get("/devices"))
    browserless.cookies.clear()
    sign_in(browserless, devices.people.regular_token)
    page = browserless.get("/devices")
    assert page.status_code == 403
    assert "You do not have permission to perform this action." in page.text
    assert "Spare iPad" not in page.text
    spare = devices.spare.device.device_id
    assert browserless.get(f"/devices/{spare}").status_code == 403
    own_csrf = csrf_of(page)
    refused = assign(browserless, spare, own_csrf, PEOPLE[0]["email"])
    assert refused.status_code == 403
    assert "You do not have permission to perform this action." in refused.text
    assert csrf != own_csrf


def test_a_token_scoped_to_reading_devices_may_not_assign(
    browserless: httpx.Client, devices: WithDevices, store: SqlDirectoryStore
) -> None:
    reader = scoped_token(
        devices.people, store, "GET /api/v1/devices", "GET /api/v1/devices/{device_id}"
    )
    sign_in(browserless, reader)
    assert browserless.get("/devices").status_code == 200
    spare = devices.spare.device.device_id
    page = browserless.get(f"/devices/{spare}")
    assert page.status_code == 200
    assert "user_email" not in page.text  # no form it could not send
    refused = assign(browserless, spare, csrf_of(page), PEOPLE[0]["email"])
    assert refused.status_code == 403
    assert "limited to other endpoints than PATCH /api/v1/devices/{device_id}" in refused.text
    sign_in(browserless, devices.people.scoped_token)
    listing = browserless.get("/devices")
    assert listing.status_code == 403
    assert "limited to other endpoints than GET /api/v1/devices" in listing.text


def test_another_organizations_device_is_not_found(
    browserless: httpx.Client, devices: WithDevices, other_devices: WithDevices
) -> None:
    sign_in(browserless, devices.people.org.token)
    theirs = other_devices.spare.device.device_id
    page = browserless.get(f"/devices/{theirs}")
    assert page.status_code == 404
    assert "Not found." in page.text
    refused = assign(browserless, theirs, csrf_of(browserless.get("/devices")), PEOPLE[0]["email"])
    assert refused.status_code == 404
    assert browserless.get("/devices/not-a-uuid").status_code == 404
    listing = browserless.get("/devices")
    assert listing.text.count("Spare iPad") == 1
