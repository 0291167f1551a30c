"""Queries for provisioning (SCIM): an integration's users with their SCIM records."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterator, Sequence
from typing import Any
from uuid import UUID

from sqlalchemy import (
    ColumnElement,
    Connection,
    Select,
    and_,
    bindparam,
    delete,
    exists,
    func,
    insert,
    select,
)

from rosterd.core.entities import GroupRef, ProvisionedUser
from rosterd.core.ports import ProvisionedUserQuery, ScimRecord
from rosterd.storage import _rows
from rosterd.storage import tables as t
from rosterd.storage._directory import chunks
from rosterd.storage._prepared import PreparedStatements
from rosterd.storage._rows import RowLike


def lock_integration(conn: Connection, integration_id: int) -> None:
    """Queue this transaction behind the integration's other provisioning writes (PostgreSQL; on
    SQLite every writer already waits for the others)."""
    conn.execute(
        select(t.integrations.c.id).where(t.integrations.c.id == integration_id).with_for_update()
    )


def _scim_join() -> ColumnElement[bool]:
    # A record written while the user belonged to another integration no longer applies.
    return and_(
        t.scim_users.c.uid == t.users.c.uid,
        t.scim_users.c.integration_id == t.users.c.integration_id,
    )


def _filtered(
    stmt: Select[Any], org_id: int, integration_id: int, query: ProvisionedUserQuery
) -> Select[Any]:
    users, scim = t.users, t.scim_users
    stmt = stmt.where(users.c.org_id == org_id, users.c.integration_id == integration_id)
    if query.archived is not None:
        stmt = stmt.where(users.c.archived.is_(query.archived))
    if query.id is not None:
        stmt = stmt.where(users.c.id == query.id)
    if query.external_id is not None:
        stmt = stmt.where(users.c.external_id == query.external_id)
    if query.user_name_key is not None:
        # A user without a SCIM record (brought in by an import) goes by its email; both lookups
        # are index lookups, so that a client's `userName eq` never scans the integration.
        recorded = select(scim.c.uid).where(
            scim.c.integration_id == integration_id, scim.c.user_name_key == query.user_name_key
        )
        other = users.alias("other")
        by_email = select(other.c.uid).where(
            other.c.org_id == org_id,
            other.c.email_key == query.user_name_key,
            other.c.integration_id == integration_id,
            ~exists().where(scim.c.uid == other.c.uid, scim.c.integration_id == integration_id),
        )
        stmt = stmt.where(users.c.uid.in_(recorded.union(by_email)))
    return stmt


_USERS_WITH_RECORDS: Select[Any] = select(
    *_rows.USER_COLUMNS, t.scim_users.c.user_name, t.scim_users.c.attributes
).select_from(t.users.outerjoin(t.scim_users, _scim_join()))

# The lookup behind every read and change of one user, built once (building a statement costs
# more than running it): with and without the row lock a change takes.
_ACTIVE_USER_BY_ID = _USERS_WITH_RECORDS.where(
    t.users.c.org_id == bindparam("org_id"),
    t.users.c.integration_id == bindparam("integration_id"),
    t.users.c.archived.is_(False),
    t.users.c.id == bindparam("id"),
)
_ACTIVE_USER_BY_ID_LOCKED = _ACTIVE_USER_BY_ID.with_for_update(of=t.users)


def find_provisioned_users(
    conn: Connection,
    prepared: PreparedStatements,
    org_id: int,
    integration_id: int,
    query: ProvisionedUserQuery,
    *,
    offset: int = 0,
    limit: int | None = None,
    lock: bool = False,
) -> list[ProvisionedUser]:
    if query.id is not None and query == ProvisionedUserQuery(id=query.id) and not offset:
        by_id = _ACTIVE_USER_BY_ID_LOCKED if lock else _ACTIVE_USER_BY_ID
        params = {"org_id": org_id, "integration_id": integration_id, "id": query.id}
        rows: Sequence[RowLike] = list(prepared[by_id].rows(conn, params))
    else:
        rows = conn.execute(
            _search(org_id, integration_id, query, offset=offset, limit=limit, lock=lock)
        ).all()
    groups = groups_of(conn, prepared, [r._mapping["uid"] for r in rows])
    return [
        ProvisionedUser(
            user=_rows.user(r),
            user_name=r._mapping["user_name"],
            attributes=r._mapping["attributes"],
            groups=tuple(groups.get(r._mapping["uid"], ())),
        )
        for r in rows
    ]


def _search(
    org_id: int,
    integration_id: int,
    query: ProvisionedUserQuery,
    *,
    offset: int,
    limit: int | None,
    lock: bool,
) -> Select[Any]:
    stmt = _filtered(_USERS_WITH_RECORDS, org_id, integration_id, query)
    stmt = stmt.order_by(t.users.c.uid).offset(offset)
    if limit is not None:
        stmt = stmt.limit(limit)
    return stmt.with_for_update(of=t.users) if lock else stmt


def count_provisioned_users(
    conn: Connection, org_id: int, integration_id: int, query: ProvisionedUserQuery
) -> int:
    stmt = _filtered(select(func.count()).select_from(t.users), org_id, integration_id, query)
    return int(conn.execute(stmt).scalar_one())


_MEMBERSHIPS = (
    select(
        t.directory_group_members.c.user_uid,
        t.directory_groups.c.uuid,
        t.directory_groups.c.display_name,
    )
    .join(t.directory_groups, t.directory_groups.c.id == t.directory_group_members.c.group_id)
    .order_by(t.directory_groups.c.id)
)
_GROUPS_OF = _MEMBERSHIPS.where(
    t.directory_group_members.c.user_uid.in_(bindparam("uids", expanding=True))
)
# One user's (every read of a single user): a plain parameter, so the statement is prepared.
_GROUPS_OF_ONE = _MEMBERSHIPS.where(t.directory_group_members.c.user_uid == bindparam("uid"))


def groups_of(
    conn: Connection, prepared: PreparedStatements, uids: Sequence[int]
) -> dict[int, list[GroupRef]]:
    """Each user's groups, oldest first."""
    found: dict[int, list[GroupRef]] = defaultdict(list)
    for row in _memberships(conn, prepared, uids):
        m = row._mapping
        found[m["user_uid"]].append(GroupRef(m["uuid"], m["display_name"]))
    return found


