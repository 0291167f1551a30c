"""users, SQLite: drop ix_users_email_key, which the unique (org_id, email_key) index serves

Revision ID: 0010
Revises: 0009
Create Date: 2026-12-03 17:00:00.000000

Every lookup by email key can name the organization (an email key is one user's in each
organization), and SQLite always answers `org_id = ? AND email_key = ?` from the unique index
on both that 0001 made: a user by email, an import's matching, SCIM's `userName eq`, the devices
of a user's email, and the organization's email keys read past a search's walk. The index on
email_key alone cost every new user one more insert at a random place in a large index.

PostgreSQL keeps it: on statistics older than an import (a new table, or one that grew since
autovacuum last analyzed it) its planner answers `org_id = $1 AND email_key = $2` from an index
that begins with org_id alone, reading every user of the organization, for each key.
"""

from __future__ import annotations

from collections.abc import Sequence

from alembic import op

revision: str = "0010"
down_revision: str | None = "0009"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    if op.get_bind().dialect.name == "sqlite":
        op.drop_index("ix_users_email_key", table_name="users")


def downgrade() -> None:
    if op.get_bind().dialect.name == "sqlite":
        op.create_index("ix_users_email_key", "users", ["email_key"])
