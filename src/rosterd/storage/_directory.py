"""Queries for directory integrations and directory users (the Kandji side of the store)."""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from datetime import datetime
from typing import Any, TypeVar
from uuid import UUID

from sqlalchemy import (
    ColumnElement,
    Connection,
    Row,
    Select,
    String,
    TextClause,
    bindparam,
    func,
    insert,
    literal_column,
    select,
    text,
    true,
    update,
)
from sqlalchemy.dialects.postgresql import ARRAY
from sqlalchemy.exc import IntegrityError

from rosterd.core.entities import DirectoryUser, Integration, User
from rosterd.core.errors import Conflict, FieldError
from rosterd.core.ports import DirectoryMatch, DirectoryUserUpdate, Keyset, NewUser, UserQuery
from rosterd.core.validation import email_key, fold
from rosterd.storage import _bulk, _rows
from rosterd.storage import tables as t

_CHUNK = 500  # bound parameters per IN list, well under every driver's limit
_T = TypeVar("_T")
# The FTS5 trigram index answers substrings of at least three characters.
_TRIGRAM = 3


def chunks(items: Sequence[_T], size: int = _CHUNK) -> Iterator[Sequence[_T]]:
    for start in range(0, len(items), size):
        yield items[start : start + size]


# integrations


def add_integration(
    conn: Connection,
    *,
    org_id: int,
    uuid: UUID,
    name: str,
    type: str,
    scim_token_hash: str | None,
    now: datetime,
) -> Integration:
    integration_id = conn.execute(
        insert(t.integrations)
        .values(
            uuid=uuid,
            org_id=org_id,
            name=name,
            type=type,
            scim_token_hash=scim_token_hash,
            created_at=now,
        )
        .returning(t.integrations.c.id)
    ).scalar_one()
    return Integration(integration_id, uuid, org_id, name, type, now)


def find_integration(conn: Connection, *where: ColumnElement[bool]) -> Integration | None:
    row = conn.execute(select(*_rows.INTEGRATION_COLUMNS).where(*where)).first()
    return _rows.integration(row) if row else None


def list_integrations(conn: Connection, org_id: int) -> list[Integration]:
    rows = conn.execute(
        select(*_rows.INTEGRATION_COLUMNS)
        .where(t.integrations.c.org_id == org_id)
        .order_by(t.integrations.c.id)
    )
    return [i for i in (_rows.integration(r) for r in rows) if i is not None]


# directory users: listing


def list_directory_users(
    conn: Connection, org_id: int, query: UserQuery, page: Keyset
) -> list[DirectoryUser]:
    users = t.users
    if _uses_trigram_index(conn, query):
        # `+org_id` keeps SQLite from scanning the organization's index: the trigram matches,
        # looked up by rowid, are far fewer rows.
        in_org: ColumnElement[bool] | TextClause = text("+users.org_id = :org_id").bindparams(
            org_id=org_id
        )
    else:
        in_org = users.c.org_id == org_id
    stmt = _filtered(conn, _directory_user_select().where(in_org), org_id, query)
    if page.position is not None:
        stmt = stmt.where(
            users.c.uid > page.position if page.reverse else users.c.uid < page.position
        )
    order = users.c.uid.asc() if page.reverse else users.c.uid.desc()
    rows = conn.execute(stmt.order_by(order).offset(page.offset).limit(page.limit))
    return [
        DirectoryUser(_rows.user(r), _rows.integration(r, "i__"), int(r._mapping["device_count"]))
        for r in rows
    ]


def _directory_user_select() -> Select[Any]:
    users, integrations, devices = t.users, t.integrations, t.devices
    device_count = (
        select(func.count())
        .select_from(devices)
        .where(devices.c.user_uid == users.c.uid)
        .correlate(users)
        .scalar_subquery()
        .label("device_count")
    )
    return select(
        *_rows.USER_COLUMNS,
        *(c.label(f"i__{c.name}") for c in _rows.INTEGRATION_COLUMNS),
        device_count,
    ).select_from(users.outerjoin(integrations, integrations.c.id == users.c.integration_id))


def _filtered(conn: Connection, stmt: Select[Any], org_id: int, query: UserQuery) -> Select[Any]:
    users = t.users
    if query.id is not None:
        stmt = stmt.where(users.c.id == query.id)
    if query.archived is not None:
        stmt = stmt.where(users.c.archived == query.archived)
    if query.integration_uuid is not None:
        integration_id = (
            select(t.integrations.c.id)
            .where(
                t.integrations.c.org_id == org_id,
                t.integrations.c.uuid == query.integration_uuid,
            )
            .scalar_subquery()
        )
        stmt = stmt.where(users.c.integration_id == integration_id)
    if query.email_contains:
        term = fold(query.email_contains)  # compared as email keys are made
        stmt = stmt.where(users.c.email_key.contains(term, autoescape=True))
        if _uses_trigram_index(conn, query):
            # Let the trigram index find the candidates; the LIKE above keeps the match exact.
            # (PostgreSQL's planner uses the pg_trgm index for the LIKE by itself.)
            phrase = '"' + term.replace('"', '""') + '"'
            candidates: Select[Any] = (
                select(literal_column("rowid"))
                .select_from(text("users_email_fts"))
                .where(text("users_email_fts MATCH :phrase").bindparams(phrase=phrase))
            )
            stmt = stmt.where(users.c.uid.in_(candidates))
    return stmt


