"""A rosterd with its control plane on, in a database of its own: a reset empties it."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass

import httpx
import pytest

from rosterd.core import clock
from rosterd.storage import SqlDirectoryStore, make_engine, upgrade
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


@pytest.fixture
def double(own_database_url: str) -> Iterator[Double]:
    engine = make_engine(own_database_url)
    upgrade(engine)
    store = SqlDirectoryStore(engine)
    org = OrgFactory(store).create()  # the state a reset returns to
    with (
        start_server(
            own_database_url, store, control=True, control_token=CONTROL_TOKEN, rate_limits=False
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
