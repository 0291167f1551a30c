"""New migrated SQLite databases copied from a template in the cache, made once per revision."""

from __future__ import annotations

import sqlite3
from pathlib import Path

import pytest

from rosterd.storage import SqlDirectoryStore, make_engine
from rosterd.storage.migrate import at_head, file_head
from rosterd.storage.templates import new_migrated_sqlite
from tests.support.orgs import OrgFactory


@pytest.fixture
def cache(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "cache"))
    return tmp_path / "cache" / "rosterd"


def test_copies_are_migrated_independent_databases(tmp_path: Path, cache: Path) -> None:
    first, second = tmp_path / "one.db", tmp_path / "two.db"

    new_migrated_sqlite(first)
    template = cache / f"empty-schema-{file_head()}.db"
    made = template.stat().st_mtime_ns
    new_migrated_sqlite(second)

    assert template.stat().st_mtime_ns == made  # made once, then only copied
    assert sorted(p.name for p in cache.iterdir()) == [template.name]
    for path in (first, second):
        engine = make_engine(f"sqlite:///{path}")
        assert at_head(engine)
        engine.dispose()
    # The triggers came along (the access versions, the email index), and the copies share
    # nothing: an organization made in one is not in the other.
    with sqlite3.connect(first) as conn:
        triggers = conn.execute("SELECT count(*) FROM sqlite_master WHERE type = 'trigger'")
        assert triggers.fetchone()[0] > 10
    conn.close()
    store = SqlDirectoryStore(make_engine(f"sqlite:///{first}"))
    org = OrgFactory(store).create()
    other = SqlDirectoryStore(make_engine(f"sqlite:///{second}"))
    with other.read() as tx:
        assert tx.get_organization_by_subdomain(org.subdomain) is None
    with store.read() as tx:
        assert tx.get_organization_by_subdomain(org.subdomain) is not None
    for each in (store, other):
        each.close()
        each.engine.dispose()