def _uses_trigram_index(conn: Connection, query: UserQuery) -> bool:
    term = query.email_contains or ""
    return conn.dialect.name == "sqlite" and len(term) >= _TRIGRAM


def get_user_by_id(conn: Connection, org_id: int, id: UUID, *, lock: bool) -> User | None:
    stmt = select(*_rows.USER_COLUMNS).where(t.users.c.id == id, t.users.c.org_id == org_id)
    row = conn.execute(stmt.with_for_update() if lock else stmt).first()
    return _rows.user(row) if row else None


def count_devices_of(conn: Connection, org_id: int, uid: int) -> int:
    return int(
        conn.execute(
            select(func.count())
            .select_from(t.devices)
            .where(t.devices.c.org_id == org_id, t.devices.c.user_uid == uid)
        ).scalar_one()
    )


# directory users: synchronisation

# SQLite keeps the email search index (users_email_fts, migration 0002) in step with the users
# table by triggers, row by row; bulk writes index a batch of new users in one statement.
_FTS_INSERT_TRIGGER = "users_email_fts_ai"
_BULK_INDEX_MIN = 100  # below this many rows, the row trigger costs no more
NEW_USER_COLUMNS = (
    *NewUser.__dataclass_fields__,
    "email_key",
    "email_confirmed",
    "updated_at",
    "last_login",
)
_UPDATE_COLUMNS = tuple(f for f in DirectoryUserUpdate.__dataclass_fields__ if f != "uid")


_MATCH_COLUMNS = tuple(t.users.c[name] for name in DirectoryMatch.__dataclass_fields__)
_MatchRow = Row[Any, *tuple[Any, ...]]


def find_directory_matches(
    conn: Connection,
    org_id: int,
    integration_id: int,
    external_ids: Sequence[str],
    emails: Sequence[str],
) -> list[DirectoryMatch]:
    users = t.users
    # Each key is looked up in its own index alone, and the organization checked on the rows:
    # with org_id in the WHERE clause, the planners (SQLite always, PostgreSQL on statistics
    # older than the import) chose an index that begins with org_id instead, and walked every
    # user of the organization or integration for each batch. An integration is one
    # organization's; an email key is one user's in each organization it is used in.
    rows = _rows_matching(
        conn, users.c.external_id, external_ids, users.c.integration_id == integration_id
    )
    found = {row[1]: DirectoryMatch(*tuple(row)[1:]) for row in rows if row[0] == org_id}
    # The keys of the users found need no second look (a re-import matched by external id
    # looks up no email at all).
    known = {match.email_key for match in found.values()}
    keys = [k for k in dict.fromkeys(email_key(e) for e in emails) if k not in known]
    rows = _rows_matching(conn, users.c.email_key, keys)
    found |= {row[1]: DirectoryMatch(*tuple(row)[1:]) for row in rows if row[0] == org_id}
    return list(found.values())


def _rows_matching(
    conn: Connection,
    column: ColumnElement[str],
    values: Sequence[str],
    *scope: ColumnElement[bool],
) -> list[_MatchRow]:
    """(org_id, *_MATCH_COLUMNS) of the users in `scope` whose `column` is one of `values`,
    looked up value by value."""
    if not values:
        return []
    columns = (t.users.c.org_id, *_MATCH_COLUMNS)
    if conn.dialect.name != "postgresql":
        rows: list[_MatchRow] = []
        for part in chunks(values):
            rows += conn.execute(select(*columns).where(*scope, column.in_(part))).all()
        return rows
    # A nested loop over the values (OFFSET 0 keeps the lookup a subquery of its own), each an
    # index scan on both columns: as an IN list, PostgreSQL on statistics older than the import
    # scans the index on the scope's column alone and filters every row of the scope.
    wanted = (
        func.unnest(bindparam("wanted", list(values), type_=ARRAY(String)))
        .table_valued("value")
        .render_derived("wanted")
    )
    lookup = select(*columns).where(*scope, column == wanted.c.value).offset(0).lateral("found")
    return list(conn.execute(select(lookup).select_from(wanted).join(lookup, true())).all())


def shallow(value: Any) -> dict[str, Any]:
    """A dataclass's fields as a dict; `asdict` deep-copies, which bulk writes cannot afford."""
    return {name: getattr(value, name) for name in value.__dataclass_fields__}


def new_user_values(user: NewUser) -> dict[str, Any]:
    return dict(zip(NEW_USER_COLUMNS, _new_user_row(user), strict=True))


