"""Whole-database snapshots, taken and restored in milliseconds: what a test double's reset,
snapshot and restore are made of.

SQLite copies pages with its online backup API, into an in-memory database and back (a few
milliseconds for thousands of users, and exact: the email search index comes along).
PostgreSQL keeps the text of `COPY … TO STDOUT` of every table, read in one repeatable view,
and restores with `TRUNCATE` and `COPY … FROM STDIN` in one transaction, then moves each id
sequence past the restored ids, so that the ids made after a restore are those made after the
snapshot was taken, as on SQLite.

Either way, every organization's access version ends higher than any it had before the
restore: a worker that kept a catalogue or a token's permissions from the history a restore
undid can never take it for current (`storage/_access.py`). The schema is not part of a
snapshot; it restores into the database it was taken from.
"""

from __future__ import annotations

import sqlite3
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from sqlalchemy import Connection, Engine, Integer, Table

from rosterd.storage import tables as t


@dataclass(frozen=True, slots=True)
class Snapshot:
    # An in-memory copy of the whole database (SQLite), or COPY text per table (PostgreSQL).
    copy: sqlite3.Connection | dict[str, bytes]


def _tables() -> Sequence[Table]:
    return t.metadata.sorted_tables  # parents before children


def take_snapshot(engine: Engine) -> Snapshot:
    if engine.dialect.name == "postgresql":
        with engine.connect() as conn, conn.begin():
            conn.exec_driver_sql("SET TRANSACTION ISOLATION LEVEL REPEATABLE READ")
            return Snapshot({table.name: _copy_out(conn, table) for table in _tables()})
    copy = sqlite3.connect(":memory:", check_same_thread=False)
    with engine.connect() as conn:
        _driver(conn).backup(copy)
    return Snapshot(copy)


def restore_snapshot(engine: Engine, snapshot: Snapshot) -> None:
    with engine.connect() as conn:
        floor = _highest_access_version(conn)
        if isinstance(snapshot.copy, sqlite3.Connection):
            snapshot.copy.backup(_driver(conn))
        else:
            with conn.begin():
                _restore_tables(conn, snapshot.copy)
        with conn.begin():
            conn.exec_driver_sql(
                f"UPDATE organizations SET access_version = access_version + {floor + 1}"  # noqa: S608
            )


def discard_snapshot(snapshot: Snapshot) -> None:
    if isinstance(snapshot.copy, sqlite3.Connection):
        snapshot.copy.close()


def _highest_access_version(conn: Connection) -> int:
    with conn.begin():
        found = conn.exec_driver_sql("SELECT MAX(access_version) FROM organizations").scalar()
    return int(found or 0)


def _restore_tables(conn: Connection, rows: dict[str, bytes]) -> None:
    names = ", ".join(table.name for table in _tables())
    conn.exec_driver_sql(f"TRUNCATE {names} RESTART IDENTITY")
    for table in _tables():
        if rows[table.name]:
            with (
                _driver(conn).cursor() as cursor,
                cursor.copy(f"COPY {table.name} FROM STDIN") as copy,
            ):
                copy.write(rows[table.name])
    for table in _tables():
        for column in table.primary_key.columns:
            if column.autoincrement is True and isinstance(column.type, Integer):
                # Names from the schema's own metadata, never from input.
                sequence = f"pg_get_serial_sequence('{table.name}', '{column.name}')"
                conn.exec_driver_sql(
                    f"SELECT setval({sequence}, COALESCE(MAX({column.name}), 0) + 1, false) "  # noqa: S608
                    f"FROM {table.name}"
                )


def _driver(conn: Connection) -> Any:
    driver = conn.connection.driver_connection
    assert driver is not None
    return driver


def _copy_out(conn: Connection, table: Table) -> bytes:
    with _driver(conn).cursor() as cursor, cursor.copy(f"COPY {table.name} TO STDOUT") as copy:
        return b"".join(bytes(chunk) for chunk in copy)
