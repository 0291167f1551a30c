"""Queries for directory integrations and directory users (the Kandji side of the store)."""

from __future__ import annotations

from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import replace
from datetime import datetime
from functools import cache
from typing import Any, TypeVar
from uuid import UUID
from weakref import WeakKeyDictionary

from sqlalchemy import (
    ColumnElement,
    CompoundSelect,
    Connection,
    Dialect,
    FromClause,
    Integer,
    Select,
    String,
    UnaryExpression,
    and_,
    bindparam,
    cast,
    column,
    exists,
    func,
    insert,
    or_,
    select,
    table,
    text,
    true,
    union,
    union_all,
    update,
)
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
from rosterd.core.shapes import RenderedUser, UserShape
from rosterd.core.validation import email_key, fold
from rosterd.storage import _bulk, _rows
from rosterd.storage import tables as t
from rosterd.storage._blocks import hold_a_transaction, plans_for_own_values
from rosterd.storage._prepared import PreparedStatements
from rosterd.storage._rows import RowLike
from rosterd.storage._shapes import user_json
from rosterd.storage._walks import fts_match, up_to, walk_bounds, walk_then_index

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
# more from FTS5, in keyset order, without a walk. An account group or role filter without a
# search walks `_WALK` on SQLite too: past it the holders' index answers for what the group
# holds, cheaper than 40,000 more uids (a ten-user group's page: 27-31 -> 11 ms at a million).
_WALK_SQLITE = 50_000
_EMAIL_FTS = table("users_email_fts", column("rowid"))
_NAME_FTS = table("users_name_fts", column("rowid"))  # migration 0009
_KEYS = t.users.alias("keys")  # made once: an alias of every column costs 2 ms to make


def list_directory_users(
    conn: Connection, org_id: int, query: UserQuery, page: Keyset
) -> list[DirectoryUser]:
    listing = _listing(conn.dialect)
    if _searched(query):
        rows = conn.execute(_searched_page(DIRECTORY_USER_SELECT, conn, org_id, query, page))
        return [directory_user(r) for r in rows]
    return listing.users(
        _unsearched_rows(listing, DIRECTORY_USER_SELECT, conn, org_id, query, page)
    )


def list_rendered_users(
    conn: Connection, org_id: int, query: UserQuery, page: Keyset, shape: UserShape
) -> list[RenderedUser]:
    """The page `list_directory_users` reads, each user as `shape`'s JSON, written by the
    database (`_shapes.py`)."""
    listing = _listing(conn.dialect)
    selected = listing.rendered_select(shape)
    if _searched(query):
        rows: Sequence[Sequence[Any]] = conn.execute(
            _searched_page(selected, conn, org_id, query, page)
        ).all()
    else:
        rows = _unsearched_rows(listing, selected, conn, org_id, query, page)
    return [RenderedUser(uid, json) for uid, json in rows]


def get_rendered_user(conn: Connection, org_id: int, id: UUID, shape: UserShape) -> str | None:
    listing = _listing(conn.dialect)
    rows = listing.prepared[listing.rendered_by_id(shape)].fetch(conn, {"org_id": org_id, "id": id})
    return str(rows[0][1]) if rows else None


def _searched(query: UserQuery) -> bool:
    # A role filter is searched too: the walk fills a page at once when the account group or
    # role is common, and the holders' index answers the rest when it is rare.
    return bool(query.email_contains or query.text_contains or _by_role(query))


def _searched_page(
    selected: Select[Any], conn: Connection, org_id: int, query: UserQuery, page: Keyset
) -> Select[Any]:
    uid = t.users.c.uid
    return (
        selected.where(uid.in_(_search(conn, org_id, query, page)))
        .order_by(_order(uid, page))
        .offset(page.offset)
        .limit(page.limit)
    )


# Listings without an email search: one statement per shape of the filters, built and compiled
# once per database and run on the driver's cursor (building and executing a statement through
# SQLAlchemy costs about as much as reading a 300-user page).
_LISTINGS: WeakKeyDictionary[Dialect, _Listing] = WeakKeyDictionary()


