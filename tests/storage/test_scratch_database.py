"""The tests' scratch PostgreSQL databases are dropped whoever is still connected to them."""

from __future__ import annotations

from sqlalchemy import create_engine, text

from tests.conftest import _postgres_admin_url
from tests.support.postgres import scratch_database


def _databases_named(name: str) -> int:
    admin = create_engine(_postgres_admin_url())
    try:
        with admin.connect() as conn:
            return int(
                conn.execute(
                    text("SELECT count(*) FROM pg_database WHERE datname = :name"), {"name": name}
                ).scalar_one()
            )
    finally:
        admin.dispose()


def test_a_scratch_database_is_dropped_with_sessions_still_in_it() -> None:
    with scratch_database(_postgres_admin_url(), "rosterd_test") as url:
        name = url.rsplit("/", 1)[1]
        left_open = create_engine(url)
        idle = left_open.connect()
        idle.execute(text("SELECT 1"))
        in_transaction = left_open.connect()
        in_transaction.begin()
        in_transaction.execute(text("CREATE TABLE t (x int)"))
        assert _databases_named(name) == 1
    assert _databases_named(name) == 0
    left_open.pool.dispose()
