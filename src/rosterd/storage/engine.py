"""Engines for the two supported databases, with the settings that make writes durable.

SQLite runs in WAL mode with `synchronous=FULL` (a commit is on disk before it is acknowledged)
and foreign keys on. Writers take the lock up front (`BEGIN IMMEDIATE`) so that two writers never
deadlock upgrading a read lock; readers use plain deferred transactions and never block writers.

PostgreSQL runs without JIT compilation (`jit=off`, on each connection): a prepared statement's
generic plan estimates its `LIMIT $n` at thousands of rows, and compiling that plan cost 250 ms
on a console page whose query ran in 0.2 ms (docs/performance.md, "The console"). rosterd's
queries read a page's worth of rows, where JIT never pays.

Errors never carry a statement's parameters (`hide_parameters`): they are emails, names and search
terms, and error messages end up in logs.
"""

from __future__ import annotations

import time
from typing import Any

from sqlalchemy import Engine, create_engine, event
from sqlalchemy.engine import make_url
from sqlalchemy.exc import DisconnectionError
from sqlalchemy.pool import ConnectionPoolEntry

SQLITE_BUSY_TIMEOUT_MS = 30_000
BEGIN_MODE_OPTION = "rosterd_sqlite_begin"
_BEGIN = {mode: f"BEGIN {mode}" for mode in ("DEFERRED", "IMMEDIATE")}


def make_engine(url: str) -> Engine:
    parsed = make_url(url)
    if parsed.get_backend_name() == "postgresql":
        if parsed.drivername == "postgresql":
            parsed = parsed.set(drivername="postgresql+psycopg")
        # Added to any `options` the URL gives (libpq's: later settings win, so the URL's
        # own `-c jit=on` would lose; it has no reason to be there).
        given = parsed.query.get("options", ())
        options = " ".join([*([given] if isinstance(given, str) else given), "-c jit=off"])
        engine = create_engine(
            parsed,
            connect_args={"options": options},
            pool_size=10,
            max_overflow=20,
            hide_parameters=True,
        )
        _ping_idle_connections(engine)
        return engine
    if parsed.get_backend_name() != "sqlite":
        raise ValueError(
            f"unsupported database {parsed.get_backend_name()!r}: use sqlite or postgresql"
        )
    engine = create_engine(
        parsed,
        connect_args={"check_same_thread": False, "timeout": SQLITE_BUSY_TIMEOUT_MS / 1000},
        pool_size=8,
        max_overflow=16,
        hide_parameters=True,
    )
    _configure_sqlite(engine)
    return engine


# A PostgreSQL connection idle this long is pinged before it is handed out (see below).
PING_IDLE_AFTER_S = 1.0
_CHECKED_IN_AT = "rosterd_checked_in_at"


def _ping_idle_connections(engine: Engine) -> None:
    """Ping a pooled connection before use only if it sat idle: a round trip of the seven a
    read request made (docs/performance.md). A server that restarted or dropped idle
    connections is found out as `pool_pre_ping` would find it, and a fresh connection taken;
    a connection in steady use is not pinged: if the server goes away between two uses a
    second apart, that use fails, and SQLAlchemy then replaces every connection of the pool."""

    @event.listens_for(engine, "checkin")
    def _on_checkin(_dbapi_connection: Any, record: ConnectionPoolEntry) -> None:
        record.info[_CHECKED_IN_AT] = time.monotonic()

    @event.listens_for(engine, "checkout")
    def _on_checkout(dbapi_connection: Any, record: ConnectionPoolEntry, _proxy: Any) -> None:
        checked_in = record.info.get(_CHECKED_IN_AT)
        if checked_in is not None and time.monotonic() - checked_in < PING_IDLE_AFTER_S:
            return
        try:
            engine.dialect.do_ping(dbapi_connection)
        except engine.dialect.loaded_dbapi.Error as exc:
            # The pool closes this connection and tries another (a new one, if need be).
            raise DisconnectionError() from exc


def _configure_sqlite(engine: Engine) -> None:
    @event.listens_for(engine, "connect")
    def _on_connect(dbapi_connection: Any, _record: ConnectionPoolEntry) -> None:
        # Let SQLAlchemy, not the driver, decide when transactions begin.
        dbapi_connection.isolation_level = None
        cursor = dbapi_connection.cursor()
        cursor.execute("PRAGMA journal_mode=WAL")
        cursor.execute("PRAGMA synchronous=FULL")
        cursor.execute("PRAGMA foreign_keys=ON")
        cursor.execute(f"PRAGMA busy_timeout={SQLITE_BUSY_TIMEOUT_MS}")
        cursor.close()

    @event.listens_for(engine, "begin")
    def _on_begin(connection: Any) -> None:
        mode = connection.get_execution_options().get(BEGIN_MODE_OPTION, "DEFERRED")
        # On the driver's connection: through SQLAlchemy's statement machinery this one
        # keyword cost more than the reads of a typical request.
        connection.connection.driver_connection.execute(_BEGIN[mode])
