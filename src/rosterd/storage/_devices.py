"""Queries for devices and their assigned users."""

from __future__ import annotations

from dataclasses import asdict
from typing import Any
from uuid import UUID

from sqlalchemy import ColumnElement, Connection, Select, func, insert, select, update
from sqlalchemy.exc import IntegrityError

from rosterd.core.entities import DeviceView, User
from rosterd.core.errors import Conflict, FieldError, Invalid, NotFound
from rosterd.core.ports import DeviceChanges, DeviceQuery, NewDevice
from rosterd.core.validation import email_key, fold
from rosterd.storage import _rows
from rosterd.storage import tables as t

_USER_PREFIX = "u__"


def add_device(conn: Connection, device: NewDevice) -> DeviceView:
    values = asdict(device) | {"tags": list(device.tags), "updated_at": device.created_at}
    try:
        with conn.begin_nested():
            new_id = conn.execute(
                insert(t.devices).values(**values).returning(t.devices.c.id)
            ).scalar_one()
    except IntegrityError as exc:
        raise Conflict(
            "A device with this serial number already exists",
            [
                FieldError(
                    "serial_number",
                    "DUPLICATE",
                    f"a device with serial number {device.serial_number!r} already exists",
                )
            ],
        ) from exc
    found = find_device(conn, t.devices.c.id == new_id)
    assert found is not None
    return found


def find_assignee(
    conn: Connection, org_id: int, *, id: UUID | None, email: str | None, lock: bool
) -> User | None:
    users = t.users
    which = users.c.id == id if id is not None else users.c.email_key == email_key(email or "")
    stmt = select(*_rows.USER_COLUMNS).where(users.c.org_id == org_id, which)
    if lock:
        # FOR KEY SHARE, the lock the devices' foreign key takes anyway, taken before the device
        # row is: it waits for a writer holding the user (FOR UPDATE: a change or a delete of
        # it), and a delete waits for it; assignments to one user do not wait for each other.
        stmt = stmt.with_for_update(read=True, key_share=True)
    row = conn.execute(stmt).first()
    return _rows.user(row) if row else None


def find_device(conn: Connection, *where: ColumnElement[bool]) -> DeviceView | None:
    row = conn.execute(_device_select().where(*where)).first()
    return _view(row) if row else None


def update_device(conn: Connection, org_id: int, id: int, changes: DeviceChanges) -> DeviceView:
    values: dict[str, Any] = {"updated_at": changes.updated_at}
    if changes.set_user:
        values["user_uid"] = changes.user_uid
    if changes.asset_tag is not None:
        values["asset_tag"] = changes.asset_tag
    if changes.tags is not None:
        values["tags"] = list(changes.tags)
    if changes.blueprint_id is not None:
        values["blueprint_id"] = changes.blueprint_id
    try:
        with conn.begin_nested():
            updated = conn.execute(
                update(t.devices)
                .where(t.devices.c.id == id, t.devices.c.org_id == org_id)
                .values(**values)
            ).rowcount
    except IntegrityError as exc:  # the user was deleted since the caller looked it up
        raise Invalid(
            f'Invalid pk "{changes.user_uid}" - object does not exist.',
            [FieldError("user", "UNKNOWN_USER", "the user no longer exists")],
        ) from exc
    view = find_device(conn, t.devices.c.id == id, t.devices.c.org_id == org_id)
    if updated == 0 or view is None:
        raise NotFound(f"No device with id {id}")
    return view


def list_devices(
    conn: Connection, org_id: int, query: DeviceQuery, *, limit: int, offset: int
) -> list[DeviceView]:
    devices, users = t.devices, t.users
    stmt = _device_select().where(devices.c.org_id == org_id)
    if query.user_name_contains:
        stmt = stmt.where(
            func.lower(users.c.name).contains(query.user_name_contains.lower(), autoescape=True)
        )
    if query.user_email_contains:
        stmt = stmt.where(
            users.c.email_key.contains(fold(query.user_email_contains), autoescape=True)
        )
    if query.user_email_exact:
        stmt = stmt.where(users.c.email_key == email_key(query.user_email_exact))
    if query.user_id is not None:
        stmt = stmt.where(users.c.id == query.user_id)
    if query.device_id is not None:
        stmt = stmt.where(devices.c.device_id == query.device_id)
    if query.serial_number_contains:
        stmt = stmt.where(
            func.lower(devices.c.serial_number).contains(
                query.serial_number_contains.lower(), autoescape=True
            )
        )
    if query.platform:
        stmt = stmt.where(devices.c.platform == query.platform)
    rows = conn.execute(stmt.order_by(devices.c.id).offset(offset).limit(limit))
    return [_view(r) for r in rows]


def _device_select() -> Select[Any]:
    devices, users = t.devices, t.users
    return select(
        devices, *(c.label(f"{_USER_PREFIX}{c.name}") for c in _rows.USER_COLUMNS)
    ).select_from(devices.outerjoin(users, users.c.uid == devices.c.user_uid))


def _view(row: Any) -> DeviceView:
    has_user = row._mapping[f"{_USER_PREFIX}uid"] is not None
    return DeviceView(_rows.device(row), _rows.user(row, _USER_PREFIX) if has_user else None)
