"""account group tokens, where an audit event happened, and the `Delete account` permission

Revision ID: 0008
Revises: 0007
Create Date: 2026-12-02 05:00:00.000000

ThousandEyes shows each account group's `accountToken` (what binds an Enterprise Agent to the
group; not a secret) and its activity log per account group, naming what each event changed.
Existing account groups get a token each; existing events keep no account group (they are
shown under the organization's default one) and no target name.

The permission catalogue gains what the catalogue in `rosterd.core.permissions` lists and the
database lacks (`Delete account`, which deleting an account group needs), and the built-in
roles the permissions their specification gives them. A database created after this revision
already has them from 0001, which seeds the whole catalogue: then this adds nothing.
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

from rosterd.core.account_groups import new_account_token
from rosterd.core.permissions import BUILTIN_ROLES, CATALOGUE

revision: str = "0008"
down_revision: str | None = "0007"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    # Plain ALTER TABLE (SQLite has ADD and DROP COLUMN): a batch copy of account_groups
    # would drop its access-version triggers.
    op.add_column(
        "account_groups",
        sa.Column("account_token", sa.String(32), nullable=False, server_default=""),
    )
    op.add_column(
        "audit_events",
        sa.Column("aid", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), nullable=True),
    )
    op.add_column("audit_events", sa.Column("target_name", sa.String(512), nullable=True))
    bind = op.get_bind()
    groups = sa.table("account_groups", sa.column("aid"), sa.column("account_token"))
    for (aid,) in bind.execute(sa.select(groups.c.aid)).all():
        bind.execute(
            groups.update().where(groups.c.aid == aid).values(account_token=new_account_token())
        )
    _complete_catalogue(bind)


def _complete_catalogue(bind: sa.Connection) -> None:
    permissions = sa.table(
        "permissions",
        sa.column("permission_id"),
        sa.column("code"),
        sa.column("label"),
        sa.column("is_management"),
    )
    granted = sa.table("role_permissions", sa.column("role_id"), sa.column("permission_id"))
    present = set(bind.execute(sa.select(permissions.c.permission_id)).scalars())
    missing = [p for p in CATALOGUE if p.permission_id not in present]
    if missing:
        op.bulk_insert(
            permissions,
            [
                {
                    "permission_id": p.permission_id,
                    "code": p.code,
                    "label": p.label,
                    "is_management": p.is_management,
                }
                for p in missing
            ],
        )
    ids = {p.code: p.permission_id for p in CATALOGUE}
    pairs = set(bind.execute(sa.select(granted.c.role_id, granted.c.permission_id)).all())
    grants = [
        {"role_id": r.role_id, "permission_id": ids[code]}
        for r in BUILTIN_ROLES
        for code in sorted(r.codes)
        if (r.role_id, ids[code]) not in pairs
    ]
    if grants:
        op.bulk_insert(granted, grants)


def downgrade() -> None:
    added = [p.permission_id for p in CATALOGUE if p.code == "ACCOUNT_DELETE"]
    for table in ("role_permissions", "permissions"):
        statement = sa.text(f"DELETE FROM {table} WHERE permission_id IN :ids")  # noqa: S608
        op.execute(statement.bindparams(sa.bindparam("ids", added, expanding=True)))
    op.drop_column("audit_events", "target_name")
    op.drop_column("audit_events", "aid")
    op.drop_column("account_groups", "account_token")
