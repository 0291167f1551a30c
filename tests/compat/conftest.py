"""Vendor SDKs in virtual environments of their own, built once per requirements file.

Each environment lives in `.venv-compat/<hash>/` at the repository root (ignored by git), keyed
by the requirements file, the Python version and the platform, so reruns reuse it. A file lock
makes parallel sessions (pytest-xdist) build it once; a marker written last means a build that
was interrupted is started over instead of being trusted.
"""

from __future__ import annotations

import fcntl
import hashlib
import os
import platform
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
CACHE = ROOT / ".venv-compat"
COMPLETE = ".rosterd-complete"


def _key(requirements: Path) -> str:
    digest = hashlib.sha256(requirements.read_bytes())
    digest.update(f"{sys.version_info[:2]}|{platform.machine()}|{sys.platform}".encode())
    return digest.hexdigest()[:16]


def _run(*command: str | Path) -> None:
    result = subprocess.run(
        [str(c) for c in command], capture_output=True, text=True, timeout=600, check=False
    )
    if result.returncode != 0:
        pytest.fail(
            f"building the compat environment failed (it needs PyPI): {' '.join(map(str, command))}"
            f"\n{result.stdout}\n{result.stderr}"
        )


def _build(venv: Path, requirements: Path) -> None:
    shutil.rmtree(venv, ignore_errors=True)
    python = venv / "bin" / "python"
    uv = os.environ.get("UV") or shutil.which("uv")
    if uv:
        _run(uv, "venv", "--quiet", "--python", sys.executable, venv)
        _run(uv, "pip", "install", "--quiet", "--python", python, "-r", requirements)
    else:
        _run(sys.executable, "-m", "venv", venv)
        _run(python, "-m", "pip", "install", "--quiet", "-r", requirements)
    (venv / COMPLETE).write_text(requirements.read_text())


def venv_python(requirements: Path) -> Path:
    """The interpreter of an environment with exactly `requirements` installed."""
    CACHE.mkdir(exist_ok=True)
    venv = CACHE / _key(requirements)
    with (CACHE / f"{venv.name}.lock").open("w") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        if not (venv / COMPLETE).exists():
            _build(venv, requirements)
    return venv / "bin" / "python"


@pytest.fixture(scope="session")
def thousandeyes_python() -> Path:
    """Python with the official `thousandeyes-sdk-administrative` 6.0.0 and nothing of rosterd."""
    return venv_python(Path(__file__).with_name("thousandeyes-requirements.txt"))
