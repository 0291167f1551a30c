"""device MAC address and FileVault: what Kandji's List Devices filters on besides its output

Revision ID: 0007
Revises: 0006
Create Date: 2026-12-01 22:00:00.000000

`GET /api/v1/devices` filters on `mac_address` and `filevault_enabled`, which the device list
does not show. Existing devices get no MAC address (`""`) and an unknown FileVault state (NULL),
which neither filter matches.
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0007"
down_revision: str | None = "0006"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("devices") as batch:
        batch.add_column(sa.Column("mac_address", sa.String(64), nullable=False, server_default=""))
        batch.add_column(sa.Column("filevault_enabled", sa.Boolean(), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("devices") as batch:
        batch.drop_column("filevault_enabled")
        batch.drop_column("mac_address")
