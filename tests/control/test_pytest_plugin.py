"""The pytest plugin installed with rosterd, in a sample project (`examples/pytest/`) run as its
users run it: a pytest of its own, on SQLite, on PostgreSQL, and under pytest-xdist."""

from __future__ import annotations

import shutil
import subprocess
import sys
from pathlib import Path

import pytest
from sqlalchemy import create_engine, text
from sqlalchemy.engine import make_url

from tests.conftest import new_postgres_database

EXAMPLE = Path(__file__).parent.parent.parent / "examples" / "pytest"


def run_example(tmp_path: Path, *args: str) -> subprocess.CompletedProcess[str]:
    # A copy in a folder of its own, as a project: beside rosterd's checkout, pytest would take
    # rosterd's own settings (its pyproject.toml) for the example's.
    project = tmp_path / "project"
    shutil.copytree(EXAMPLE, project)
    return subprocess.run(
        [sys.executable, "-m", "pytest", "-q", "-p", "no:cacheprovider", *args],
        cwd=project,
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
    )


def test_the_example_project_passes_on_sqlite(tmp_path: Path) -> None:
    done = run_example(tmp_path)

    assert done.returncode == 0, done.stdout + done.stderr
    assert "8 passed" in done.stdout


def test_the_example_project_passes_on_postgresql(tmp_path: Path) -> None:
    with new_postgres_database() as url:
        done = run_example(tmp_path, f"--rosterd-database-url={url}")

    assert done.returncode == 0, done.stdout + done.stderr
    assert "8 passed" in done.stdout


def test_each_xdist_worker_gets_a_server_of_its_own(tmp_path: Path) -> None:
    pytest.importorskip("xdist")

    done = run_example(tmp_path, "-n", "2")

    assert done.returncode == 0, done.stdout + done.stderr
    assert "8 passed" in done.stdout


def test_on_postgresql_each_xdist_worker_gets_a_database_of_its_own(tmp_path: Path) -> None:
    """Workers sharing the given database would migrate it at once and reset each other's
    state; each gets NAME_gw0, NAME_gw1 beside it, dropped at the end."""
    pytest.importorskip("xdist")
    with new_postgres_database() as url:
        done = run_example(tmp_path, "-n", "2", f"--rosterd-database-url={url}")
        name = make_url(url).database
        engine = create_engine(url)
        try:
            with engine.connect() as conn:
                left = conn.execute(
                    text("SELECT datname FROM pg_database WHERE datname LIKE :like"),
                    {"like": f"{name}_gw%"},
                ).scalars()
                assert list(left) == []
        finally:
            engine.dispose()

    assert done.returncode == 0, done.stdout + done.stderr
    assert "8 passed" in done.stdout


def test_the_rosterd_seed_ini_option_is_the_state_every_test_starts_from(tmp_path: Path) -> None:
    project = tmp_path / "project"
    project.mkdir()
    (project / "pytest.ini").write_text("[pytest]\nrosterd_seed = start.yaml\n")
    (project / "start.yaml").write_text((EXAMPLE / "team.yaml").read_text())
    (project / "test_start.py").write_text(
        "import json, urllib.request\n"
        "def test_seeded(rosterd):\n"
        "    request = urllib.request.Request(rosterd.thousandeyes_url + '/users/current',\n"
        "        headers={'Authorization': 'Bearer rst_test_team_lead'})\n"
        "    with urllib.request.urlopen(request) as response:\n"
        "        assert json.loads(response.read())['email'] == 'lead@team.example'\n"
        "    rosterd.control.reset()  # the seed is the start: the token still works\n"
        "    assert urllib.request.urlopen(request).status == 200\n"
    )

    done = subprocess.run(
        [sys.executable, "-m", "pytest", "-q", "-p", "no:cacheprovider"],
        cwd=project,
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
    )

    assert done.returncode == 0, done.stdout + done.stderr
    assert "1 passed" in done.stdout
