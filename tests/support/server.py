"""A real rosterd HTTP server on 127.0.0.1, run in a background thread."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

from rosterd.server import Settings, create_app
from rosterd.storage import SqlDirectoryStore, make_engine, upgrade
from rosterd.testing import DialectUrls, serving


@dataclass(frozen=True)
class LiveServer(DialectUrls):
    base_url: str  # http://127.0.0.1:PORT
    store: SqlDirectoryStore
    settings: Settings


def sqlite_database(directory: Path) -> tuple[str, SqlDirectoryStore]:
    """A freshly migrated SQLite database of a test's own in `directory`: its URL and store."""
    url = f"sqlite:///{directory / 'rosterd.db'}"
    engine = make_engine(url)
    upgrade(engine)
    return url, SqlDirectoryStore(engine)


@contextmanager
def start_server(
    database_url: str, store: SqlDirectoryStore, **overrides: object
) -> Iterator[LiveServer]:
    settings = Settings(database_url=database_url, **overrides)  # type: ignore[arg-type]
    with serving(create_app(settings, store), settings) as base_url:
        yield LiveServer(base_url, store, settings)
