"""New, migrated SQLite databases in milliseconds: copies of an empty database kept in the
user's cache, made once per schema revision (`rosterd serve --ephemeral`, the test double).

Migrating a new database runs every migration (most of a second); copying a file of the same
schema takes a few milliseconds. The template is written beside its final name and renamed
into place, so that two processes making it at once never see half of one.
"""

from __future__ import annotations

import os
import shutil
import sqlite3
import tempfile
from pathlib import Path

from rosterd.storage.engine import make_engine
from rosterd.storage.migrate import file_head, upgrade


def cache_dir() -> Path:
    base = os.environ.get("XDG_CACHE_HOME") or str(Path.home() / ".cache")
    return Path(base) / "rosterd"


def new_migrated_sqlite(path: Path) -> None:
    """Write an empty rosterd database at the newest schema to `path` (which must not exist)."""
    head = file_head()
    if head is None:  # no single head to name a template by: migrate in place
        _migrate(path)
        return
    template = cache_dir() / f"empty-schema-{head}.db"
    if not template.exists():
        _make_template(template)
    shutil.copyfile(template, path)


def _make_template(template: Path) -> None:
    template.parent.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory(dir=template.parent) as folder:
        draft = Path(folder) / template.name
        _migrate(draft)
        os.replace(draft, template)


def _migrate(path: Path) -> None:
    engine = make_engine(f"sqlite:///{path}")
    try:
        upgrade(engine)
    finally:
        engine.dispose()
    # Everything into the main file, so that the file alone is the database.
    with sqlite3.connect(path) as conn:
        conn.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    conn.close()
