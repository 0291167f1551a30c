"""`rosterd serve --control` and `--ephemeral`, through the real command line."""

from __future__ import annotations

import os
import re
import signal
import subprocess
import time
from pathlib import Path

import httpx
import pytest

from tests.support.process import ROSTERD, free_port


def _serve(*args: str, env: dict[str, str]) -> subprocess.CompletedProcess[str]:
    assert ROSTERD
    return subprocess.run(
        [ROSTERD, "serve", *args],
        env=os.environ | env,
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )


def _wait_until_healthy(base: str) -> None:
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        try:
            if httpx.get(f"{base}/healthz").status_code == 200:
                return
        except httpx.TransportError:
            time.sleep(0.05)
    raise AssertionError(f"{base} did not become healthy")


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (
            ["--control", "--workers", "2"],
            "--control keeps its state in one process: use --workers 1",
        ),
        (
            ["--ephemeral", "--database-url", "sqlite:///x.db"],
            "--ephemeral makes its own database: drop --database-url",
        ),
    ],
)
def test_refused_combinations_are_one_line_and_status_2(args: list[str], message: str) -> None:
    done = _serve(*args, env={})

    assert done.returncode == 2
    assert done.stderr.strip() == f"error: {message}"


def test_an_ephemeral_control_server_prints_its_token_and_leaves_nothing(tmp_path: Path) -> None:
    assert ROSTERD
    port = free_port()
    env = os.environ | {"TMPDIR": str(tmp_path)}
    env.pop("ROSTERD_CONTROL_TOKEN", None)
    process = subprocess.Popen(
        [ROSTERD, "serve", "--ephemeral", "--control", "--demo", "--port", str(port)],
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.DEVNULL,
        text=True,
    )
    try:
        assert process.stdout is not None
        token = process.stdout.readline().strip()
        assert re.fullmatch(r"rstc_[A-Za-z0-9_-]{32}", token), token
        assert [p.name.startswith("rosterd-") for p in tmp_path.iterdir()] == [True]
        base = f"http://127.0.0.1:{port}"
        _wait_until_healthy(base)
        headers = {"Authorization": f"Bearer {token}"}
        assert httpx.post(f"{base}/_rosterd/reset", headers=headers).status_code == 204
    finally:
        process.send_signal(signal.SIGINT)
        process.wait(timeout=20)
    assert list(tmp_path.iterdir()) == []  # the database went with it


def test_a_given_control_token_is_used_and_not_printed(tmp_path: Path) -> None:
    assert ROSTERD
    port = free_port()
    env = os.environ | {"TMPDIR": str(tmp_path), "ROSTERD_CONTROL_TOKEN": "rstc_given"}
    process = subprocess.Popen(
        [ROSTERD, "serve", "--ephemeral", "--control", "--port", str(port)],
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    base = f"http://127.0.0.1:{port}"
    try:
        _wait_until_healthy(base)
        given = {"Authorization": "Bearer rstc_given"}
        assert httpx.get(f"{base}/_rosterd/snapshots", headers=given).status_code == 200
    finally:
        process.send_signal(signal.SIGINT)
        out, err = process.communicate(timeout=20)
    assert "rstc_given" not in out + err
    assert (
        f"control plane at http://127.0.0.1:{port}/_rosterd (token: ROSTERD_CONTROL_TOKEN)" in err
    )
