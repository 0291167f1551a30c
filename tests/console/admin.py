"""What the tests of the console's admin pages (devices, integrations, account groups and
roles) share: an organization with devices besides its people."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Final

from rosterd.core.audit import CLI_ACTOR
from rosterd.core.auth import AuthService
from rosterd.core.devices import DevicesService
from rosterd.core.entities import DeviceView, EndpointPermission, RoleAssignments
from rosterd.core.ports import DeviceQuery
from rosterd.storage import SqlDirectoryStore
from tests.console.conftest import PEOPLE, ConsoleOrg

# The built-in roles' ids (core/permissions.py).
ACCOUNT_ADMIN_ROLE_ID: Final = 2
REGULAR_USER_ROLE_ID: Final = 3

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


def token_with_role(people: ConsoleOrg, store: SqlDirectoryStore, email: str, role_id: int) -> str:
    """A token of the person `email`, who holds the built-in role `role_id` (and no other) in
    the organization's account group."""
    org = people.org
    with store.write() as tx:
        user = tx.find_user_by_email(org.account_group.org_id, email)
        assert user is not None
        tx.set_role_assignments(
            user.uid,
            RoleAssignments(by_account_group={org.account_group.aid: frozenset({role_id})}),
        )
    return org.token_for(email)


def account_admin_token(people: ConsoleOrg, store: SqlDirectoryStore) -> str:
    """Kel Varnsen's, an Account Admin: they may view users and account groups and edit roles,
    but not edit users in all account groups nor account groups."""
    return token_with_role(people, store, PEOPLE[1]["email"], ACCOUNT_ADMIN_ROLE_ID)


def regular_user_token(people: ConsoleOrg, store: SqlDirectoryStore) -> str:
    """Art Vandelay's, made a Regular User (API access; no management permission)."""
    return token_with_role(people, store, PEOPLE[0]["email"], REGULAR_USER_ROLE_ID)


def scoped_token(people: ConsoleOrg, store: SqlDirectoryStore, *endpoints: str) -> str:
    """A token of the organization's admin limited to `endpoints` ("GET /v7/roles", ...)."""
    org = people.org
    return (
        AuthService(store)
        .create_token(
            org_subdomain=org.subdomain,
            email=org.admin.email,
            actor=CLI_ACTOR,
            permissions=[EndpointPermission(*reversed(e.split(" ", 1))) for e in endpoints],
        )
        .token
    )
