"""bulk import indexes: directory matches by (org_id, integration_id, external_id); SQLite's email
search index is only rewritten when an email key changes

Revision ID: 0006
Revises: 0005
Create Date: 2026-12-01 15:30:00.000000

An import looks users up with `org_id = ? AND integration_id = ? AND external_id IN (...)`, and
SCIM's `externalId eq` filter with the same three columns. With 0002's index on
(integration_id, external_id), both planners preferred (org_id, integration_id, uid), the index
that matches two of the three columns by equality, and walked every user of the integration for
each lookup (0.5 s per 1,000 ids at 1M users). An index on all three columns replaces 0002's:
every query that names the integration also names its organization.

SQLite's trigger that keeps the email search index (0002's `users_email_fts`) in step with
updates fires for every UPDATE that sets email_key, changed or not; it now only rewrites the
index when the key changes. No table is rebuilt, so 0002's other triggers stay in place.
"""

from __future__ import annotations

from collections.abc import Sequence

from alembic import op

revision: str = "0006"
down_revision: str | None = "0005"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

_EMAIL_UPDATE_TRIGGER = (
    "CREATE TRIGGER users_email_fts_au AFTER UPDATE OF email_key ON users {when}BEGIN "
    "INSERT INTO users_email_fts(users_email_fts, rowid, email_key) "
    "VALUES ('delete', old.uid, old.email_key); "
    "INSERT INTO users_email_fts(rowid, email_key) VALUES (new.uid, new.email_key); END"
)
SQLITE_EMAIL_UPDATE_TRIGGER = _EMAIL_UPDATE_TRIGGER.format(
    when="WHEN old.email_key IS NOT new.email_key "
)


def upgrade() -> None:
    op.create_index(
        "ix_users_org_id_integration_id_external_id",
        "users",
        ["org_id", "integration_id", "external_id"],
    )
    op.drop_index("ix_users_integration_id_external_id", table_name="users")
    if op.get_bind().dialect.name == "sqlite":
        op.execute("DROP TRIGGER users_email_fts_au")
        op.execute(SQLITE_EMAIL_UPDATE_TRIGGER)


def downgrade() -> None:
    if op.get_bind().dialect.name == "sqlite":
        op.execute("DROP TRIGGER users_email_fts_au")
        op.execute(_EMAIL_UPDATE_TRIGGER.format(when=""))
    op.create_index(
        "ix_users_integration_id_external_id", "users", ["integration_id", "external_id"]
    )
    op.drop_index("ix_users_org_id_integration_id_external_id", table_name="users")
