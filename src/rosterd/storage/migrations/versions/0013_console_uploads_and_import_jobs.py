"""console uploads and import jobs: the console's import files and their imports, in the database

Revision ID: 0013
Revises: 0012
Create Date: 2026-12-04 19:10:00.000000

The console's import kept its uploaded file in a temporary directory of one process and ran the
import in a thread of that process, so another worker (or host) could not show it. Now the file
is kept here in chunks of 1 MiB (`console_upload_chunks`, streamed in and out), with its owner
(the session that sent it), its dry run and its expiry (`console_uploads`), and its import's
state, progress, report and heartbeat (`console_import_jobs`); core/import_jobs.py has the rules.
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

import rosterd.storage._types

revision: str = "0013"
down_revision: str | None = "0012"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

_ID = sa.BigInteger().with_variant(sa.Integer(), "sqlite")
_TS = rosterd.storage._types.UTCDateTime(timezone=True)


def _of_upload(table: str) -> sa.ForeignKeyConstraint:
    return sa.ForeignKeyConstraint(
        ["upload_id"],
        ["console_uploads.id"],
        name=op.f(f"fk_{table}_upload_id_console_uploads"),
        ondelete="CASCADE",
    )


def upgrade() -> None:
    op.create_table(
        "console_uploads",
        sa.Column("id", sa.String(length=32), nullable=False),
        sa.Column("owner", sa.String(length=64), nullable=False),
        sa.Column("org_id", _ID, nullable=False),
        sa.Column("integration_id", _ID, nullable=False),
        sa.Column("filename", sa.String(length=100), nullable=False),
        sa.Column("format", sa.String(length=8), nullable=True),
        sa.Column("full_sync", sa.Boolean(), nullable=False),
        sa.Column("size", sa.BigInteger(), nullable=False),
        sa.Column("chunks", sa.Integer(), nullable=False),
        sa.Column("total", sa.BigInteger(), nullable=False),
        sa.Column("plan", sa.JSON(), nullable=True),
        sa.Column("created_at", _TS, nullable=False),
        sa.Column("seen_at", _TS, nullable=False),
        sa.Column("expires_at", _TS, nullable=False),
        sa.ForeignKeyConstraint(
            ["org_id"],
            ["organizations.id"],
            name=op.f("fk_console_uploads_org_id_organizations"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["integration_id"],
            ["integrations.id"],
            name=op.f("fk_console_uploads_integration_id_integrations"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_console_uploads")),
    )
    op.create_index(op.f("ix_console_uploads_expires_at"), "console_uploads", ["expires_at"])
    op.create_table(
        "console_upload_chunks",
        sa.Column("upload_id", sa.String(length=32), nullable=False),
        sa.Column("number", sa.Integer(), nullable=False),
        sa.Column("data", sa.LargeBinary(), nullable=False),
        _of_upload("console_upload_chunks"),
        sa.PrimaryKeyConstraint("upload_id", "number", name=op.f("pk_console_upload_chunks")),
    )
    op.create_table(
        "console_import_jobs",
        sa.Column("upload_id", sa.String(length=32), nullable=False),
        sa.Column("state", sa.String(length=16), nullable=False),
        sa.Column("done", sa.BigInteger(), nullable=False),
        sa.Column("created", sa.BigInteger(), nullable=False),
        sa.Column("updated", sa.BigInteger(), nullable=False),
        sa.Column("unchanged", sa.BigInteger(), nullable=False),
        sa.Column("archived", sa.BigInteger(), nullable=False),
        sa.Column("error", sa.Text(), nullable=True),
        sa.Column("started_at", _TS, nullable=False),
        sa.Column("heartbeat_at", _TS, nullable=False),
        sa.Column("finished_at", _TS, nullable=True),
        _of_upload("console_import_jobs"),
        sa.PrimaryKeyConstraint("upload_id", name=op.f("pk_console_import_jobs")),
    )


def downgrade() -> None:
    op.drop_table("console_import_jobs")
    op.drop_table("console_upload_chunks")
    op.drop_index(op.f("ix_console_uploads_expires_at"), table_name="console_uploads")
    op.drop_table("console_uploads")
