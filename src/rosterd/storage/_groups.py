"""Queries for directory groups and their members."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Sequence
from datetime import datetime
from typing import Any

from sqlalchemy import (
    Connection,
    Row,
    Select,
    bindparam,
    delete,
    exists,
    func,
    insert,
    select,
    update,
)

from rosterd.core.entities import DirectoryGroup, GroupMember
from rosterd.core.errors import NotFound
from rosterd.core.ports import GroupChanges, GroupQuery, NewGroup
from rosterd.storage import tables as t
from rosterd.storage._directory import chunks


def _select() -> Select[Any]:
    groups, members = t.directory_groups, t.directory_group_members
    # Correlated aggregates: each is an index range scan of one group's members.
    count = (
        select(func.count())
        .select_from(members)
        .where(members.c.group_id == groups.c.id)
        .correlate(groups)
        .scalar_subquery()
        .label("member_count")
    )
    checksum = (
        select(func.coalesce(func.sum(members.c.user_uid), 0))
        .where(members.c.group_id == groups.c.id)
        .correlate(groups)
        .scalar_subquery()
        .label("member_checksum")
    )
    return select(groups, count, checksum)


def _filtered(
    stmt: Select[Any], org_id: int, integration_id: int, query: GroupQuery
) -> Select[Any]:
    groups, members = t.directory_groups, t.directory_group_members
    stmt = stmt.where(groups.c.org_id == org_id, groups.c.integration_id == integration_id)
    if query.uuid is not None:
        stmt = stmt.where(groups.c.uuid == query.uuid)
    if query.display_name_key is not None:
        stmt = stmt.where(groups.c.display_name_key == query.display_name_key)
    if query.external_id is not None:
        stmt = stmt.where(groups.c.external_id == query.external_id)
    if query.member_id is not None:
        member = select(t.users.c.uid).where(
            t.users.c.org_id == org_id, t.users.c.id == query.member_id
        )
        stmt = stmt.where(
            exists().where(
                members.c.group_id == groups.c.id, members.c.user_uid == member.scalar_subquery()
            )
        )
    return stmt


def _group(row: Row[Any], members: Sequence[GroupMember] | None) -> DirectoryGroup:
    m = row._mapping
    return DirectoryGroup(
        id=m["id"],
        uuid=m["uuid"],
        org_id=m["org_id"],
        integration_id=m["integration_id"],
        display_name=m["display_name"],
        external_id=m["external_id"],
        created_at=m["created_at"],
        updated_at=m["updated_at"],
        member_count=int(m["member_count"]),
        member_checksum=int(m["member_checksum"]),
        members=tuple(members) if members is not None else None,
    )


def find_groups(
    conn: Connection,
    org_id: int,
    integration_id: int,
    query: GroupQuery,
    *,
    offset: int = 0,
    limit: int | None = None,
    with_members: bool = True,
    lock: bool = False,
) -> list[DirectoryGroup]:
    groups = t.directory_groups
    stmt = _filtered(_select(), org_id, integration_id, query)
    stmt = stmt.order_by(groups.c.id).offset(offset)
    if limit is not None:
        stmt = stmt.limit(limit)
    if lock:
        stmt = stmt.with_for_update(of=groups)
    rows = conn.execute(stmt).all()
    members = _members(conn, [r._mapping["id"] for r in rows]) if with_members else None
    return [
        _group(r, members.get(r._mapping["id"], []) if members is not None else None) for r in rows
    ]


def _members(conn: Connection, group_ids: Sequence[int]) -> dict[int, list[GroupMember]]:
    members, users = t.directory_group_members, t.users
    found: dict[int, list[GroupMember]] = defaultdict(list)
    for part in chunks(list(group_ids)):
        rows = conn.execute(
            select(members.c.group_id, users.c.id, members.c.user_uid, members.c.display)
            .join(users, users.c.uid == members.c.user_uid)
            .where(members.c.group_id.in_(part))
            .order_by(members.c.group_id, members.c.user_uid)
        )
        for group_id, user_id, uid, display in rows:
            found[group_id].append(GroupMember(user_id, uid, display))
    return found


def count_groups(conn: Connection, org_id: int, integration_id: int, query: GroupQuery) -> int:
    stmt = _filtered(
        select(func.count()).select_from(t.directory_groups), org_id, integration_id, query
    )
    return int(conn.execute(stmt).scalar_one())


def add_group(conn: Connection, group: NewGroup) -> DirectoryGroup:
    groups = t.directory_groups
    group_id = conn.execute(
        insert(groups)
        .values(
            uuid=group.uuid,
            org_id=group.org_id,
            integration_id=group.integration_id,
            display_name=group.display_name,
            display_name_key=group.display_name_key,
            external_id=group.external_id,
            created_at=group.created_at,
            updated_at=group.created_at,
        )
        .returning(groups.c.id)
    ).scalar_one()
    return DirectoryGroup(
        id=group_id,
        uuid=group.uuid,
        org_id=group.org_id,
        integration_id=group.integration_id,
        display_name=group.display_name,
        external_id=group.external_id,
        created_at=group.created_at,
        updated_at=group.created_at,
        member_count=0,
        member_checksum=0,
        members=(),
    )


def update_group(conn: Connection, org_id: int, group_id: int, changes: GroupChanges) -> None:
    groups, members = t.directory_groups, t.directory_group_members
    updated = conn.execute(
        update(groups)
        .where(groups.c.id == group_id, groups.c.org_id == org_id)
        .values(
            display_name=changes.display_name,
            display_name_key=changes.display_name_key,
            external_id=changes.external_id,
            updated_at=changes.updated_at,
        )
    ).rowcount
    if updated == 0:
        raise NotFound(f"No group with id {group_id}")
    if changes.added:
        conn.execute(
            insert(members),
            [{"group_id": group_id, "user_uid": uid, "display": d} for uid, d in changes.added],
        )
    for part in chunks(list(changes.removed)):
        conn.execute(
            delete(members).where(members.c.group_id == group_id, members.c.user_uid.in_(part))
        )
    if changes.relabelled:
        conn.execute(
            update(members)
            .where(members.c.group_id == group_id, members.c.user_uid == bindparam("b_uid"))
            .values(display=bindparam("b_display")),
            [{"b_uid": uid, "b_display": d} for uid, d in changes.relabelled],
        )


def group_members_among(
    conn: Connection, group_id: int, uids: Sequence[int]
) -> dict[int, str | None]:
    """uid → display of those of `uids` that are members of the group."""
    members = t.directory_group_members
    found: dict[int, str | None] = {}
    for part in chunks(list(uids)):
        rows = conn.execute(
            select(members.c.user_uid, members.c.display).where(
                members.c.group_id == group_id, members.c.user_uid.in_(part)
            )
        )
        for uid, display in rows:
            found[uid] = display
    return found


def delete_group(conn: Connection, org_id: int, group_id: int) -> None:
    groups = t.directory_groups
    deleted = conn.execute(
        delete(groups).where(groups.c.id == group_id, groups.c.org_id == org_id)
    ).rowcount
    if deleted == 0:
        raise NotFound(f"No group with id {group_id}")


def leave_groups(conn: Connection, uid: int, now: datetime) -> list[DirectoryGroup]:
    """Take a user out of every group; the groups it left, as they were."""
    groups, members = t.directory_groups, t.directory_group_members
    rows = conn.execute(
        _select()
        .where(exists().where(members.c.group_id == groups.c.id, members.c.user_uid == uid))
        .order_by(groups.c.id)
    ).all()
    left = [_group(r, None) for r in rows]
    if left:
        conn.execute(delete(members).where(members.c.user_uid == uid))
        conn.execute(
            update(groups).where(groups.c.id.in_([g.id for g in left])).values(updated_at=now)
        )
    return left
