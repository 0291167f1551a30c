"""ROSTERD_LOG_FORMAT=json: every line `rosterd serve` logs, uvicorn's own included, is one
whole JSON object, in one worker or several; text stays the default."""

from __future__ import annotations

import json
import re
import subprocess
import sys
from pathlib import Path

import httpx
import pytest

from tests.support.process import start_process
from tests.support.server import sqlite_database

SECRET = "jane.secret@example.com"


def served_log(tmp_path: Path, *args: str, **env: str) -> tuple[str, str]:
    """The log of a server that answered one request, and that request's id."""
    url, store = sqlite_database(tmp_path)
    store.close()
    log = tmp_path / "rosterd.log"
    server = start_process(url, args=args, log=log, **env)
    try:
        response = httpx.get(f"{server.base_url}/healthz", params={"email": SECRET})
    finally:
        server.stop()
    return log.read_text(), response.headers["X-Request-Id"]


@pytest.mark.parametrize("workers", ["1", "2"])
def test_every_line_is_a_json_object(tmp_path: Path, workers: str) -> None:
    log, request_id = served_log(tmp_path, "--workers", workers, ROSTERD_LOG_FORMAT="json")

    entries = [json.loads(line) for line in log.splitlines()]
    assert entries
    assert all(isinstance(e, dict) and {"time", "level", "logger"} <= set(e) for e in entries)
    assert all(
        re.fullmatch(r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}\+00:00", e["time"]) for e in entries
    )
    [access] = [e for e in entries if e.get("request_id") == request_id]
    assert set(access) == {
        "time", "level", "logger", "event", "request_id", "method", "path", "status", "duration_ms"
    }  # fmt: skip
    assert (access["logger"], access["event"], access["method"], access["path"]) == (
        "rosterd.access",
        "request",
        "GET",
        "/healthz",
    )
    assert access["status"] == 200
    uvicorn = [e["message"] for e in entries if e["logger"].startswith("uvicorn")]
    assert any(m.startswith("Application startup complete") for m in uvicorn), uvicorn
    assert SECRET not in log


def test_text_stays_the_default(tmp_path: Path) -> None:
    log, request_id = served_log(tmp_path)

    [access] = [line for line in log.splitlines() if request_id in line]
    assert re.fullmatch(r"\S+ \S+ INFO rosterd\.access \{\"event\": \"request\", .*\}", access)
    assert "INFO uvicorn.error Application startup complete." in log
    assert SECRET not in log


def test_a_python_warning_is_a_json_line_too() -> None:
    """A warning a library raises at run time (pydantic's, while a dialect is built) went to
    stderr bare, which broke the JSON log's one object a line now and then."""
    script = (
        "import warnings\n"
        "from rosterd.server.logging import configure_logging\n"
        "configure_logging('info', 'json')\n"
        "warnings.warn('a library warning', UserWarning)\n"
        # FastAPI's own, which it means to silence (not thread-safely): not logged at all.
        "warnings.warn(\"The 'alias' attribute with value 'user_id' was provided to the "
        '`Field()` function, which has no effect", UserWarning)\n'
    )
    done = subprocess.run(
        [sys.executable, "-c", script], capture_output=True, text=True, timeout=60, check=True
    )

    [entry] = [json.loads(line) for line in done.stderr.splitlines()]
    assert (entry["level"], entry["logger"]) == ("WARNING", "py.warnings")
    assert "UserWarning: a library warning" in entry["message"]


def test_a_migrating_start_logs_the_migrations_and_not_alembic_s_plugins(tmp_path: Path) -> None:
    new_database = f"sqlite:///{tmp_path / 'new.db'}"
    server = start_process(new_database, args=("--migrate",), log=tmp_path / "rosterd.log")
    server.stop()
    log = (tmp_path / "rosterd.log").read_text()

    assert "INFO alembic.runtime.migration Running upgrade  -> 0001, " in log
    assert "alembic.runtime.plugins" not in log