def _listing(dialect: Dialect) -> _Listing:
    listing = _LISTINGS.get(dialect)
    if listing is None:
        listing = _LISTINGS[dialect] = _Listing(dialect)
    return listing


def _unsearched_rows(
    listing: _Listing,
    selected: Select[Any],
    conn: Connection,
    org_id: int,
    query: UserQuery,
    page: Keyset,
) -> list[Sequence[Any]]:
    integration_id = None
    if query.integration_uuid is not None or query.archived is not None:
        integration_id = _filter_values(conn, org_id, query.integration_uuid)
        if query.integration_uuid is not None and integration_id is None:
            return []  # no such integration in this organization: no user of it
    stmt = _unsearched(
        selected,
        reverse=page.reverse,
        positioned=page.position is not None,
        by_id=query.id is not None,
        by_archived=query.archived is not None,
        by_integration=query.integration_uuid is not None,
    )
    params = {
        "org_id": org_id,
        "position": page.position,
        "id": query.id,
        "archived": query.archived,
        "integration_id": integration_id,
        "offset": page.offset,
        "limit": page.limit,
    }
    return listing.prepared[stmt].fetch(conn, params)


class _Listing:
    """The listing statements prepared for one database, the reader of their users' rows
    (every filter selects the same columns), and the statements of each rendered shape."""

    def __init__(self, dialect: Dialect) -> None:
        self._dialect = dialect.name
        self.prepared = PreparedStatements(dialect)
        self.users = _rows.DirectoryUserReader(self.prepared[DIRECTORY_USER_SELECT].processors)
        # Per shape: the listing's select, and the select of one user by id.
        self._rendered: dict[UserShape, tuple[Select[Any], Select[Any]]] = {}

    def rendered_select(self, shape: UserShape) -> Select[Any]:
        return self._rendered_selects(shape)[0]

    def rendered_by_id(self, shape: UserShape) -> Select[Any]:
        return self._rendered_selects(shape)[1]

    def _rendered_selects(self, shape: UserShape) -> tuple[Select[Any], Select[Any]]:
        found = self._rendered.get(shape)
        if found is None:
            listed = _rendered_user_select(shape, self._dialect)
            by_id = listed.where(
                t.users.c.org_id == bindparam("org_id"), t.users.c.id == bindparam("id")
            )
            found = self._rendered[shape] = (listed, by_id)
        return found


def _filter_values(conn: Connection, org_id: int, integration: UUID | None) -> int | None:
    """The id of the organization's integration of that uuid (None: none asked, or none of
    it), given to the listing as a value: as a subquery its value was unknown to PostgreSQL's
    planner, which then took half of the users to be of it and walked every user newest first
    for a ten-user integration (0.5 s at a million users). In the same round trip PostgreSQL
    is told to plan the listing for its own values until the read ends: a prepared statement's
    generic plan would take an integration or archived filter to match half of the users,
    whatever their statistics say."""
    columns: list[ColumnElement[Any]] = []
    if integration is not None:
        columns.append(_integration_id(org_id, integration))
    if conn.dialect.name == "postgresql":
        columns.append(plans_for_own_values(conn))
    if not columns:
        return None
    row = conn.execute(select(*columns)).one()
    found: int | None = row[0] if integration is not None else None
    return found


@cache
def _unsearched(
    selected: Select[Any],
    *,
    reverse: bool,
    positioned: bool,
    by_id: bool,
    by_archived: bool,
    by_integration: bool,
) -> Select[Any]:
    users = t.users
    where = [users.c.org_id == bindparam("org_id")]
    if by_id:
        where.append(users.c.id == bindparam("id"))
    if by_archived:
        where.append(users.c.archived == bindparam("archived"))
    if by_integration:
        integration_id = bindparam("integration_id", type_=users.c.integration_id.type)
        where.append(users.c.integration_id == integration_id)
    if positioned:
        position = bindparam("position", type_=users.c.uid.type)
        where.append(users.c.uid > position if reverse else users.c.uid < position)
    return (
        selected.where(*where)
        .order_by(users.c.uid.asc() if reverse else users.c.uid.desc())
        .offset(bindparam("offset", type_=Integer))
        .limit(bindparam("limit", type_=Integer))
    )


