"""GET /v7/users/{id} against a hello-world on the same stack, measured with wrk in one run.

    apt-get install wrk   # once
    uv run python bench/http_read.py [--seconds 10] [--connections 32]

Both servers run as one uvicorn process (uvloop, and the HTTP parser rosterd serves with) on
127.0.0.1 with rate limits off; the script prints requests per second for each and their
ratio. Compare ratios, not absolute numbers: these machines are noisy.
"""

from __future__ import annotations

import argparse
import re
import shutil
import socket
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import httpx

from rosterd.core.audit import CLI_ACTOR
from rosterd.core.organizations import OrganizationsService
from rosterd.server.limits import SERVER_OPTIONS
from rosterd.storage import SqlDirectoryStore, make_engine, upgrade

HERE = Path(__file__).parent


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def start(app: str, port: int, env: dict[str, str]) -> subprocess.Popen[bytes]:
    command = [
        sys.executable,
        "-m",
        "uvicorn",
        app,
        "--host",
        "127.0.0.1",
        "--port",
        str(port),
        "--loop",
        "uvloop",
        "--http",
        SERVER_OPTIONS["http"],
        "--no-access-log",
        "--log-level",
        "warning",
    ]
    process = subprocess.Popen(command, env=env, cwd=HERE.parent)
    for _ in range(100):
        try:
            httpx.get(
                f"http://127.0.0.1:{port}/healthz"
                if "rosterd" in app
                else f"http://127.0.0.1:{port}/"
            )
            return process
        except httpx.TransportError:
            time.sleep(0.1)
    process.kill()
    raise RuntimeError(f"{app} did not start")


def wrk(url: str, seconds: int, connections: int, token: str | None = None) -> float:
    command = ["wrk", "-t2", f"-c{connections}", f"-d{seconds}s", url]
    if token:
        command[1:1] = ["-H", f"Authorization: Bearer {token}"]
    output = subprocess.run(command, capture_output=True, text=True, check=True).stdout
    non_2xx = re.search(r"Non-2xx or 3xx responses: (\d+)", output)
    if non_2xx:
        raise RuntimeError(f"{non_2xx.group(1)} failed responses from {url}")
    found = re.search(r"Requests/sec:\s+([\d.]+)", output)
    assert found, output
    return float(found.group(1))


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--seconds", type=int, default=10)
    parser.add_argument("--connections", type=int, default=32)
    args = parser.parse_args()
    if not shutil.which("wrk"):
        sys.exit("wrk is not installed: apt-get install wrk")
    with tempfile.TemporaryDirectory() as tmp:
        url = f"sqlite:///{tmp}/bench.db"
        engine = make_engine(url)
        upgrade(engine)
        created = OrganizationsService(SqlDirectoryStore(engine)).create_organization(
            name="Bench", subdomain="bench", admin_email="bench@example.com", actor=CLI_ACTOR
        )
        engine.dispose()
        env = {"ROSTERD_DATABASE_URL": url, "ROSTERD_RATE_LIMITS": "off", "PATH": "/usr/bin:/bin"}
        hello_port, rosterd_port = free_port(), free_port()
        hello = start("bench.hello_app:app", hello_port, env)
        rosterd = start("rosterd.server.asgi:app", rosterd_port, env)
        try:
            baseline = wrk(f"http://127.0.0.1:{hello_port}/", args.seconds, args.connections)
            user = wrk(
                f"http://127.0.0.1:{rosterd_port}/v7/users/{created.admin.uid}",
                args.seconds,
                args.connections,
                created.token,
            )
        finally:
            hello.terminate()
            rosterd.terminate()
    print(f"hello-world          {baseline:10.0f} req/s")
    print(f"GET /v7/users/{{id}}   {user:10.0f} req/s")
    print(f"ratio                {user / baseline:10.2f}")


if __name__ == "__main__":
    main()
