"""Pure ASGI middleware: request ids and the access log, errors after their answer, body-size
limits, per-request headers."""

from __future__ import annotations

import logging
import re
import time
import uuid
from typing import Any, Final

from starlette.exceptions import HTTPException
from starlette.requests import Request
from starlette.responses import PlainTextResponse
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from rosterd.server.logging import AccessEntry, log_unexpected

access_log = logging.getLogger("rosterd.access")
error_log = logging.getLogger("rosterd")
log = logging.getLogger("rosterd.server")
_SAFE_REQUEST_ID = re.compile(r"^[A-Za-z0-9._-]{1,64}$")
RESPONSE_HEADERS_STATE = "rosterd_response_headers"


class RequestLogMiddleware:
    """Gives every request an id (`X-Request-Id`) and logs one JSON line per request.

    Only the method, path, status, duration and id are logged: never headers or query strings,
    so a token can never reach the log. A request that fails unexpectedly is also logged as an
    error, privately (`log_unexpected`), and answered with a 500 if nothing answered it yet.
    """

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        request_id = _incoming_request_id(scope) or uuid.uuid4().hex
        scope.setdefault("state", {})["request_id"] = request_id
        started = time.perf_counter()
        status: int | None = None

        async def send_with_id(message: Message) -> None:
            nonlocal status
            if message["type"] == "http.response.start":
                status = message["status"]
                headers = message.setdefault("headers", [])
                headers.append((b"x-request-id", request_id.encode()))
                message["headers"] = [(canonical_name(k), v) for k, v in headers]
            await send(message)

        try:
            await self.app(scope, receive, send_with_id)
        except Exception as exc:
            # Logged here (unless a dialect did) and not raised on: the ASGI server would log it
            # again, with the exception's message, which may quote the request's data.
            log_unexpected(error_log, scope, exc)
            if status is None:
                await PlainTextResponse("Internal Server Error", 500)(scope, receive, send_with_id)
        finally:
            access_log.info(
                AccessEntry(
                    event="request",
                    request_id=request_id,
                    method=scope["method"],
                    path=scope["path"],
                    status=status or 500,
                    duration_ms=round((time.perf_counter() - started) * 1000, 2),
                )
            )


class AnsweredErrorsMiddleware:
    """Ends here an exception raised after its response went out in full.

    Each dialect's 500 handler answers (and logs) an unexpected error, and then Starlette raises
    it again so that the server may log it; uvicorn then closes the connection, so a client's
    next request on the kept-alive connection failed with a read error. Once the response is
    complete the connection is fine, and the client has its answer: keep it open.
    """

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        # Any scope: only an HTTP response can be complete, so anything else is raised again.
        status: int | None = None
        complete = False

        async def watch(message: Message) -> None:
            nonlocal status, complete
            await send(message)
            if message["type"] == "http.response.start":
                status = message["status"]
            elif message["type"] == "http.response.body":
                complete = not message.get("more_body", False)

        try:
            await self.app(scope, receive, watch)
        except Exception:
            if not complete:
                raise  # no answer, or half of one: uvicorn sends a 500 or closes the connection
            if status != 500:  # a 500 was the dialect's answer to it, logged by its handler
                log.exception("error after a complete %s response to %s", status, scope["path"])


_NAME_EXCEPTIONS: Final = {b"www-authenticate": b"WWW-Authenticate", b"etag": b"ETag"}


def canonical_name(name: bytes) -> bytes:
    """`x-request-id` → `X-Request-Id`: header names as the vendors' servers write them."""
    known = _CANONICAL_NAMES.get(name)
    if known is not None:
        return known
    lowered = name.lower()
    canonical = _NAME_EXCEPTIONS.get(lowered) or b"-".join(
        p.capitalize() for p in lowered.split(b"-")
    )
    if len(_CANONICAL_NAMES) < _CANONICAL_NAMES_KEPT:
        _CANONICAL_NAMES[name] = canonical
    return canonical


# Every response names the same few headers: each is spelled out once. Bounded, as a handler
# could name headers of its own making.
_CANONICAL_NAMES: Final[dict[bytes, bytes]] = {}
_CANONICAL_NAMES_KEPT: Final = 256


def _incoming_request_id(scope: Scope) -> str | None:
    for name, value in scope["headers"]:
        if name == b"x-request-id":
            candidate = value.decode("latin-1")
            return candidate if _SAFE_REQUEST_ID.match(candidate) else None
    return None


class BodyLimitMiddleware:
    """Refuses request bodies over `max_bytes`, declared or streamed, with a 413.

    The 413 is raised as an HTTPException from inside the app so that each dialect renders it
    in its own vendor envelope.
    """

    def __init__(self, app: ASGIApp, max_bytes: int) -> None:
        self.app = app
        self.max_bytes = max_bytes

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        declared = _content_length(scope)
        received = 0

        async def limited_receive() -> Message:
            nonlocal received
            if declared is not None and declared > self.max_bytes:
                raise _too_large(self.max_bytes)
            message = await receive()
            if message["type"] == "http.request":
                received += len(message.get("body", b""))
                if received > self.max_bytes:
                    raise _too_large(self.max_bytes)
            return message

        await self.app(scope, limited_receive, send)


def _too_large(max_bytes: int) -> HTTPException:
    return HTTPException(413, f"The request body exceeds the limit of {max_bytes} bytes")


def _content_length(scope: Scope) -> int | None:
    for name, value in scope["headers"]:
        if name == b"content-length":
            try:
                return int(value)
            except ValueError:
                return None
    return None


def add_response_headers(request: Request, headers: dict[str, Any]) -> None:
    """Headers for this request's response, whatever it turns out to be (see below)."""
    setattr(request.state, RESPONSE_HEADERS_STATE, headers)


class StateHeadersMiddleware:
    """Adds the headers a request's handlers left in its state (e.g. rate-limit counters).

    One place for them means success and error responses alike carry them.
    """

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return

        async def send_with_headers(message: Message) -> None:
            if message["type"] == "http.response.start":
                extra: dict[str, Any] = scope.get("state", {}).get(RESPONSE_HEADERS_STATE, {})
                headers = message.setdefault("headers", [])
                headers.extend((k.lower().encode(), str(v).encode()) for k, v in extra.items())
            await send(message)

        await self.app(scope, receive, send_with_headers)