def _new_user_row(user: NewUser) -> tuple[Any, ...]:
    return (
        *(getattr(user, name) for name in NewUser.__dataclass_fields__),
        email_key(user.email),
        True,  # email_confirmed: the directory vouches for it
        user.created_at,  # updated_at
        None,  # last_login
    )


def add_users(conn: Connection, new_users: Sequence[NewUser]) -> None:
    if not new_users:
        return
    rows = [_new_user_row(u) for u in new_users]
    try:
        with conn.begin_nested(), _email_index_in_bulk(conn, len(rows)):
            _bulk.insert_rows(conn, t.users, NEW_USER_COLUMNS, rows)
    except IntegrityError as exc:
        raise Conflict(
            "A user with one of these emails already exists in the organization",
            [FieldError("email", "DUPLICATE", "an email in this batch is already in use")],
        ) from exc


@contextmanager
def _email_index_in_bulk(conn: Connection, count: int) -> Iterator[None]:
    """SQLite: index the emails of the `count` users inserted inside this block in one
    INSERT … SELECT, instead of by the row trigger.

    FTS5 writes the terms of each statement as a segment of their own, and merges segments
    as they pile up: the trigger's one-row statements cost as much as the rest of an import.
    The trigger is dropped and created again inside the caller's savepoint, so no other
    connection ever sees it missing, and an error or a crash rolls the drop back with the rows:
    the index is never behind the table.
    """
    trigger = None
    if conn.dialect.name == "sqlite" and count >= _BULK_INDEX_MIN:
        trigger = conn.exec_driver_sql(
            "SELECT sql FROM sqlite_master WHERE type = 'trigger' AND name = ?",
            (_FTS_INSERT_TRIGGER,),
        ).scalar()
    if trigger is None:
        yield
        return
    # New rowids follow the largest one (uid has no AUTOINCREMENT) and this transaction holds
    # the write lock: the block's rows are exactly those above it.
    last = conn.exec_driver_sql("SELECT coalesce(max(uid), 0) FROM users").scalar_one()
    conn.exec_driver_sql(f"DROP TRIGGER {_FTS_INSERT_TRIGGER}")
    yield
    indexed = conn.exec_driver_sql(
        "INSERT INTO users_email_fts(rowid, email_key) SELECT uid, email_key FROM users "
        "WHERE uid > ?",
        (last,),
    ).rowcount
    conn.exec_driver_sql(trigger)
    if indexed != count:
        raise RuntimeError(f"indexed the emails of {indexed} users, not of the {count} new ones")


def update_directory_users(
    conn: Connection, org_id: int, updates: Sequence[DirectoryUserUpdate]
) -> None:
    if not updates:
        return
    keys = {u.uid: email_key(u.email) for u in updates}
    rekeyed = _changed_email_keys(conn, keys)
    for with_key in (False, True):
        part = [u for u in updates if (u.uid in rekeyed) == with_key]
        if not part:
            continue
        columns = (*_UPDATE_COLUMNS, *(("email_key",) if with_key else ()), "uid", "org_id")
        rows = [
            (
                *(getattr(u, name) for name in _UPDATE_COLUMNS),
                *((keys[u.uid],) if with_key else ()),
                u.uid,
                org_id,
            )
            for u in part
        ]
        _bulk.update_rows(conn, t.users, columns, rows, where=("uid", "org_id"))


def _changed_email_keys(conn: Connection, keys: dict[int, str]) -> set[int]:
    """The uids whose email key changes. SQLite re-indexes a row's email (row by row) whenever
    an UPDATE sets email_key, changed or not; PostgreSQL's index needs no such care."""
    if conn.dialect.name != "sqlite":
        return set(keys)
    current: dict[int, str] = {}
    for part in chunks(list(keys)):
        rows = conn.execute(
            select(t.users.c.uid, t.users.c.email_key).where(t.users.c.uid.in_(part))
        )
        current |= dict(rows.all())
    return {uid for uid, key in keys.items() if current.get(uid) != key}


def unarchived_integration_users(
    conn: Connection, org_id: int, integration_id: int
) -> Iterator[tuple[int, UUID]]:
    """(uid, id) of the integration's users that are not archived, by uid, streamed."""
    users = t.users
    rows = conn.execution_options(stream_results=True, yield_per=10_000).execute(
        select(users.c.uid, users.c.id)
        .where(
            users.c.org_id == org_id,
            users.c.integration_id == integration_id,
            users.c.archived.is_(False),
        )
        .order_by(users.c.uid)
    )
    yield from rows


def archive_users(conn: Connection, org_id: int, uids: Sequence[int], now: datetime) -> None:
    for part in chunks(list(uids)):
        conn.execute(
            update(t.users)
            .where(t.users.c.org_id == org_id, t.users.c.uid.in_(part))
            .values(archived=True, updated_at=now)
        )
