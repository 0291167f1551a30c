"""A freshly seeded organization, made as an operator makes one: with the `rosterd` CLI.

The CLI has no command for account groups and roles (the API has none either: ThousandEyes
administers them in its web app), so those two come from the core services, as the demo seed's do.
Everything else, and every token, comes from `rosterd … --json`.
"""

from __future__ import annotations

import json
import os
import subprocess
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from bench.processes import BenchError
from tests.support.process import ROSTERD

SUBDOMAIN = "bench"
DOMAIN = "bench.example"
ADMIN_EMAIL = f"admin@{DOMAIN}"
DEVICES_OF_MEASURED_USER = 2
DEVICE_EVERY = 25  # every 25th directory user has a device


@dataclass(frozen=True)
class Seeded:
    admin_token: str
    scim_token: str
    account_group_ids: tuple[str, ...]  # the default one first
    role_ids: tuple[str, ...]  # one per account group: Regular User, then the custom roles
    measured_email: str  # the directory user the single-resource rows read
    measured_devices: int  # the devices assigned to it


def cli(*args: str, database_url: str) -> Any:
    """Run `rosterd ARGS` and return the one JSON object it prints (None if it prints none)."""
    if not ROSTERD:
        raise BenchError("the rosterd command is not installed in this environment")
    env = os.environ | {"ROSTERD_DATABASE_URL": database_url}
    result = subprocess.run([ROSTERD, *args], capture_output=True, text=True, env=env, check=False)
    if result.returncode != 0:
        raise BenchError(f"rosterd {' '.join(args)} failed:\n{result.stderr[-2000:]}")
    return json.loads(result.stdout) if result.stdout.strip() else None


def email(i: int) -> str:
    return f"user{i:05d}@{DOMAIN}"


def _write_lines(path: Path, rows: list[dict[str, Any]]) -> Path:
    path.write_text("".join(json.dumps(row) + "\n" for row in rows), encoding="utf-8")
    return path


def _directory_users(count: int) -> list[dict[str, Any]]:
    return [
        {
            "email": email(i),
            "name": f"User {i:05d}",
            "department": ("Engineering", "Sales", "Support", "Finance")[i % 4],
            "job_title": "Engineer" if i % 3 else "Manager",
            "external_id": f"bench-{i:05d}",
            "active": True,
        }
        for i in range(count)
    ]


def _devices(users: int, measured: int) -> list[dict[str, Any]]:
    owners = [measured] * DEVICES_OF_MEASURED_USER + list(range(0, users, DEVICE_EVERY))
    return [
        {
            "serial_number": f"C02BENCH{n:05d}",
            "device_name": f"Bench Mac {n:05d}",
            "model": "MacBook Air (M1, 2020)",
            "platform": "Mac",
            "os_version": "14.4.1",
            "user_email": email(owner),
            "tags": ["bench"],
        }
        for n, owner in enumerate(owners)
    ]


def _groups_and_roles(database_url: str) -> tuple[list[str], list[str]]:
    """Two more account groups and two custom roles; returns their ids."""
    from rosterd.core import permissions as perm
    from rosterd.core.audit import CLI_ACTOR
    from rosterd.core.organizations import OrganizationsService
    from rosterd.storage import SqlDirectoryStore, make_engine

    engine = make_engine(database_url)
    try:
        orgs = OrganizationsService(SqlDirectoryStore(engine))
        groups = [
            str(orgs.add_account_group(org_subdomain=SUBDOMAIN, name=name, actor=CLI_ACTOR).aid)
            for name in ("Bench - EMEA", "Bench - APAC")
        ]
        codes = {
            "Helpdesk": {perm.API_ACCESS, perm.VIEW_ALL_USERS, perm.EDIT_USERS},
            "Auditor": {perm.API_ACCESS, perm.VIEW_ALL_USERS},
        }
        roles = [
            str(
                orgs.add_role(
                    org_subdomain=SUBDOMAIN,
                    name=name,
                    permission_codes=frozenset(permissions),
                    actor=CLI_ACTOR,
                ).role_id
            )
            for name, permissions in codes.items()
        ]
    finally:
        engine.dispose()
    return groups, roles


def seed(database_url: str, *, users: int, workdir: Path) -> Seeded:
    """An organization with three account groups, custom roles, a SCIM integration with
    `users` directory users, and devices (two of them the measured user's), in a database
    whose schema is up to date."""
    org = cli(
        "orgs",
        "create",
        "--name",
        "Bench",
        "--subdomain",
        SUBDOMAIN,
        "--admin-email",
        ADMIN_EMAIL,
        "--json",
        database_url=database_url,
    )
    groups, roles = _groups_and_roles(database_url)
    integration = cli(
        "integrations",
        "create",
        "--org",
        SUBDOMAIN,
        "--name",
        "Bench SCIM",
        "--type",
        "scim",
        "--json",
        database_url=database_url,
    )
    users_file = _write_lines(workdir / "users.jsonl", _directory_users(users))
    imported = cli(
        "users",
        "import",
        "--org",
        SUBDOMAIN,
        "--integration",
        integration["uuid"],
        str(users_file),
        "--json",
        database_url=database_url,
    )
    if imported["created"] != users:
        raise BenchError(f"users import created {imported['created']} of {users} users")
    measured = users // 2 + 1  # not a 25th: its devices are exactly its own two
    devices = _devices(users, measured)
    devices_file = _write_lines(workdir / "devices.jsonl", devices)
    cli(
        "devices",
        "import",
        "--org",
        SUBDOMAIN,
        str(devices_file),
        "--json",
        database_url=database_url,
    )
    return Seeded(
        admin_token=org["token"],
        scim_token=integration["scim_token"],
        account_group_ids=(org["account_group"]["aid"], *groups),
        role_ids=("3", *roles),  # 3: the built-in Regular User
        measured_email=email(measured),
        measured_devices=sum(device["user_email"] == email(measured) for device in devices),
    )
