"""What `bench.console` adds, once, to a directory built by `bench.email_search build`, so that
every console page has something to show and its filters something to filter on.

The first part (`_seed_roles_and_audit`): an account group and a role held by every tenth user,
an account group held by ten users, and an audit log of one `user.create` per user and a
`user.update` by the admin for every tenth. The second (`_seed_devices_and_more`, added later,
so a directory seeded before gets it too): one device per user, an integration of ten users
(moved from the build's), and every thousandth user archived.

A device's name is `Device N` (N: the user's place in uid order), its serial `SN` and N in ten
digits, its platform Mac, iPad, iPhone and AppleTV in turn (one in 100,000 Vision instead), its
model `<platform> model`, its OS `17.<N mod 7>`; every tenth has the tag `bench-tenth` and the
asset tag `AT-N`.
"""

from __future__ import annotations

import sys
import time
import uuid
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any

from sqlalchemy import Connection, Engine, func, insert, select, text, update

from bench.email_search import _organization
from rosterd.storage import make_engine
from rosterd.storage import tables as t

_BATCH = 50_000
_FEW = "Bench few"  # the integration of ten users; also marks the second part as done
_PLATFORMS = ("Mac", "iPad", "iPhone", "AppleTV")


@dataclass(frozen=True)
class Seeded:
    """The ids the pages name: the seeded account groups and role, a built-in role, the
    build's integration and the ten-user one, a device, the number of devices, and the
    middle one's id."""

    tenth_group: int = 0
    rare_group: int = 0
    tenth_role: int = 0
    builtin_role: int = 0
    integration: str = ""
    few_integration: str = ""
    device: str = ""
    devices: int = 0
    middle_device: int = 0  # the id of the device in the middle of enrolment order


def seed_filters(database_url: str) -> Seeded:
    """Adds what is missing of both parts, and answers the ids the pages name."""
    engine = make_engine(database_url)
    org_id, _ = _organization(engine)
    groups = t.account_groups
    with engine.connect() as conn:
        found = dict(
            conn.execute(select(groups.c.name, groups.c.aid).where(groups.c.org_id == org_id)).all()
        )
        seeded_more = conn.execute(
            select(t.integrations.c.id).where(
                t.integrations.c.org_id == org_id, t.integrations.c.name == _FEW
            )
        ).first()
    for done, part in (
        ("Bench tenth" in found, _seed_roles_and_audit),
        (seeded_more is not None, _seed_devices_and_more),
    ):
        if not done:
            started = time.perf_counter()
            with engine.begin() as conn:  # its first statement writes: SQLite locks at once
                part(conn, org_id)
                if conn.dialect.name == "postgresql":
                    conn.execute(text("ANALYZE"))
            print(f"{part.__name__}: {time.perf_counter() - started:.0f} s", file=sys.stderr)
    try:
        return _ids(engine, org_id)
    finally:
        engine.dispose()


