"""rosterd as a separate process (`rosterd serve`), for tests that kill or restart it."""

from __future__ import annotations

import os
import shutil
import signal
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

import httpx

# The rosterd of this environment, whether or not its bin/ is on PATH.
ROSTERD = shutil.which("rosterd", path=str(Path(sys.executable).parent)) or shutil.which("rosterd")
REDIS_SERVER = shutil.which("redis-server")
REDIS_CLI = shutil.which("redis-cli")


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port: int = s.getsockname()[1]
        return port


@dataclass
class ServerProcess:
    process: subprocess.Popen[bytes]
    base_url: str

    def kill(self) -> None:
        """SIGKILL: no shutdown handlers, no flushing; what a crash or OOM kill does."""
        self.process.send_signal(signal.SIGKILL)
        self.process.wait(timeout=10)

    def stop(self) -> None:
        if self.process.poll() is None:
            self.process.send_signal(signal.SIGINT)
            self.process.wait(timeout=20)


def start_process(
    database_url: str,
    port: int | None = None,
    *,
    args: tuple[str, ...] = (),
    log: Path | None = None,
    **env: str,
) -> ServerProcess:
    """`rosterd serve` on `database_url`, once /readyz answers; its stderr (the log) goes to the
    file `log`, if given."""
    return _ready(_spawn(database_url, port, args, log, env))


def start_processes(count: int, database_url: str, **env: str) -> list[ServerProcess]:
    """`count` `rosterd serve` processes on `database_url`, started together (a start is mostly
    importing the app, so their starts overlap), once each one's /readyz answers."""
    spawned = [_spawn(database_url, None, (), None, env) for _ in range(count)]
    ready: list[ServerProcess] = []
    try:
        for server in spawned:
            ready.append(_ready(server))
    except BaseException:
        for server in spawned:
            server.process.kill()
            server.process.wait(timeout=10)
        raise
    return ready


def _spawn(
    database_url: str,
    port: int | None,
    args: tuple[str, ...],
    log: Path | None,
    env: dict[str, str],
) -> ServerProcess:
    assert ROSTERD, "the rosterd command is not installed in this environment"
    port = port or free_port()
    environment = os.environ | {"ROSTERD_DATABASE_URL": database_url} | env
    with log.open("ab") if log else open(os.devnull, "wb") as stderr:
        process = subprocess.Popen(
            [ROSTERD, "serve", "--port", str(port), "--no-migrate", *args],
            env=environment,
            stdout=subprocess.DEVNULL,
            stderr=stderr,
        )
    return ServerProcess(process, f"http://127.0.0.1:{port}")


def _ready(server: ServerProcess) -> ServerProcess:
    """`server` once its /readyz answers 200; killed if it never does."""
    process = server.process
    # Generous: on a busy machine, worker processes take many seconds to import the app.
    deadline = time.monotonic() + 90
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise RuntimeError(f"rosterd exited with {process.returncode}")
        try:
            if httpx.get(f"{server.base_url}/readyz", timeout=1).status_code == 200:
                return server
        except httpx.TransportError:
            time.sleep(0.05)
    process.kill()
    raise RuntimeError("rosterd did not become ready")


@contextmanager
def running(database_url: str, **env: str) -> Iterator[ServerProcess]:
    server = start_process(database_url, **env)
    try:
        yield server
    finally:
        server.stop()


@dataclass
class RedisProcess:
    """A redis-server of a test's own, which it may kill and start again on the same port."""

    process: subprocess.Popen[bytes]
    port: int

    @property
    def url(self) -> str:
        return f"redis://127.0.0.1:{self.port}/0"

    def kill(self) -> None:
        """SIGKILL: Redis is gone at once, and with it (no persistence) every counter."""
        if self.process.poll() is None:
            self.process.send_signal(signal.SIGKILL)
        self.process.wait(timeout=10)


def start_redis(port: int | None = None) -> RedisProcess:
    """redis-server on 127.0.0.1 without persistence, once `redis-cli ping` answers."""
    assert REDIS_SERVER, "redis-server is not installed"
    assert REDIS_CLI, "redis-cli is not installed"
    port = port or free_port()
    # No snapshot, no append-only file: a restarted server starts empty, as after losing its data.
    options = ["--bind", "127.0.0.1", "--port", str(port), "--save", "", "--appendonly", "no"]
    process = subprocess.Popen(
        [REDIS_SERVER, *options], stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL
    )
    ping = [REDIS_CLI, "-h", "127.0.0.1", "-p", str(port), "ping"]
    deadline = time.monotonic() + 10
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise RuntimeError(f"redis-server exited with {process.returncode}")
        if subprocess.run(ping, capture_output=True, check=False).stdout.strip() == b"PONG":
            return RedisProcess(process, port)
        time.sleep(0.02)
    process.kill()
    process.wait(timeout=10)
    raise RuntimeError("redis-server did not answer ping")
