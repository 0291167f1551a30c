"""rosterd's pytest plugin, installed with rosterd (the `pytest11` entry point `rosterd`).

- `rosterd_server` (session scope, one per xdist worker): a live rosterd on a free loopback
  port, its own temporary SQLite database (or `--rosterd-database-url`; under xdist each worker
  gets a database of its own beside that one, `NAME_gw0`, ...), an organization with an admin
  token, the control plane on.
- `rosterd` (function scope): the same server, reset to the state it started with before the
  test, so that every test starts alike; `@pytest.mark.rosterd_seed(path)` adds that seed
  after the reset.

The `rosterd_seed` ini option names a seed file the server starts with (a reset returns to it).

Nothing heavy is imported until a test asks for a fixture: the plugin loads in every pytest
run of a project that has rosterd installed.
"""

from __future__ import annotations

import os
from collections.abc import Iterator
from contextlib import ExitStack
from pathlib import Path
from typing import TYPE_CHECKING

import pytest

if TYPE_CHECKING:
    from rosterd.testing import RosterdServer


def pytest_addoption(parser: pytest.Parser) -> None:
    parser.addini("rosterd_seed", "a seed file (YAML or JSON) the rosterd server starts with")
    group = parser.getgroup("rosterd")
    group.addoption(
        "--rosterd-database-url",
        default=None,
        help="run the rosterd fixtures on this database (e.g. a PostgreSQL database of their "
        "own: it is reset before every test) instead of a temporary SQLite file",
    )


def pytest_configure(config: pytest.Config) -> None:
    config.addinivalue_line(
        "markers", "rosterd_seed(path): load this seed file into rosterd after the reset"
    )


@pytest.fixture(scope="session")
def rosterd_server(request: pytest.FixtureRequest) -> Iterator[RosterdServer]:
    from rosterd.testing import running_rosterd
    from rosterd.testing._databases import worker_database

    seed = request.config.getini("rosterd_seed")
    seed_path = Path(request.config.rootpath, seed) if seed else None
    url = request.config.getoption("--rosterd-database-url")
    worker = os.environ.get("PYTEST_XDIST_WORKER")
    with ExitStack() as stack:
        if url and worker:  # workers sharing one database would reset each other's state
            url = stack.enter_context(worker_database(url, worker))
        yield stack.enter_context(running_rosterd(url, seed=seed_path))


@pytest.fixture
def rosterd(request: pytest.FixtureRequest, rosterd_server: RosterdServer) -> RosterdServer:
    rosterd_server.control.reset()
    marker = request.node.get_closest_marker("rosterd_seed")
    if marker is not None:
        path = Path(marker.args[0])
        rosterd_server.control.seed(path if path.is_absolute() else request.path.parent / path)
    return rosterd_server
