"""scim provisioning: SCIM records of users, directory groups and their members

Revision ID: 0003
Revises: 0002
Create Date: 2026-11-24 09:00:00.000000

Adds what SCIM 2.0 provisioning keeps: for each user a SCIM client created, its userName (unique
per integration, compared case-insensitively through `user_name_key`) and the attributes the
client sent; and the integration's groups with their members. Only new tables: `users` is not
rebuilt, so the email search triggers of 0002 stay in place.
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

import rosterd.storage._types

revision: str = "0003"
down_revision: str | None = "0002"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

_ID = sa.BigInteger().with_variant(sa.Integer(), "sqlite")
_TS = rosterd.storage._types.UTCDateTime(timezone=True)


def upgrade() -> None:
    op.create_table(
        "scim_users",
        sa.Column("uid", _ID, nullable=False),
        sa.Column("integration_id", _ID, nullable=False),
        sa.Column("user_name", sa.String(length=255), nullable=False),
        sa.Column("user_name_key", sa.String(length=255), nullable=False),
        sa.Column("attributes", sa.JSON(), nullable=False),
        sa.ForeignKeyConstraint(
            ["uid"], ["users.uid"], name=op.f("fk_scim_users_uid_users"), ondelete="CASCADE"
        ),
        sa.ForeignKeyConstraint(
            ["integration_id"],
            ["integrations.id"],
            name=op.f("fk_scim_users_integration_id_integrations"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("uid", name=op.f("pk_scim_users")),
        sa.UniqueConstraint(
            "integration_id",
            "user_name_key",
            name=op.f("uq_scim_users_integration_id_user_name_key"),
        ),
    )
    op.create_table(
        "directory_groups",
        sa.Column("id", _ID, autoincrement=True, nullable=False),
        sa.Column("uuid", sa.Uuid(), nullable=False),
        sa.Column("org_id", _ID, nullable=False),
        sa.Column("integration_id", _ID, nullable=False),
        sa.Column("display_name", sa.String(length=255), nullable=False),
        sa.Column("display_name_key", sa.String(length=255), nullable=False),
        sa.Column("external_id", sa.String(length=255), nullable=True),
        sa.Column("created_at", _TS, nullable=False),
        sa.Column("updated_at", _TS, nullable=False),
        sa.ForeignKeyConstraint(
            ["org_id"],
            ["organizations.id"],
            name=op.f("fk_directory_groups_org_id_organizations"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["integration_id"],
            ["integrations.id"],
            name=op.f("fk_directory_groups_integration_id_integrations"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_directory_groups")),
        sa.UniqueConstraint("uuid", name=op.f("uq_directory_groups_uuid")),
    )
    op.create_index(
        "ix_directory_groups_integration_id_id", "directory_groups", ["integration_id", "id"]
    )
    op.create_index(
        "ix_directory_groups_integration_id_display_name_key",
        "directory_groups",
        ["integration_id", "display_name_key"],
    )
    op.create_index(
        "ix_directory_groups_integration_id_external_id",
        "directory_groups",
        ["integration_id", "external_id"],
    )
    op.create_table(
        "directory_group_members",
        sa.Column("group_id", _ID, nullable=False),
        sa.Column("user_uid", _ID, nullable=False),
        sa.Column("display", sa.String(length=255), nullable=True),
        sa.ForeignKeyConstraint(
            ["group_id"],
            ["directory_groups.id"],
            name=op.f("fk_directory_group_members_group_id_directory_groups"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["user_uid"],
            ["users.uid"],
            name=op.f("fk_directory_group_members_user_uid_users"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("group_id", "user_uid", name=op.f("pk_directory_group_members")),
    )
    op.create_index("ix_directory_group_members_user_uid", "directory_group_members", ["user_uid"])


def downgrade() -> None:
    op.drop_index("ix_directory_group_members_user_uid", table_name="directory_group_members")
    op.drop_table("directory_group_members")
    op.drop_index("ix_directory_groups_integration_id_external_id", table_name="directory_groups")
    op.drop_index(
        "ix_directory_groups_integration_id_display_name_key", table_name="directory_groups"
    )
    op.drop_index("ix_directory_groups_integration_id_id", table_name="directory_groups")
    op.drop_table("directory_groups")
    op.drop_table("scim_users")
