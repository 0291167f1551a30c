"""email index on key change: SQLite rewrites a user's email trigrams only for a new key

Revision ID: 0006
Revises: 0005
Create Date: 2026-12-01 15:30:00.000000

SQLite's trigger that keeps the email search index (0002's `users_email_fts`) in step with
updates fired for every UPDATE that sets email_key, changed or not, rewriting the email's
trigrams: an import that updates a million users in bulk sets every key. It now only rewrites
the index when the key changes. No table is rebuilt, so 0002's other triggers stay in place.

The directory matches need no new index: 0002's (integration_id, external_id) and ix_users_
email_key serve them, as long as the lookups name no column that an index on (org_id, ...)
could serve instead (see `storage._directory.find_directory_matches`).
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
    if op.get_bind().dialect.name == "sqlite":
        op.execute("DROP TRIGGER users_email_fts_au")
        op.execute(SQLITE_EMAIL_UPDATE_TRIGGER)


def downgrade() -> None:
    if op.get_bind().dialect.name == "sqlite":
        op.execute("DROP TRIGGER users_email_fts_au")
        op.execute(_EMAIL_UPDATE_TRIGGER.format(when=""))