def _search(conn: Connection, org_id: int, query: UserQuery, page: Keyset) -> _Uids:
    """A set of uids that holds the page's (the first `offset + limit` matches in keyset order),
    found without collecting every match; the caller orders and cuts it."""
    need = page.offset + page.limit
    if _uses_trigram_index(conn, query.text_contains):
        # The email's matches and the name's, each in keyset order up to the page's end.
        rest = replace(query, text_contains=None)
        term = fold(query.text_contains or "")  # the trigram index folds the names' case
        walks = [
            _fts_walk(fts, term, org_id, rest, page).limit(need).subquery()
            for fts in (_EMAIL_FTS, _NAME_FTS)
        ]
        return union(*(select(walk.c.rowid) for walk in walks))
    if _uses_trigram_index(conn, query.email_contains):
        term = fold(query.email_contains or "")
        return _fts_walk(_EMAIL_FTS, term, org_id, query, page).limit(need)
    postgresql = conn.dialect.name == "postgresql"
    searched = bool(query.text_contains or query.email_contains)
    walked = _WALK if postgresql or not searched else _WALK_SQLITE
    boundary = _walk_boundary(conn, org_id, page, walked)
    uid = t.users.c.uid
    if postgresql:
        walk = _window_walk(org_id, query, page, boundary)
    else:
        walk = _keyset(uid, org_id=org_id, page=page).where(
            *up_to(uid, boundary, ascending=page.reverse), *user_criteria(t.users, org_id, query)
        )
    if boundary is None:
        return walk.limit(need)
    index = _past_the_walk(org_id, query, postgresql=postgresql)
    return _walk_then_index(conn, walk, _beyond(uid, boundary, page), index, page, need)


def _walk_boundary(conn: Connection, org_id: int, page: Keyset, walked: int) -> int | None:
    """The last uid of the walk (`walk_bounds`): `walked` uids on from the position; None when
    no user of the organization lies past it. A value, not a subquery, so that the planner
    plans the index for the range it is left."""
    users = t.users
    _, last = walk_bounds(
        conn, users.c.uid, users.c.org_id == org_id, page.position, walked, ascending=page.reverse
    )
    return last


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
    # The walk found the term rare here, whatever the planner estimates: on PostgreSQL, ordered
    # by an expression no index gives, the matches past the walk come from pg_trgm (or a scan,
    # for a term too short for it) rather than from walking on through the whole directory, as
    # the planner would without statistics. SQLite's come from the email keys' IN list.
    uid = users.c.uid + 0 if conn.dialect.name == "postgresql" else users.c.uid
    rest = select(users.c.uid).where(past_the_walk, *index).order_by(_order(uid, page))
    return walk_then_index(walk, rest, need)


def _keyset(*columns: ColumnElement[Any], org_id: int, page: Keyset) -> Select[Any]:
    """`columns` of the organization's users in the page's order, from its position on."""
    users = t.users
    return (
        select(*columns)
        .where(users.c.org_id == org_id, *_position(users.c.uid, page))
        .order_by(_order(users.c.uid, page))
    )


def _window_walk(org_id: int, query: UserQuery, page: Keyset, boundary: int | None) -> Select[Any]:
    """PostgreSQL's walk: the matches among the users of the range in keyset order, read from a
    subquery the planner may not merge (OFFSET 0), so that it walks the range whatever it
    estimates of the term rather than reading every match from pg_trgm. A role filter tests
    the holders within the range only: PostgreSQL hashes the holders it tests against, and
    hashing all of them cost what the account group or role holds (a group of 100,000: 36-94
    ms for the walk alone; within the range, 1 ms)."""

    def in_range(uid: ColumnElement[Any]) -> list[ColumnElement[bool]]:
        return [*_position(uid, page), *up_to(uid, boundary, ascending=page.reverse)]

    window = (
        _keyset(*_FILTERED_COLUMNS, org_id=org_id, page=page)
        .where(*in_range(t.users.c.uid))
        .offset(0)
        .subquery("walk")
    )
    return (
        select(window.c.uid)
        .where(*user_criteria(window, org_id, query, holders_within=in_range))
        .order_by(_order(window.c.uid, page))
    )


