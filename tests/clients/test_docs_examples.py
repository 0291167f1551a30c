"""Every python example of docs/sdk.md runs against a live rosterd (its placeholder address
and token replaced by the test server's)."""

from __future__ import annotations

import re
import subprocess
import sys
from pathlib import Path

import pytest

from tests.clients.conftest import KANDJI_MISSING, kandji_served
from tests.support.orgs import TestOrg
from tests.support.server import LiveServer

DOC = Path(__file__).resolve().parents[2] / "docs" / "sdk.md"
EXAMPLES = re.findall(r"```python\n(.*?)```", DOC.read_text(), re.DOTALL)


def test_the_page_has_its_examples() -> None:
    assert len(EXAMPLES) == 10


@pytest.mark.parametrize("code", EXAMPLES, ids=[f"example{i}" for i in range(len(EXAMPLES))])
def test_example_runs(code: str, live_server: LiveServer, org: TestOrg) -> None:
    if "import kandji" in code and not kandji_served(live_server):
        pytest.skip(KANDJI_MISSING)
    code = code.replace("http://127.0.0.1:8000", live_server.base_url)
    code = code.replace("rst_your_token", org.token)

    done = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, timeout=60, check=False
    )

    assert done.returncode == 0, done.stderr
    assert done.stderr == ""
    assert done.stdout.strip()
    if "BadRequestException" in code:
        assert done.stdout.startswith("400 [('email', 'email is required')]\n404 ")
    if "get_current_user().login_account_group" in code:
        assert done.stdout.startswith("201 http")
