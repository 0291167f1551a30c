"""Queries for directory integrations and directory users (the Kandji side of the store)."""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from dataclasses import replace
from datetime import datetime
from typing import Any, TypeVar
from uuid import UUID

from sqlalchemy import (
    ColumnElement,
    CompoundSelect,
    Connection,
    FromClause,
    Select,
    UnaryExpression,
    bindparam,
    case,
    column,
    func,
    insert,
    select,
    table,
    text,
    update,
)
from sqlalchemy.exc import IntegrityError

from rosterd.core.entities import DirectoryUser, Integration, User
from rosterd.core.errors import Conflict, FieldError
from rosterd.core.ports import DirectoryUserUpdate, Keyset, NewUser, UserQuery
from rosterd.core.validation import email_key, fold
from rosterd.storage import _rows
from rosterd.storage import tables as t
from rosterd.storage._rows import RowLike

_Uids = Select[Any] | CompoundSelect[Any]
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

# An email search walks the keyset order testing each user, which fills a page at once when the
# term is common but would read the whole directory when it is rare; so after this many uids
# it asks an index for the rest of the page: PostgreSQL's planner, pg_trgm for a term of a
# trigram or more (which costs what the matches cost)...
_WALK = 10_000
# ...and SQLite, for a term shorter than a trigram, the organization's email keys from their
# index (no index answers such a term; reading all the keys costs about a third of walking all
# the users, so a longer walk is worth trying first). SQLite answers a term of a trigram or
# more from FTS5, in keyset order, without a walk.
_WALK_SQLITE = 50_000
_EMAIL_FTS = table("users_email_fts", column("rowid"))
_KEYS = t.users.alias("keys")  # made once: an alias of every column costs 2 ms to make


def list_directory_users(
    conn: Connection, org_id: int, query: UserQuery, page: Keyset
) -> list[DirectoryUser]:
    users = t.users
    if query.email_contains:
        stmt = _directory_user_select().where(users.c.uid.in_(_search(conn, org_id, query, page)))
    else:
        stmt = _directory_user_select().where(
            users.c.org_id == org_id,
            *_criteria(users, org_id, query),
            *_position(users.c.uid, page),
        )
    rows = conn.execute(
        stmt.order_by(_order(users.c.uid, page)).offset(page.offset).limit(page.limit)
    )
    return [directory_user(r) for r in rows]


def _search(conn: Connection, org_id: int, query: UserQuery, page: Keyset) -> _Uids:
    """A set of uids that holds the page's (the first `offset + limit` matches in keyset order),
    found without collecting every match; the caller orders and cuts it."""
    need = page.offset + page.limit
    if _uses_trigram_index(conn, query):
        return _fts_walk(org_id, query, page).limit(need)
    postgresql = conn.dialect.name == "postgresql"
    boundary = _walk_boundary(conn, org_id, page, _WALK if postgresql else _WALK_SQLITE)
    uid = t.users.c.uid
    within = [] if boundary is None else [uid <= boundary if page.reverse else uid >= boundary]
    if postgresql:
        walk = _window_walk(org_id, query, page, within)
    else:
        walk = _keyset(uid, org_id=org_id, page=page).where(
            *within, *_criteria(t.users, org_id, query)
        )
    if boundary is None:
        return walk.limit(need)
    index = (
        [t.users.c.org_id == org_id, *_criteria(t.users, org_id, query)]
        if postgresql
        else _from_email_keys(org_id, query)
    )
    return _walk_then_index(conn, walk.limit(need), _beyond(uid, boundary, page), index, page, need)


def _walk_boundary(conn: Connection, org_id: int, page: Keyset, walked: int) -> int | None:
    """The last uid of the walk: `walked` uids on from the position; None when no user of the
    organization lies past it. A value, not a subquery, so that the planner plans the index
    for the range it is left; and a bound, not a count of users, so that the walk and the
    index between them cover every uid past the position whatever changes meanwhile
    (PostgreSQL reads each statement afresh)."""
    users = t.users
    # Apart, so that each reads one end of the organization's index.
    ends: list[ColumnElement[Any]] = [
        select(end(users.c.uid)).where(users.c.org_id == org_id).scalar_subquery()
        for end in (func.min, func.max)
    ]
    if conn.dialect.name == "postgresql":
        # And, in the same round trip, plan the page for its own term and bounds: once psycopg
        # has prepared the page's statement, PostgreSQL would settle on one generic plan for
        # every term (a walk through the directory for a rare one). Until the commit.
        ends.append(func.set_config("plan_cache_mode", "force_custom_plan", True))
    low, high, *_ = conn.execute(select(*ends)).one()
    if low is None:
        return None
    if page.reverse:
        boundary = (low - 1 if page.position is None else page.position) + walked
        return boundary if boundary < high else None
    boundary = (high + 1 if page.position is None else page.position) - walked
    return boundary if boundary > low else None


