"""Online backups of the SQLite default (PostgreSQL has pg_dump for this)."""

from __future__ import annotations

import sqlite3
from pathlib import Path

from sqlalchemy.engine import make_url


def backup_sqlite(database_url: str, destination: Path) -> int:
    """Copy a live SQLite database to `destination`, consistent at one instant; returns bytes.

    SQLite's online backup API copies page by page while other connections keep reading and
    writing; the copy is a snapshot of one committed state, never a torn file.
    """
    url = make_url(database_url)
    if url.get_backend_name() != "sqlite" or not url.database:
        raise ValueError("db backup works on SQLite files; for PostgreSQL use pg_dump")
    if destination.exists():
        raise FileExistsError(f"{destination} already exists")
    # Connecting would create the files: a missing source or directory is said so instead.
    if not Path(url.database).is_file():
        raise FileNotFoundError(f"there is no SQLite database at {Path(url.database).absolute()}")
    if not destination.absolute().parent.is_dir():
        raise FileNotFoundError(f"the directory {destination.absolute().parent} does not exist")
    source = sqlite3.connect(f"file:{url.database}?mode=ro", uri=True)
    target = sqlite3.connect(destination)
    try:
        with target:
            source.backup(target)
        target.execute("PRAGMA journal_mode=WAL")
    finally:
        target.close()
        source.close()
    return destination.stat().st_size
