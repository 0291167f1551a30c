"""The dialects under their prefixes, each built when it is first needed.

A dialect's app imports FastAPI, its wire models and (for SCIM) scim2-models: most of what a
start imports. `rosterd serve` answers its health checks before they are built; once serving,
it builds them in a background thread (`warm_up`), and a request that arrives first builds
its own dialect in the thread pool, off the event loop, or waits for the warm-up to finish it.
"""

from __future__ import annotations

import logging
import re
import threading
from collections.abc import Callable, Iterable

import anyio.to_thread
from starlette.applications import Starlette
from starlette.routing import Match, Mount
from starlette.types import ASGIApp, Receive, Scope, Send

log = logging.getLogger("rosterd.server")


class LazyApp:
    """An ASGI app built by `build` on first use, once, whichever thread gets there first."""

    def __init__(self, name: str, build: Callable[[], ASGIApp]) -> None:
        self.name = name
        self._build = build
        self._app: ASGIApp | None = None
        self._lock = threading.Lock()

    def built(self) -> ASGIApp:
        """The app, building it first if no one has (blocking: call it off the event loop)."""
        with self._lock:
            if self._app is None:
                self._app = self._build()
            return self._app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        app = self._app
        if app is None:
            app = await anyio.to_thread.run_sync(self.built)
        await app(scope, receive, send)


def mount(app: Starlette, prefix: str, dialect: ASGIApp) -> Mount:
    """Mount a dialect under `prefix` for every path below it.

    Starlette's mount pattern ends in `.*`, which stops at a newline: `/v7/users/a%0Ab` would
    miss the dialect and get the outer app's bare JSON 404 instead of the vendor's envelope.
    """
    route = Mount(prefix, app=dialect)
    route.path_regex = re.compile(route.path_regex.pattern, re.DOTALL)
    app.router.routes.append(route)
    return route


class DialectDispatch:
    """Hands a request below one of `mounts` straight to it, as the outer app's router would.

    The router, and the exception middleware Starlette puts in front of it, are for the health
    checks, the console and the control plane: an API request walked every route before its
    dialect's, inside a layer whose handlers never answer it (each dialect has its own). The
    mounts' own matching builds the dialect's scope, so it is the one the router gives; a path
    no mount takes goes on to the router.
    """

    def __init__(self, app: ASGIApp, mounts: list[Mount]) -> None:
        self.app = app
        self._mounts = mounts  # tried in order, as the router tries them: SCIM's before Kandji's

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] == "http":
            for route in self._mounts:
                match, child_scope = route.matches(scope)
                if match is Match.FULL:
                    scope.update(child_scope)
                    await route.handle(scope, receive, send)
                    return
        await self.app(scope, receive, send)


def warm_up(steps: Iterable[tuple[str, Callable[[], object]]]) -> threading.Thread:
    """Run each (what, step) in a daemon thread, so that the first requests find them done:
    building the dialects (`LazyApp.built`), opening the rate-limit counters."""

    def run_all() -> None:
        for what, step in steps:
            try:
                step()
            except Exception:  # the first request that needs it does it again, and fails there
                log.exception("warming up %s failed", what)

    thread = threading.Thread(target=run_all, name="rosterd-warm-up", daemon=True)
    thread.start()
    return thread
