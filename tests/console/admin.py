"""What the tests of the console's admin pages (devices, integrations, account groups and
roles) share: an organization with devices besides its people."""

from __future__ import annotations

from dataclasses import dataclass

from rosterd.core.auth import AuthService
from rosterd.core.devices import DevicesService
from rosterd.core.entities import DeviceView, RoleAssignments
from rosterd.core.ports import DeviceQuery
from rosterd.storage import SqlDirectoryStore
from tests.console.conftest import PEOPLE, ConsoleOrg

DEVICES = [
    {
        "serial_number": "C02VANDELAY1",
        "device_name": "Art's MacBook",
        "model": "MacBook Pro",
        "platform": "Mac",
        "os_version": "15.1",
        "asset_tag": "VI-0001",
        "tags": "latex,imports",
        "user_email": PEOPLE[0]["email"],
    },
    {
        "serial_number": "DMPVARNSEN02",
        "device_name": "Spare iPad",
        "model": "iPad Air",
        "platform": "iPad",
        "os_version": "18.0",
    },
]


@dataclass(frozen=True)
class WithDevices:
    people: ConsoleOrg
    assigned: DeviceView  # Art Vandelay's Mac
    spare: DeviceView  # nobody's iPad


def add_devices(people: ConsoleOrg, store: SqlDirectoryStore) -> WithDevices:
    service = DevicesService(store)
    service.import_devices(org_subdomain=people.org.subdomain, records=DEVICES)
    found = service.list_devices(
        principal=AuthService(store).authenticate(people.org.token),
        query=DeviceQuery(),
        limit=10,
        offset=0,
    )
    by_serial = {view.device.serial_number: view for view in found}
    return WithDevices(people, by_serial["C02VANDELAY1"], by_serial["DMPVARNSEN02"])


def account_admin_token(people: ConsoleOrg, store: SqlDirectoryStore) -> str:
    """A token of Kel Varnsen made an Account Admin in the organization's account group: they
    may view users, account groups and edit roles, but not edit users in all account groups
    nor account groups."""
    org = people.org
    with store.write() as tx:
        kel = tx.find_user_by_email(org.account_group.org_id, PEOPLE[1]["email"])
        assert kel is not None
        tx.set_role_assignments(
            kel.uid, RoleAssignments(by_account_group={org.account_group.aid: frozenset({2})})
        )
    return org.token_for(PEOPLE[1]["email"])