def _walk_then_index(
    conn: Connection,
    walk: Select[Any],
    past_the_walk: ColumnElement[bool],
    index: list[ColumnElement[bool]],
    page: Keyset,
    need: int,
) -> _Uids:
    """The walk's matches and, when they are fewer than `need`, the `need` next ones past the
    walk, found with the `index` filters."""
    users = t.users
    hits = walk.cte("hits")
    walk_answers = select(func.count()).select_from(hits).scalar_subquery() >= need
    # The walk found the term rare here, whatever the planner estimates: on PostgreSQL, ordered
    # by an expression no index gives, the matches past the walk come from pg_trgm (or a scan,
    # for a term too short for it) rather than from walking on through the whole directory, as
    # the planner would without statistics. SQLite's come from the email keys' IN list.
    uid = users.c.uid + 0 if conn.dialect.name == "postgresql" else users.c.uid
    rest = (
        select(users.c.uid)
        .where(past_the_walk, *index)
        .order_by(_order(uid, page))
        # Past a walk that answered, the index is not asked at all: both databases skip a
        # query whose LIMIT is 0 before they start it (SQLite would build the IN list, and
        # PostgreSQL start parallel workers, before checking the same condition in the WHERE).
        .limit(case((walk_answers, 0), else_=need))
    )
    passed = rest.subquery("rest")
    # A LIMIT the union never reaches, which tells PostgreSQL's planner how few uids it holds
    # (else it may merge-join them with every user from the top).
    return select(hits.c.uid).union_all(select(passed.c.uid)).limit(2 * need)


def _keyset(*columns: ColumnElement[Any], org_id: int, page: Keyset) -> Select[Any]:
    """`columns` of the organization's users in the page's order, from its position on."""
    users = t.users
    return (
        select(*columns)
        .where(users.c.org_id == org_id, *_position(users.c.uid, page))
        .order_by(_order(users.c.uid, page))
    )


def _window_walk(
    org_id: int, query: UserQuery, page: Keyset, within: list[ColumnElement[bool]]
) -> Select[Any]:
    """PostgreSQL's walk: the matches among the users of the range in keyset order, read from a
    subquery the planner may not merge (OFFSET 0), so that it walks the range whatever it
    estimates of the term rather than reading every match from pg_trgm."""
    window = (
        _keyset(*_FILTERED_COLUMNS, org_id=org_id, page=page)
        .where(*within)
        .offset(0)
        .subquery("walk")
    )
    return (
        select(window.c.uid)
        .where(*_criteria(window, org_id, query))
        .order_by(_order(window.c.uid, page))
    )


def _from_email_keys(org_id: int, query: UserQuery) -> list[ColumnElement[bool]]:
    """SQLite past the walk: the term tested on the organization's email keys, read from their
    index rather than from the users' rows, then the other filters."""
    matching = select(_KEYS.c.uid).where(_KEYS.c.org_id == org_id, *_contains(_KEYS, query))
    return [
        t.users.c.uid.in_(matching),
        *_criteria(t.users, org_id, replace(query, email_contains=None)),
    ]


def _fts_walk(org_id: int, query: UserQuery, page: Keyset) -> Select[Any]:
    """SQLite, a term of a trigram or more: the trigram index's matches in keyset order (FTS5
    reads its rowids in either direction, and stops at the limit), tested against the query."""
    users, rowid = t.users, _EMAIL_FTS.c.rowid
    term = fold(query.email_contains or "")
    phrase = '"' + term.replace('"', '""') + '"'
    return (
        select(rowid)
        .select_from(_EMAIL_FTS.join(users, users.c.uid == rowid))
        .where(
            text("users_email_fts MATCH :phrase").bindparams(phrase=phrase),
            # `+` keeps SQLite from walking the organization's index instead.
            text("+users.org_id = :org_id").bindparams(org_id=org_id),
            *_criteria(users, org_id, query),
            *_position(rowid, page),
        )
        .order_by(_order(rowid, page))
    )


def _position(uid: ColumnElement[Any], page: Keyset) -> list[ColumnElement[bool]]:
    return [] if page.position is None else [_beyond(uid, page.position, page)]


