"""The databases rosterd is measured on: always a new SQLite file, and PostgreSQL when asked."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import ExitStack, contextmanager
from pathlib import Path

from sqlalchemy.engine import make_url
from sqlalchemy.exc import SQLAlchemyError

from bench.processes import BenchError
from tests.support.postgres import scratch_database


def sqlite_url(workdir: Path) -> str:
    return f"sqlite:///{workdir / 'bench.db'}"


@contextmanager
def scratch_postgres(server_url: str) -> Iterator[str]:
    """A scratch database on the PostgreSQL server `server_url` names, dropped afterwards, so
    that every run seeds the same organization into an empty database."""
    if make_url(server_url).get_backend_name() != "postgresql":
        raise BenchError(f"--database-url must name a PostgreSQL server: {server_url}")
    with ExitStack() as stack:
        try:
            url = stack.enter_context(scratch_database(server_url, "rosterd_bench"))
        except SQLAlchemyError as exc:
            raise BenchError(f"cannot create a database on {server_url}: {exc}") from exc
        yield url