def _past_the_walk(org_id: int, query: UserQuery, *, postgresql: bool) -> list[ColumnElement[bool]]:
    """The filters that find the rest of a page past the walk: the holders of the account
    group or role, from their indexes (the walk found them rare; tested as EXISTS, PostgreSQL
    would scan every user past the walk); for an email search SQLite is given the email keys,
    and PostgreSQL's planner chooses its indexes. SQLite has no index for a name shorter than
    a trigram: then the rows are read."""
    criteria = [t.users.c.org_id == org_id, *user_criteria(t.users, org_id, query)]
    searched = bool(query.text_contains or query.email_contains)
    # With a search too, PostgreSQL's trigram indexes may well be the narrower: its planner
    # chooses (given the holders as well, it read every holder's row for a rare term).
    if _by_role(query) and not (postgresql and searched):
        criteria.insert(0, t.users.c.uid.in_(_holders(query)))
    if query.email_contains and not (postgresql or query.text_contains or _by_role(query)):
        return _from_email_keys(org_id, query)
    return criteria


def _by_role(query: UserQuery) -> bool:
    return query.account_group is not None or query.role is not None


def _holders(query: UserQuery) -> CompoundSelect[Any]:
    """The uids holding a role in the query's account group or the query's role (in any
    organization: the caller checks it), from migration 0009's indexes."""
    in_group, in_all = t.user_account_group_roles, t.user_all_account_group_roles
    by_group = select(in_group.c.uid)
    by_all = select(in_all.c.uid)
    if query.account_group is not None:
        by_group = by_group.where(in_group.c.aid == query.account_group)
    if query.role is not None:
        by_group = by_group.where(in_group.c.role_id == query.role)
        by_all = by_all.where(in_all.c.role_id == query.role)
    return union_all(by_group, by_all)


def _from_email_keys(org_id: int, query: UserQuery) -> list[ColumnElement[bool]]:
    """SQLite past the walk: the term tested on the organization's email keys, read from their
    index rather than from the users' rows, then the other filters."""
    matching = select(_KEYS.c.uid).where(_KEYS.c.org_id == org_id, *_contains(_KEYS, query))
    return [
        t.users.c.uid.in_(matching),
        *user_criteria(t.users, org_id, replace(query, email_contains=None)),
    ]


