"""Rows to core entities."""

from __future__ import annotations

from typing import Any

from sqlalchemy import Row

from rosterd.core.entities import (
    AccountGroup,
    ApiToken,
    AuditEvent,
    Organization,
    Permission,
    User,
)
from rosterd.storage import tables as t

USER_COLUMNS = (
    t.users.c.uid,
    t.users.c.id,
    t.users.c.org_id,
    t.users.c.email,
    t.users.c.name,
    t.users.c.active,
    t.users.c.archived,
    t.users.c.department,
    t.users.c.job_title,
    t.users.c.integration_id,
    t.users.c.login_account_group_id,
    t.users.c.email_confirmed,
    t.users.c.created_at,
    t.users.c.updated_at,
    t.users.c.last_login,
)
ORG_COLUMNS = (
    t.organizations.c.id,
    t.organizations.c.name,
    t.organizations.c.subdomain,
    t.organizations.c.rate_limit_per_minute,
    t.organizations.c.created_at,
)


def user(row: Row[Any, *tuple[Any, ...]]) -> User:
    m = row._mapping
    return User(
        uid=m["uid"],
        id=m["id"],
        org_id=m["org_id"],
        email=m["email"],
        name=m["name"],
        active=m["active"],
        archived=m["archived"],
        department=m["department"],
        job_title=m["job_title"],
        integration_id=m["integration_id"],
        login_account_group_id=m["login_account_group_id"],
        email_confirmed=m["email_confirmed"],
        created_at=m["created_at"],
        updated_at=m["updated_at"],
        last_login=m["last_login"],
    )


def organization(row: Row[Any, *tuple[Any, ...]], prefix: str = "") -> Organization:
    m = row._mapping
    return Organization(
        id=m[f"{prefix}id"],
        name=m[f"{prefix}name"],
        subdomain=m[f"{prefix}subdomain"],
        rate_limit_per_minute=m[f"{prefix}rate_limit_per_minute"],
        created_at=m[f"{prefix}created_at"],
    )


def account_group(row: Row[Any, *tuple[Any, ...]]) -> AccountGroup:
    m = row._mapping
    return AccountGroup(
        aid=m["aid"], org_id=m["org_id"], name=m["name"], is_default=m["is_default"]
    )


def permission(row: Row[Any, *tuple[Any, ...]]) -> Permission:
    m = row._mapping
    return Permission(
        permission_id=m["permission_id"],
        code=m["code"],
        label=m["label"],
        is_management=m["is_management"],
    )


def api_token(row: Row[Any, *tuple[Any, ...]]) -> ApiToken:
    m = row._mapping
    return ApiToken(
        id=m["id"],
        org_id=m["org_id"],
        user_uid=m["user_uid"],
        name=m["name"],
        created_at=m["created_at"],
        revoked_at=m["revoked_at"],
    )


def audit_event(row: Row[Any, *tuple[Any, ...]]) -> AuditEvent:
    m = row._mapping
    return AuditEvent(
        id=m["id"],
        org_id=m["org_id"],
        occurred_at=m["occurred_at"],
        actor_type=m["actor_type"],
        actor_id=m["actor_id"],
        action=m["action"],
        target_type=m["target_type"],
        target_id=m["target_id"],
        new_state=m["new_state"],
        request_id=m["request_id"],
    )
