"""`python -m bench.email_search` (docs/performance.md, "Email search") still builds, measures
and compares: the instrument, not its numbers, on 300 users and one round."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

from bench.email_search import TERMS

ROOT = Path(__file__).parent.parent


def _bench(*args: str) -> subprocess.CompletedProcess[str]:
    # The timeout only stops a hung run; nothing here depends on how fast it is.
    return subprocess.run(
        [sys.executable, "-m", "bench.email_search", *args],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=600,
        check=False,
    )


def test_build_and_measure_every_page(tmp_path: Path) -> None:
    url = f"sqlite:///{tmp_path / 'search.db'}"
    common = ["--database-url", url, "--token-file", str(tmp_path / "token.json")]
    out = tmp_path / "pages.json"

    built = _bench("build", *common, "--users", "300")
    measured = _bench("measure", *common, "--rounds", "1", "--out", str(out))
    compared = _bench("compare", "--database-url", url, "--against", "HEAD", "--rounds", "1")

    assert built.returncode == 0, built.stderr
    assert "inserted 300 users" in built.stdout
    assert measured.returncode == 0, measured.stderr
    pages = json.loads(out.read_text())
    assert sorted(pages) == sorted(
        f"{term} {page}" for term in TERMS.values() for page in ("first", "deep", "back")
    )
    assert pages["example first"]["uids"] == list(range(301, 1, -1))  # everyone but the admin
    assert pages["tenth first"]["uids"] == list(range(292, 1, -10))  # users 290, 280, ... 0
    assert pages["zzzz first"]["uids"] == []
    assert compared.returncode == 0, compared.stderr
    rows = [line for line in compared.stdout.splitlines() if line.startswith("| ")]
    assert len(rows) == 1 + len(pages)  # the header, then a row a page
