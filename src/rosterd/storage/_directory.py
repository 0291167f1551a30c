"""Queries for directory integrations and directory users (the Kandji side of the store)."""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from datetime import datetime
from typing import Any, TypeVar
from uuid import UUID

from sqlalchemy import (
    ColumnElement,
    Connection,
    Select,
    TextClause,
    bindparam,
    func,
    insert,
    literal_column,
    select,
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
