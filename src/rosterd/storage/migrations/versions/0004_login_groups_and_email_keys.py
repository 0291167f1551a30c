"""login groups and email keys: every user has a login account group; email keys are NFC

Revision ID: 0004
Revises: 0003
Create Date: 2026-12-01 11:00:00.000000

Users created before this revision could have no login account group (a person who also
belonged to another organization, or a directory user): they get their organization's default
one. Email keys were lower case only; they become NFC and lower case (`validation.email_key`),
so that the composed and decomposed spellings of one address are one key. A row whose new key
would collide with another user's of the same organization keeps its old key (both users stay;
an operator can merge them), and is reported.
"""

from __future__ import annotations

import logging
from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

from rosterd.core.validation import email_key

revision: str = "0004"
down_revision: str | None = "0003"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

log = logging.getLogger("rosterd.migrations")
_BATCH = 10_000


def upgrade() -> None:
    op.execute(
        "UPDATE users SET login_account_group_id = (SELECT g.aid FROM account_groups g "
        "WHERE g.org_id = users.org_id AND g.is_default) WHERE login_account_group_id IS NULL"
    )
    _recompute_email_keys(op.get_bind())


def _recompute_email_keys(conn: sa.Connection) -> None:
    rows = conn.execute(sa.text("SELECT uid, org_id, email, email_key FROM users")).all()
    taken = {(org_id, key) for _, org_id, _, key in rows}
    changes = []
    for uid, org_id, email, key in rows:
        new_key = email_key(email)
        if new_key == key:
            continue
        if (org_id, new_key) in taken:
            log.warning("user %s keeps its email key: another user has the same address", uid)
            continue
        taken.add((org_id, new_key))
        changes.append({"uid": uid, "email_key": new_key})
    statement = sa.text("UPDATE users SET email_key = :email_key WHERE uid = :uid")
    for start in range(0, len(changes), _BATCH):
        conn.execute(statement, changes[start : start + _BATCH])


def downgrade() -> None:
    # Both changes only normalize data; the old values are not needed by the old code.
    pass
