"""The pytest plugin installed with rosterd, in a sample project (`examples/pytest/`) run as its
users run it: a pytest of its own, on SQLite, on PostgreSQL, and under pytest-xdist."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

from tests.conftest import new_postgres_database

EXAMPLE = Path(__file__).parent.parent.parent / "examples" / "pytest"


def run_example(tmp_path: Path, *args: str) -> subprocess.CompletedProcess[str]:
    # From a folder of its own (no rosterd conftest, no rosterd pytest settings), as a project.
    return subprocess.run(
        [sys.executable, "-m", "pytest", str(EXAMPLE), "-q", "-p", "no:cacheprovider", *args],
        cwd=tmp_path,
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
    )


def test_the_example_project_passes_on_sqlite(tmp_path: Path) -> None:
    done = run_example(tmp_path)

    assert done.returncode == 0, done.stdout + done.stderr
    assert "7 passed" in done.stdout


def test_the_example_project_passes_on_postgresql(tmp_path: Path) -> None:
    with new_postgres_database() as url:
        done = run_example(tmp_path, f"--rosterd-database-url={url}")

    assert done.returncode == 0, done.stdout + done.stderr
    assert "7 passed" in done.stdout


def test_each_xdist_worker_gets_a_server_of_its_own(tmp_path: Path) -> None:
    pytest.importorskip("xdist")

    done = run_example(tmp_path, "-n", "2")

    assert done.returncode == 0, done.stdout + done.stderr
    assert "7 passed" in done.stdout
