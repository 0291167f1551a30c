"""`rosterd serve --demo`, the README's first command, as a newcomer runs it."""

from __future__ import annotations

import os
import re
import signal
import subprocess
import time
from pathlib import Path

import httpx

from tests.support.process import ROSTERD, free_port


def serve_demo(db: Path, port: int) -> tuple[subprocess.Popen[str], str]:
    """Start the server; return it with the token its banner printed."""
    assert ROSTERD
    env = os.environ | {"ROSTERD_DATABASE_URL": f"sqlite:///{db}"}
    process = subprocess.Popen(
        [ROSTERD, "serve", "--demo", "--port", str(port)],
        env=env,
        stderr=subprocess.PIPE,
        stdout=subprocess.DEVNULL,
        text=True,
    )
    assert process.stderr is not None
    token = None
    deadline = time.monotonic() + 60
    for line in process.stderr:
        found = re.search(r"API token .*: (rst_\S+)", line)
        token = token or (found.group(1) if found else None)
        if "Uvicorn running" in line or time.monotonic() > deadline:
            break
    assert token, "the demo banner printed no token"
    return process, token


def stop(process: subprocess.Popen[str]) -> None:
    process.send_signal(signal.SIGINT)
    process.wait(timeout=20)


def test_demo_server_answers_with_the_printed_token(tmp_path: Path) -> None:
    port = free_port()
    process, token = serve_demo(tmp_path / "demo.db", port)
    try:
        base = f"http://127.0.0.1:{port}"
        assert httpx.get(f"{base}/healthz").json() == {"status": "ok"}
        assert httpx.get(f"{base}/readyz").json() == {"status": "ok", "database": "ok"}
        headers = {"Authorization": f"Bearer {token}"}
        users = httpx.get(f"{base}/v7/users", headers=headers).json()["users"]
        assert len(users) >= 12
        groups = httpx.get(f"{base}/v7/account-groups", headers=headers).json()
        assert len(groups["accountGroups"]) >= 3
        roles = httpx.get(f"{base}/v7/roles", headers=headers).json()["roles"]
        assert {"Helpdesk", "Auditor"} <= {r["name"] for r in roles}
    finally:
        stop(process)

    # A second start on the same database keeps the data and prints a fresh, working token.
    process, token = serve_demo(tmp_path / "demo.db", port)
    try:
        response = httpx.get(
            f"http://127.0.0.1:{port}/v7/users", headers={"Authorization": f"Bearer {token}"}
        )
        assert len(response.json()["users"]) == len(users)
    finally:
        stop(process)