def _beyond(uid: ColumnElement[Any], position: Any, page: Keyset) -> ColumnElement[bool]:
    """The keyset condition: the uids past `position` in the page's direction."""
    condition: ColumnElement[bool] = uid > position if page.reverse else uid < position
    return condition


def _order(uid: ColumnElement[Any], page: Keyset) -> UnaryExpression[Any]:
    return uid.asc() if page.reverse else uid.desc()


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


# The columns the filters read, for a walk that carries them.
_FILTERED_COLUMNS = (
    t.users.c.uid,
    t.users.c.id,
    t.users.c.archived,
    t.users.c.integration_id,
    t.users.c.email_key,
)


def _criteria(users: FromClause, org_id: int, query: UserQuery) -> list[ColumnElement[bool]]:
    """The query's filters on `users` (the table, or a subquery of its filtered columns); the
    email "contains" as a plain LIKE."""
    columns = users.c
    found: list[ColumnElement[bool]] = []
    if query.id is not None:
        found.append(columns.id == query.id)
    if query.archived is not None:
        found.append(columns.archived == query.archived)
    if query.integration_uuid is not None:
        integration_id = (
            select(t.integrations.c.id)
            .where(
                t.integrations.c.org_id == org_id,
                t.integrations.c.uuid == query.integration_uuid,
            )
            .scalar_subquery()
        )
        found.append(columns.integration_id == integration_id)
    return found + _contains(users, query)


def _contains(users: FromClause, query: UserQuery) -> list[ColumnElement[bool]]:
    if not query.email_contains:
        return []
    term = fold(query.email_contains)  # compared as email keys are made
    return [users.c.email_key.contains(term, autoescape=True)]


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


def find_directory_matches(
    conn: Connection,
    org_id: int,
    integration_id: int,
    external_ids: Sequence[str],
    emails: Sequence[str],
) -> list[User]:
    users = t.users
    found: dict[int, User] = {}
    for part in chunks(list(external_ids)):
        rows = conn.execute(
            select(*_rows.USER_COLUMNS).where(
                users.c.org_id == org_id,
                users.c.integration_id == integration_id,
                users.c.external_id.in_(part),
            )
        )
        found |= {r._mapping["uid"]: _rows.user(r) for r in rows}
    for part in chunks([email_key(e) for e in emails]):
        rows = conn.execute(
            select(*_rows.USER_COLUMNS).where(users.c.org_id == org_id, users.c.email_key.in_(part))
        )
        found |= {r._mapping["uid"]: _rows.user(r) for r in rows}
    return list(found.values())


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


def add_users(conn: Connection, new_users: Sequence[NewUser]) -> None:
    if not new_users:
        return
    values = [new_user_values(u) for u in new_users]
    try:
        with conn.begin_nested():
            conn.execute(insert(t.users), values)
    except IntegrityError as exc:
        raise Conflict(
            "A user with one of these emails already exists in the organization",
            [FieldError("email", "DUPLICATE", "an email in this batch is already in use")],
        ) from exc


def update_directory_users(
    conn: Connection, org_id: int, updates: Sequence[DirectoryUserUpdate]
) -> None:
    if not updates:
        return
    fields = [f for f in DirectoryUserUpdate.__dataclass_fields__ if f != "uid"]
    stmt = (
        update(t.users)
        .where(t.users.c.uid == bindparam("b_uid"), t.users.c.org_id == org_id)
        .values(
            {name: bindparam(f"b_{name}") for name in fields}
            | {"email_key": bindparam("b_email_key")}
        )
    )
    rows = [
        {f"b_{k}": v for k, v in shallow(u).items()} | {"b_email_key": email_key(u.email)}
        for u in updates
    ]
    conn.execute(stmt, rows)


def list_integration_user_ids(
    conn: Connection, org_id: int, integration_id: int
) -> dict[int, UUID]:
    """uid → id of the integration's users that are not archived."""
    rows = conn.execute(
        select(t.users.c.uid, t.users.c.id).where(
            t.users.c.org_id == org_id,
            t.users.c.integration_id == integration_id,
            t.users.c.archived.is_(False),
        )
    )
    return {row.uid: row.id for row in rows}


def archive_users(conn: Connection, org_id: int, uids: Sequence[int], now: datetime) -> None:
    for part in chunks(list(uids)):
        conn.execute(
            update(t.users)
            .where(t.users.c.org_id == org_id, t.users.c.uid.in_(part))
            .values(archived=True, updated_at=now)
        )
