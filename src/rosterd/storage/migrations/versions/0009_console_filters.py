"""console filters: a name search index, and audit indexes for the actor, target and action

Revision ID: 0009
Revises: 0008
Create Date: 2026-12-03 13:30:00.000000

The console searches users by email and name as it is typed, and filters the audit log by who
made a change, what it changed and the action. Names get the index emails have had since 0002
(SQLite: an FTS5 trigram table kept in step by triggers, the update trigger firing only for a
new name, like 0006's; PostgreSQL: a pg_trgm GIN index on lower(name), when pg_trgm is there).
Each audit filter gets an index that gives its events newest first, so a filtered page reads
its own rows and no more; the role assignments get indexes by account group and by role, for
the holders of one too rare to find by walking the directory.

A later batch migration that recreates `users` must create the `users_name_fts_*` triggers
again, as it must 0002's `users_email_fts_*`.
"""

from __future__ import annotations

from collections.abc import Sequence

from alembic import op

revision: str = "0009"
down_revision: str | None = "0008"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

SQLITE_NAME_INSERT_TRIGGER = (
    "CREATE TRIGGER users_name_fts_ai AFTER INSERT ON users BEGIN "
    "INSERT INTO users_name_fts(rowid, name) VALUES (new.uid, new.name); END"
)
_SQLITE_NAME_FTS = (
    "CREATE VIRTUAL TABLE users_name_fts USING fts5("
    "name, content='users', content_rowid='uid', tokenize='trigram')",
    SQLITE_NAME_INSERT_TRIGGER,
    "CREATE TRIGGER users_name_fts_ad AFTER DELETE ON users BEGIN "
    "INSERT INTO users_name_fts(users_name_fts, rowid, name) "
    "VALUES ('delete', old.uid, old.name); END",
    "CREATE TRIGGER users_name_fts_au AFTER UPDATE OF name ON users "
    "WHEN old.name IS NOT new.name BEGIN "
    "INSERT INTO users_name_fts(users_name_fts, rowid, name) "
    "VALUES ('delete', old.uid, old.name); "
    "INSERT INTO users_name_fts(rowid, name) VALUES (new.uid, new.name); END",
    "INSERT INTO users_name_fts(users_name_fts) VALUES ('rebuild')",
)
AUDIT_INDEXES = {
    "ix_audit_events_org_id_target_id_occurred_at_id": [
        "org_id", "target_id", "occurred_at", "id",
    ],
    "ix_audit_events_org_id_actor_occurred_at_id": [
        "org_id", "actor_type", "actor_id", "occurred_at", "id",
    ],
    "ix_audit_events_org_id_action_occurred_at_id": ["org_id", "action", "occurred_at", "id"],
}  # fmt: skip
# The holders of an account group's roles, or of a role, for a filter too rare to walk to.
ROLE_INDEXES = {
    "ix_user_account_group_roles_aid_role_id_uid": (
        "user_account_group_roles", ["aid", "role_id", "uid"],
    ),
    "ix_user_account_group_roles_role_id_uid": ("user_account_group_roles", ["role_id", "uid"]),
    "ix_user_all_account_group_roles_role_id_uid": (
        "user_all_account_group_roles", ["role_id", "uid"],
    ),
}  # fmt: skip


def upgrade() -> None:
    bind = op.get_bind()
    for name, columns in AUDIT_INDEXES.items():
        op.create_index(name, "audit_events", columns)
    for name, (table, columns) in ROLE_INDEXES.items():
        op.create_index(name, table, columns)
    if bind.dialect.name == "sqlite":
        for statement in _SQLITE_NAME_FTS:
            op.execute(statement)
    elif bind.dialect.name == "postgresql" and _has_pg_trgm():
        op.execute("CREATE INDEX ix_users_name_trgm ON users USING gin (lower(name) gin_trgm_ops)")


def _has_pg_trgm() -> bool:
    """0002 created pg_trgm where it could (and warned where it could not)."""
    found = op.get_bind().exec_driver_sql("SELECT 1 FROM pg_extension WHERE extname = 'pg_trgm'")
    return found.first() is not None


def downgrade() -> None:
    bind = op.get_bind()
    if bind.dialect.name == "sqlite":
        for name in ("users_name_fts_ai", "users_name_fts_ad", "users_name_fts_au"):
            op.execute(f"DROP TRIGGER IF EXISTS {name}")
        op.execute("DROP TABLE IF EXISTS users_name_fts")
    else:
        op.execute("DROP INDEX IF EXISTS ix_users_name_trgm")
    for name, (table, _) in ROLE_INDEXES.items():
        op.drop_index(name, table_name=table)
    for name in AUDIT_INDEXES:
        op.drop_index(name, table_name="audit_events")
