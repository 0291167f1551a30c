"""device search indexes: trigram indexes on a device's name and serial number

Revision ID: 0014
Revises: 0013
Create Date: 2026-12-04 21:45:00.000000

The devices list (`GET /api/v1/devices` and the console's) filters by a device's name and serial
number "contains". With no index a rare term read every device (0.4-1.0 s at a million). They get
the index users' emails and names have (0002, 0009): SQLite, one FTS5 trigram table over both
columns (`devices_fts`), kept in step by triggers (the update trigger firing only for a new name
or serial number), filled from the existing rows; PostgreSQL, a pg_trgm GIN index on each
column's lower case, which the filters' `lower(column) LIKE` uses, when pg_trgm is there.

A later batch migration that recreates `devices` must create the `devices_fts_*` triggers again.
"""

from __future__ import annotations

from collections.abc import Sequence

from alembic import op

revision: str = "0014"
down_revision: str | None = "0013"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

SQLITE_DEVICES_FTS = (
    "CREATE VIRTUAL TABLE devices_fts USING fts5("
    "name, serial_number, content='devices', content_rowid='id', tokenize='trigram')",
    "CREATE TRIGGER devices_fts_ai AFTER INSERT ON devices BEGIN "
    "INSERT INTO devices_fts(rowid, name, serial_number) "
    "VALUES (new.id, new.name, new.serial_number); END",
    "CREATE TRIGGER devices_fts_ad AFTER DELETE ON devices BEGIN "
    "INSERT INTO devices_fts(devices_fts, rowid, name, serial_number) "
    "VALUES ('delete', old.id, old.name, old.serial_number); END",
    "CREATE TRIGGER devices_fts_au AFTER UPDATE OF name, serial_number ON devices "
    "WHEN old.name IS NOT new.name OR old.serial_number IS NOT new.serial_number BEGIN "
    "INSERT INTO devices_fts(devices_fts, rowid, name, serial_number) "
    "VALUES ('delete', old.id, old.name, old.serial_number); "
    "INSERT INTO devices_fts(rowid, name, serial_number) "
    "VALUES (new.id, new.name, new.serial_number); END",
    # The backfill: the devices already there.
    "INSERT INTO devices_fts(devices_fts) VALUES ('rebuild')",
)
POSTGRESQL_INDEXES = {
    "ix_devices_name_trgm": "name",
    "ix_devices_serial_number_trgm": "serial_number",
}


def upgrade() -> None:
    bind = op.get_bind()
    if bind.dialect.name == "sqlite":
        for statement in SQLITE_DEVICES_FTS:
            op.execute(statement)
    elif bind.dialect.name == "postgresql" and _has_pg_trgm():
        for name, column in POSTGRESQL_INDEXES.items():
            op.execute(f"CREATE INDEX {name} ON devices USING gin (lower({column}) gin_trgm_ops)")


def _has_pg_trgm() -> bool:
    """0002 created pg_trgm where it could (and warned where it could not)."""
    found = op.get_bind().exec_driver_sql("SELECT 1 FROM pg_extension WHERE extname = 'pg_trgm'")
    return found.first() is not None


def downgrade() -> None:
    bind = op.get_bind()
    if bind.dialect.name == "sqlite":
        for name in ("devices_fts_ai", "devices_fts_ad", "devices_fts_au"):
            op.execute(f"DROP TRIGGER IF EXISTS {name}")
        op.execute("DROP TABLE IF EXISTS devices_fts")
    else:
        for name in POSTGRESQL_INDEXES:
            op.execute(f"DROP INDEX IF EXISTS {name}")
