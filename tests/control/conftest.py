"""A rosterd with its control plane on, in a database of its own: a reset empties it."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import httpx
import pytest

from rosterd.core import clock
from rosterd.storage import SqlDirectoryStore, make_engine, upgrade
from tests.conftest import BACKENDS, new_postgres_database
from tests.support.orgs import OrgFactory, TestOrg
from tests.support.server import LiveServer, start_server

CONTROL_TOKEN = "rstc_test_control_token"


@dataclass
class Double:
    """The server, the organization it started with, and a client of its control plane."""

    server: LiveServer
    org: TestOrg
    control: httpx.Client

    def api(self, token: str | None = None) -> httpx.Client:
        return httpx.Client(
            base_url=self.server.base_url,
            headers={"Authorization": f"Bearer {token or self.org.token}"},
        )


@pytest.fixture(params=BACKENDS)
def control_database(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[str]:
    if request.param == "sqlite":
        yield f"sqlite:///{tmp_path / 'rosterd.db'}"
        return
    with new_postgres_database() as url:
        yield url


@pytest.fixture
def double(control_database: str) -> Iterator[Double]:
    engine = make_engine(control_database)
    upgrade(engine)
    store = SqlDirectoryStore(engine)
    org = OrgFactory(store).create()  # the state a reset returns to
    with (
        start_server(
            control_database, store, control=True, control_token=CONTROL_TOKEN, rate_limits=False
        ) as server,
        httpx.Client(
            base_url=f"{server.base_url}/_rosterd",
            headers={"Authorization": f"Bearer {CONTROL_TOKEN}"},
        ) as control,
    ):
        yield Double(server, org, control)
    clock.freeze(None)  # the process's one clock: a test that stopped it must not stop others'
    store.close()
    engine.dispose()
