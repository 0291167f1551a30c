"""What the tests of the console's admin pages (devices, integrations, account groups and
roles) share: an organization with devices besides its people."""

from __future__ import annotations

from dataclasses import dataclass

from rosterd.core.auth import AuthService
from rosterd.core.devices import DevicesService
from rosterd.core.entities import DeviceView
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
