"""kandji directory: integrations, devices, token endpoint permissions, email search

Revision ID: 0002
Revises: 0001
Create Date: 2026-11-23 20:00:00.000000

Adds directory integrations, devices, Kandji-style endpoint permissions of API tokens, the
users' `external_id`, and the indexes the Kandji listings need: keyset pages by uid within an
integration, audit pages by (occurred_at, id), and an index for "email contains" searches
(SQLite: an FTS5 trigram table kept in step by triggers; PostgreSQL: a pg_trgm GIN index).

SQLite drops a table's triggers when the table is rebuilt: a later migration that rebuilds
`users` (batch mode with recreate) must create the `users_email_fts_*` triggers again.
"""

from __future__ import annotations

import logging
from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op
from sqlalchemy.exc import DBAPIError

import rosterd.storage._types

revision: str = "0002"
down_revision: str | None = "0001"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

log = logging.getLogger("rosterd.migrations")
_ID = sa.BigInteger().with_variant(sa.Integer(), "sqlite")
_TS = rosterd.storage._types.UTCDateTime(timezone=True)


def upgrade() -> None:
    with op.batch_alter_table("users", schema=None) as batch_op:
        batch_op.add_column(sa.Column("external_id", sa.String(length=255), nullable=True))
    op.create_index(
        "ix_users_org_id_integration_id_uid", "users", ["org_id", "integration_id", "uid"]
    )
    op.create_index(
        "ix_users_integration_id_external_id", "users", ["integration_id", "external_id"]
    )
    op.create_index(
        "ix_audit_events_org_id_occurred_at_id", "audit_events", ["org_id", "occurred_at", "id"]
    )
    op.create_index("ix_audit_events_org_id_id", "audit_events", ["org_id", "id"])

    op.create_table(
        "api_token_permissions",
        sa.Column("token_id", _ID, nullable=False),
        sa.Column("path", sa.String(length=255), nullable=False),
        sa.Column("http_method", sa.String(length=16), nullable=False),
        sa.ForeignKeyConstraint(
            ["token_id"],
            ["api_tokens.id"],
            name=op.f("fk_api_token_permissions_token_id_api_tokens"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint(
            "token_id", "path", "http_method", name=op.f("pk_api_token_permissions")
        ),
    )
    op.create_table(
        "integrations",
        sa.Column("id", _ID, autoincrement=True, nullable=False),
        sa.Column("uuid", sa.Uuid(), nullable=False),
        sa.Column("org_id", _ID, nullable=False),
        sa.Column("name", sa.String(length=255), nullable=False),
        sa.Column("type", sa.String(length=32), nullable=False),
        sa.Column("scim_token_hash", sa.String(length=64), nullable=True),
        sa.Column("created_at", _TS, nullable=False),
        sa.ForeignKeyConstraint(
            ["org_id"],
            ["organizations.id"],
            name=op.f("fk_integrations_org_id_organizations"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_integrations")),
        sa.UniqueConstraint("uuid", name=op.f("uq_integrations_uuid")),
        sa.UniqueConstraint("scim_token_hash", name=op.f("uq_integrations_scim_token_hash")),
    )
    op.create_index(op.f("ix_integrations_org_id"), "integrations", ["org_id"])
    op.create_table(
        "devices",
        sa.Column("id", _ID, autoincrement=True, nullable=False),
        sa.Column("device_id", sa.Uuid(), nullable=False),
        sa.Column("org_id", _ID, nullable=False),
        sa.Column("name", sa.String(length=255), nullable=False),
        sa.Column("model", sa.String(length=255), nullable=False),
        sa.Column("serial_number", sa.String(length=64), nullable=False),
        sa.Column("platform", sa.String(length=32), nullable=False),
        sa.Column("os_version", sa.String(length=64), nullable=False),
        sa.Column("supplemental_build_version", sa.String(length=64), nullable=False),
        sa.Column("supplemental_os_version_extra", sa.String(length=64), nullable=False),
        sa.Column("last_check_in", _TS, nullable=True),
        sa.Column("asset_tag", sa.String(length=255), nullable=False),
        sa.Column("blueprint_id", sa.Uuid(), nullable=True),
        sa.Column("blueprint_name", sa.String(length=255), nullable=False),
        sa.Column("mdm_enabled", sa.Boolean(), nullable=False),
        sa.Column("agent_installed", sa.Boolean(), nullable=False),
        sa.Column("is_missing", sa.Boolean(), nullable=False),
        sa.Column("is_removed", sa.Boolean(), nullable=False),
        sa.Column("agent_version", sa.String(length=64), nullable=False),
        sa.Column("first_enrollment", _TS, nullable=True),
        sa.Column("last_enrollment", _TS, nullable=True),
        sa.Column("lost_mode_status", sa.String(length=64), nullable=False),
        sa.Column("tags", sa.JSON(), nullable=False),
        sa.Column("user_uid", _ID, nullable=True),
        sa.Column("created_at", _TS, nullable=False),
        sa.Column("updated_at", _TS, nullable=False),
        sa.ForeignKeyConstraint(
            ["org_id"],
            ["organizations.id"],
            name=op.f("fk_devices_org_id_organizations"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["user_uid"],
            ["users.uid"],
            name=op.f("fk_devices_user_uid_users"),
            ondelete="SET NULL",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_devices")),
        sa.UniqueConstraint("device_id", name=op.f("uq_devices_device_id")),
        sa.UniqueConstraint(
            "org_id", "serial_number", name=op.f("uq_devices_org_id_serial_number")
        ),
    )
    op.create_index(op.f("ix_devices_user_uid"), "devices", ["user_uid"])
    op.create_index("ix_devices_org_id_id", "devices", ["org_id", "id"])
    _email_search_index()


def _email_search_index() -> None:
    bind = op.get_bind()
    if bind.dialect.name == "sqlite":
        for statement in _SQLITE_EMAIL_FTS:
            op.execute(statement)
        return
    if bind.dialect.name == "postgresql":
        try:
            with bind.begin_nested():
                # pg_trgm is a trusted extension: a database owner may create it.
                bind.exec_driver_sql("CREATE EXTENSION IF NOT EXISTS pg_trgm")
        except DBAPIError:
            log.warning(
                "pg_trgm is not available; email searches will scan instead of using an index"
            )
            return
        op.execute(
            "CREATE INDEX ix_users_email_key_trgm ON users USING gin (email_key gin_trgm_ops)"
        )


_SQLITE_EMAIL_FTS = (
    # An external-content FTS5 table over users.email_key (already lower case): the trigram
    # tokenizer answers "contains" queries of three or more characters from the index.
    "CREATE VIRTUAL TABLE users_email_fts USING fts5("
    "email_key, content='users', content_rowid='uid', tokenize='trigram')",
    "CREATE TRIGGER users_email_fts_ai AFTER INSERT ON users BEGIN "
    "INSERT INTO users_email_fts(rowid, email_key) VALUES (new.uid, new.email_key); END",
    "CREATE TRIGGER users_email_fts_ad AFTER DELETE ON users BEGIN "
    "INSERT INTO users_email_fts(users_email_fts, rowid, email_key) "
    "VALUES ('delete', old.uid, old.email_key); END",
    "CREATE TRIGGER users_email_fts_au AFTER UPDATE OF email_key ON users BEGIN "
    "INSERT INTO users_email_fts(users_email_fts, rowid, email_key) "
    "VALUES ('delete', old.uid, old.email_key); "
    "INSERT INTO users_email_fts(rowid, email_key) VALUES (new.uid, new.email_key); END",
    "INSERT INTO users_email_fts(users_email_fts) VALUES ('rebuild')",
)


def downgrade() -> None:
    bind = op.get_bind()
    if bind.dialect.name == "sqlite":
        for name in ("users_email_fts_ai", "users_email_fts_ad", "users_email_fts_au"):
            op.execute(f"DROP TRIGGER IF EXISTS {name}")
        op.execute("DROP TABLE IF EXISTS users_email_fts")
    else:
        op.execute("DROP INDEX IF EXISTS ix_users_email_key_trgm")
    op.drop_index("ix_devices_org_id_id", table_name="devices")
    op.drop_index(op.f("ix_devices_user_uid"), table_name="devices")
    op.drop_table("devices")
    op.drop_index(op.f("ix_integrations_org_id"), table_name="integrations")
    op.drop_table("integrations")
    op.drop_table("api_token_permissions")
    op.drop_index("ix_audit_events_org_id_id", table_name="audit_events")
    op.drop_index("ix_audit_events_org_id_occurred_at_id", table_name="audit_events")
    op.drop_index("ix_users_integration_id_external_id", table_name="users")
    op.drop_index("ix_users_org_id_integration_id_uid", table_name="users")
    with op.batch_alter_table("users", schema=None) as batch_op:
        batch_op.drop_column("external_id")
