"""A real rosterd HTTP server on 127.0.0.1, run in a background thread."""

from __future__ import annotations

import socket
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

import uvicorn

from rosterd.server import Settings, create_app
from rosterd.server.limits import server_options
from rosterd.storage import SqlDirectoryStore, make_engine, upgrade


@dataclass(frozen=True)
class LiveServer:
    base_url: str  # http://127.0.0.1:PORT
    store: SqlDirectoryStore
    settings: Settings

    @property
    def thousandeyes_url(self) -> str:
        return f"{self.base_url}/v7"

    @property
    def kandji_url(self) -> str:
        return f"{self.base_url}/api/v1"

    @property
    def scim_url(self) -> str:
        return f"{self.base_url}/api/v1/scim"


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
    app = create_app(settings, store)
    sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    sock.bind(("127.0.0.1", 0))
    port = sock.getsockname()[1]
    config = uvicorn.Config(
        app, log_level="warning", access_log=False, lifespan="off", **server_options(settings)
    )
    server = uvicorn.Server(config)
    thread = threading.Thread(target=server.run, kwargs={"sockets": [sock]}, daemon=True)
    thread.start()
    deadline = time.monotonic() + 10
    while not server.started:
        if time.monotonic() > deadline or not thread.is_alive():
            raise RuntimeError("rosterd test server did not start")
        time.sleep(0.01)
    try:
        yield LiveServer(f"http://127.0.0.1:{port}", store, settings)
    finally:
        server.should_exit = True
        thread.join(timeout=10)
        sock.close()
