"""token last use: when each API token was last used, to the minute

Revision ID: 0011
Revises: 0010
Create Date: 2026-12-03 17:10:00.000000

The console's user page shows when each of a user's tokens was last used. The time is written
off the request path, at most once a minute per token and process (storage/_token_use.py), so
it is the last use to within a minute or so; NULL: not used since this column came.
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

import rosterd.storage._types

revision: str = "0011"
down_revision: str | None = "0010"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    # A nullable column without a default: ALTER TABLE ADD COLUMN on both databases, no rewrite.
    op.add_column(
        "api_tokens",
        sa.Column("last_used_at", rosterd.storage._types.UTCDateTime(timezone=True), nullable=True),
    )


def downgrade() -> None:
    # ALTER TABLE DROP COLUMN (SQLite 3.35+): a batch copy of the table would break the
    # triggers that name it (0005's api_token_permissions_access_*).
    op.drop_column("api_tokens", "last_used_at")
