"""What the web framework alone costs a request: `uv run python -m bench.framework_floor`.

Apps that answer a fixed body, called directly as ASGI apps (no HTTP server), CPU per request:
a Starlette route, and FastAPI routes with what rosterd's routes declare (a path parameter, a
dependency, a query parameter, a mount). The gap between them is the floor any FastAPI route of
rosterd's stands on (docs/performance.md).
"""

from __future__ import annotations

import asyncio
import time
from typing import Annotated, Any

from fastapi import Depends, FastAPI, Path, Query, Request, Response
from starlette.applications import Starlette
from starlette.routing import Mount, Route

from bench.asgi import get_many

REQUESTS = 5000


async def _dependency(request: Request) -> int:
    return 1


Dependency = Annotated[int, Depends(_dependency)]
Id = Annotated[str, Path(max_length=64)]


def _fastapi() -> FastAPI:
    app = FastAPI()

    @app.get("/bare/{id}")
    async def bare(request: Request) -> Response:
        return Response(b"x")

    @app.get("/param/{id}")
    async def param(request: Request, id: Id) -> Response:
        return Response(b"x")

    @app.get("/param-dependency/{id}")
    async def param_dependency(request: Request, id: Id, d: Dependency) -> Response:
        return Response(b"x")

    @app.get("/param-dependency-query/{id}")
    async def param_dependency_query(
        request: Request, id: Id, d: Dependency, aid: Annotated[str | None, Query()] = None
    ) -> Response:
        return Response(b"x")

    return app


async def _starlette_endpoint(request: Any) -> Response:
    return Response(b"x")


async def _cpu_per_request(app: Any, path: str) -> float:
    await get_many(app, path, [], 200)  # warm
    started = time.process_time()
    await get_many(app, path, [], REQUESTS)
    return (time.process_time() - started) / REQUESTS * 1e6


async def _main() -> None:
    fastapi = _fastapi()
    outer = Starlette(routes=[Mount("/dialect", app=fastapi)])
    cases = [
        ("Starlette route", Starlette(routes=[Route("/s/{id}", _starlette_endpoint)]), "/s/1"),
        ("FastAPI route", fastapi, "/bare/1"),
        ("+ a path parameter", fastapi, "/param/1"),
        ("+ a dependency", fastapi, "/param-dependency/1"),
        ("+ a query parameter", fastapi, "/param-dependency-query/1"),
        ("+ under a Starlette mount", outer, "/dialect/param-dependency-query/1"),
    ]
    print(f"{'app':<28} {'CPU µs/request':>15}")
    for name, app, path in cases:
        print(f"{name:<28} {await _cpu_per_request(app, path):>15.0f}")


if __name__ == "__main__":
    asyncio.run(_main())
