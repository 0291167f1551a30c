"""Requests made straight to an ASGI app, in-process: no server, no socket, no HTTP parsing.

For the benchmarks that measure what an application costs a request by itself (`bench.calls`,
`bench.framework_floor`).
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from bench.processes import BenchError


def get_scope(path: str, headers: list[tuple[bytes, bytes]], method: str = "GET") -> dict[str, Any]:
    """The scope uvicorn would give `METHOD path` (query string included) on 127.0.0.1:8000."""
    route, _, query = path.partition("?")
    return {
        "type": "http",
        "asgi": {"version": "3.0"},
        "http_version": "1.1",
        "method": method,
        "scheme": "http",
        "path": route,
        "raw_path": route.encode(),
        "query_string": query.encode(),
        "root_path": "",
        "headers": [(b"host", b"127.0.0.1:8000"), *headers],
        "client": ("127.0.0.1", 50000),
        "server": ("127.0.0.1", 8000),
        "state": {},
    }


async def get_many(app: Any, path: str, headers: list[tuple[bytes, bytes]], count: int) -> None:
    """`count` GETs of `path`, one after another; a BenchError unless each answered 200."""
    statuses: set[int] = set()

    async def receive() -> dict[str, Any]:
        return {"type": "http.request", "body": b"", "more_body": False}

    async def send(message: dict[str, Any]) -> None:
        if message["type"] == "http.response.start":
            statuses.add(message["status"])

    for _ in range(count):
        await app(get_scope(path, headers), receive, send)
    if statuses - {200}:
        raise BenchError(f"GET {path} answered {sorted(statuses)}, not only 200")


async def post_many(
    app: Any, path: str, headers: list[tuple[bytes, bytes]], bodies: Iterator[bytes], count: int
) -> None:
    """`count` JSON POSTs of `path`, each the next of `bodies`; a BenchError unless each
    answered 201."""
    statuses: set[int] = set()

    async def send(message: dict[str, Any]) -> None:
        if message["type"] == "http.response.start":
            statuses.add(message["status"])

    for _ in range(count):
        body = next(bodies)

        async def receive(body: bytes = body) -> dict[str, Any]:
            return {"type": "http.request", "body": body, "more_body": False}

        framing = [(b"content-type", b"application/json"), (b"content-length", b"%d" % len(body))]
        await app(get_scope(path, [*headers, *framing], "POST"), receive, send)
    if statuses - {201}:
        raise BenchError(f"POST {path} answered {sorted(statuses)}, not only 201")
