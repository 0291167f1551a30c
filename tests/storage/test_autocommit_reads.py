"""PostgreSQL reads run in autocommit (storage/_blocks.py): no BEGIN or COMMIT round trips; a
listing that plans for its own values holds a transaction block until the read ends, and
leaves the pooled connection as it found it, also after an error."""

from __future__ import annotations

from typing import Any

import pytest
from sqlalchemy import Connection, func, select, text

from rosterd.core.ports import Keyset, UserQuery
from rosterd.storage import SqlDirectoryStore
from tests.support.orgs import OrgFactory


@pytest.fixture
def postgresql(store: SqlDirectoryStore) -> SqlDirectoryStore:
    if store.engine.dialect.name != "postgresql":
        pytest.skip("SQLite's reads are transactions on kept connections")
    return store


def _status(conn: Connection) -> str:
    driver: Any = conn.connection.driver_connection
    return str(driver.info.transaction_status.name)


def _plan_cache_mode(conn: Connection) -> str:
    return str(conn.execute(text("SHOW plan_cache_mode")).scalar_one())


def test_a_reads_statements_are_transactions_of_their_own(
    postgresql: SqlDirectoryStore, orgs: OrgFactory
) -> None:
    org = orgs.create()
    with postgresql.read() as tx:
        user = tx.get_user(org.admin.org_id, org.admin.uid)
        conn = tx._conn
        assert _status(conn) == "IDLE"  # no block left open after the statement
        # Each statement is a transaction: its start is the statement's start.
        began, started = conn.execute(
            select(func.transaction_timestamp(), func.statement_timestamp())
        ).one()
    assert user is not None
    assert began == started


def test_a_listing_plans_for_its_values_until_the_read_ends(
    postgresql: SqlDirectoryStore, orgs: OrgFactory
) -> None:
    org = orgs.create()
    with postgresql.read() as tx:
        conn = tx._conn
        assert _plan_cache_mode(conn) == "auto"
        page = tx.list_directory_users(
            org.admin.org_id, UserQuery(text_contains="example"), Keyset(limit=10)
        )
        # The search's first statement set it for the statements after it, in one block.
        assert _status(conn) == "INTRANS"
        assert _plan_cache_mode(conn) == "force_custom_plan"
    assert [u.user.uid for u in page] == [org.admin.uid]
    with postgresql.read() as tx:  # the pool's one connection, committed and reset
        assert _status(tx._conn) == "IDLE"
        assert _plan_cache_mode(tx._conn) == "auto"


def test_an_error_in_a_held_read_leaves_the_connection_reset(
    postgresql: SqlDirectoryStore, orgs: OrgFactory
) -> None:
    org = orgs.create()

    def failing_request() -> None:
        with postgresql.read() as tx:
            query = UserQuery(text_contains="exa")
            tx.list_directory_users(org.admin.org_id, query, Keyset(limit=1))
            raise RuntimeError("the request failed after its listing")

    with pytest.raises(RuntimeError):
        failing_request()
    with postgresql.read() as tx:
        assert _status(tx._conn) == "IDLE"
        assert _plan_cache_mode(tx._conn) == "auto"
        assert tx.get_user(org.admin.org_id, org.admin.uid) is not None