def _fts_walk(fts: Any, term: str, org_id: int, query: UserQuery, page: Keyset) -> Select[Any]:
    """SQLite, a term of a trigram or more: the matches of the trigram index `fts` (the email
    keys' or the names') in keyset order (FTS5 reads its rowids in either direction, and stops
    at the limit), tested against the query."""
    users, rowid = t.users, fts.c.rowid
    return (
        select(rowid)
        .select_from(fts.join(users, users.c.uid == rowid))
        .where(
            fts_match(fts.name, term),
            # `+` keeps SQLite from walking the organization's index instead.
            text("+users.org_id = :org_id").bindparams(org_id=org_id),
            *user_criteria(users, org_id, query),
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


def _device_count() -> ColumnElement[int]:
    users, devices = t.users, t.devices
    return (
        select(func.count())
        .select_from(devices)
        .where(devices.c.user_uid == users.c.uid)
        .correlate(users)
        .scalar_subquery()
    )


_WITH_INTEGRATION = t.users.outerjoin(
    t.integrations, t.integrations.c.id == t.users.c.integration_id
)


def _directory_user_select() -> Select[Any]:
    return select(
        *_rows.USER_COLUMNS,
        *(c.label(f"i__{c.name}") for c in _rows.INTEGRATION_COLUMNS),
        _device_count().label("device_count"),
    ).select_from(_WITH_INTEGRATION)


def _rendered_user_select(shape: UserShape, dialect: str) -> Select[Any]:
    rendered = user_json(shape, _device_count(), dialect)
    return select(t.users.c.uid, rendered.label("json")).select_from(_WITH_INTEGRATION)


# Built once: building the statement costs more than running it (see _statements.py).
DIRECTORY_USER_SELECT = _directory_user_select()
DIRECTORY_USER_BY_ID = DIRECTORY_USER_SELECT.where(
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
    t.users.c.name,
)


UidRange = Callable[[ColumnElement[Any]], list[ColumnElement[bool]]]


def _any_uid(uid: ColumnElement[Any]) -> list[ColumnElement[bool]]:
    return []


def user_criteria(
    users: FromClause, org_id: int, query: UserQuery, *, holders_within: UidRange = _any_uid
) -> list[ColumnElement[bool]]:
    """The query's filters on `users` (the table, or a subquery of its filtered columns); the
    email "contains" as a plain LIKE; a role filter's holders tested within
    `holders_within(uid)` of a role assignment's uid (where the caller's users are)."""
    columns = users.c
    found: list[ColumnElement[bool]] = []
    if query.id is not None:
        found.append(columns.id == query.id)
    if query.archived is not None:
        found.append(columns.archived == query.archived)
    if query.integration_uuid is not None:
        found.append(columns.integration_id == _integration_id(org_id, query.integration_uuid))
    if query.account_group is not None or query.role is not None:
        aid, role_id = query.account_group, query.role
        holds = _holds_role(columns.uid, org_id, aid=aid, role_id=role_id, within=holders_within)
        found.append(holds)
    return found + _contains(users, query)


def _holds_role(
    uid: ColumnElement[Any],
    org_id: Any,
    *,
    aid: Any | None,
    role_id: Any | None,
    within: UidRange = _any_uid,
) -> ColumnElement[bool]:
    """The user holds a role in the account group `aid` (a role in all account groups counts
    in each), or the role `role_id` (in some account group or in all), or that role in that
    group: looked up by uid (the roles' primary keys), so a keyset page stops at its limit.
    The account group and the role must be the organization's (or a built-in role): a role in
    all account groups would otherwise match another organization's aid."""
    in_group, in_all = t.user_account_group_roles, t.user_all_account_group_roles
    groups, roles = t.account_groups, t.roles
    ours: list[ColumnElement[bool]] = []
    held_in_group = [in_group.c.uid == uid, *within(in_group.c.uid)]
    held_in_all = [in_all.c.uid == uid, *within(in_all.c.uid)]
    if aid is not None:
        ours.append(exists().where(groups.c.aid == aid, groups.c.org_id == org_id))
        held_in_group.append(in_group.c.aid == aid)
    if role_id is not None:
        ours.append(
            exists().where(
                roles.c.role_id == role_id, or_(roles.c.org_id == org_id, roles.c.org_id.is_(None))
            )
        )
        held_in_group.append(in_group.c.role_id == role_id)
        held_in_all.append(in_all.c.role_id == role_id)
    return and_(*ours, or_(exists().where(*held_in_group), exists().where(*held_in_all)))


def _integration_id(org_id: Any, uuid: Any) -> ColumnElement[Any]:
    """The id of the organization's integration of that uuid (none when it has none)."""
    integrations = t.integrations
    return (
        select(integrations.c.id)
        .where(integrations.c.org_id == org_id, integrations.c.uuid == uuid)
        .scalar_subquery()
    )


def _contains(users: FromClause, query: UserQuery) -> list[ColumnElement[bool]]:
    found: list[ColumnElement[bool]] = []
    if query.email_contains:
        term = fold(query.email_contains)  # compared as email keys are made
        found.append(users.c.email_key.contains(term, autoescape=True))
    if query.text_contains:
        term = fold(query.text_contains)
        # lower(name): PostgreSQL's trigram index on names (migration 0009) is on it.
        found.append(
            or_(
                users.c.email_key.contains(term, autoescape=True),
                func.lower(users.c.name).contains(term, autoescape=True),
            )
        )
    return found


def _uses_trigram_index(conn: Connection, term: str | None) -> bool:
    return conn.dialect.name == "sqlite" and len(term or "") >= _TRIGRAM


def get_user_by_id(conn: Connection, org_id: int, id: UUID, *, lock: bool) -> User | None:
    stmt = select(*_rows.USER_COLUMNS).where(t.users.c.id == id, t.users.c.org_id == org_id)
    row = conn.execute(stmt.with_for_update() if lock else stmt).first()
    return _rows.user(row) if row else None


def count_devices_of(conn: Connection, org_id: int, uid: int) -> int:
    in_org: ColumnElement[bool] = t.devices.c.org_id == org_id
    if conn.dialect.name == "sqlite":
        # Unindexed (`+ 0`): without statistics SQLite counted them by reading every device of
        # the organization from an index of theirs, rather than the user's few from
        # `ix_devices_user_uid` (0.3 s on each user's page at a million devices).
        in_org = t.devices.c.org_id + 0 == org_id
    return int(
        conn.execute(
            select(func.count()).select_from(t.devices).where(in_org, t.devices.c.user_uid == uid)
        ).scalar_one()
    )


# directory users: synchronisation

# SQLite keeps the search indexes (users_email_fts, migration 0002; users_name_fts, 0009) in
# step with the users table by triggers, row by row; bulk writes index a batch of new users in
# one statement per index.
# Migration 0009 adds the names' (users_name_fts): each insert trigger, its index and column.
_FTS_INSERT_TRIGGERS = {
    "users_email_fts_ai": ("users_email_fts", "email_key"),
    "users_name_fts_ai": ("users_name_fts", "name"),
}
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
    # matched by external id looks up no email at all). SQLite's only index on email keys is the
    # unique (org_id, email_key) (migration 0010), which it always picks for both.
    known = {m.email_key for m in found.values()}
    wanted = [k for k in dict.fromkeys(email_keys) if k not in known]
    scope = [users.c.org_id == org_id] if conn.dialect.name == "sqlite" else []
    rows = _rows_matching(conn, users.c.email_key, wanted, *scope)
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
    from sqlalchemy.dialects.postgresql import ARRAY  # loaded with the driver; not on SQLite

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
    """SQLite: index the emails and names of the `count` users inserted inside this block in
    one INSERT … SELECT per search index, instead of by the row triggers.

    The triggers' one-row statements cost as much as the rest of an import. The triggers are
    dropped and created again inside the caller's savepoint: no other connection ever sees them
    missing (SQLite has one writer at a time, and readers see the last commit), and an error
    or a crash rolls the drop back with the rows, so no index is ever behind the table.
    """
    triggers: dict[str, str] = {}
    if conn.dialect.name == "sqlite" and count >= _BULK_INDEX_MIN:
        triggers = dict(
            conn.exec_driver_sql(
                "SELECT name, sql FROM sqlite_master WHERE type = 'trigger' AND name IN (?, ?)",
                tuple(_FTS_INSERT_TRIGGERS),
            ).all()
        )
    if not triggers:
        yield
        return
    # New rowids follow the largest one and this transaction holds the write lock: the
    # block's rows are exactly those above it.
    last = conn.exec_driver_sql("SELECT coalesce(max(uid), 0) FROM users").scalar_one()
    for name in triggers:
        conn.exec_driver_sql(f"DROP TRIGGER {name}")
    yield
    for name, sql in triggers.items():
        index, indexed_column = _FTS_INSERT_TRIGGERS[name]
        indexed = conn.exec_driver_sql(
            f"INSERT INTO {index}(rowid, {indexed_column}) "  # noqa: S608 (names above)
            f"SELECT uid, {indexed_column} FROM users WHERE uid > ?",
            (last,),
        ).rowcount
        conn.exec_driver_sql(sql)
        if indexed != count:
            raise RuntimeError(f"{index} indexed {indexed} users, not the {count} new ones")


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
    in_order = len({u.uid for u in updates}) < len(updates)
    if in_order:
        # A user matched twice in one batch (by external id, then by email): in order.
        groups = {None: list(updates)}
    for changed, part in groups.items():
        fields = [f for f in _UPDATE_FIELDS if changed is None or f in changed]
        columns = [*fields, *(["email_key"] if "email" in fields else []), "updated_at"]
        rows = _update_rows(conn, fields, part)
        if conn.dialect.name == "postgresql" and not in_order:
            _update_users_from_arrays(conn, org_id, columns, rows)
        else:
            _update_users(conn, org_id, columns, rows)


def _update_rows(
    conn: Connection, fields: list[str], updates: list[DirectoryUserUpdate]
) -> list[tuple[Any, ...]]:
    """(*the fields' values, the email key when the email is set, updated_at, uid)."""
    when: Any = None
    rows = []
    for u in updates:
        if u.updated_at is not when:  # a batch's updates share their time: convert it once
            when, stamp = u.updated_at, _bulk.bound(conn, t.users.c.updated_at, u.updated_at)
        values = [getattr(u, f) for f in fields]
        if "email" in fields:
            values.append(email_key(u.email))
        rows.append((*values, stamp, u.uid))
    return rows


def _update_users(
    conn: Connection, org_id: int, columns: list[str], rows: list[tuple[Any, ...]]
) -> None:
    """One UPDATE a user (SQLite, or users to update in order)."""
    mark = "?" if conn.dialect.paramstyle == "qmark" else "%s"
    statement = (
        f"UPDATE users SET {', '.join(f'{c} = {mark}' for c in columns)} "  # noqa: S608
        f"WHERE uid = {mark} AND org_id = {mark}"
    )
    conn.exec_driver_sql(statement, [(*row, org_id) for row in rows])


# PostgreSQL: users updated per statement from arrays. Few enough that, whatever its statistics,
# the planner finds each by its primary key rather than reading the table for a hash join (it
# estimates the table's size from its pages, which are never stale).
_ARRAY_UPDATE_ROWS = 1000


def _update_users_from_arrays(
    conn: Connection, org_id: int, columns: list[str], rows: list[tuple[Any, ...]]
) -> None:
    """PostgreSQL: one `UPDATE … FROM unnest(arrays)` per `_ARRAY_UPDATE_ROWS` users instead of
    a statement a user, whose parse, plan and round of executor start-up cost the server more
    than the row's own update. The values are cast to the columns' types as an assignment
    casts them (text to the String columns: an explicit cast to varchar(n) would cut a value
    that the assignment refuses)."""
    names = [*columns, "uid"]
    types = [_array_type(conn, name) for name in names]
    values = ", ".join(f"%s::{kind}[]" for kind in types)
    statement = (
        f"UPDATE users SET {', '.join(f'{c} = new.{c}' for c in columns)} "  # noqa: S608
        f"FROM unnest({values}) AS new({', '.join(names)}) "
        # `+ 0`: the organization is checked on the row found by uid, never looked up in an
        # index that begins with it (which the planner, on statistics older than the
        # organization's users, would walk).
        "WHERE users.uid = new.uid AND users.org_id + 0 = %s"
    )
    for part in chunks(rows, _ARRAY_UPDATE_ROWS):
        conn.exec_driver_sql(statement, (*(list(c) for c in zip(*part, strict=True)), org_id))


def _array_type(conn: Connection, name: str) -> str:
    kind = t.users.c[name].type
    return "text" if isinstance(kind, String) else str(kind.compile(dialect=conn.dialect))


def unarchived_integration_uids(
    conn: Connection, org_id: int, integration_id: int
) -> Iterator[int]:
    """The uids of the integration's users that are not archived, in increasing order,
    streamed (PostgreSQL: a server-side cursor)."""
    users = t.users
    hold_a_transaction(conn)  # a server-side cursor lives in a transaction block
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
