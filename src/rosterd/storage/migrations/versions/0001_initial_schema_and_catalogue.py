"""initial schema and catalogue

Revision ID: 0001
Revises:
Create Date: 2026-11-23 19:44:30.895591

Creates every table and seeds the permission catalogue and the three built-in roles.
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

import rosterd.storage._types
from rosterd.core.permissions import BUILTIN_ROLES, CATALOGUE

revision: str = "0001"
down_revision: str | None = None
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "organizations",
        sa.Column(
            "id",
            sa.BigInteger().with_variant(sa.Integer(), "sqlite"),
            autoincrement=True,
            nullable=False,
        ),
        sa.Column("name", sa.String(length=255), nullable=False),
        sa.Column("subdomain", sa.String(length=63), nullable=False),
        sa.Column("rate_limit_per_minute", sa.Integer(), nullable=True),
        sa.Column("created_at", rosterd.storage._types.UTCDateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_organizations")),
        sa.UniqueConstraint("subdomain", name=op.f("uq_organizations_subdomain")),
    )
    op.create_table(
        "permissions",
        sa.Column(
            "permission_id",
            sa.BigInteger().with_variant(sa.Integer(), "sqlite"),
            autoincrement=False,
            nullable=False,
        ),
        sa.Column("code", sa.String(length=64), nullable=False),
        sa.Column("label", sa.String(length=255), nullable=False),
        sa.Column("is_management", sa.Boolean(), nullable=False),
        sa.PrimaryKeyConstraint("permission_id", name=op.f("pk_permissions")),
        sa.UniqueConstraint("code", name=op.f("uq_permissions_code")),
    )
    op.create_table(
        "account_groups",
        sa.Column(
            "aid",
            sa.BigInteger().with_variant(sa.Integer(), "sqlite"),
            autoincrement=True,
            nullable=False,
        ),
        sa.Column("org_id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), nullable=False),
        sa.Column("name", sa.String(length=255), nullable=False),
        sa.Column("is_default", sa.Boolean(), nullable=False),
        sa.ForeignKeyConstraint(
            ["org_id"],
            ["organizations.id"],
            name=op.f("fk_account_groups_org_id_organizations"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("aid", name=op.f("pk_account_groups")),
        sa.UniqueConstraint("org_id", "name", name=op.f("uq_account_groups_org_id_name")),
    )
    with op.batch_alter_table("account_groups", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_account_groups_org_id"), ["org_id"], unique=False)

    op.create_table(
        "audit_events",
        sa.Column("id", sa.String(length=26), nullable=False),
        sa.Column("org_id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), nullable=False),
        sa.Column("occurred_at", rosterd.storage._types.UTCDateTime(timezone=True), nullable=False),
        sa.Column("actor_type", sa.String(length=32), nullable=False),
        sa.Column("actor_id", sa.String(length=64), nullable=True),
        sa.Column("action", sa.String(length=64), nullable=False),
        sa.Column("target_type", sa.String(length=32), nullable=False),
        sa.Column("target_id", sa.String(length=64), nullable=False),
        sa.Column("new_state", sa.JSON(), nullable=True),
        sa.Column("request_id", sa.String(length=64), nullable=True),
        sa.ForeignKeyConstraint(
            ["org_id"],
            ["organizations.id"],
            name=op.f("fk_audit_events_org_id_organizations"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_audit_events")),
    )
    with op.batch_alter_table("audit_events", schema=None) as batch_op:
        batch_op.create_index(
            "ix_audit_events_org_id_occurred_at", ["org_id", "occurred_at"], unique=False
        )

    op.create_table(
        "roles",
        sa.Column(
            "role_id",
            sa.BigInteger().with_variant(sa.Integer(), "sqlite"),
            autoincrement=True,
            nullable=False,
        ),
        sa.Column("org_id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), nullable=True),
        sa.Column("name", sa.String(length=255), nullable=False),
        sa.Column("is_builtin", sa.Boolean(), nullable=False),
        sa.ForeignKeyConstraint(
            ["org_id"],
            ["organizations.id"],
            name=op.f("fk_roles_org_id_organizations"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("role_id", name=op.f("pk_roles")),
        sa.UniqueConstraint("org_id", "name", name=op.f("uq_roles_org_id_name")),
    )
    with op.batch_alter_table("roles", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_roles_org_id"), ["org_id"], unique=False)

    op.create_table(
        "role_permissions",
        sa.Column("role_id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), nullable=False),
        sa.Column(
            "permission_id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), nullable=False
        ),
        sa.ForeignKeyConstraint(
            ["permission_id"],
            ["permissions.permission_id"],
            name=op.f("fk_role_permissions_permission_id_permissions"),
        ),
        sa.ForeignKeyConstraint(
            ["role_id"],
            ["roles.role_id"],
            name=op.f("fk_role_permissions_role_id_roles"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("role_id", "permission_id", name=op.f("pk_role_permissions")),
    )
    op.create_table(
        "users",
        sa.Column(
            "uid",
            sa.BigInteger().with_variant(sa.Integer(), "sqlite"),
            autoincrement=True,
            nullable=False,
        ),
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("org_id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), nullable=False),
        sa.Column("email", sa.String(length=254), nullable=False),
        sa.Column("email_key", sa.String(length=254), nullable=False),
        sa.Column("email_confirmed", sa.Boolean(), nullable=False),
        sa.Column("name", sa.String(length=255), nullable=False),
        sa.Column("active", sa.Boolean(), nullable=False),
        sa.Column("archived", sa.Boolean(), nullable=False),
        sa.Column("department", sa.String(length=255), nullable=False),
        sa.Column("job_title", sa.String(length=255), nullable=False),
        sa.Column(
            "integration_id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), nullable=True
        ),
        sa.Column(
            "login_account_group_id",
            sa.BigInteger().with_variant(sa.Integer(), "sqlite"),
            nullable=True,
        ),
        sa.Column("created_at", rosterd.storage._types.UTCDateTime(timezone=True), nullable=False),
        sa.Column("updated_at", rosterd.storage._types.UTCDateTime(timezone=True), nullable=False),
        sa.Column("last_login", rosterd.storage._types.UTCDateTime(timezone=True), nullable=True),
        sa.ForeignKeyConstraint(
            ["login_account_group_id"],
            ["account_groups.aid"],
            name=op.f("fk_users_login_account_group_id_account_groups"),
            ondelete="SET NULL",
        ),
        sa.ForeignKeyConstraint(
            ["org_id"],
            ["organizations.id"],
            name=op.f("fk_users_org_id_organizations"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("uid", name=op.f("pk_users")),
        sa.UniqueConstraint("id", name=op.f("uq_users_id")),
        sa.UniqueConstraint("org_id", "email_key", name=op.f("uq_users_org_id_email_key")),
    )
    with op.batch_alter_table("users", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_users_email_key"), ["email_key"], unique=False)
        batch_op.create_index("ix_users_org_id_uid", ["org_id", "uid"], unique=False)

    op.create_table(
        "api_tokens",
        sa.Column(
            "id",
            sa.BigInteger().with_variant(sa.Integer(), "sqlite"),
            autoincrement=True,
            nullable=False,
        ),
        sa.Column("org_id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), nullable=False),
        sa.Column("user_uid", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), nullable=False),
        sa.Column("token_hash", sa.String(length=64), nullable=False),
        sa.Column("name", sa.String(length=255), nullable=False),
        sa.Column("created_at", rosterd.storage._types.UTCDateTime(timezone=True), nullable=False),
        sa.Column("revoked_at", rosterd.storage._types.UTCDateTime(timezone=True), nullable=True),
        sa.ForeignKeyConstraint(
            ["org_id"],
            ["organizations.id"],
            name=op.f("fk_api_tokens_org_id_organizations"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["user_uid"],
            ["users.uid"],
            name=op.f("fk_api_tokens_user_uid_users"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_api_tokens")),
        sa.UniqueConstraint("token_hash", name=op.f("uq_api_tokens_token_hash")),
    )
    with op.batch_alter_table("api_tokens", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_api_tokens_user_uid"), ["user_uid"], unique=False)

    op.create_table(
        "user_account_group_roles",
        sa.Column("uid", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), nullable=False),
        sa.Column("aid", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), nullable=False),
        sa.Column("role_id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), nullable=False),
        sa.ForeignKeyConstraint(
            ["aid"],
            ["account_groups.aid"],
            name=op.f("fk_user_account_group_roles_aid_account_groups"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["role_id"],
            ["roles.role_id"],
            name=op.f("fk_user_account_group_roles_role_id_roles"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["uid"],
            ["users.uid"],
            name=op.f("fk_user_account_group_roles_uid_users"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("uid", "aid", "role_id", name=op.f("pk_user_account_group_roles")),
    )
    op.create_table(
        "user_all_account_group_roles",
        sa.Column("uid", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), nullable=False),
        sa.Column("role_id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), nullable=False),
        sa.ForeignKeyConstraint(
            ["role_id"],
            ["roles.role_id"],
            name=op.f("fk_user_all_account_group_roles_role_id_roles"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["uid"],
            ["users.uid"],
            name=op.f("fk_user_all_account_group_roles_uid_users"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("uid", "role_id", name=op.f("pk_user_all_account_group_roles")),
    )
    _seed_catalogue()


def _seed_catalogue() -> None:
    permissions = sa.table(
        "permissions",
        sa.column("permission_id"),
        sa.column("code"),
        sa.column("label"),
        sa.column("is_management"),
    )
    roles = sa.table(
        "roles",
        sa.column("role_id"),
        sa.column("org_id"),
        sa.column("name"),
        sa.column("is_builtin"),
    )
    role_permissions = sa.table(
        "role_permissions", sa.column("role_id"), sa.column("permission_id")
    )
    op.bulk_insert(
        permissions,
        [
            {
                "permission_id": p.permission_id,
                "code": p.code,
                "label": p.label,
                "is_management": p.is_management,
            }
            for p in CATALOGUE
        ],
    )
    op.bulk_insert(
        roles,
        [
            {"role_id": r.role_id, "org_id": None, "name": r.name, "is_builtin": True}
            for r in BUILTIN_ROLES
        ],
    )
    ids = {p.code: p.permission_id for p in CATALOGUE}
    op.bulk_insert(
        role_permissions,
        [
            {"role_id": r.role_id, "permission_id": ids[code]}
            for r in BUILTIN_ROLES
            for code in sorted(r.codes)
        ],
    )
    if op.get_bind().dialect.name == "postgresql":
        # Explicit ids do not advance PostgreSQL sequences; custom roles must come after them.
        op.execute(
            "SELECT setval(pg_get_serial_sequence('roles', 'role_id'), "
            "(SELECT max(role_id) FROM roles))"
        )


def downgrade() -> None:
    op.drop_table("user_all_account_group_roles")
    op.drop_table("user_account_group_roles")
    with op.batch_alter_table("api_tokens", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_api_tokens_user_uid"))

    op.drop_table("api_tokens")
    with op.batch_alter_table("users", schema=None) as batch_op:
        batch_op.drop_index("ix_users_org_id_uid")
        batch_op.drop_index(batch_op.f("ix_users_email_key"))

    op.drop_table("users")
    op.drop_table("role_permissions")
    with op.batch_alter_table("roles", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_roles_org_id"))

    op.drop_table("roles")
    with op.batch_alter_table("audit_events", schema=None) as batch_op:
        batch_op.drop_index("ix_audit_events_org_id_occurred_at")

    op.drop_table("audit_events")
    with op.batch_alter_table("account_groups", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_account_groups_org_id"))

    op.drop_table("account_groups")
    op.drop_table("permissions")
    op.drop_table("organizations")
