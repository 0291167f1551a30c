"""Injected faults, before a request reaches its dialect: a delay, a dropped connection, or a
status answered by the dialect's own error rendering (so an injected 429 is a real one)."""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable, Sequence

from starlette.requests import Request
from starlette.responses import Response
from starlette.types import ASGIApp, Receive, Scope, Send

from rosterd.control._faults import Faults
from rosterd.server.responses import JSONResponse

# (path prefix, dialect name, how it answers an injected status), longest prefix first.
Answer = Callable[[Request, int, int], Awaitable[Response]]
DialectPrefix = tuple[str, str, Answer]
CONTROL_PREFIX = "/_rosterd"
RAW_SEND = "rosterd.raw_send"  # the server's own `send`, kept by RawSendMiddleware


class RawSendMiddleware:
    """Outermost: keeps the server's `send` in the scope, for a fault that drops the
    connection from behind the middlewares that wrap it."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        scope[RAW_SEND] = send
        await self.app(scope, receive, send)


class FaultMiddleware:
    def __init__(self, app: ASGIApp, *, faults: Faults, dialects: Sequence[DialectPrefix]) -> None:
        self.app = app
        self._faults = faults
        self._dialects = sorted(dialects, key=lambda d: -len(d[0]))

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        path: str = scope.get("path", "")
        if scope["type"] != "http" or path.startswith(CONTROL_PREFIX):
            await self.app(scope, receive, send)
            return
        found = self._dialect(path)
        rule = self._faults.pick(found[1] if found else None, scope["method"], path)
        if rule is None:
            await self.app(scope, receive, send)
            return
        if rule.latency_ms:
            await asyncio.sleep(rule.latency_ms / 1000)
        if rule.reset_connection:
            _drop_connection(scope.get(RAW_SEND, send))
            await asyncio.sleep(0)  # lets the server see the connection gone before we return
            return
        if rule.status is None:
            await self.app(scope, receive, send)
            return
        request = Request(scope, receive)
        if found is None:
            response: Response = JSONResponse({"detail": "Injected fault"}, rule.status)
        else:
            response = await found[2](request, rule.status, rule.retry_after)
        await response(scope, receive, send)

    def _dialect(self, path: str) -> DialectPrefix | None:
        return next((d for d in self._dialects if path.startswith(d[0] + "/")), None)


def _drop_connection(send: Send) -> None:
    """Abort the connection with no response (a TCP reset). uvicorn's `send` is a method of the
    request's cycle, which holds the transport; with no transport to reach (another server, an
    in-process client) the request gets no response at all, which its server answers as it
    answers an application that sent none."""
    cycle = getattr(send, "__self__", None)
    transport = getattr(cycle, "transport", None)
    if transport is not None:
        transport.abort()