def _ids(engine: Engine, org_id: int) -> Seeded:
    groups, roles, integrations = t.account_groups, t.roles, t.integrations
    with engine.connect() as conn:
        found = dict(
            conn.execute(select(groups.c.name, groups.c.aid).where(groups.c.org_id == org_id)).all()
        )
        role = conn.execute(
            select(roles.c.role_id).where(roles.c.org_id == org_id, roles.c.name == "Bench")
        ).scalar_one()
        builtin = conn.execute(
            select(roles.c.role_id).where(roles.c.is_builtin).order_by(roles.c.role_id).limit(1)
        ).scalar_one()
        made = dict(
            conn.execute(
                select(integrations.c.name, integrations.c.uuid).where(
                    integrations.c.org_id == org_id
                )
            ).all()
        )
        device = conn.execute(
            select(t.devices.c.device_id)
            .where(t.devices.c.org_id == org_id, t.devices.c.asset_tag != "")
            .order_by(t.devices.c.id.desc())
            .limit(1)
        ).scalar_one()
        devices = conn.execute(
            select(func.count()).select_from(t.devices).where(t.devices.c.org_id == org_id)
        ).scalar_one()
        middle = conn.execute(
            select(t.devices.c.id)
            .where(t.devices.c.org_id == org_id)
            .order_by(t.devices.c.id)
            .offset(devices // 2)
            .limit(1)
        ).scalar()
    return Seeded(
        found["Bench tenth"],
        found["Bench rare"],
        role,
        builtin,
        str(made["Directory"]),
        str(made[_FEW]),
        str(device),
        devices,
        middle or 0,
    )


def _uids(conn: Connection, org_id: int) -> list[int]:
    """The organization's users but the admin, in uid order."""
    users = t.users
    return list(
        conn.execute(
            select(users.c.uid)
            .where(users.c.org_id == org_id, users.c.email != "admin@search.test")
            .order_by(users.c.uid)
        ).scalars()
    )


def _insert(conn: Connection, table: Any, rows: list[dict[str, Any]]) -> None:
    for start in range(0, len(rows), _BATCH):
        conn.execute(insert(table), rows[start : start + _BATCH])


def _seed_roles_and_audit(conn: Connection, org_id: int) -> None:
    aids = [
        conn.execute(
            insert(t.account_groups)
            .values(org_id=org_id, name=name, is_default=False, account_token="")
            .returning(t.account_groups.c.aid)
        ).scalar_one()
        for name in ("Bench tenth", "Bench rare")
    ]
    role = conn.execute(
        insert(t.roles)
        .values(org_id=org_id, name="Bench", is_builtin=False)
        .returning(t.roles.c.role_id)
    ).scalar_one()
    users = conn.execute(
        select(t.users.c.uid, t.users.c.id)
        .where(t.users.c.org_id == org_id)
        .order_by(t.users.c.uid)
    ).all()
    admin = conn.execute(
        select(t.users.c.uid).where(t.users.c.email == "admin@search.test")
    ).scalar_one()
    holders = [{"uid": uid, "aid": aids[0], "role_id": role} for uid, _ in users[::10]]
    holders += [{"uid": uid, "aid": aids[1], "role_id": role} for uid, _ in users[5::100_000]]
    _insert(conn, t.user_account_group_roles, holders)
    first = datetime(2026, 1, 1, tzinfo=UTC)
    events: list[dict[str, Any]] = []
    for n, (_, user_id) in enumerate(users):
        at = first + timedelta(seconds=n)
        events.append(_event(f"C{n:025d}", org_id, at, "integration", None, "user.create", user_id))
        if n % 10 == 0:
            events.append(
                _event(f"U{n:025d}", org_id, at, "user", str(admin), "user.update", user_id)
            )
        if len(events) >= _BATCH:
            _insert(conn, t.audit_events, events)
            events = []
    _insert(conn, t.audit_events, events)


def _event(
    event_id: str,
    org_id: int,
    at: datetime,
    actor_type: str,
    actor_id: str | None,
    action: str,
    user_id: Any,
) -> dict[str, Any]:
    return {
        "id": event_id,
        "org_id": org_id,
        "occurred_at": at,
        "actor_type": actor_type,
        "actor_id": actor_id,
        "action": action,
        "target_type": "user",
        "target_id": str(user_id),
        "new_state": {"email": "…"} if action == "user.create" else {"active": True},
        "request_id": None,
    }


def _seed_devices_and_more(conn: Connection, org_id: int) -> None:
    now = datetime.now(UTC)
    few = conn.execute(
        insert(t.integrations)
        .values(uuid=uuid.uuid4(), org_id=org_id, name=_FEW, type="office365", created_at=now)
        .returning(t.integrations.c.id)
    ).scalar_one()
    uids = _uids(conn, org_id)
    for chosen, values in ((uids[7::100_000], {"integration_id": few}), (uids[3::1000], {})):
        conn.execute(
            update(t.users)
            .where(t.users.c.uid.in_(chosen))
            .values(values or {"archived": True, "active": False})
        )
    devices: list[dict[str, Any]] = []
    for n, uid in enumerate(uids):
        devices.append(device_row(n, org_id, uid, now))
        if len(devices) >= _BATCH:
            _insert(conn, t.devices, devices)
            devices = []
    _insert(conn, t.devices, devices)


def device_row(n: int, org_id: int, uid: int, now: datetime) -> dict[str, Any]:
    platform = "Vision" if n % 100_000 == 99_999 else _PLATFORMS[n % len(_PLATFORMS)]
    tenth = n % 10 == 0
    return {
        "device_id": uuid.uuid4(),
        "org_id": org_id,
        "name": f"Device {n}",
        "model": f"{platform} model",
        "serial_number": f"SN{n:010d}",
        "platform": platform,
        "os_version": f"17.{n % 7}",
        "supplemental_build_version": "",
        "supplemental_os_version_extra": "",
        "last_check_in": now,
        "asset_tag": f"AT-{n}" if tenth else "",
        "blueprint_id": None,
        "blueprint_name": "",
        "mdm_enabled": True,
        "agent_installed": True,
        "is_missing": False,
        "is_removed": False,
        "agent_version": "",
        "first_enrollment": now,
        "last_enrollment": now,
        "lost_mode_status": "",
        "tags": ["bench-tenth"] if tenth else [],
        "mac_address": "",
        "filevault_enabled": None,
        "user_uid": uid,
        "created_at": now,
        "updated_at": now,
    }
