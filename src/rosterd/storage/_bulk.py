"""Many rows at driver speed: one `executemany` on SQLite, `COPY` on PostgreSQL.

SQLAlchemy's own executemany builds a parameter dict per row and runs each column's bind
processor on each value; a directory import writes a million users and as many audit events.
Here each column's processor (the one SQLAlchemy would run, so the stored values are the same)
runs once per column when the whole batch shares one value (the organization, the batch's
timestamp), else once per value, and the rows go to the driver as tuples.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Any

from sqlalchemy import Column, Connection, Dialect, Table
from sqlalchemy.exc import IntegrityError

Processor = Callable[[Any], Any] | None
_processors: dict[tuple[str, str, str, tuple[str, ...]], list[Processor]] = {}


def processed_rows(
    dialect: Dialect, table: Table, columns: Sequence[str], rows: Sequence[Sequence[Any]]
) -> list[tuple[Any, ...]]:
    """`rows` (values in the order of `columns`) as the driver takes them."""
    if not rows:
        return []
    out: list[Sequence[Any]] = []
    processors = _column_processors(dialect, table, columns)
    for values, process in zip(zip(*rows, strict=True), processors, strict=True):
        if process is None:
            out.append(values)
            continue
        first = values[0]
        if all(v is first for v in values):
            out.append((process(first),) * len(values))
        else:
            out.append([process(v) for v in values])
    return list(zip(*out, strict=True))


def insert_rows(
    conn: Connection, table: Table, columns: Sequence[str], rows: Sequence[Sequence[Any]]
) -> None:
    """INSERT `rows`; a unique violation raises SQLAlchemy's IntegrityError on both databases."""
    if not rows:
        return
    values = processed_rows(conn.dialect, table, columns, rows)
    names = ", ".join(_quoted(conn, columns))
    if conn.dialect.name == "postgresql":
        _copy(conn, f"COPY {table.name} ({names}) FROM STDIN", values)
        return
    marks = ", ".join(_mark(conn) for _ in columns)
    statement = f"INSERT INTO {table.name} ({names}) VALUES ({marks})"  # noqa: S608 - names only
    conn.exec_driver_sql(statement, values)


def update_rows(
    conn: Connection,
    table: Table,
    columns: Sequence[str],
    rows: Sequence[Sequence[Any]],
    *,
    where: Sequence[str],
) -> None:
    """UPDATE a row per tuple: `columns` are set, but for the last ones, `where`, which must
    equal the row's values."""
    if not rows:
        return
    assert tuple(columns[-len(where) :]) == tuple(where)
    values = processed_rows(conn.dialect, table, columns, rows)
    names = _quoted(conn, columns)
    sets = ", ".join(f"{name} = {_mark(conn)}" for name in names[: -len(where)])
    match = " AND ".join(f"{name} = {_mark(conn)}" for name in names[-len(where) :])
    statement = f"UPDATE {table.name} SET {sets} WHERE {match}"  # noqa: S608 - names only
    conn.exec_driver_sql(statement, values)


def _quoted(conn: Connection, columns: Sequence[str]) -> list[str]:
    return [conn.dialect.identifier_preparer.quote(c) for c in columns]


def _mark(conn: Connection) -> str:
    return "?" if conn.dialect.paramstyle == "qmark" else "%s"


def _copy(conn: Connection, statement: str, values: list[tuple[Any, ...]]) -> None:
    # The driver's own connection, inside the transaction SQLAlchemy began on it.
    driver = conn.connection.driver_connection
    assert driver is not None
    integrity_error: type[Exception] = conn.dialect.loaded_dbapi.IntegrityError
    try:
        with driver.cursor() as cursor, cursor.copy(statement) as copy:
            for row in values:
                copy.write_row(row)
    except integrity_error as exc:
        raise IntegrityError(statement, None, exc) from exc


def _column_processors(dialect: Dialect, table: Table, columns: Sequence[str]) -> list[Processor]:
    key = (dialect.name, dialect.driver, table.name, tuple(columns))
    found = _processors.get(key)
    if found is None:
        found = [_processor(dialect, table.c[name]) for name in columns]
        _processors[key] = found
    return found


def _processor(dialect: Dialect, column: Column[Any]) -> Processor:
    process: Processor = column.type.dialect_impl(dialect).bind_processor(dialect)
    return process
