"""A scratch PostgreSQL database, created for a run and dropped after it (tests, the benchmark)."""

from __future__ import annotations

import uuid
from collections.abc import Iterator
from contextlib import contextmanager

from sqlalchemy import Connection, create_engine, text
from sqlalchemy.engine import make_url

# Our own role's sessions that a test left open (a server it killed, an engine it broke).
_END_OWN_SESSIONS = text(
    "SELECT pg_terminate_backend(pid) FROM pg_stat_activity"
    " WHERE datname = :name AND pid <> pg_backend_pid() AND usename = current_user"
)


@contextmanager
def scratch_database(server_url: str, prefix: str) -> Iterator[str]:
    """A new, empty database on the server `server_url` names, whose role may create
    databases; yields its URL and drops it afterwards, whoever is still connected."""
    admin_url = make_url(server_url).set(drivername="postgresql+psycopg")
    name = f"{prefix}_{uuid.uuid4().hex[:12]}"
    admin = create_engine(admin_url, isolation_level="AUTOCOMMIT")
    try:
        with admin.connect() as conn:
            conn.execute(text(f'CREATE DATABASE "{name}"'))
        try:
            yield admin_url.set(database=name).render_as_string(hide_password=False)
        finally:
            with admin.connect() as conn:
                drop_database(conn, name)
    finally:
        admin.dispose()


def drop_database(conn: Connection, name: str) -> None:
    """Drops `name`, ending the sessions our role still has in it.

    Not `DROP DATABASE … WITH (FORCE)`: that refuses, for a role that is not a superuser,
    when an autovacuum worker happens to be in the database (a worker has no role, so
    "must be a member of the role whose process is being terminated"), which a loaded
    machine makes likely. A plain DROP ends autovacuum workers itself, and waits a few
    seconds for the sessions ended here to go."""
    conn.execute(_END_OWN_SESSIONS, {"name": name})
    conn.execute(text(f'DROP DATABASE IF EXISTS "{name}"'))
