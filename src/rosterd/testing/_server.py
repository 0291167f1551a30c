"""A rosterd on a free loopback port, in this process, for a test suite: its own database (a
temporary SQLite file unless given one), an organization with an Organization Admin and a
token, and the control plane on."""

from __future__ import annotations

import secrets
import socket
import tempfile
import threading
import time
from collections.abc import Iterator
from contextlib import ExitStack, contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

from rosterd.testing._control import ControlClient

if TYPE_CHECKING:
    from starlette.types import ASGIApp

    from rosterd.server.settings import Settings

ORG_SUBDOMAIN = "test"
ADMIN_EMAIL = "admin@test.rosterd.dev"
_START_TIMEOUT = 30.0


class DialectUrls:
    """Where each API of a rosterd at `base_url` is."""

    base_url: str  # http://127.0.0.1:PORT

    @property
    def thousandeyes_url(self) -> str:
        return f"{self.base_url}/v7"

    @property
    def kandji_url(self) -> str:
        return f"{self.base_url}/api/v1"

    @property
    def scim_url(self) -> str:
        return f"{self.base_url}/api/v1/scim"


@dataclass(frozen=True)
class RosterdServer(DialectUrls):
    base_url: str
    token: str  # the Organization Admin's API token
    admin_email: str
    org_subdomain: str
    control: ControlClient

    def thousandeyes_client(self, token: str | None = None) -> object:
        """A `thousandeyes_sdk.core.ApiClient` for this server (rosterd's SDK or the official
        one, whichever is installed)."""
        from thousandeyes_sdk.core import ApiClient, Configuration

        return ApiClient(
            Configuration(host=self.thousandeyes_url, access_token=token or self.token)
        )

    def kandji_client(self, token: str | None = None) -> object:
        """A `kandji.ApiClient` of rosterd's Kandji SDK for this server."""
        import kandji

        configuration = kandji.Configuration(host=self.base_url, access_token=token or self.token)
        return kandji.ApiClient(configuration)


@contextmanager
def running_rosterd(
    database_url: str | None = None, *, seed: Path | None = None
) -> Iterator[RosterdServer]:
    """Start rosterd; stop it, and remove a database it made, on exit. A given database is
    migrated and then reset by the control plane: give one that holds nothing else. A `seed`
    file is loaded before the start, so that a reset returns to it too."""
    from rosterd.core import clock
    from rosterd.core.audit import CLI_ACTOR
    from rosterd.core.organizations import OrganizationsService
    from rosterd.server import create_app
    from rosterd.server.settings import Settings
    from rosterd.storage import SqlDirectoryStore
    from rosterd.storage.startup import open_database
    from rosterd.storage.templates import new_migrated_sqlite

    with ExitStack() as stack:
        if database_url is None:
            folder = Path(stack.enter_context(tempfile.TemporaryDirectory(prefix="rosterd-")))
            new_migrated_sqlite(folder / "rosterd.db")
            database_url = f"sqlite:///{folder / 'rosterd.db'}"
        stack.callback(clock.freeze, None)  # the process's clock runs again when we stop
        engine = open_database(database_url, migrate=True)
        stack.callback(engine.dispose)
        store = SqlDirectoryStore(engine)
        stack.callback(store.close)
        created = OrganizationsService(store).create_organization(
            name="Test",
            subdomain=ORG_SUBDOMAIN,
            admin_email=ADMIN_EMAIL,
            admin_name="Test Admin",
            rate_limit_per_minute=None,
            actor=CLI_ACTOR,
        )
        if seed is not None:
            from rosterd.seeds import load_seed, read_seed

            load_seed(store, read_seed(seed), actor=CLI_ACTOR)
        control_token = f"rstc_{secrets.token_urlsafe(24)}"
        settings = Settings(database_url=database_url, control=True, control_token=control_token)
        base_url = stack.enter_context(serving(create_app(settings, store), settings))
        yield RosterdServer(
            base_url,
            created.token,
            ADMIN_EMAIL,
            ORG_SUBDOMAIN,
            ControlClient(base_url, control_token),
        )


@contextmanager
def serving(app: ASGIApp, settings: Settings) -> Iterator[str]:
    """`app` on uvicorn, as `rosterd serve` runs it, in a thread, on a free loopback port:
    its base URL until the block ends."""
    import uvicorn

    from rosterd.server.limits import server_options

    sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    sock.bind(("127.0.0.1", 0))
    config = uvicorn.Config(
        app, log_level="warning", access_log=False, lifespan="off", **server_options(settings)
    )
    server = uvicorn.Server(config)
    thread = threading.Thread(target=server.run, kwargs={"sockets": [sock]}, daemon=True)
    thread.start()
    try:
        _wait_until_started(server, thread)
        # Without the lifespan nothing warms the app up after the start: do it before the first
        # request, which on a loaded machine otherwise waited seconds for its dialect's build.
        for _, step in getattr(getattr(app, "state", None), "warm_up_steps", ()):
            step()
        yield f"http://127.0.0.1:{sock.getsockname()[1]}"
    finally:
        server.should_exit = True
        thread.join(timeout=10)
        sock.close()


def _wait_until_started(server: object, thread: threading.Thread) -> None:
    deadline = time.monotonic() + _START_TIMEOUT
    while not getattr(server, "started", False):
        if time.monotonic() > deadline or not thread.is_alive():
            raise RuntimeError("rosterd did not start")
        time.sleep(0.01)
