"""access versions: a counter per organization that moves whenever what callers may do changes

Revision ID: 0005
Revises: 0004
Create Date: 2026-12-01 15:00:00.000000

Every request needs its organization's account groups and roles (with their permissions) and
its token's endpoint permissions. rosterd keeps them in memory, in every worker, for as long as
`organizations.access_version` stays what it was when they were read, and reads that one number
on every request. Triggers move it in the same transaction as any change to those rows, whoever
makes it (a worker, the CLI, another host, a migration, a hand-written UPDATE), so that no
worker can act on a removed permission after the change commits.

A built-in role belongs to no organization: a change to one moves every organization's version.
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0005"
down_revision: str | None = "0004"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

# For each table a cache depends on: which organizations a changed row (`{row}`, the old or the
# new one) belongs to, as a condition on `organizations`.
_ORGANIZATIONS_OF: dict[str, str] = {
    "account_groups": "organizations.id = {row}.org_id",
    "roles": "(organizations.id = {row}.org_id OR {row}.org_id IS NULL)",
    "role_permissions": (
        "EXISTS (SELECT 1 FROM roles WHERE roles.role_id = {row}.role_id"
        " AND (roles.org_id = organizations.id OR roles.org_id IS NULL))"
    ),
    "api_token_permissions": (
        "organizations.id = (SELECT org_id FROM api_tokens WHERE api_tokens.id = {row}.token_id)"
    ),
}


def _bump(table: str, row: str) -> str:
    condition = _ORGANIZATIONS_OF[table].format(row=row)
    # Built from the constant conditions above, never from input.
    return f"UPDATE organizations SET access_version = access_version + 1 WHERE {condition};"  # noqa: S608


def _sqlite_triggers(table: str) -> list[str]:
    return [
        f"CREATE TRIGGER {table}_access_ai AFTER INSERT ON {table} BEGIN {_bump(table, 'new')} END",
        f"CREATE TRIGGER {table}_access_ad AFTER DELETE ON {table} BEGIN {_bump(table, 'old')} END",
        f"CREATE TRIGGER {table}_access_au AFTER UPDATE ON {table} BEGIN "
        f"{_bump(table, 'old')} {_bump(table, 'new')} END",
    ]


def _postgresql_trigger(table: str) -> list[str]:
    function = f"{table}_access_version"
    return [
        f"CREATE FUNCTION {function}() RETURNS trigger LANGUAGE plpgsql AS $$ BEGIN "
        f"IF TG_OP <> 'INSERT' THEN {_bump(table, 'OLD')} END IF; "
        f"IF TG_OP <> 'DELETE' THEN {_bump(table, 'NEW')} END IF; "
        "RETURN NULL; END $$",
        f"CREATE TRIGGER {table}_access AFTER INSERT OR UPDATE OR DELETE ON {table} "
        f"FOR EACH ROW EXECUTE FUNCTION {function}()",
    ]


def upgrade() -> None:
    with op.batch_alter_table("organizations") as batch:
        batch.add_column(
            sa.Column("access_version", sa.BigInteger(), nullable=False, server_default="0")
        )
    sqlite = op.get_bind().dialect.name == "sqlite"
    for table in _ORGANIZATIONS_OF:
        for statement in _sqlite_triggers(table) if sqlite else _postgresql_trigger(table):
            op.execute(statement)


def downgrade() -> None:
    sqlite = op.get_bind().dialect.name == "sqlite"
    for table in _ORGANIZATIONS_OF:
        if sqlite:
            for suffix in ("ai", "ad", "au"):
                op.execute(f"DROP TRIGGER IF EXISTS {table}_access_{suffix}")
        else:
            op.execute(f"DROP TRIGGER IF EXISTS {table}_access ON {table}")
            op.execute(f"DROP FUNCTION IF EXISTS {table}_access_version()")
    with op.batch_alter_table("organizations") as batch:
        batch.drop_column("access_version")
