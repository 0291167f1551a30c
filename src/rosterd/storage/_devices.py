"""Queries for devices and their assigned users."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import asdict
from typing import Any
from uuid import UUID

from sqlalchemy import (
    ColumnElement,
    Connection,
    Select,
    String,
    cast,
    exists,
    false,
    func,
    insert,
    literal,
    select,
    update,
)
from sqlalchemy.exc import IntegrityError

from rosterd.core.entities import DeviceView, User
from rosterd.core.errors import Conflict, FieldError, Invalid, NotFound
from rosterd.core.ports import DEVICE_ORDERINGS, DeviceChanges, DeviceQuery, NewDevice
from rosterd.core.validation import email_key, fold
from rosterd.storage import _rows
from rosterd.storage import tables as t
from rosterd.storage._device_search import Ids, Position, indexed_ids

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
    conn: Connection,
    org_id: int,
    query: DeviceQuery,
    *,
    limit: int,
    offset: int,
    after: int | None = None,
    before: int | None = None,
) -> list[DeviceView]:
    """The devices passing `query`, in its order (enrolment order by default), from `offset`;
    or, in enrolment order only, the `limit` devices after the id `after` or just before the
    id `before` (the console's keyset pages), returned in enrolment order all the same."""
    devices, users = t.devices, t.users
    if (after is not None or before is not None) and query.ordering:
        raise ValueError("keyset pages are in enrolment order only")
    position = Position(before, reverse=True) if before is not None else Position(after)
    order = [*_ordering(conn, query.ordering), position.order(devices.c.id)]
    filters = _filters(conn, org_id, query)
    found = indexed_ids(conn, org_id, query, filters, position=position, need=offset + limit)
    # The page's ids first, then its rows: an offset skips index entries rather than joined
    # rows (500,000 of them took 0.25 s on SQLite, 2 s on PostgreSQL); joined to the users
    # only for a filter or an ordering of theirs (else neither database reads the ids alone
    # from an index of the devices).
    by_user = any(
        (
            query.user_name_contains,
            query.user_email_contains,
            query.user_email_exact,
            query.user_id is not None,
            *(name == "user" for name, _ in query.ordering),
        )
    )
    page = (
        select(devices.c.id)
        .select_from(
            devices.outerjoin(users, users.c.uid == devices.c.user_uid) if by_user else devices
        )
        .where(*_in_org(org_id, found), *filters, *position.past(devices.c.id))
        .order_by(*order)
        .offset(offset)
        .limit(limit)
        .correlate(None)
    )
    stmt = _device_select().where(devices.c.id.in_(page)).order_by(*order)
    views = [_view(r) for r in conn.execute(stmt)]
    return views[::-1] if position.reverse else views


def _in_org(org_id: int, found: Ids | None) -> list[ColumnElement[bool]]:
    """The organization's devices, or those of `found` (an index's) that are the organization's:
    then the organization is tested unindexed (`+ 0`), or SQLite reads every device from an
    index of the organization's (0.4 s at a million) rather than the few ids found."""
    devices = t.devices
    if found is None:
        return [devices.c.org_id == org_id]
    return [devices.c.id.in_(found), devices.c.org_id + 0 == org_id]


def _filters(conn: Connection, org_id: int, query: DeviceQuery) -> list[ColumnElement[bool]]:
    devices, users = t.devices, t.users
    found: list[ColumnElement[bool]] = []
    for column, term in (
        (users.c.name, query.user_name_contains),
        (devices.c.serial_number, query.serial_number_contains),
        (devices.c.name, query.device_name_contains),
        (devices.c.model, query.model_contains),
        (devices.c.os_version, query.os_version_contains),
    ):
        if term:
            found.append(func.lower(column).contains(term.lower(), autoescape=True))
    if query.user_email_contains:
        found.append(users.c.email_key.contains(fold(query.user_email_contains), autoescape=True))
    if query.user_email_exact:
        found.append(users.c.email_key == email_key(query.user_email_exact))
        if conn.dialect.name == "sqlite":
            # A device's user is of the device's organization: the user of that key comes from
            # the unique (org_id, email_key) index, SQLite's only one on email keys (0010).
            found.append(users.c.org_id == org_id)
    exact: tuple[tuple[ColumnElement[Any], object], ...] = (
        (users.c.id, query.user_id),
        (devices.c.device_id, query.device_id),
        (devices.c.platform, query.platform or None),
        (devices.c.asset_tag, query.asset_tag or None),
    )
    found += [column == value for column, value in exact if value is not None]
    if query.blueprint_id_contains:
        found.append(_blueprint_contains(query.blueprint_id_contains))
    if query.mac_address:
        found.append(func.lower(devices.c.mac_address) == query.mac_address.lower())
    if query.filevault_enabled is not None:
        found.append(devices.c.platform == "Mac")
        found.append(devices.c.filevault_enabled.is_(query.filevault_enabled))
    if query.tag_name:
        found.append(_has_any_tag(conn, [query.tag_name]))
    if query.tag_name_in is not None:
        found.append(_has_any_tag(conn, sorted(query.tag_name_in)))
    if query.tag_ids is not None:
        found.append(false())  # no tag has an id (docs/kandji.md)
    return found


def _blueprint_contains(term: str) -> ColumnElement[bool]:
    """The blueprint id's text contains `term`, dashes aside: SQLite keeps a UUID as 32 hex
    digits, PostgreSQL writes it with dashes."""
    digits = term.lower().replace("-", "")
    text = func.replace(cast(t.devices.c.blueprint_id, String), "-", "")
    return text.contains(digits, autoescape=True)


def _has_any_tag(conn: Connection, names: list[str]) -> ColumnElement[bool]:
    """The device's tags (a JSON array of names) hold one of `names`, exactly."""
    each = (
        func.json_each(t.devices.c.tags)
        if conn.dialect.name == "sqlite"
        else func.json_array_elements_text(t.devices.c.tags)
    ).table_valued("value")
    return exists(select(literal(1)).select_from(each).where(each.c.value.in_(names)))


def _ordering(conn: Connection, ordering: Sequence[tuple[str, bool]]) -> list[ColumnElement[Any]]:
    """Kandji's `ordering` fields as sort keys, the same on both databases: text by its bytes,
    and an empty value (no blueprint, no check-in, no user) before any other."""
    found: list[ColumnElement[Any]] = []
    for name, descending in ordering:
        key = _ORDER_KEYS[name]
        if conn.dialect.name == "postgresql" and name in _TEXT_KEYS:
            key = key.collate("C")
        found.append(key.desc().nulls_last() if descending else key.asc().nulls_first())
    return found


_ORDER_KEYS: dict[str, ColumnElement[Any]] = {
    "asset_tag": t.devices.c.asset_tag,
    "blueprint_id": t.devices.c.blueprint_id,
    "device_id": t.devices.c.device_id,
    "device_name": t.devices.c.name,
    "last_check_in": t.devices.c.last_check_in,
    "model": t.devices.c.model,
    "platform": t.devices.c.platform,
    "os_version": t.devices.c.os_version,
    "serial_number": t.devices.c.serial_number,
    "user": t.users.c.name,
}
_TEXT_KEYS = frozenset(_ORDER_KEYS) - {"blueprint_id", "device_id", "last_check_in"}
assert set(_ORDER_KEYS) == set(DEVICE_ORDERINGS)


def _device_select() -> Select[Any]:
    devices, users = t.devices, t.users
    return select(
        devices, *(c.label(f"{_USER_PREFIX}{c.name}") for c in _rows.USER_COLUMNS)
    ).select_from(devices.outerjoin(users, users.c.uid == devices.c.user_uid))


def _view(row: Any) -> DeviceView:
    has_user = row._mapping[f"{_USER_PREFIX}uid"] is not None
    return DeviceView(_rows.device(row), _rows.user(row, _USER_PREFIX) if has_user else None)
