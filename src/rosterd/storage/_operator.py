"""Reads for the operator's command line: organizations, filtered users and audit events."""

from __future__ import annotations

from sqlalchemy import ColumnElement, Connection, select

from rosterd.core.entities import AuditEvent, DirectoryUser, Organization
from rosterd.core.ports import OperatorAuditQuery, OperatorUserQuery, UserQuery
from rosterd.storage import _rows
from rosterd.storage import tables as t
from rosterd.storage._audit import audit_criteria
from rosterd.storage._directory import DIRECTORY_USER_SELECT, directory_user, user_criteria


def list_organizations(conn: Connection) -> list[Organization]:
    rows = conn.execute(select(*_rows.ORG_COLUMNS).order_by(t.organizations.c.id))
    return [_rows.organization(r) for r in rows]


def find_users(conn: Connection, org_id: int, query: OperatorUserQuery) -> list[DirectoryUser]:
    users = t.users
    where = [
        users.c.org_id == org_id,
        *user_criteria(
            users,
            org_id,
            UserQuery(
                email_contains=query.email_contains,
                integration_uuid=query.integration_uuid,
                archived=query.archived,
                account_group=query.account_group,
            ),
        ),
    ]
    if query.after_uid is not None:
        where.append(users.c.uid > query.after_uid)
    stmt = DIRECTORY_USER_SELECT.where(*where).order_by(users.c.uid).limit(query.limit)
    return [directory_user(r) for r in conn.execute(stmt)]


def find_audit_events(conn: Connection, org_id: int, query: OperatorAuditQuery) -> list[AuditEvent]:
    events = t.audit_events
    where: list[ColumnElement[bool]] = [
        events.c.org_id == org_id,
        *audit_criteria(query.action, query.actor_type, query.actor_id, query.target_id),
    ]
    if query.since is not None:
        where.append(events.c.occurred_at >= query.since)
    stmt = (
        select(events)
        .where(*where)
        .order_by(events.c.occurred_at.desc(), events.c.id.desc())
        .limit(query.limit)
    )
    return [_rows.audit_event(r) for r in conn.execute(stmt)]
