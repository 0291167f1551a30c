"""A devices listing's "contains" filters on the device's name or serial number, or on its
user's email or name, answered from trigram indexes (migration 0014 for the devices', 0002 and
0009 for the users'), so that a rare term reads its matches and not every device.

Only for the listing in enrolment order (no `ordering`), a term of a trigram or more, and no
filter that already names a device or a user (those read a few rows by their own indexes). The
ids found are the first `need` matches past the position in the page's order, or a superset of
them; the caller tests every filter again on them, so that the results are the plain LIKE's:

- SQLite, a device's name or serial number: the FTS5 table `devices_fts` in id order (it reads
  its rowids in either direction and stops at the limit). FTS5 folds the case of every letter,
  SQLite's LIKE of ASCII ones only, so FTS5's matches hold the LIKE's, and the filters sort
  them out.
- SQLite, the user's email or name: a walk of `WALK` devices in id order; past it, when it
  found too few, the devices of the users the users' FTS5 table gives (`ix_devices_user_uid`).
- PostgreSQL, a device's name or serial number: the same walk, read from a subquery the
  planner may not merge (else it may read every match from pg_trgm for a term it takes to be
  rare, such as `SN00`, which every serial number holds); past it the planner, given an order
  no index has, reads the matches from the GIN index on lower(name) or lower(serial_number).
  A user's term is left to the planner, which reads it from the users' pg_trgm indexes.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from sqlalchemy import (
    ColumnElement,
    CompoundSelect,
    Connection,
    FromClause,
    Select,
    UnaryExpression,
    column,
    select,
    table,
    text,
)
from sqlalchemy.sql.util import ClauseAdapter

from rosterd.core.ports import DeviceQuery
from rosterd.core.validation import fold
from rosterd.storage import tables as t
from rosterd.storage._walks import fts_match, up_to, walk_bounds, walk_then_index

WALK = 10_000  # device ids a walk covers before an index is asked (the users' walk's length)
_TRIGRAM = 3  # pg_trgm and FTS5's trigram tokenizer answer substrings of three characters on
_DEVICES_FTS = table("devices_fts", column("rowid"))
_USERS_FTS = {
    "email": table("users_email_fts", column("rowid")),
    "name": table("users_name_fts", column("rowid")),
}

Ids = Select[Any] | CompoundSelect[Any]


@dataclass(frozen=True)
class Position:
    """Where a page starts: after the id `key` (or before it, `reverse`); None: at an end."""

    key: int | None = None
    reverse: bool = False

    def past(self, id: ColumnElement[Any], key: int | None = None) -> list[ColumnElement[bool]]:
        """The ids past `key` (the position's own by default) in the page's direction."""
        key = self.key if key is None else key
        if key is None:
            return []
        return [id < key if self.reverse else id > key]

    def order(self, id: ColumnElement[Any]) -> UnaryExpression[Any]:
        return id.desc() if self.reverse else id.asc()


def indexed_ids(
    conn: Connection,
    org_id: int,
    query: DeviceQuery,
    filters: list[ColumnElement[bool]],
    *,
    position: Position,
    need: int,
) -> Ids | None:
    """A set of ids holding the first `need` devices past `position` that pass `filters`
    (the query's), from an index; None when no index answers the query's terms."""
    if query.ordering or _names_a_device_or_user(query):
        return None
    sqlite = conn.dialect.name == "sqlite"
    device_term = _device_term(query)
    if sqlite and device_term is not None:
        return _fts_walk(org_id, filters, device_term, position).limit(need)
    # PostgreSQL's planner already reads a user's term from the users' pg_trgm indexes (0002,
    # 0009) and their devices by `ix_devices_user_uid` (4-8 ms at a million, where a walk
    # first cost 8-14).
    user_term = _user_term(query) if sqlite else None
    if device_term is None and user_term is None:
        return None
    # The walk from the position (or the organization's first device: another organization's
    # are not walked through), to the boundary.
    position, boundary = _walk_range(conn, org_id, position)
    devices = t.devices
    if sqlite:
        walk = (
            _select_ids(devices, filters)
            .where(
                devices.c.org_id == org_id,
                *position.past(devices.c.id),
                *_within(boundary, position),
            )
            .order_by(position.order(devices.c.id))
        )
    else:
        walk = _window_walk(org_id, filters, position, boundary)
    if boundary is None:
        return walk.limit(need)
    index: list[ColumnElement[bool]] = []
    if sqlite and user_term is not None:
        field, term = user_term
        fts = _USERS_FTS[field]
        matching = select(fts.c.rowid).where(fts_match(fts.name, term))
        index.append(devices.c.user_uid.in_(matching))
    # The walk found the term rare. Ordered by an expression no index gives, and the
    # organization and the range tested unindexed (`+ 0`), neither database walks on through
    # every device past the walk: PostgreSQL's planner reads the matches from pg_trgm, SQLite
    # the users' devices from `ix_devices_user_uid`.
    id = devices.c.id + 0
    rest = (
        _select_ids(devices, filters)
        .where(devices.c.org_id + 0 == org_id, *index, *position.past(id, boundary))
        .order_by(position.order(id))
    )
    return walk_then_index(walk, rest, need)


def _names_a_device_or_user(query: DeviceQuery) -> bool:
    """A filter that finds its few devices from an index of its own."""
    return any(
        value is not None
        for value in (query.device_id, query.user_id, query.asset_tag, query.user_email_exact)
    )


def _device_term(query: DeviceQuery) -> tuple[str, str] | None:
    """The device's column and term a trigram index answers (the term as the filter's LIKE
    has it), the name's before the serial number's."""
    for name, term in (
        ("name", query.device_name_contains),
        ("serial_number", query.serial_number_contains),
    ):
        if term and len(term.lower()) >= _TRIGRAM:
            return name, term.lower()
    return None


def _user_term(query: DeviceQuery) -> tuple[str, str] | None:
    """The same for the device's user: their email key's term, or their name's."""
    for name, term in (
        ("email", fold(query.user_email_contains or "")),
        ("name", (query.user_name_contains or "").lower()),
    ):
        if len(term) >= _TRIGRAM:
            return name, term
    return None


def _select_ids(devices: FromClause, filters: list[ColumnElement[bool]]) -> Select[Any]:
    """`devices`' ids (the table or the walk's subquery), joined to their users, that pass
    `filters`."""
    users = t.users
    joined = devices.outerjoin(users, users.c.uid == devices.c.user_uid)
    return select(devices.c.id).select_from(joined).where(*filters).correlate(None)


def _fts_walk(
    org_id: int, filters: list[ColumnElement[bool]], term: tuple[str, str], position: Position
) -> Select[Any]:
    """SQLite: the matches of `devices_fts` in id order, tested against the filters."""
    devices, rowid = t.devices, _DEVICES_FTS.c.rowid
    name, phrase = term
    return (
        select(rowid)
        .select_from(
            _DEVICES_FTS.join(devices, devices.c.id == rowid).outerjoin(
                t.users, t.users.c.uid == devices.c.user_uid
            )
        )
        .where(
            fts_match(_DEVICES_FTS.name, phrase, name),
            # `+` keeps SQLite from walking one of the organization's indexes instead.
            text("+devices.org_id = :org_id").bindparams(org_id=org_id),
            *filters,
            *position.past(rowid),
        )
        .order_by(position.order(rowid))
    )


def _walk_range(conn: Connection, org_id: int, position: Position) -> tuple[Position, int | None]:
    """The walk's start (the position, or just before the organization's first device in the
    page's direction) and its last id: `WALK` ids on, or None when no device of the
    organization lies past that. A bound, not a count, as the users' walk's (_directory.py)."""
    devices = t.devices
    start, last = walk_bounds(
        conn,
        devices.c.id,
        devices.c.org_id == org_id,
        position.key,
        WALK,
        ascending=not position.reverse,
    )
    return Position(start, position.reverse), last


def _within(boundary: int | None, position: Position) -> list[ColumnElement[bool]]:
    """The ids up to the walk's last, in the page's direction."""
    return up_to(t.devices.c.id, boundary, ascending=not position.reverse)


def _window_walk(
    org_id: int, filters: list[ColumnElement[bool]], position: Position, boundary: int | None
) -> Select[Any]:
    """PostgreSQL's walk: the devices of the walk's range in id order, from a subquery the
    planner may not merge (OFFSET 0), tested against the filters outside it."""
    devices = t.devices
    window = (
        select(devices)
        .where(
            devices.c.org_id == org_id, *position.past(devices.c.id), *_within(boundary, position)
        )
        .order_by(position.order(devices.c.id))
        .offset(0)
        .subquery("walk")
    )
    adapter = ClauseAdapter(window, equivalents={})
    return _select_ids(window, [adapter.traverse(f) for f in filters]).order_by(
        position.order(window.c.id)
    )
