"""Checks every request to a dialect must pass before it is routed (the Host, the sizes of its
line and headers, ...), answered in the dialect's own envelope when they refuse it.

A middleware rather than app-level FastAPI dependencies: each dependency FastAPI solves costs
more than all of these checks together (docs/performance.md), and a request for a path no route
serves is checked too.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Sequence

from starlette.requests import Request
from starlette.responses import Response
from starlette.types import ASGIApp, Receive, Scope, Send

RequestCheck = Callable[[Request], None]
"""Raises (an HTTPException or a core error) to refuse the request."""
Handler = Callable[[Request, Exception], Awaitable[Response]]


class RequestChecksMiddleware:
    """Runs `checks` in order; a refusal is answered by the app's own handler for its type.

    Install it first (innermost): the app's other middleware then see the refusal like any
    other response.
    """

    def __init__(self, app: ASGIApp, checks: Sequence[RequestCheck]) -> None:
        self.app = app
        self.checks = tuple(checks)

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] == "http":
            request = Request(scope, receive)
            try:
                for check in self.checks:
                    check(request)
            except Exception as exc:
                handler = _handler_for(scope, exc)
                if handler is None:
                    raise
                response = await handler(request, exc)
                await response(scope, receive, send)
                return
        await self.app(scope, receive, send)


def _handler_for(scope: Scope, exc: Exception) -> Handler | None:
    """The handler the app (which Starlette puts in the scope) installed for `exc`'s type, as
    it would answer the same exception raised by a route."""
    handlers = scope["app"].exception_handlers
    for cls in type(exc).__mro__:
        if cls in handlers:
            found: Handler = handlers[cls]
            return found
    return None
