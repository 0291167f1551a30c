"""Transactions on connections kept open between them (SQLite): the reads', and the writer's.

Checking a connection out of SQLAlchemy's pool and back in (a Connection object, pool events, a
rollback on return) costs more than a read transaction's BEGIN and COMMIT, and a request makes two
of them (docs/performance.md). A write is no different; SQLite takes one writer at a time, and the
store's writers take turns, so one connection serves them all. The connections kept here stay
checked out of the pool, idle between transactions; one that a failure may have left in doubt is
closed instead.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from typing import Any

from sqlalchemy import Connection, Engine


class KeptConnections:
    def __init__(self, engine: Engine, keep: int, options: Mapping[str, Any] | None = None) -> None:
        self._engine = engine
        self._keep = keep
        self._options = dict(options or {})  # each connection's execution options
        self._idle: list[Connection] = []  # list.pop and append are atomic: no lock needed

    @contextmanager
    def transaction(self) -> Iterator[Connection]:
        try:
            conn = self._idle.pop()
        except IndexError:
            conn = self._engine.connect().execution_options(**self._options)
        healthy = False
        try:
            with conn.begin():
                yield conn
            healthy = True
        except Exception:
            # A core error (a 404, a refusal) leaves the connection as it was: keep it. One the
            # database failed on (invalidated, or left in a transaction) is closed.
            healthy = not conn.invalidated and not conn.in_transaction()
            raise
        finally:
            if healthy and len(self._idle) < self._keep:
                self._idle.append(conn)
            else:
                conn.close()

    def close(self) -> None:
        while self._idle:
            self._idle.pop().close()
