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
    Select,
    String,
    TextClause,
    bindparam,
    cast,
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
from rosterd.core.ports import (
    AuditBatch,
    DirectoryMatch,
    DirectoryUserUpdate,
    Keyset,
    NewDirectoryUsers,
    NewUser,
    UserQuery,
)
from rosterd.core.validation import email_key, fold
from rosterd.storage import _bulk, _rows
from rosterd.storage import tables as t
from rosterd.storage._rows import RowLike

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
    return [directory_user(r) for r in rows]


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


# Built once: building the statement costs more than running it (see _statements.py).
DIRECTORY_USER_BY_ID = _directory_user_select().where(
    t.users.c.org_id == bindparam("org_id"), t.users.c.id == bindparam("id")
)


def directory_user(row: RowLike) -> DirectoryUser:
    return DirectoryUser(
        _rows.user(row), _rows.integration(row, "i__"), int(row._mapping["device_count"])
    )


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
_NEW_USER_COLUMNS = (
    "id", "email", "email_key", "name", "department", "job_title", "active", "external_id",
    "org_id", "integration_id", "login_account_group_id", "created_at", "updated_at",
    "email_confirmed", "archived", "last_login",
)  # fmt: skip
_MATCH_COLUMNS = (
    t.users.c.uid,
    cast(t.users.c.id, String),  # text: making a UUID object costs more than the rest of a row
    *(t.users.c[name] for name in DirectoryMatch._fields[2:]),
)


# SQLite's page cache (2 MB by default) for a connection that matches and writes users in bulk:
# the users' indexes on random keys (email, external id, UUID) take about 250 MB at a million
# users, and a page not in the cache is read again, and spilled again, at each insert into it.
BULK_CACHE_KIB = 128 * 1024


def _with_bulk_cache(conn: Connection) -> None:
    if conn.dialect.name == "sqlite":
        conn.exec_driver_sql(f"PRAGMA cache_size = -{BULK_CACHE_KIB}")


def find_directory_matches(
    conn: Connection,
    org_id: int,
    integration_id: int,
    external_ids: Sequence[str],
    email_keys: Sequence[str],
) -> list[DirectoryMatch]:
    _with_bulk_cache(conn)
    users = t.users
    # Each key is looked up in the index that begins with it alone, and the organization is
    # checked on the rows: with org_id in the WHERE clause, both planners (SQLite always,
    # PostgreSQL on statistics older than the import) chose an index that begins with org_id
    # instead, and walked every user of the organization or integration for each batch. An
    # integration is one organization's; an email key is one user's in each organization.
    rows = _rows_matching(
        conn, users.c.external_id, external_ids, users.c.integration_id == integration_id
    )
    found = {row[1]: _match(row) for row in rows if row[0] == org_id}
    # The users found by external id need no second look by their own email key (a re-import
    # matched by external id looks up no email at all).
    known = {m.email_key for m in found.values()}
    wanted = [k for k in dict.fromkeys(email_keys) if k not in known]
    rows = _rows_matching(conn, users.c.email_key, wanted)
    found |= {row[1]: _match(row) for row in rows if row[0] == org_id}
    return list(found.values())


def _rows_matching(
    conn: Connection, column: ColumnElement[str], values: Sequence[str], *scope: Any
) -> list[Sequence[Any]]:
    """(org_id, *_MATCH_COLUMNS) of the users in `scope` whose `column` is one of `values`,
    looked up value by value."""
    if not values:
        return []
    columns = (t.users.c.org_id, *_MATCH_COLUMNS)
    if conn.dialect.name != "postgresql":
        rows: list[Sequence[Any]] = []
        for part in chunks(values):
            rows += conn.execute(select(*columns).where(*scope, column.in_(part))).all()
        return rows
    # A nested loop over the values (OFFSET 0 keeps each lookup a subquery of its own), each an
    # index scan on the key: given `= ANY(array)`, PostgreSQL on statistics older than the
    # import scanned the index on the scope's column alone and filtered every row of the scope
    # (or the email's trigram index).
    wanted = (
        func.unnest(bindparam("wanted", list(values), type_=ARRAY(String)))
        .table_valued("value")
        .render_derived("wanted")
    )
    lookup = select(*columns).where(*scope, column == wanted.c.value).offset(0).lateral("found")
    return list(conn.execute(select(lookup).select_from(wanted).join(lookup, true())).all())


def _match(row: Sequence[Any]) -> DirectoryMatch:
    _, uid, user_id, *rest = row
    return DirectoryMatch(uid, _bulk.uuid_text(user_id), *rest)


def shallow(value: Any) -> dict[str, Any]:
    """A dataclass's fields as a dict; `asdict` deep-copies, which bulk writes cannot afford."""
    return {name: getattr(value, name) for name in value.__dataclass_fields__}


def new_user_values(user: NewUser) -> dict[str, Any]:
    return shallow(user) | {
        "email_key": email_key(user.email),
        "email_confirmed": True,
        "updated_at": user.created_at,
        "last_login": None,
    }


