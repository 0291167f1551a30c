"""Keyset pages of the audit log."""

from __future__ import annotations

from sqlalchemy import ColumnElement, Connection, and_, or_, select

from rosterd.core.entities import AuditEvent
from rosterd.core.ports import AuditQuery
from rosterd.storage import _rows
from rosterd.storage import tables as t


def page_audit_events(conn: Connection, org_id: int, query: AuditQuery) -> list[AuditEvent]:
    events = t.audit_events
    stmt = select(events).where(events.c.org_id == org_id)
    if query.start is not None:
        stmt = stmt.where(events.c.occurred_at >= query.start)
    if query.end is not None:
        stmt = stmt.where(events.c.occurred_at <= query.end)
    stmt = stmt.where(
        *audit_criteria(query.action, query.actor_type, query.actor_id, query.target_id)
    )
    if query.account_groups is not None:
        made_in = events.c.aid.in_(sorted(query.account_groups))
        stmt = stmt.where(or_(made_in, events.c.aid.is_(None)) if query.unattributed else made_in)
    # Scan upwards for an ascending page, or for the way back from a descending one.
    upwards = query.descending == query.backwards
    if query.after is not None:
        stmt = stmt.where(_beyond(query, upwards=upwards))
    keys = [events.c.id] if query.sort == "id" else [events.c.occurred_at, events.c.id]
    stmt = stmt.order_by(*(k.asc() if upwards else k.desc() for k in keys))
    return [_rows.audit_event(r) for r in conn.execute(stmt.limit(query.limit))]


def _beyond(query: AuditQuery, *, upwards: bool) -> ColumnElement[bool]:
    assert query.after is not None
    occurred_at, event_id = query.after
    events = t.audit_events
    if query.sort == "id":
        return events.c.id > event_id if upwards else events.c.id < event_id
    if upwards:
        return or_(
            events.c.occurred_at > occurred_at,
            and_(events.c.occurred_at == occurred_at, events.c.id > event_id),
        )
    return or_(
        events.c.occurred_at < occurred_at,
        and_(events.c.occurred_at == occurred_at, events.c.id < event_id),
    )


def audit_criteria(
    action: str | None, actor_type: str | None, actor_id: str | None, target_id: str | None
) -> list[ColumnElement[bool]]:
    """The exact filters of an audit read (None: any); an action ending in "." is a prefix
    (`user.` matches every action on users)."""
    events = t.audit_events
    where: list[ColumnElement[bool]] = []
    if action is not None:
        where.append(
            events.c.action.startswith(action, autoescape=True)
            if action.endswith(".")
            else events.c.action == action
        )
    if actor_type is not None:
        where.append(events.c.actor_type == actor_type)
    if actor_id is not None:
        where.append(events.c.actor_id == actor_id)
    if target_id is not None:
        where.append(events.c.target_id == target_id)
    return where
