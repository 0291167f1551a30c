"""console page indexes: archived users, and devices by platform and by asset tag

Revision ID: 0012
Revises: 0011
Create Date: 2026-12-04 19:10:00.000000

The console's users list filters by archived, and its devices list (as `GET /api/v1/devices`)
by platform and by exact asset tag, each in its listing's order (users newest first, devices
in enrolment order). Without an index a rare value (no archived user, one asset tag) read the
whole directory for a page: 0.2 s on PostgreSQL at a million devices. Each index gives its
filter's rows in the page's order, so a page reads its own rows (docs/performance.md, "The
console").
"""

from __future__ import annotations

from collections.abc import Sequence

from alembic import op

revision: str = "0012"
down_revision: str | None = "0011"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

INDEXES = {
    "ix_users_org_id_archived_uid": ("users", ["org_id", "archived", "uid"]),
    "ix_devices_org_id_platform_id": ("devices", ["org_id", "platform", "id"]),
    "ix_devices_org_id_asset_tag_id": ("devices", ["org_id", "asset_tag", "id"]),
}


def upgrade() -> None:
    for name, (table, columns) in INDEXES.items():
        op.create_index(name, table, columns)


def downgrade() -> None:
    for name, (table, _) in INDEXES.items():
        op.drop_index(name, table_name=table)
