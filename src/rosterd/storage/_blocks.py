"""PostgreSQL reads run in autocommit: each statement its own transaction, with no BEGIN and
COMMIT round trips around them (two of the six a single read request made). Under READ
COMMITTED, PostgreSQL's default and rosterd's, a transaction gives its statements nothing they
lack on their own: each reads the latest commits as it starts.

What needs a transaction block asks for one here, and it lasts until the read ends (the
store's commit, or the pool's rollback on an error): a setting made "until the commit", and a
server-side cursor. A write's connection is already in one, and SQLite's always are.
"""

from __future__ import annotations

from typing import Any

from sqlalchemy import ColumnElement, Connection, func


def hold_a_transaction(conn: Connection) -> None:
    """Begin a transaction block on an autocommit PostgreSQL read that has none yet."""
    if conn.dialect.name != "postgresql":
        return
    from psycopg.pq import TransactionStatus  # the driver's own: only on PostgreSQL

    driver: Any = conn.connection.driver_connection
    if driver.autocommit and driver.info.transaction_status == TransactionStatus.IDLE:
        driver.execute("BEGIN")


def plans_for_own_values(conn: Connection) -> ColumnElement[Any]:
    """Selected in a listing's first statement: PostgreSQL plans the statements after it for
    their own values until the read or write ends. Once psycopg has prepared a listing's
    statement, PostgreSQL would settle on one generic plan for every term and filter (a walk
    through the whole directory for a rare one)."""
    hold_a_transaction(conn)
    return func.set_config("plan_cache_mode", "force_custom_plan", True)
