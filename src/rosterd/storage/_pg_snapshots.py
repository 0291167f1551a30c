"""PostgreSQL snapshots, restored by writing back only the rows that changed since.

A snapshot is a set of temporary tables on one connection of its own (the keeper), copied from
every table in one repeatable view, each row with the `xmin` it had: the transaction that wrote
that version of it. A row whose `xmin` is still the same was not written since, so a restore
deletes the rows made since, writes back the rows whose `xmin` moved and inserts the rows
deleted since, in one transaction, all in the server: a few thousand users and a hundred changes
restore in tens of milliseconds where truncating and copying every row back took ~200.

Temporary tables go with their connection. If the keeper is lost (the server restarted, the
connection was cut), each snapshot is rebuilt from the `COPY` text of every table taken with it.
A rare restore the row-by-row way cannot make (two users that swapped their emails since, which
a unique index refuses row by row) rewrites every table whole from the temporary copy instead.
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, Final, cast

from sqlalchemy import Engine, Integer, Table

from rosterd.storage import tables as t

if TYPE_CHECKING:
    import psycopg

APPLICATION_NAME: Final = "rosterd snapshots"  # how the keeper shows in pg_stat_activity
DEADLOCK_ATTEMPTS: Final = 3  # a restore waits for writers; one of them may hold what it needs


@dataclass(slots=True)
class _Kept:
    rows: dict[str, bytes]  # COPY text of every table: to rebuild it if the keeper is lost
    generation: int  # the keeper connection its temporary tables live on


def _tables() -> Sequence[Table]:
    return t.metadata.sorted_tables  # parents before children


class PostgresSnapshots:
    """Snapshots of one PostgreSQL database, restored into it. Not thread-safe: the caller
    takes and restores one at a time."""

    def __init__(self, engine: Engine) -> None:
        self._engine = engine
        self._keeper: psycopg.Connection[Any] | None = None
        self._generation = 0  # moves each time a keeper goes, and its temporary tables with it
        self._kept: dict[int, _Kept] = {}

    def take(self, number: int) -> None:
        with self._keeper_transaction() as keeper:
            keeper.execute("SET TRANSACTION ISOLATION LEVEL REPEATABLE READ")
            rows = {table.name: _copy_out(keeper, table) for table in _tables()}
            keeper.execute(_keep_sql(number))
        self._kept[number] = _Kept(rows, self._generation)

    def restore(self, number: int) -> None:
        import psycopg

        kept = self._kept[number]
        for attempt in range(1, DEADLOCK_ATTEMPTS + 1):
            try:
                self._restore(number, kept)
                return
            except psycopg.errors.DeadlockDetected:
                if attempt == DEADLOCK_ATTEMPTS:
                    raise
            except psycopg.OperationalError:
                self._drop_keeper()  # and rebuild from the COPY text, on a new keeper
                self._restore(number, kept)
                return

    def discard(self, number: int) -> None:
        import psycopg

        kept = self._kept.pop(number)
        if kept.generation == self._generation and self._keeper is not None:
            try:
                with self._keeper.transaction():
                    self._keeper.execute(_drop_sql(number))
            except psycopg.OperationalError:
                self._drop_keeper()

    def close(self) -> None:
        self._drop_keeper()
        self._kept.clear()

    def _restore(self, number: int, kept: _Kept) -> None:
        import psycopg

        if kept.generation != self._generation:
            with self._keeper_transaction() as keeper:
                highest = _begin_restore(keeper)
                _copy_in(keeper, kept.rows)
                keeper.execute(_drop_sql(number, if_exists=True) + _keep_sql(number))
                _end_restore(keeper, highest)
            kept.generation = self._generation
            return
        try:
            with self._keeper_transaction() as keeper:
                highest = _begin_restore(keeper)
                keeper.execute(_changed_rows_sql(number))
                _end_restore(keeper, highest)
        except psycopg.IntegrityError:
            with self._keeper_transaction() as keeper:
                highest = _begin_restore(keeper)
                keeper.execute(_whole_tables_sql(number))
                _end_restore(keeper, highest)

    @contextmanager
    def _keeper_transaction(self) -> Iterator[psycopg.Connection[Any]]:
        if self._keeper is None or self._keeper.closed:
            self._drop_keeper()
            self._keeper = self._connect()
        with self._keeper.transaction():
            yield self._keeper

    def _connect(self) -> psycopg.Connection[Any]:
        # The engine's own driver and arguments, outside its pool: the keeper is never lent.
        dialect = self._engine.dialect
        args, kwargs = dialect.create_connect_args(self._engine.url)
        kwargs["application_name"] = APPLICATION_NAME
        return cast("psycopg.Connection[Any]", dialect.connect(*args, **kwargs))

    def _drop_keeper(self) -> None:
        keeper, self._keeper = self._keeper, None
        if keeper is not None:
            self._generation += 1
            keeper.close()


def _copy_out(keeper: psycopg.Connection[Any], table: Table) -> bytes:
    with keeper.cursor() as cursor, cursor.copy(f"COPY {table.name} TO STDOUT") as copy:
        return b"".join(bytes(chunk) for chunk in copy)


def _copy_in(keeper: psycopg.Connection[Any], rows: dict[str, bytes]) -> None:
    keeper.execute(f"TRUNCATE {_names()} RESTART IDENTITY")
    for table in _tables():
        if rows[table.name]:
            with keeper.cursor() as cursor, cursor.copy(f"COPY {table.name} FROM STDIN") as copy:
                copy.write(rows[table.name])


# Every name below comes from the schema's own metadata and a snapshot's number, never from input.


def _names() -> str:
    return ", ".join(table.name for table in _tables())


def _copy_name(number: int, table: Table) -> str:
    return f"rosterd_snapshot_{number}_{table.name}"


def _keep_sql(number: int) -> str:
    # Not analyzed: the planner sizes them from their pages and joins them by hash anyway, and
    # ANALYZE made a snapshot take twice as long (measured at 3,000 users).
    return "".join(
        f"CREATE TEMPORARY TABLE {_copy_name(number, table)} AS "  # noqa: S608
        f"SELECT xmin AS kept_xmin, * FROM {table.name}; "
        for table in _tables()
    )


def _drop_sql(number: int, *, if_exists: bool = False) -> str:
    exists = "IF EXISTS " if if_exists else ""
    return "".join(f"DROP TABLE {exists}{_copy_name(number, table)}; " for table in _tables())


def _begin_restore(keeper: psycopg.Connection[Any]) -> int:
    """Lock out writers (readers go on seeing the state before the restore until it commits)
    and say the highest access version now."""
    keeper.execute(f"LOCK TABLE {_names()} IN EXCLUSIVE MODE")
    found = keeper.execute("SELECT COALESCE(MAX(access_version), 0) FROM organizations")
    row = found.fetchone()
    return int(row[0]) if row else 0


def _changed_rows_sql(number: int) -> str:
    deletes = [_delete_made_since(number, table) for table in reversed(_tables())]
    writes = [
        statement
        for table in _tables()
        for statement in (
            _rewrite_changed(number, table),
            _insert_deleted_since(number, table),
            _note_written(number, table),
        )
        if statement
    ]
    return "; ".join([*deletes, *writes])


def _whole_tables_sql(number: int) -> str:
    inserts = [_insert_deleted_since(number, table) for table in _tables()]
    notes = [_note_written(number, table) for table in _tables()]
    return "; ".join([f"TRUNCATE {_names()}", *inserts, *notes])


def _same_key(table: Table) -> str:
    return " AND ".join(f"kept.{c.name} = live.{c.name}" for c in table.primary_key.columns)


def _delete_made_since(number: int, table: Table) -> str:
    return (
        f"DELETE FROM {table.name} live WHERE NOT EXISTS "  # noqa: S608
        f"(SELECT 1 FROM {_copy_name(number, table)} kept WHERE {_same_key(table)})"
    )


def _rewrite_changed(number: int, table: Table) -> str:
    columns = [c.name for c in table.columns if not c.primary_key]
    if not columns:
        return ""  # a row of nothing but its key is there or not: never changed in place
    assignments = ", ".join(f"{name} = kept.{name}" for name in columns)
    return (
        f"UPDATE {table.name} live SET {assignments} "  # noqa: S608
        f"FROM {_copy_name(number, table)} kept "
        f"WHERE {_same_key(table)} AND NOT (live.xmin = kept.kept_xmin)"
    )


def _insert_deleted_since(number: int, table: Table) -> str:
    columns = ", ".join(c.name for c in table.columns)
    return (
        f"INSERT INTO {table.name} ({columns}) SELECT {columns} "  # noqa: S608
        f"FROM {_copy_name(number, table)} kept WHERE NOT EXISTS "
        f"(SELECT 1 FROM {table.name} live WHERE {_same_key(table)})"
    )


def _note_written(number: int, table: Table) -> str:
    # The rows this restore wrote have a new xmin; the copy notes it, so that the next restore
    # of this snapshot takes them for unchanged again.
    return (
        f"UPDATE {_copy_name(number, table)} kept SET kept_xmin = live.xmin "  # noqa: S608
        f"FROM {table.name} live WHERE {_same_key(table)} AND NOT (live.xmin = kept.kept_xmin)"
    )


def _end_restore(keeper: psycopg.Connection[Any], highest: int) -> None:
    keeper.execute(_sequences_sql())
    # Above any version a worker may have kept from the history this restore undid.
    keeper.execute(
        f"UPDATE organizations SET access_version = access_version + {highest + 1}"  # noqa: S608
    )


def _sequences_sql() -> str:
    # Each id sequence just past the restored ids: the ids made next are those that were made
    # right after the snapshot was taken.
    moves = [
        f"setval(pg_get_serial_sequence('{table.name}', '{column.name}'), "  # noqa: S608
        f"COALESCE((SELECT MAX({column.name}) FROM {table.name}), 0) + 1, false)"
        for table in _tables()
        for column in table.primary_key.columns
        if column.autoincrement is True and isinstance(column.type, Integer)
    ]
    return "SELECT " + ", ".join(moves)
