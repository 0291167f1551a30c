"""`rosterd serve --demo`: a demo organization a newcomer can run the seed examples against."""

from __future__ import annotations

from rosterd.cli._common import err
from rosterd.core import permissions as perm
from rosterd.core.audit import CLI_ACTOR
from rosterd.core.auth import AuthService
from rosterd.core.devices import DevicesService
from rosterd.core.directory_sync import DirectoryRecord, DirectorySyncService
from rosterd.core.integrations import IntegrationsService
from rosterd.core.organizations import OrganizationsService
from rosterd.core.ports import DirectoryStore
from rosterd.core.users import AccountGroupRolesInput, UserInput, UsersService

DEMO_SUBDOMAIN = "demo"
DEMO_ADMIN = "admin@demo.rosterd.dev"
DEMO_DIRECTORY_USERS = 320
DEMO_ARCHIVED_USERS = 20
DEMO_DEVICES = 120
_DEPARTMENTS = ("Engineering", "Sales", "Support", "Finance", "Operations")
_TITLES = ("Engineer", "Manager", "Analyst", "Specialist")
_PEOPLE = [
    ("Ada Lovelace", "Engineering"),
    ("Grace Hopper", "Engineering"),
    ("Alan Turing", "Research"),
    ("Katherine Johnson", "Research"),
    ("Edsger Dijkstra", "Engineering"),
    ("Barbara Liskov", "Architecture"),
    ("Ken Thompson", "Operations"),
    ("Margaret Hamilton", "Operations"),
    ("Dennis Ritchie", "Operations"),
    ("Frances Allen", "Research"),
    ("John Backus", "Engineering"),
    ("Radia Perlman", "Networking"),
]


def seed_and_announce(store: DirectoryStore, base_url: str) -> None:
    with store.read() as tx:
        exists = tx.get_organization_by_subdomain(DEMO_SUBDOMAIN) is not None
    if exists:
        token = (
            AuthService(store)
            .create_token(
                org_subdomain=DEMO_SUBDOMAIN, email=DEMO_ADMIN, name="demo", actor=CLI_ACTOR
            )
            .token
        )
    else:
        token = seed(store)
    err.print("[bold]rosterd demo organization ready[/bold]")
    err.print(f"  ThousandEyes v7 API: {base_url}/v7")
    err.print(f"  API token (Organization Admin {DEMO_ADMIN}): {token}")
    err.print(f"  try: curl -H 'Authorization: Bearer {token}' {base_url}/v7/users")
    err.print(f"  Kandji API: {base_url}/api/v1")
    err.print(f"  try: curl -H 'Authorization: Bearer {token}' {base_url}/api/v1/users")


def seed(store: DirectoryStore) -> str:
    """Create the demo organization; returns the admin's API token."""
    orgs = OrganizationsService(store)
    created = orgs.create_organization(
        name="Demo Org",
        subdomain=DEMO_SUBDOMAIN,
        admin_email=DEMO_ADMIN,
        admin_name="Demo Admin",
        account_group_name="Demo - Headquarters",
        actor=CLI_ACTOR,
    )
    groups = [created.account_group] + [
        orgs.add_account_group(org_subdomain=DEMO_SUBDOMAIN, name=name, actor=CLI_ACTOR)
        for name in ("Demo - EMEA", "Demo - APAC")
    ]
    helpdesk = orgs.add_role(
        org_subdomain=DEMO_SUBDOMAIN,
        name="Helpdesk",
        actor=CLI_ACTOR,
        permission_codes=frozenset({perm.API_ACCESS, perm.VIEW_ALL_USERS, perm.EDIT_USERS}),
    )
    auditor = orgs.add_role(
        org_subdomain=DEMO_SUBDOMAIN,
        name="Auditor",
        actor=CLI_ACTOR,
        permission_codes=frozenset({perm.API_ACCESS, perm.VIEW_ALL_USERS, perm.VIEW_ACTIVITY_LOG}),
    )
    principal = AuthService(store).authenticate(created.token)
    users = UsersService(store)
    for i, (name, _department) in enumerate(_PEOPLE):
        group = groups[i % len(groups)]
        role_ids = [str(helpdesk.role_id if i % 4 == 0 else auditor.role_id if i % 4 == 1 else 3)]
        first = name.split()[0].lower()
        users.create_user(
            principal=principal,
            aid=None,
            actor=CLI_ACTOR,
            data=UserInput(
                name=name,
                email=f"{first}@demo.rosterd.dev",
                account_group_roles=[AccountGroupRolesInput(str(group.aid), role_ids)],
            ),
        )
    _seed_directory(store)
    return created.token


def _seed_directory(store: DirectoryStore) -> None:
    """A directory integration with a few hundred users (some archived) and devices (some
    assigned), so that the Kandji examples have something to list, page and unassign."""
    integration = (
        IntegrationsService(store)
        .create_integration(
            org_subdomain=DEMO_SUBDOMAIN, name="Demo Entra ID", type="office365", actor=CLI_ACTOR
        )
        .integration
    )
    records = [
        DirectoryRecord(
            email=f"employee{i:03d}@demo.rosterd.dev",
            name=f"Employee {i:03d}",
            department=_DEPARTMENTS[i % len(_DEPARTMENTS)],
            job_title=_TITLES[i % len(_TITLES)] if i % 5 else "",
            external_id=f"entra-{i:03d}",
            active=i % 17 != 0,
        )
        for i in range(DEMO_DIRECTORY_USERS)
    ]
    sync = DirectorySyncService(store)
    sync.import_users(
        org_subdomain=DEMO_SUBDOMAIN, integration_uuid=str(integration.uuid), records=records
    )
    # A full sync without the last ones archives them, as a directory that dropped them would.
    sync.import_users(
        org_subdomain=DEMO_SUBDOMAIN,
        integration_uuid=str(integration.uuid),
        records=records[:-DEMO_ARCHIVED_USERS],
        full=True,
    )
    DevicesService(store).import_devices(
        org_subdomain=DEMO_SUBDOMAIN,
        records=[
            {
                "serial_number": f"C02DEMO{i:04d}",
                "device_name": f"Demo Mac {i:03d}",
                "model": "MacBook Air (M1, 2020)" if i % 3 else "MacBook Pro (14-inch, 2023)",
                "platform": "Mac",
                "os_version": "14.4.1",
                # Every other device goes to someone; a few people get two.
                "user_email": records[i // 2 if i % 4 == 0 else i].email if i % 2 == 0 else None,
                "tags": ["demo"],
            }
            for i in range(DEMO_DEVICES)
        ],
    )
