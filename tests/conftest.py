"""Shared fixtures: every test that touches storage runs on SQLite and on PostgreSQL.

PostgreSQL tests need `ROSTERD_TEST_POSTGRES_URL`, a URL whose role may create databases
(`.ci/run` sets it up). Without it they are skipped, unless `ROSTERD_REQUIRE_POSTGRES=1`
(set in CI) turns the skip into a failure.
"""

from __future__ import annotations

import os
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import pytest
from hypothesis import HealthCheck, settings

from rosterd.storage import SqlDirectoryStore, make_engine, upgrade
from tests.support.orgs import OrgFactory
from tests.support.postgres import scratch_database
from tests.support.server import LiveServer, start_server

# Hypothesis's timing checks (a 200 ms deadline per example, a health check on how slowly
# examples are generated) measure the machine, not the code: on two shared cores under
# `-n 2` they failed tests whose properties held. What the tests assert is left as it is.
settings.register_profile("rosterd", deadline=None, suppress_health_check=[HealthCheck.too_slow])
settings.load_profile("rosterd")

BACKENDS = ["sqlite", "postgresql"]


def _postgres_admin_url() -> str:
    url = os.environ.get("ROSTERD_TEST_POSTGRES_URL")
    if url:
        return url
    if os.environ.get("ROSTERD_REQUIRE_POSTGRES") == "1":
        pytest.fail("ROSTERD_TEST_POSTGRES_URL is not set but ROSTERD_REQUIRE_POSTGRES=1")
    pytest.skip("PostgreSQL tests need ROSTERD_TEST_POSTGRES_URL")


@contextmanager
def new_database(kind: str, directory: Path) -> Iterator[str]:
    """The URL of a new, empty database of `kind`: a file in `directory`, or a PostgreSQL
    database of its own, dropped afterwards."""
    if kind == "sqlite":
        yield f"sqlite:///{directory / 'rosterd.db'}"
        return
    with new_postgres_database() as url:
        yield url


@contextmanager
def new_postgres_database() -> Iterator[str]:
    """A new, empty PostgreSQL database (skipped without one), dropped afterwards."""
    with scratch_database(_postgres_admin_url(), "rosterd_test") as url:
        yield url


@pytest.fixture(scope="session", params=BACKENDS)
def database_url(
    request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[str]:
    """A freshly migrated database of each kind, for the whole session.

    Migrated here, not by `store`: tests that only run `rosterd` commands against the URL need
    the schema too, also when they run alone."""
    with new_database(request.param, tmp_path_factory.mktemp("sqlite")) as url:
        engine = make_engine(url)
        upgrade(engine)
        engine.dispose()
        yield url


@pytest.fixture(params=BACKENDS)
def own_database_url(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[str]:
    """An empty database of each kind for this test alone, which it may break."""
    with new_database(request.param, tmp_path) as url:
        yield url


@pytest.fixture(scope="session")
def store(database_url: str) -> Iterator[SqlDirectoryStore]:
    engine = make_engine(database_url)
    store = SqlDirectoryStore(engine)
    yield store
    store.close()
    engine.dispose()


@pytest.fixture(scope="session")
def live_server(store: SqlDirectoryStore, database_url: str) -> Iterator[LiveServer]:
    """rosterd on a real HTTP server on 127.0.0.1, sharing the session's database."""
    with start_server(database_url, store) as server:
        yield server


@pytest.fixture
def orgs(store: SqlDirectoryStore) -> OrgFactory:
    """Creates fresh organizations; tests stay independent because nothing crosses orgs."""
    return OrgFactory(store)
