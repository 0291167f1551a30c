"""Databases of their own for test runs: one per pytest-xdist worker beside a given database,
and scratch PostgreSQL databases, made for a run and dropped after it."""

from __future__ import annotations

import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from sqlalchemy import Connection, create_engine, text
from sqlalchemy.engine import make_url

# Our own role's sessions that a run left open (a server it killed, an engine it broke).
_END_OWN_SESSIONS = text(
    "SELECT pg_terminate_backend(pid) FROM pg_stat_activity"
    " WHERE datname = :name AND pid <> pg_backend_pid() AND usename = current_user"
)


@contextmanager
def worker_database(database_url: str, worker: str) -> Iterator[str]:
    """A database of its own for xdist worker `worker` (`gw0`, ...) beside `database_url`, as
    pytest-django names them: PostgreSQL `NAME_gw0` on the same server (the role must be
    allowed to create databases), SQLite `NAME_gw0.db` in the same folder. Made empty (one an
    earlier, killed run left is dropped first), and removed afterwards."""
    url = make_url(database_url)
    if url.get_backend_name() == "sqlite":
        with _sqlite_beside(Path(url.database or ""), worker) as path:
            yield url.set(database=str(path)).render_as_string(hide_password=False)
        return
    with postgres_database(database_url, f"{url.database}_{worker}") as worker_url:
        yield worker_url


@contextmanager
def scratch_postgres_database(server_url: str, prefix: str) -> Iterator[str]:
    """A new, empty database `PREFIX_<random>` on the server `server_url` names."""
    with postgres_database(server_url, f"{prefix}_{uuid.uuid4().hex[:12]}") as url:
        yield url


@contextmanager
def postgres_database(server_url: str, name: str) -> Iterator[str]:
    """The database `name`, new and empty, on the server `server_url` names, whose role may
    create databases; yields its URL and drops it afterwards, whoever is still connected."""
    admin_url = make_url(server_url).set(drivername="postgresql+psycopg")
    admin = create_engine(admin_url, isolation_level="AUTOCOMMIT")
    try:
        with admin.connect() as conn:
            drop_database(conn, name)
            conn.execute(text(f'CREATE DATABASE "{name}"'))
        try:
            yield admin_url.set(database=name).render_as_string(hide_password=False)
        finally:
            with admin.connect() as conn:
                drop_database(conn, name)
    finally:
        admin.dispose()


def drop_database(conn: Connection, name: str) -> None:
    """Drops `name` if it exists, ending the sessions our role still has in it.

    Not `DROP DATABASE … WITH (FORCE)`: that refuses, for a role that is not a superuser,
    when an autovacuum worker happens to be in the database (a worker has no role, so
    "must be a member of the role whose process is being terminated"), which a loaded
    machine makes likely. A plain DROP ends autovacuum workers itself, and waits a few
    seconds for the sessions ended here to go."""
    conn.execute(_END_OWN_SESSIONS, {"name": name})
    conn.execute(text(f'DROP DATABASE IF EXISTS "{name}"'))


@contextmanager
def _sqlite_beside(path: Path, worker: str) -> Iterator[Path]:
    own = path.with_name(f"{path.stem}_{worker}{path.suffix}")
    files = [own, *(own.with_name(own.name + end) for end in ("-wal", "-shm", "-journal"))]
    for file in files:
        file.unlink(missing_ok=True)
    try:
        yield own
    finally:
        for file in files:
            file.unlink(missing_ok=True)
