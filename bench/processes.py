"""The servers under test, each a process of its own on 127.0.0.1."""

from __future__ import annotations

import http.client
import os
import shutil
import signal
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path
from typing import IO

from tests.support.process import ROSTERD, free_port

ROOT = Path(__file__).resolve().parent.parent
THOUSANDEYES_SPEC = Path("/work/shared/reference/vendor/thousandeyes-administrative-openapi.yml")
STARTUP_TIMEOUT = 120.0  # seconds; the machines this runs on are shared and slow


class BenchError(RuntimeError):
    """The benchmark cannot measure what it should: a server or a check failed."""


@dataclass
class Server:
    name: str
    process: subprocess.Popen[bytes]
    base_url: str
    started_in: float  # seconds from launch until it answered
    log: IO[bytes]  # its stderr, read when it fails

    def stop(self) -> None:
        if self.process.poll() is None:
            self.process.send_signal(signal.SIGINT)
            try:
                self.process.wait(timeout=20)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait(timeout=10)
        self.log.close()


def _tail(log: IO[bytes]) -> str:
    log.seek(0)
    return log.read().decode(errors="replace")[-2000:]


def _answers(port: int, path: str, headers: dict[str, str]) -> bool:
    """Whether GET `path` answers 200 (a fresh connection, no client library to import)."""
    connection = http.client.HTTPConnection("127.0.0.1", port, timeout=5)
    try:
        connection.request("GET", path, headers=headers)
        return connection.getresponse().status == 200
    except OSError:
        return False
    finally:
        connection.close()


def launch(
    name: str,
    command: list[str],
    *,
    ready_path: str = "/healthz",
    ready_headers: dict[str, str] | None = None,
    env: dict[str, str] | None = None,
    port: int,
) -> Server:
    """Start `command` and wait until GET `ready_path` answers 200; time it from the launch."""
    log = tempfile.TemporaryFile()  # noqa: SIM115 (the Server closes it when it stops)
    started = time.perf_counter()
    process = subprocess.Popen(
        command, cwd=ROOT, env=os.environ | (env or {}), stdout=subprocess.DEVNULL, stderr=log
    )
    try:
        while time.perf_counter() - started < STARTUP_TIMEOUT:
            if process.poll() is not None:
                raise BenchError(f"{name} exited with {process.returncode}:\n{_tail(log)}")
            if _answers(port, ready_path, ready_headers or {}):
                elapsed = time.perf_counter() - started
                return Server(name, process, f"http://127.0.0.1:{port}", elapsed, log)
            time.sleep(0.005)
        raise BenchError(
            f"{name} did not answer GET {ready_path} within {STARTUP_TIMEOUT:.0f} s:\n{_tail(log)}"
        )
    except BaseException:  # also Ctrl-C: leave no server behind
        process.kill()
        process.wait(timeout=10)
        log.close()
        raise


def start_hello() -> Server:
    port = free_port()
    command = [sys.executable, "-m", "bench.hello_app", "--port", str(port)]
    return launch("hello-world", command, port=port)


def start_rosterd(database_url: str) -> Server:
    """`rosterd serve` as an operator runs it (it checks the schema is migrated), limits off."""
    if not ROSTERD:
        raise BenchError("the rosterd command is not installed in this environment")
    port = free_port()
    # Otherwise as shipped: the access log (a JSON line per request, on stderr) stays on.
    env = {"ROSTERD_DATABASE_URL": database_url, "ROSTERD_RATE_LIMITS": "off"}
    return launch("rosterd", [ROSTERD, "serve", "--port", str(port)], env=env, port=port)


def prism_command() -> str | None:
    return shutil.which("prism")


def start_prism(prism: str) -> Server:
    """Stoplight Prism mocking the vendor's own ThousandEyes spec."""
    port = free_port()
    command = [prism, "mock", "-h", "127.0.0.1", "-p", str(port), str(THOUSANDEYES_SPEC)]
    return launch(
        "prism",
        command,
        ready_path="/users/1",
        ready_headers={"Authorization": "Bearer prism"},
        port=port,
    )
