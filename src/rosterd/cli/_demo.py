"""`rosterd serve --demo`: a demo organization a newcomer can run the seed examples against.

The demo is a built-in seed (`demo_seed`), loaded the way `rosterd seed` loads a file, with a
published admin token, so that every start on the same database prints the same token. That
token is no secret: the demo serves on loopback only (`serve` refuses another address).
"""

from __future__ import annotations

from typing import Any, Final

from rosterd.cli._common import err
from rosterd.core import permissions as perm
from rosterd.core.audit import CLI_ACTOR
from rosterd.core.auth import AuthService
from rosterd.core.errors import Conflict, Unauthenticated
from rosterd.core.ports import DirectoryStore
from rosterd.core.seeding import (
    ALL_ACCOUNT_GROUPS,
    Seed,
    SeedIntegration,
    SeedOrganization,
    SeedRole,
    SeedService,
    SeedToken,
    SeedUser,
)

DEMO_SUBDOMAIN: Final = "demo"
DEMO_ADMIN: Final = "admin@demo.rosterd.dev"
DEMO_TOKEN: Final = "rst_demo_admin_not_a_secret"  # noqa: S105 - published: loopback only
DEMO_DIRECTORY_USERS: Final = 320
DEMO_ARCHIVED_USERS: Final = 20
DEMO_DEVICES: Final = 120
_GROUPS: Final = ("Demo - Headquarters", "Demo - EMEA", "Demo - APAC")
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
    """Load the demo unless the database holds it; then print where it is and its token."""
    from rosterd.seeds import known_endpoints

    seeds = SeedService(store, known_endpoints)
    with store.read() as tx:
        exists = tx.get_organization_by_subdomain(DEMO_SUBDOMAIN) is not None
    if not exists:
        seeds.load(demo_seed(), actor=CLI_ACTOR)
    token = DEMO_TOKEN
    if exists and not _works(DEMO_TOKEN, store):
        token = _reissue(store)
    err.print("[bold]rosterd demo organization ready[/bold]")
    err.print(f"  ThousandEyes v7 API: {base_url}/v7")
    err.print(f"  API token (Organization Admin {DEMO_ADMIN}): {token}")
    err.print(f"  try: curl -H 'Authorization: Bearer {token}' {base_url}/v7/users")
    err.print(f"  Kandji API: {base_url}/api/v1")
    err.print(f"  try: curl -H 'Authorization: Bearer {token}' {base_url}/api/v1/users")
    err.print(f"  Console: {base_url}/console (sign in with the token)")


def _reissue(store: DirectoryStore) -> str:
    """The published token for a demo an older rosterd made (its tokens random); a new random
    one where it was revoked here, which stays revoked."""
    auth = AuthService(store)
    try:
        return auth.create_token(
            org_subdomain=DEMO_SUBDOMAIN,
            email=DEMO_ADMIN,
            name="demo",
            actor=CLI_ACTOR,
            value=DEMO_TOKEN,
        ).token
    except Conflict:
        err.print("the demo's published token was revoked in this database; a new one:")
        issued = auth.create_token(
            org_subdomain=DEMO_SUBDOMAIN, email=DEMO_ADMIN, name="demo", actor=CLI_ACTOR
        )
        return issued.token


def _works(token: str, store: DirectoryStore) -> bool:
    try:
        AuthService(store).authenticate(token)
    except Unauthenticated:
        return False
    return True


def demo_seed() -> Seed:
    """Three account groups, two custom roles, a dozen people with roles, and a directory
    integration with a few hundred users (some archived, some inactive) and devices (some
    assigned, a few people with two), so that the examples have something to list and page."""
    admin = SeedUser(
        email=DEMO_ADMIN,
        name="Demo Admin",
        roles={ALL_ACCOUNT_GROUPS: [perm.ORGANIZATION_ADMIN]},
        tokens=(SeedToken(DEMO_TOKEN, "demo"),),
    )
    roles = ("Helpdesk", "Auditor", perm.REGULAR_USER, perm.REGULAR_USER)
    people = tuple(
        SeedUser(
            email=f"{name.split()[0].lower()}@demo.rosterd.dev",
            name=name,
            roles={_GROUPS[i % len(_GROUPS)]: [roles[i % len(roles)]]},
        )
        for i, (name, _department) in enumerate(_PEOPLE)
    )
    directory = _directory_users()
    return Seed(
        (
            SeedOrganization(
                name="Demo Org",
                subdomain=DEMO_SUBDOMAIN,
                account_groups=_GROUPS,
                roles=(
                    SeedRole("Helpdesk", (perm.API_ACCESS, perm.VIEW_ALL_USERS, perm.EDIT_USERS)),
                    SeedRole(
                        "Auditor", (perm.API_ACCESS, perm.VIEW_ALL_USERS, perm.VIEW_ACTIVITY_LOG)
                    ),
                ),
                users=(admin, *people),
                integrations=(SeedIntegration("Demo Entra ID", "office365", users=directory),),
                devices=_devices(directory),
            ),
        )
    )


def _directory_users() -> tuple[dict[str, Any], ...]:
    return tuple(
        {
            "email": f"employee{i:03d}@demo.rosterd.dev",
            "name": f"Employee {i:03d}",
            "department": _DEPARTMENTS[i % len(_DEPARTMENTS)],
            "job_title": _TITLES[i % len(_TITLES)] if i % 5 else "",
            "external_id": f"entra-{i:03d}",
            "active": i % 17 != 0,
            # The last ones archived, as a directory that dropped them leaves them.
            "archived": i >= DEMO_DIRECTORY_USERS - DEMO_ARCHIVED_USERS,
        }
        for i in range(DEMO_DIRECTORY_USERS)
    )


def _devices(directory: tuple[dict[str, Any], ...]) -> tuple[dict[str, Any], ...]:
    def assignee(i: int) -> dict[str, Any]:
        # Every other device goes to someone; a few people get two.
        if i % 2:
            return {}
        return {"user_email": directory[i // 2 if i % 4 == 0 else i]["email"]}

    return tuple(
        {
            "serial_number": f"C02DEMO{i:04d}",
            "device_name": f"Demo Mac {i:03d}",
            "model": "MacBook Air (M1, 2020)" if i % 3 else "MacBook Pro (14-inch, 2023)",
            "platform": "Mac",
            "os_version": "14.4.1",
            "tags": ["demo"],
            **assignee(i),
        }
        for i in range(DEMO_DEVICES)
    )