def _memberships(
    conn: Connection, prepared: PreparedStatements, uids: Sequence[int]
) -> Iterator[RowLike]:
    if len(uids) == 1:
        yield from prepared[_GROUPS_OF_ONE].rows(conn, {"uid": uids[0]})
        return
    for part in chunks(list(uids)):
        yield from conn.execute(_GROUPS_OF, {"uids": part})


def save_scim_record(conn: Connection, record: ScimRecord) -> None:
    scim = t.scim_users
    conn.execute(delete(scim).where(scim.c.uid == record.uid))
    # The core checked that no user of the integration holds the name: a record still holding it
    # belongs to a user that has left the integration since.
    conn.execute(
        delete(scim).where(
            scim.c.integration_id == record.integration_id,
            scim.c.user_name_key == record.user_name_key,
        )
    )
    conn.execute(
        insert(scim).values(
            uid=record.uid,
            integration_id=record.integration_id,
            user_name=record.user_name,
            user_name_key=record.user_name_key,
            attributes=record.attributes,
        )
    )


def integration_user_uids(
    conn: Connection, org_id: int, integration_id: int, ids: Sequence[UUID]
) -> dict[UUID, int]:
    """id → uid of the integration's users (not archived) among `ids`."""
    users = t.users
    found: dict[UUID, int] = {}
    for part in chunks(list(dict.fromkeys(ids))):
        rows = conn.execute(
            select(users.c.id, users.c.uid).where(
                users.c.org_id == org_id,
                users.c.integration_id == integration_id,
                users.c.archived.is_(False),
                users.c.id.in_(part),
            )
        )
        found |= {row.id: row.uid for row in rows}
    return found
