"""SQLite's read transactions run on connections kept open between them: a read still sees
every write committed before it began, failures don't leave a doubtful connection kept, and no
more than the few it keeps stay open."""

from __future__ import annotations

import threading
from collections.abc import Iterator
from pathlib import Path

import pytest
from sqlalchemy import Connection, Engine, event, text

from rosterd.storage import SqlDirectoryStore, make_engine
from rosterd.storage._kept import KeptConnections
from rosterd.storage.migrate import upgrade


@pytest.fixture
def engine(tmp_path: Path) -> Iterator[Engine]:
    made = make_engine(f"sqlite:///{tmp_path / 'kept.db'}")
    with made.begin() as conn:
        conn.execute(text("CREATE TABLE notes (body TEXT)"))
    yield made
    made.dispose()


def checkouts(engine: Engine) -> list[object]:
    seen: list[object] = []
    event.listen(engine, "checkout", lambda *_: seen.append(1))
    return seen


def test_reads_reuse_one_connection_and_see_each_commit(engine: Engine) -> None:
    readers = KeptConnections(engine, keep=2)
    seen = checkouts(engine)
    for n in range(5):
        with engine.begin() as writer:  # another connection, as another worker's would be
            writer.execute(text("INSERT INTO notes VALUES (:n)"), {"n": str(n)})
        with readers.transaction() as conn:
            count = conn.execute(text("SELECT count(*) FROM notes")).scalar_one()
        assert count == n + 1

    assert len(seen) == 5 + 1  # the writers' five, and one for all the reads
    readers.close()


def test_a_core_error_keeps_the_connection_and_a_broken_one_is_closed(engine: Engine) -> None:
    readers = KeptConnections(engine, keep=2)
    used: list[Connection] = []

    def failing_read(invalidate: bool) -> None:
        with readers.transaction() as conn:
            used.append(conn)
            if invalidate:  # what SQLAlchemy does when the database drops the connection
                conn.invalidate()
            raise LookupError("a 404, say, or the database went away")

    with pytest.raises(LookupError):
        failing_read(invalidate=False)
    with readers.transaction() as again:
        assert again is used[0]

    with pytest.raises(LookupError):
        failing_read(invalidate=True)
    broken = used[1]
    assert broken is again
    assert broken.closed
    with readers.transaction() as fresh:
        assert fresh is not broken
        assert fresh.execute(text("SELECT 1")).scalar_one() == 1
    readers.close()


def test_no_more_than_keep_stay_open_after_concurrent_reads(engine: Engine) -> None:
    readers = KeptConnections(engine, keep=2)
    inside = threading.Barrier(6)

    def read() -> None:
        with readers.transaction() as conn:
            inside.wait(timeout=10)  # all six hold a connection at once
            conn.execute(text("SELECT count(*) FROM notes")).scalar_one()

    threads = [threading.Thread(target=read) for _ in range(6)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()

    assert engine.pool.checkedout() == 2  # type: ignore[attr-defined]
    readers.close()
    assert engine.pool.checkedout() == 0  # type: ignore[attr-defined]


def test_the_store_reads_through_kept_connections_on_sqlite_only(database_url: str) -> None:
    engine = make_engine(database_url)
    upgrade(engine)
    store = SqlDirectoryStore(engine)
    seen = checkouts(engine)
    for _ in range(3):
        with store.read() as tx:
            tx.get_organization_by_subdomain("no-such-org")

    assert len(seen) == (1 if engine.dialect.name == "sqlite" else 3)
    store.close()
    engine.dispose()
