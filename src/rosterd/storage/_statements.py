"""The statements every authenticated request runs, built once.

Building a SQLAlchemy statement costs more Python than running it on SQLite; these are built at
import with bind parameters, so a request only binds values (and SQLAlchemy's compiled cache
recognises them at once).
"""

from __future__ import annotations

from sqlalchemy import (
    Insert,
    Table,
    bindparam,
    delete,
    insert,
    null,
    or_,
    select,
    union_all,
    update,
)

from rosterd.storage import _rows
from rosterd.storage import tables as t

FIND_PRINCIPAL = (
    select(
        t.api_tokens.c.id.label("token_id"),
        t.api_tokens.c.created_at.label("token_created_at"),
        *_rows.USER_COLUMNS,
        *(c.label(f"o__{c.name}") for c in _rows.ORG_COLUMNS),
        t.organizations.c.access_version,
    )
    .join(t.users, t.users.c.uid == t.api_tokens.c.user_uid)
    .join(t.organizations, t.organizations.c.id == t.api_tokens.c.org_id)
    .where(
        t.api_tokens.c.token_hash == bindparam("token_hash"),
        t.api_tokens.c.revoked_at.is_(None),
    )
)

# A token's last use (storage/_token_use.py), only ever moved forward: two processes' writes
# may arrive in either order.
RECORD_TOKEN_USE = (
    update(t.api_tokens)
    .where(
        t.api_tokens.c.id == bindparam("token_id"),
        or_(t.api_tokens.c.last_used_at.is_(None), t.api_tokens.c.last_used_at < bindparam("at")),
    )
    .values(last_used_at=bindparam("at"))
)

# A user's tokens, oldest first (the console's user page lists them on every view).
TOKENS_OF_USER = (
    select(t.api_tokens)
    .where(
        t.api_tokens.c.org_id == bindparam("org_id"),
        t.api_tokens.c.user_uid == bindparam("user_uid"),
    )
    .order_by(t.api_tokens.c.id)
)

ACCESS_VERSION = select(t.organizations.c.created_at, t.organizations.c.access_version).where(
    t.organizations.c.id == bindparam("org_id")
)

ACCOUNT_GROUPS_OF_ORG = (
    select(t.account_groups)
    .where(t.account_groups.c.org_id == bindparam("org_id"))
    .order_by(t.account_groups.c.aid)
)

ROLES_OF_ORG = (
    select(t.roles, t.permissions.c.code, t.permissions.c.is_management)
    .outerjoin(t.role_permissions, t.role_permissions.c.role_id == t.roles.c.role_id)
    .outerjoin(t.permissions, t.permissions.c.permission_id == t.role_permissions.c.permission_id)
    .where(or_(t.roles.c.org_id.is_(None), t.roles.c.org_id == bindparam("org_id")))
    .order_by(t.roles.c.role_id)
)

# Both kinds of assignment in one round trip: `aid` is NULL for roles in all account groups.
ROLE_ASSIGNMENTS = union_all(
    select(t.user_account_group_roles.c.aid, t.user_account_group_roles.c.role_id).where(
        t.user_account_group_roles.c.uid == bindparam("uid")
    ),
    select(null().label("aid"), t.user_all_account_group_roles.c.role_id).where(
        t.user_all_account_group_roles.c.uid == bindparam("uid")
    ),
)

USER_BY_UID = select(*_rows.USER_COLUMNS).where(
    t.users.c.uid == bindparam("uid"), t.users.c.org_id == bindparam("org_id")
)
# Concurrent changes to one user queue up behind this row lock (PostgreSQL; SQLite writers are
# serialized by BEGIN IMMEDIATE already).
USER_BY_UID_FOR_UPDATE = USER_BY_UID.with_for_update()

ORGANIZATION_BY_ID = select(*_rows.ORG_COLUMNS).where(t.organizations.c.id == bindparam("org_id"))

INTEGRATION_BY_SCIM_TOKEN = select(*_rows.INTEGRATION_COLUMNS).where(
    t.integrations.c.scim_token_hash == bindparam("token_hash")
)

# One page of an organization's users in uid order, after a uid (-1: from the start).
USERS_AFTER = (
    select(*_rows.USER_COLUMNS)
    .where(t.users.c.org_id == bindparam("org_id"), t.users.c.uid > bindparam("after_uid"))
    .order_by(t.users.c.uid)
    .limit(bindparam("limit"))
)

USER_BY_EMAIL_KEY = select(*_rows.USER_COLUMNS).where(
    t.users.c.org_id == bindparam("org_id"), t.users.c.email_key == bindparam("email_key")
)


def inserting(table: Table, *, numbered_by: str | None = None) -> Insert:
    """An INSERT of every column but the one the database numbers, each a parameter of its
    name and its column's type: a value left out is an error, not a silent default."""
    return insert(table).values(
        {c.key: bindparam(c.key, type_=c.type) for c in table.c if c.key != numbered_by}
    )


# Writes: the values come as parameters, so that each is compiled once (and can be prepared).
INSERT_USER = inserting(t.users, numbered_by="uid").returning(t.users.c.uid)
INSERT_AUDIT_EVENT = inserting(t.audit_events)
INSERT_ACCOUNT_GROUP_ROLE = inserting(t.user_account_group_roles)
INSERT_ALL_ACCOUNT_GROUP_ROLE = inserting(t.user_all_account_group_roles)
DELETE_ACCOUNT_GROUP_ROLES = delete(t.user_account_group_roles).where(
    t.user_account_group_roles.c.uid == bindparam("uid")
)
DELETE_ALL_ACCOUNT_GROUP_ROLES = delete(t.user_all_account_group_roles).where(
    t.user_all_account_group_roles.c.uid == bindparam("uid")
)
