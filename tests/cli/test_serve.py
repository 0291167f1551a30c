"""`rosterd serve --demo`, the README's first command, as a newcomer runs it."""

from __future__ import annotations

import os
import re
import signal
import sqlite3
import subprocess
import time
from pathlib import Path

import httpx
import pytest

from rosterd.cli._demo import DEMO_TOKEN
from rosterd.server.hosts import warn_if_any_host_is_linked
from rosterd.server.settings import Settings
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

    # A second start on the same database keeps the data and prints the same token.
    process, again = serve_demo(tmp_path / "demo.db", port)
    try:
        response = httpx.get(
            f"http://127.0.0.1:{port}/v7/users", headers={"Authorization": f"Bearer {again}"}
        )
        assert len(response.json()["users"]) == len(users)
    finally:
        stop(process)
    assert again == token == DEMO_TOKEN


def current_email(port: int, token: str) -> tuple[int, str | None]:
    response = httpx.get(
        f"http://127.0.0.1:{port}/v7/users/current", headers={"Authorization": f"Bearer {token}"}
    )
    return response.status_code, response.json().get("email")


def test_a_demo_an_older_rosterd_made_gets_the_published_token(tmp_path: Path) -> None:
    """Its admin's tokens were random: the next start adds the published one."""
    db = tmp_path / "demo.db"
    port = free_port()
    process, _ = serve_demo(db, port)
    stop(process)
    with sqlite3.connect(db) as conn:  # as an older demo database holds it: no such token
        conn.execute("DELETE FROM api_tokens")

    process, again = serve_demo(db, port)
    try:
        assert again == DEMO_TOKEN
        assert current_email(port, again) == (200, "admin@demo.rosterd.dev")
    finally:
        stop(process)


def test_a_revoked_published_token_stays_revoked_and_a_new_one_is_printed(
    tmp_path: Path,
) -> None:
    assert ROSTERD
    db = tmp_path / "demo.db"
    port = free_port()
    process, token = serve_demo(db, port)
    stop(process)
    env = os.environ | {"ROSTERD_DATABASE_URL": f"sqlite:///{db}"}
    revoke = [ROSTERD, "tokens", "revoke", "--org", "demo", "--token", token]
    revoked = subprocess.run(revoke, env=env, capture_output=True, text=True, check=False)
    assert revoked.returncode == 0, revoked.stderr

    process, again = serve_demo(db, port)
    try:
        assert again != DEMO_TOKEN
        assert current_email(port, again) == (200, "admin@demo.rosterd.dev")
        assert current_email(port, DEMO_TOKEN)[0] == 401
    finally:
        stop(process)


@pytest.mark.parametrize("host", ["0.0.0.0", "10.0.0.7", "::", "rosterd.internal"])
def test_the_demo_refuses_to_serve_its_published_token_beyond_loopback(
    tmp_path: Path, host: str
) -> None:
    assert ROSTERD
    env = os.environ | {"ROSTERD_DATABASE_URL": f"sqlite:///{tmp_path / 'demo.db'}"}
    done = subprocess.run(
        [ROSTERD, "serve", "--demo", "--host", host, "--port", str(free_port())],
        env=env,
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )
    assert done.returncode == 2
    assert done.stderr == (
        "error: --demo serves its published token on loopback only (127.0.0.1, ::1); for "
        "another address load a seed with your own tokens (--seed)\n"
    )
    assert not (tmp_path / "demo.db").exists()  # nothing was started or written


HOSTS_WARNING = "neither ROSTERD_ALLOWED_HOSTS nor ROSTERD_PUBLIC_BASE_URL set"
WARNING_TAIL = (
    f"with {HOSTS_WARNING}: links and Location headers name whatever host a client sends; "
    "set one of them"
)


def startup_lines(db: Path, host: str, **env: str) -> list[str]:
    """What `rosterd serve --host HOST` writes to stderr up to uvicorn's "running" line."""
    assert ROSTERD
    unset = ("ROSTERD_ALLOWED_HOSTS", "ROSTERD_PUBLIC_BASE_URL")
    environment = {k: v for k, v in os.environ.items() if k not in unset}
    environment |= {"ROSTERD_DATABASE_URL": f"sqlite:///{db}"} | env
    process = subprocess.Popen(
        [ROSTERD, "serve", "--host", host, "--port", str(free_port())],
        env=environment,
        stderr=subprocess.PIPE,
        stdout=subprocess.DEVNULL,
        text=True,
    )
    assert process.stderr is not None
    lines = []
    try:
        for line in process.stderr:
            lines.append(line)
            if "Uvicorn running" in line:
                break
    finally:
        stop(process)
    assert "Uvicorn running" in lines[-1], lines
    return lines


def test_serving_beyond_loopback_without_a_host_setting_warns_once(tmp_path: Path) -> None:
    lines = startup_lines(tmp_path / "rosterd.db", "0.0.0.0")

    warnings = [line for line in lines if HOSTS_WARNING in line]
    assert len(warnings) == 1, lines
    assert warnings[0].endswith(f" WARNING rosterd.server listening on 0.0.0.0 {WARNING_TAIL}\n")


@pytest.mark.parametrize(
    ("host", "env"),
    [("0.0.0.0", {"ROSTERD_ALLOWED_HOSTS": "rosterd.example.com"}), ("127.0.0.1", {})],
)
def test_a_host_setting_or_a_loopback_address_needs_no_warning(
    tmp_path: Path, host: str, env: dict[str, str]
) -> None:
    lines = startup_lines(tmp_path / "rosterd.db", host, **env)

    assert not [line for line in lines if HOSTS_WARNING in line], lines


@pytest.mark.parametrize(
    ("host", "public_base_url", "warns"),
    [
        ("0.0.0.0", "https://rosterd.example.com", False),
        ("localhost", None, False),
        ("::1", None, False),
        ("127.0.0.2", None, False),
        ("::", None, True),
        ("10.0.0.7", None, True),
        ("rosterd.internal", None, True),  # a name: reachable from wherever it resolves
    ],
)
def test_which_addresses_warn(
    caplog: pytest.LogCaptureFixture, host: str, public_base_url: str | None, warns: bool
) -> None:
    settings = Settings(public_base_url=public_base_url, allowed_hosts=None)

    warn_if_any_host_is_linked(settings, host)

    assert [r.getMessage() for r in caplog.records if HOSTS_WARNING in r.getMessage()] == (
        [f"listening on {host} {WARNING_TAIL}"] if warns else []
    )
