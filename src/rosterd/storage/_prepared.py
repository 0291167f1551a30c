"""The statements every request runs, compiled once per database and run on the driver's cursor.

SQLAlchemy spends more Python on each execution (a cache key walked out of the statement, an
execution context, a result object, events) than SQLite spends answering a primary-key lookup.
A `Prepared` statement is the same SQLAlchemy Core statement, compiled once by the engine's own
dialect, with the bind and result processors of its column types as that dialect implements
them (`dialect_impl`): it runs inside the
connection's transaction and returns the values SQLAlchemy would have returned. Driver errors
come out as SQLAlchemy's, so the store's error handling does not see a difference.

Only plain statements qualify: no expanding (IN-list) parameters, no statement-level options.
Writes qualify as well (an INSERT, with its RETURNING, an UPDATE, a DELETE) when every value is
a bound parameter: the statement names its columns (`_statements.inserting`), as SQLAlchemy's
own execution would compile them from the keys given.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator, Mapping, Sequence
from typing import Any

from sqlalchemy import Connection, Dialect
from sqlalchemy.exc import DBAPIError
from sqlalchemy.sql import CompoundSelect, Delete, Insert, Select, Update
from sqlalchemy.sql.compiler import SQLCompiler

Processor = Callable[[Any], Any] | None
Statement = Select[Any] | CompoundSelect[Any] | Insert | Update | Delete


class PreparedRow:
    """One result row, read by name like a SQLAlchemy row's `_mapping`."""

    __slots__ = ("_mapping",)

    def __init__(self, mapping: Mapping[str, Any]) -> None:
        self._mapping = mapping


class Prepared:
    def __init__(self, statement: Statement, dialect: Dialect) -> None:
        compiled = statement.compile(dialect=dialect)
        assert isinstance(compiled, SQLCompiler)
        if any(b.expanding for b in compiled.binds.values()):
            raise ValueError("expanding parameters cannot be prepared")
        self._dialect = dialect
        self.sql = compiled.string
        # Values the statement itself holds (literals SQLAlchemy binds); callers give the rest.
        self._defaults: dict[str, Any] = {
            name: bind.effective_value for name, bind in compiled.binds.items() if not bind.required
        }
        self._names: Sequence[str] | None = compiled.positiontup if compiled.positional else None
        self._binds: dict[str, Processor] = {
            name: bind.type.dialect_impl(dialect).bind_processor(dialect)
            for name, bind in compiled.binds.items()
        }
        columns = list(
            statement.selected_columns
            if isinstance(statement, Select | CompoundSelect)
            else statement.exported_columns  # what a write RETURNs
        )
        self._keys = tuple(str(c.key) for c in columns)
        self._results: tuple[Processor, ...] = tuple(
            c.type.dialect_impl(dialect).result_processor(dialect, None) for c in columns
        )
        self._converts = any(p is not None for p in self._results)

    @property
    def processors(self) -> tuple[Processor, ...]:
        """Each selected column's result processor (None: the driver's value as it is)."""
        return self._results

    def fetch(self, conn: Connection, params: Mapping[str, Any]) -> list[Sequence[Any]]:
        """The driver's rows, unprocessed: for callers that convert only what they use."""
        cursor = conn.connection.driver_connection.cursor()  # type: ignore[union-attr]
        try:
            cursor.execute(self.sql, self._parameters(params))
            fetched: list[Sequence[Any]] = cursor.fetchall()
        except self._dialect.loaded_dbapi.Error as exc:
            raise self._error(exc, params) from exc
        finally:
            cursor.close()
        return fetched

    def execute(self, conn: Connection, params: Mapping[str, Any]) -> None:
        """Run a write that returns nothing."""
        cursor = conn.connection.driver_connection.cursor()  # type: ignore[union-attr]
        try:
            cursor.execute(self.sql, self._parameters(params))
        except self._dialect.loaded_dbapi.Error as exc:
            raise self._error(exc, params) from exc
        finally:
            cursor.close()

    def execute_many(self, conn: Connection, many: Sequence[Mapping[str, Any]]) -> None:
        """Run a write once for each set of parameters, in one call to the driver."""
        if not many:
            return
        cursor = conn.connection.driver_connection.cursor()  # type: ignore[union-attr]
        try:
            cursor.executemany(self.sql, [self._parameters(one) for one in many])
        except self._dialect.loaded_dbapi.Error as exc:
            raise self._error(exc, many) from exc
        finally:
            cursor.close()

    def scalar(self, conn: Connection, params: Mapping[str, Any]) -> Any:
        """The first column of the one row a statement (a write's RETURNING) gives."""
        value = self.fetch(conn, params)[0][0]
        process = self._results[0]
        return value if process is None else process(value)

    def _error(
        self, exc: Exception, given: Mapping[str, Any] | Sequence[Mapping[str, Any]]
    ) -> BaseException:
        """The driver's error as SQLAlchemy raises it (an IntegrityError for a constraint)."""
        return DBAPIError.instance(
            self.sql, given, exc, self._dialect.loaded_dbapi.Error, hide_parameters=True
        )

    def rows(self, conn: Connection, params: Mapping[str, Any]) -> Iterator[PreparedRow]:
        fetched = self.fetch(conn, params)
        keys, results = self._keys, self._results
        for raw in fetched:
            values = (
                [v if p is None else p(v) for p, v in zip(results, raw, strict=True)]
                if self._converts
                else raw
            )
            yield PreparedRow(dict(zip(keys, values, strict=True)))

    def first(self, conn: Connection, params: Mapping[str, Any]) -> PreparedRow | None:
        return next(self.rows(conn, params), None)

    def _parameters(self, given: Mapping[str, Any]) -> Sequence[Any] | dict[str, Any]:
        values = {**self._defaults, **given}
        for name, process in self._binds.items():
            if process is not None and values.get(name) is not None:
                values[name] = process(values[name])
        if self._names is None:
            return values
        ordered: list[Any] = [values[name] for name in self._names]
        return ordered


class PreparedStatements:
    """Each statement prepared once for the engine's dialect, on first use."""

    def __init__(self, dialect: Dialect) -> None:
        self._dialect = dialect
        self._prepared: dict[int, tuple[Statement, Prepared]] = {}

    def __getitem__(self, statement: Statement) -> Prepared:
        found = self._prepared.get(id(statement))
        if found is None or found[0] is not statement:
            found = (statement, Prepared(statement, self._dialect))
            self._prepared[id(statement)] = found
        return found[1]
