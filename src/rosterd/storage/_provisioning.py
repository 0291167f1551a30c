"""Queries for provisioning (SCIM): an integration's users with their SCIM records."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Sequence
from typing import Any
from uuid import UUID

from sqlalchemy import ColumnElement, Connection, Select, and_, delete, exists, func, insert, select

from rosterd.core.entities import GroupRef, ProvisionedUser
from rosterd.core.ports import ProvisionedUserQuery, ScimRecord
from rosterd.storage import _rows
from rosterd.storage import tables as t
from rosterd.storage._directory import chunks


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


def find_provisioned_users(
    conn: Connection,
    org_id: int,
    integration_id: int,
    query: ProvisionedUserQuery,
    *,
    offset: int = 0,
    limit: int | None = None,
    lock: bool = False,
) -> list[ProvisionedUser]:
    users, scim = t.users, t.scim_users
    stmt: Select[Any] = select(
        *_rows.USER_COLUMNS, scim.c.user_name, scim.c.attributes
    ).select_from(users.outerjoin(scim, _scim_join()))
    stmt = _filtered(stmt, org_id, integration_id, query).order_by(users.c.uid).offset(offset)
    if limit is not None:
        stmt = stmt.limit(limit)
    if lock:
        stmt = stmt.with_for_update(of=users)
    rows = conn.execute(stmt).all()
    groups = groups_of(conn, [r._mapping["uid"] for r in rows])
    return [
        ProvisionedUser(
            user=_rows.user(r),
            user_name=r._mapping["user_name"],
            attributes=r._mapping["attributes"],
            groups=tuple(groups.get(r._mapping["uid"], ())),
        )
        for r in rows
    ]


def count_provisioned_users(
    conn: Connection, org_id: int, integration_id: int, query: ProvisionedUserQuery
) -> int:
    stmt = _filtered(select(func.count()).select_from(t.users), org_id, integration_id, query)
    return int(conn.execute(stmt).scalar_one())


def groups_of(conn: Connection, uids: Sequence[int]) -> dict[int, list[GroupRef]]:
    """Each user's groups, oldest first."""
    groups, members = t.directory_groups, t.directory_group_members
    found: dict[int, list[GroupRef]] = defaultdict(list)
    for part in chunks(list(uids)):
        rows = conn.execute(
            select(members.c.user_uid, groups.c.uuid, groups.c.display_name)
            .join(groups, groups.c.id == members.c.group_id)
            .where(members.c.user_uid.in_(part))
            .order_by(groups.c.id)
        )
        for uid, group_id, display_name in rows:
            found[uid].append(GroupRef(group_id, display_name))
    return found


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
