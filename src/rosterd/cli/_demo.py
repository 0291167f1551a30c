"""`rosterd serve --demo`: a demo organization a newcomer can run the seed examples against."""

from __future__ import annotations

from rosterd.cli._common import err
from rosterd.core import permissions as perm
from rosterd.core.audit import CLI_ACTOR
from rosterd.core.auth import AuthService
from rosterd.core.organizations import OrganizationsService
from rosterd.core.ports import DirectoryStore
from rosterd.core.users import AccountGroupRolesInput, UserInput, UsersService

DEMO_SUBDOMAIN = "demo"
DEMO_ADMIN = "admin@demo.rosterd.dev"
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
        permission_codes=frozenset({perm.API_ACCESS, perm.VIEW_ALL_USERS, "ACTIVITY_LOG_READ"}),
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
    return created.token
