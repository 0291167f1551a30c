"""The baseline: a Starlette hello-world on the server rosterd ships (uvicorn, its h11 protocol).

    python -m bench.hello_app --port 8001

`/` answers `{"hello": "world"}` and `/healthz` `{"status": "ok"}`, as rosterd's does, so that
the startup row waits for the same answer from both.
"""

from __future__ import annotations

import argparse

import uvicorn
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import JSONResponse
from starlette.routing import Route

from rosterd.server.limits import server_options
from rosterd.server.settings import Settings

HELLO = {"hello": "world"}


async def hello(_: Request) -> JSONResponse:
    return JSONResponse(HELLO)


async def healthz(_: Request) -> JSONResponse:
    return JSONResponse({"status": "ok"})


app = Starlette(routes=[Route("/", hello), Route("/healthz", healthz)])


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("--port", type=int, default=8001)
    args = parser.parse_args()
    # The options `rosterd serve` passes (parser, limits), without rosterd's app or logging.
    uvicorn.run(
        app,
        host=args.host,
        port=args.port,
        access_log=False,
        log_level="warning",
        **server_options(Settings()),
    )


if __name__ == "__main__":
    main()
