"""Who an uploaded import file belongs to, and sizes as people read them. The files themselves
are kept in the database (core/import_jobs.py), so that any worker can show them."""

from __future__ import annotations

import hashlib

from rosterd.console._session import Session


def owner_of(session: Session) -> str:
    """Who may reach an upload: the session that sent it, and no other (a new sign-in, even
    with the same token, makes a new CSRF token)."""
    return hashlib.sha256(f"{session.token_hash}:{session.csrf}".encode()).hexdigest()


def size(limit: int) -> str:
    """A byte count as people read it: 100 MiB, 512 KiB, 300 bytes."""
    for unit, factor in (("GiB", 1 << 30), ("MiB", 1 << 20), ("KiB", 1 << 10)):
        if limit >= factor and limit % factor == 0:
            return f"{limit // factor} {unit}"
    return f"{limit} bytes"
