"""The dialects are built when first needed (`server/mounts.py`): building rosterd's app loads
none of them, a first request builds its own dialect once however many arrive together, and a
served rosterd builds them all in the background right after it starts."""

from __future__ import annotations

import asyncio
import json
import subprocess
import sys
import threading
from pathlib import Path

import httpx
import pytest
from starlette.responses import PlainTextResponse
from starlette.routing import Mount
from starlette.types import ASGIApp, Scope

from rosterd.server import Settings, create_app
from rosterd.server.mounts import LazyApp
from rosterd.testing._server import serving
from tests.support.server import sqlite_database, start_server

# What only the dialects (and the rate limiter, on its first count) import.
DIALECT_ONLY = {"fastapi", "scim2_models", "limits", "email_validator"}
CONSOLE_IMPORT_ONLY = {
    "rosterd.storage._uploads",
    "rosterd.core.import_jobs",
    "rosterd.core.directory_sync",
}

PROBE = """
import json, sys
from rosterd.server import Settings, create_app
from rosterd.storage import SqlDirectoryStore, make_engine

settings = Settings(database_url=sys.argv[1])
create_app(settings, SqlDirectoryStore(make_engine(settings.database_url)))
print(json.dumps(sorted(sys.modules)))
"""


def test_building_the_app_imports_no_dialect(tmp_path: Path) -> None:
    url = f"sqlite:///{tmp_path / 'never-opened.db'}"
    result = subprocess.run(
        [sys.executable, "-c", PROBE, url], capture_output=True, text=True, check=True
    )
    modules = set(json.loads(result.stdout))
    assert {m.split(".")[0] for m in modules} & DIALECT_ONLY == set()
    assert [m for m in modules if m.startswith("rosterd.dialects.") and "._" in m] == []
    # Nor the console's import (its uploads' store and the directory sync behind them).
    assert modules & CONSOLE_IMPORT_ONLY == set()


def test_concurrent_first_requests_build_the_app_once() -> None:
    builds = []
    started = threading.Event()
    release = threading.Event()

    def build() -> ASGIApp:
        builds.append(threading.current_thread().name)
        started.set()
        release.wait(5)
        return PlainTextResponse("built")

    lazy = LazyApp("test", build)

    async def request() -> int:
        sent: list[int] = []

        async def receive() -> dict[str, object]:
            return {"type": "http.request", "body": b""}

        async def send(message: dict[str, object]) -> None:
            if message["type"] == "http.response.start":
                sent.append(int(message["status"]))  # type: ignore[call-overload]

        scope: Scope = {"type": "http", "method": "GET", "path": "/", "headers": []}
        await lazy(scope, receive, send)  # type: ignore[arg-type]
        return sent[0]

    async def both() -> list[int]:
        tasks = [asyncio.create_task(request()) for _ in range(4)]
        await asyncio.to_thread(started.wait, 5)
        release.set()
        return list(await asyncio.gather(*tasks))

    assert asyncio.run(both()) == [200, 200, 200, 200]
    assert len(builds) == 1
    assert builds[0] != threading.main_thread().name  # off the event loop


def test_a_failed_build_is_tried_again_by_the_next_request() -> None:
    attempts = []

    def build() -> ASGIApp:
        attempts.append(1)
        if len(attempts) == 1:
            raise RuntimeError("first build fails")
        return PlainTextResponse("built")

    lazy = LazyApp("test", build)
    with pytest.raises(RuntimeError):
        lazy.built()
    assert isinstance(lazy.built(), PlainTextResponse)
    assert len(attempts) == 2


def test_a_new_server_answers_every_dialect_at_once(tmp_path: Path) -> None:
    """Right after the start, each dialect answers in its own envelope (built by the warm-up
    or by the request itself, whichever comes first)."""
    url, store = sqlite_database(tmp_path)
    with (
        start_server(url, store) as server,
        httpx.Client(base_url=server.base_url, timeout=30) as client,
    ):
        te = client.get("/v7/users")
        kandji = client.get("/api/v1/users")
        scim = client.get("/api/v1/scim/Users")
    store.close()
    assert (te.status_code, te.headers["content-type"]) == (401, "application/problem+json")
    assert (kandji.status_code, kandji.json()) == (
        401,
        {"detail": "Authentication credentials were not provided."},
    )
    assert scim.status_code == 401
    assert scim.headers["content-type"] == "application/scim+json"


def test_a_server_run_without_its_lifespan_is_warmed_up_before_its_first_request(
    tmp_path: Path,
) -> None:
    """`rosterd.testing` runs the app without the lifespan, whose warm-up builds the dialects:
    it warms them up itself before handing out the URL, so that no test's first request waits
    for a build (seconds, on a loaded machine, past a client's timeout)."""
    url, store = sqlite_database(tmp_path)
    settings = Settings(database_url=url)
    app = create_app(settings, store)
    dialects = [
        route.app
        for route in app.routes
        if isinstance(route, Mount) and isinstance(route.app, LazyApp)
        and route.app.name != "console"
    ]  # fmt: skip
    assert sorted(d.name for d in dialects) == ["kandji", "scim", "thousandeyes"]
    assert all(d._app is None for d in dialects)
    with serving(app, settings):
        assert all(d._app is not None for d in dialects)
    store.close()
