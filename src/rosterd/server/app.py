"""The application factory: one ASGI app with a sub-application per dialect.

The outer app is plain Starlette: it routes by prefix to the dialects (FastAPI apps, each with
its own vendor error envelope and OpenAPI document) and serves the health checks. A FastAPI app
here would run a second FastAPI middleware stack and dependency machinery on every request, for
nothing the outer app documents. The dialects are built when first needed (`server/mounts.py`),
so that nothing of them is imported before the server answers.
"""

from __future__ import annotations

import logging
from collections.abc import AsyncIterator, Callable
from contextlib import asynccontextmanager

from starlette.applications import Starlette
from starlette.exceptions import HTTPException
from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route
from starlette.types import ASGIApp

from rosterd.console import mount_console
from rosterd.core.ports import DirectoryStore
from rosterd.dialects.kandji import PREFIX as KANDJI_PREFIX
from rosterd.dialects.scim import PREFIX as SCIM_PREFIX
from rosterd.dialects.thousandeyes import PREFIX as THOUSANDEYES_PREFIX
from rosterd.server.hosts import allowed_host
from rosterd.server.logging import describe
from rosterd.server.middleware import AnsweredErrorsMiddleware, RequestLogMiddleware
from rosterd.server.mounts import DialectDispatch, LazyApp, WarmUpStep, mount, warm_up
from rosterd.server.operations import add_operations
from rosterd.server.responses import JSONResponse
from rosterd.server.services import Services
from rosterd.server.settings import Settings
from rosterd.server.sweeper import upload_sweeper
from rosterd.storage import SqlDirectoryStore, make_engine

log = logging.getLogger("rosterd")


def create_app(settings: Settings, store: DirectoryStore | None = None) -> Starlette:
    """Build rosterd for `settings`; the schema must already be migrated (`rosterd db upgrade`)."""
    if store is None:
        store = SqlDirectoryStore(make_engine(settings.database_url))
    services = Services.build(settings, store)
    allowed_host(settings)  # a setting that names no host stops the start, not a first request

    async def healthz(_: Request) -> JSONResponse:
        return JSONResponse({"status": "ok"})

    def readyz(_: Request) -> JSONResponse:  # in the thread pool: the ping may wait
        try:
            store.ping()
        except Exception as exc:
            log.warning("database unreachable: %s", describe(exc))
            return JSONResponse({"status": "unavailable", "database": "unreachable"}, 503)
        return JSONResponse({"status": "ok", "database": "ok"})

    dialects = _dialects(services)

    steps: list[WarmUpStep] = [(f"the {d.name} dialect", d.built) for _, d in dialects]
    steps.append(("the rate-limit counters", services.rate_limiter.open))

    @asynccontextmanager
    async def lifespan(started: Starlette) -> AsyncIterator[None]:
        warm_up(steps)
        sweeper = upload_sweeper(store, settings.console_sweep_seconds)
        sweeper.start()
        yield
        sweeper.stop()
        if settings.control:
            started.state.control.close()  # the snapshots' own connection

    app_class = _ControlledApp if settings.control else Starlette
    app = app_class(
        routes=[Route("/healthz", healthz), Route("/readyz", readyz)],
        exception_handlers={HTTPException: _json_http_error},
        lifespan=lifespan,
    )
    app.state.warm_up_steps = steps  # for a server run without the lifespan (rosterd.testing)
    mounts = [mount(app, prefix, dialect) for prefix, dialect in dialects]
    app.add_middleware(DialectDispatch, mounts=mounts)  # innermost: after the faults, the log
    mount_console(app, services)
    if settings.control:
        _add_control_plane(app, settings, services)
    add_operations(app, settings, store)
    app.add_middleware(RequestLogMiddleware)
    app.add_middleware(AnsweredErrorsMiddleware)  # outermost: it sees what the others raise
    return app


def _dialects(services: Services) -> list[tuple[str, LazyApp]]:
    """Each dialect under its prefix, in matching order: mounts match by prefix, so SCIM's
    (/api/v1/scim) goes before Kandji's (/api/v1)."""

    def thousandeyes() -> ASGIApp:
        from rosterd.dialects.thousandeyes._app import create_thousandeyes_app

        return create_thousandeyes_app(services)

    def scim() -> ASGIApp:
        from rosterd.dialects.scim._app import create_scim_app

        return create_scim_app(services)

    def kandji() -> ASGIApp:
        from rosterd.dialects.kandji._app import create_kandji_app

        return create_kandji_app(services)

    builders: list[tuple[str, str, Callable[[], ASGIApp]]] = [
        (THOUSANDEYES_PREFIX, "thousandeyes", thousandeyes),
        (SCIM_PREFIX, "scim", scim),
        (KANDJI_PREFIX, "kandji", kandji),
    ]
    return [(prefix, LazyApp(name, build)) for prefix, name, build in builders]


class _ControlledApp(Starlette):
    """With the control plane: the server's own `send` kept first of all, outside even
    Starlette's error middleware, for a fault that drops the connection."""

    def build_middleware_stack(self) -> ASGIApp:
        from rosterd.control import RawSendMiddleware

        return RawSendMiddleware(super().build_middleware_stack())


def _add_control_plane(app: Starlette, settings: Settings, services: Services) -> None:
    """`/_rosterd` and the fault rules, in front of the dialects (docs/testing.md); imported
    only when asked for."""
    from rosterd.control import (
        CONTROL_PREFIX,
        ControlPlane,
        DialectPrefix,
        FaultMiddleware,
        Faults,
        Snapshots,
        control_app,
    )

    if not settings.control_token:
        raise ValueError("the control plane needs a token (ROSTERD_CONTROL_TOKEN)")
    if not isinstance(services.store, SqlDirectoryStore):
        raise ValueError("the control plane needs rosterd's own database store")
    plane = ControlPlane(
        token=settings.control_token,
        snapshots=Snapshots(services.store.engine),
        faults=Faults(),
        store=services.store,
    )
    plane.reset_hooks.append(services.rate_limiter.reset)
    app.state.control = plane
    limit = settings.thousandeyes_requests_per_minute

    # Each dialect's envelope is imported when a fault first fires in it.
    async def thousandeyes(request: Request, status: int, retry_after: int) -> Response:
        from rosterd.dialects.thousandeyes._errors import answer_fault

        return await answer_fault(request, status, retry_after, limit=limit)

    async def scim(request: Request, status: int, retry_after: int) -> Response:
        from rosterd.dialects.scim._errors import answer_fault

        return await answer_fault(request, status, retry_after)

    async def kandji(request: Request, status: int, retry_after: int) -> Response:
        from rosterd.dialects.kandji._errors import answer_fault

        return await answer_fault(request, status, retry_after)

    dialects: list[DialectPrefix] = [
        (THOUSANDEYES_PREFIX, "thousandeyes", thousandeyes),
        (SCIM_PREFIX, "scim", scim),
        (KANDJI_PREFIX, "kandji", kandji),
    ]
    app.mount(CONTROL_PREFIX, control_app(plane))
    app.add_middleware(FaultMiddleware, faults=plane.faults, dialects=dialects)


async def _json_http_error(_: Request, exc: Exception) -> Response:
    """Outside the dialects, a 404 or 405 as a JSON `detail` (FastAPI's envelope, as before)."""
    assert isinstance(exc, HTTPException)
    return JSONResponse({"detail": exc.detail}, exc.status_code, headers=exc.headers)