def add_directory_users(conn: Connection, batch: NewDirectoryUsers) -> None:
    if not batch.users:
        return
    _with_bulk_cache(conn)
    users = t.users
    created = _bulk.bound(conn, users.c.created_at, batch.created_at)
    shared = (
        batch.org_id,
        batch.integration_id,
        batch.login_account_group_id,
        created,  # created_at
        created,  # updated_at
        True,  # email_confirmed: the directory vouches for the address
        False,  # archived
        None,  # last_login
    )
    rows = [
        (
            _bulk.uuid_value(conn, u.id),
            u.email,
            email_key(u.email),
            u.name,
            u.department,
            u.job_title,
            u.active,
            u.external_id,
            *shared,
        )
        for u in batch.users
    ]
    try:
        with conn.begin_nested(), _email_index_in_bulk(conn, len(rows)):
            _bulk.insert_rows(conn, users, _NEW_USER_COLUMNS, rows)
    except IntegrityError as exc:
        raise Conflict(
            "A user with one of these emails already exists in the organization",
            [FieldError("email", "DUPLICATE", "an email in this batch is already in use")],
        ) from exc


@contextmanager
def _email_index_in_bulk(conn: Connection, count: int) -> Iterator[None]:
    """SQLite: index the emails of the `count` users inserted inside this block in one
    INSERT … SELECT, instead of by the row trigger.

    The trigger's one-row statements cost as much as the rest of an import. The trigger is
    dropped and created again inside the caller's savepoint: no other connection ever sees it
    missing (SQLite has one writer at a time, and readers see the last commit), and an error
    or a crash rolls the drop back with the rows, so the index is never behind the table.
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
    # New rowids follow the largest one and this transaction holds the write lock: the
    # block's rows are exactly those above it.
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


# What an update may set, in the port's field names (email also sets email_key).
_UPDATE_FIELDS = (
    "email", "name", "department", "job_title", "active", "archived", "integration_id",
    "external_id",
)  # fmt: skip


def update_directory_users(
    conn: Connection, org_id: int, updates: Sequence[DirectoryUserUpdate]
) -> None:
    """The updates, each setting only the fields it changes when it says which: on SQLite an
    UPDATE that sets an indexed column rewrites that index's entry, changed or not (and the
    email search index only for a new key, by migration 0006's trigger)."""
    if not updates:
        return
    groups: dict[frozenset[str] | None, list[DirectoryUserUpdate]] = {}
    for u in updates:
        groups.setdefault(u.changed, []).append(u)
    if len({u.uid for u in updates}) < len(updates):
        # A user matched twice in one batch (by external id, then by email): in order.
        groups = {None: list(updates)}
    for changed, part in groups.items():
        fields = [f for f in _UPDATE_FIELDS if changed is None or f in changed]
        _update_users(conn, org_id, fields, part)


def _update_users(
    conn: Connection, org_id: int, fields: list[str], updates: list[DirectoryUserUpdate]
) -> None:
    columns = [*fields, *(["email_key"] if "email" in fields else []), "updated_at"]
    mark = "?" if conn.dialect.paramstyle == "qmark" else "%s"
    statement = (
        f"UPDATE users SET {', '.join(f'{c} = {mark}' for c in columns)} "  # noqa: S608
        f"WHERE uid = {mark} AND org_id = {mark}"
    )
    when: Any = None
    rows = []
    for u in updates:
        if u.updated_at is not when:  # a batch's updates share their time: convert it once
            when, stamp = u.updated_at, _bulk.bound(conn, t.users.c.updated_at, u.updated_at)
        values = [getattr(u, f) for f in fields]
        if "email" in fields:
            values.append(email_key(u.email))
        rows.append((*values, stamp, u.uid, org_id))
    conn.exec_driver_sql(statement, rows)


def unarchived_integration_uids(
    conn: Connection, org_id: int, integration_id: int
) -> Iterator[int]:
    """The uids of the integration's users that are not archived, in increasing order,
    streamed (PostgreSQL: a server-side cursor)."""
    users = t.users
    rows = conn.execution_options(stream_results=True, yield_per=10_000).execute(
        select(users.c.uid)
        .where(
            users.c.org_id == org_id,
            users.c.integration_id == integration_id,
            users.c.archived.is_(False),
        )
        .order_by(users.c.uid)
    )
    for (uid,) in rows:
        yield uid


def archive_directory_users(
    conn: Connection, org_id: int, uids: Sequence[int], now: datetime
) -> list[str]:
    """Archive these users; the ids (canonical text) of those that exist, in the order of
    `uids`."""
    users = t.users
    ids: dict[int, str] = {}
    for part in chunks(list(uids)):
        found = conn.execute(
            select(users.c.uid, cast(users.c.id, String)).where(
                users.c.org_id == org_id, users.c.uid.in_(part)
            )
        )
        ids |= {uid: _bulk.uuid_text(user_id) for uid, user_id in found}
    archive_users(conn, org_id, uids, now)
    return [ids[uid] for uid in uids if uid in ids]


def archive_users(conn: Connection, org_id: int, uids: Sequence[int], now: datetime) -> None:
    for part in chunks(list(uids)):
        conn.execute(
            update(t.users)
            .where(t.users.c.org_id == org_id, t.users.c.uid.in_(part))
            .values(archived=True, updated_at=now)
        )


_AUDIT_COLUMNS = (
    "id", "action", "target_id", "new_state",
    "org_id", "occurred_at", "actor_type", "actor_id", "request_id", "target_type",
)  # fmt: skip


def add_audit_batch(conn: Connection, batch: AuditBatch) -> None:
    events = t.audit_events
    shared = (
        batch.org_id,
        _bulk.bound(conn, events.c.occurred_at, batch.occurred_at),
        batch.actor_type,
        batch.actor_id,
        batch.request_id,
        batch.target_type,
    )
    json_text = _bulk.json_text
    rows = [
        (event_id, action, target_id, json_text(state), *shared)
        for event_id, action, target_id, state in batch.events
    ]
    _bulk.insert_rows(conn, events, _AUDIT_COLUMNS, rows)
