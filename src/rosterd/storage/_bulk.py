"""Many rows at driver speed: one `executemany` of tuples on SQLite, `COPY` on PostgreSQL.

SQLAlchemy's own executemany builds a parameter dict per row and runs each column's bind
processor on each value; a directory import writes a million users and as many audit events.
Here the callers give rows of values the drivers take as they are (text, numbers, booleans,
None), and the values a batch shares (the organization, the batch's time) are converted once,
by the processor SQLAlchemy itself would run (`bound`), so the stored values are the same.
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from typing import Any, Final

from sqlalchemy import Column, Connection, Table
from sqlalchemy.exc import DBAPIError

_encode_text = json.encoder.encode_basestring_ascii  # what json.dumps writes for a str
_JSON_CONSTANTS: Final = {True: "true", False: "false", None: "null"}


def bound(conn: Connection, column: Column[Any], value: Any) -> Any:
    """`value` as SQLAlchemy would bind it for `column` on this connection's database."""
    process = column.type.dialect_impl(conn.dialect).bind_processor(conn.dialect)
    return value if process is None else process(value)


def insert_rows(
    conn: Connection, table: Table, columns: Sequence[str], rows: Sequence[Sequence[Any]]
) -> None:
    """INSERT `rows` (values in the order of `columns`). Errors are SQLAlchemy's on both
    databases (a unique violation is an IntegrityError)."""
    if not rows:
        return
    names = ", ".join(conn.dialect.identifier_preparer.quote(c) for c in columns)
    if conn.dialect.name == "postgresql":
        _copy(conn, f"COPY {table.name} ({names}) FROM STDIN", rows)
        return
    marks = ", ".join("?" for _ in columns)
    conn.exec_driver_sql(f"INSERT INTO {table.name} ({names}) VALUES ({marks})", rows)  # noqa: S608


def _copy(conn: Connection, statement: str, rows: Sequence[Sequence[Any]]) -> None:
    # The driver's own connection, inside the transaction SQLAlchemy began on it.
    driver = conn.connection.driver_connection
    assert driver is not None
    dbapi = conn.dialect.loaded_dbapi
    try:
        with driver.cursor() as cursor, cursor.copy(statement) as copy:
            for row in rows:
                copy.write_row(row)
    except dbapi.Error as exc:
        # As SQLAlchemy raises it for any other statement (IntegrityError, DataError, ...);
        # parameters stay hidden, as the engine's `hide_parameters` hides them.
        raise DBAPIError.instance(
            statement, None, exc, dbapi.Error, hide_parameters=True, dialect=conn.dialect
        ) from exc


def json_text(value: dict[str, Any] | None) -> str | None:
    """`json.dumps(value)`, as SQLAlchemy writes a JSON column, at several times its speed for
    the flat objects of bulk audit events (text, booleans and nulls); anything else goes to
    json.dumps itself."""
    if value is None:
        return None
    parts = []
    for key, item in value.items():
        if type(key) is not str:
            return json.dumps(value)
        if type(item) is str:
            parts.append(f"{_encode_text(key)}: {_encode_text(item)}")
        elif item is None or type(item) is bool:
            parts.append(f"{_encode_text(key)}: {_JSON_CONSTANTS[item]}")
        else:
            return json.dumps(value)
    return "{" + ", ".join(parts) + "}"


def uuid_text(stored: str) -> str:
    """A UUID column's value read as text (SQLite keeps 32 hex digits), in canonical form."""
    if len(stored) == 36:
        return stored
    return f"{stored[:8]}-{stored[8:12]}-{stored[12:16]}-{stored[16:20]}-{stored[20:]}"


def uuid_value(conn: Connection, canonical: str) -> str:
    """A UUID in canonical text as this database's UUID column takes it."""
    return canonical.replace("-", "") if conn.dialect.name == "sqlite" else canonical
