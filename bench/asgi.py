"""GET requests made straight to an ASGI app, in-process: no server, no socket, no HTTP parsing.

For the benchmarks that measure what an application costs a request by itself (`bench.calls`,
`bench.framework_floor`).
"""

from __future__ import annotations

from typing import Any

from bench.processes import BenchError


def get_scope(path: str, headers: list[tuple[bytes, bytes]]) -> dict[str, Any]:
    """The scope uvicorn would give `GET path` (query string included) on 127.0.0.1:8000."""
    route, _, query = path.partition("?")
    return {
        "type": "http",
        "asgi": {"version": "3.0"},
        "http_version": "1.1",
        "method": "GET",
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
