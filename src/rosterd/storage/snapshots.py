"""Whole-database snapshots, taken and restored in milliseconds: what a test double's reset,
snapshot and restore are made of.

SQLite copies pages with its online backup API, into an in-memory database and back (a few
milliseconds for thousands of users, and exact: the email search index comes along).
PostgreSQL keeps a copy of every table on a connection of its own and writes back only the rows
that changed since (`_pg_snapshots.py`). Either way the id sequences continue as they did right
after the snapshot, and every organization's access version ends higher than any it had before
the restore: a worker that kept a catalogue or a token's permissions from the history a restore
undid can never take it for current (`storage/_access.py`). The schema is not part of a
snapshot; it restores into the database it was taken from.
"""

from __future__ import annotations

import sqlite3
from typing import Any, Protocol

from sqlalchemy import Connection, Engine


class DatabaseSnapshots(Protocol):
    """Snapshots of one database, each known by a number its caller chooses. One at a time:
    the caller takes, restores and discards them under one lock."""

    def take(self, number: int) -> None: ...

    def restore(self, number: int) -> None: ...

    def discard(self, number: int) -> None: ...

    def close(self) -> None: ...


def open_snapshots(engine: Engine) -> DatabaseSnapshots:
    if engine.dialect.name == "postgresql":
        from rosterd.storage._pg_snapshots import PostgresSnapshots

        return PostgresSnapshots(engine)
    return SqliteSnapshots(engine)


class SqliteSnapshots:
    def __init__(self, engine: Engine) -> None:
        self._engine = engine
        self._copies: dict[int, sqlite3.Connection] = {}

    def take(self, number: int) -> None:
        copy = sqlite3.connect(":memory:", check_same_thread=False)
        with self._engine.connect() as conn:
            _driver(conn).backup(copy)
        self._copies[number] = copy

    def restore(self, number: int) -> None:
        with self._engine.connect() as conn:
            highest = _highest_access_version(conn)
            self._copies[number].backup(_driver(conn))
            with conn.begin():
                conn.exec_driver_sql(
                    f"UPDATE organizations SET access_version = access_version + {highest + 1}"  # noqa: S608
                )

    def discard(self, number: int) -> None:
        self._copies.pop(number).close()

    def close(self) -> None:
        for number in list(self._copies):
            self.discard(number)


def _highest_access_version(conn: Connection) -> int:
    with conn.begin():
        found = conn.exec_driver_sql("SELECT MAX(access_version) FROM organizations").scalar()
    return int(found or 0)


def _driver(conn: Connection) -> Any:
    driver = conn.connection.driver_connection
    assert driver is not None
    return driver
