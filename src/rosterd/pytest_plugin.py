"""rosterd's pytest plugin, installed with rosterd (the `pytest11` entry point `rosterd`).

- `rosterd_server` (session scope, one per xdist worker): a live rosterd on a free loopback
  port, its own temporary SQLite database (or `--rosterd-database-url`), an organization with
  an admin token, the control plane on.
- `rosterd` (function scope): the same server, reset to the state it started with before the
  test, so that every test starts alike.

Nothing heavy is imported until a test asks for a fixture: the plugin loads in every pytest
run of a project that has rosterd installed.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import TYPE_CHECKING

import pytest

if TYPE_CHECKING:
    from rosterd.testing import RosterdServer


def pytest_addoption(parser: pytest.Parser) -> None:
    group = parser.getgroup("rosterd")
    group.addoption(
        "--rosterd-database-url",
        default=None,
        help="run the rosterd fixtures on this database (e.g. a PostgreSQL database of their "
        "own: it is reset before every test) instead of a temporary SQLite file",
    )


@pytest.fixture(scope="session")
def rosterd_server(request: pytest.FixtureRequest) -> Iterator[RosterdServer]:
    from rosterd.testing import running_rosterd

    with running_rosterd(request.config.getoption("--rosterd-database-url")) as server:
        yield server


@pytest.fixture
def rosterd(rosterd_server: RosterdServer) -> RosterdServer:
    rosterd_server.control.reset()
    return rosterd_server
