"""Every python example of docs/testing.md runs against a live rosterd with its control plane
(the placeholder address and tokens replaced by the test server's)."""

from __future__ import annotations

import re
import subprocess
import sys
from pathlib import Path

import pytest

from tests.control.conftest import CONTROL_TOKEN, Double

DOC = Path(__file__).resolve().parents[2] / "docs" / "testing.md"
EXAMPLES = re.findall(r"```python\n(.*?)```", DOC.read_text(), re.DOTALL)


def test_the_page_has_its_examples() -> None:
    assert len(EXAMPLES) == 2


@pytest.mark.parametrize("index", range(len(EXAMPLES)), ids=["snapshots", "faults"])
def test_example_runs(index: int, double: Double) -> None:
    code = EXAMPLES[index].replace("http://127.0.0.1:8000", double.server.base_url)
    code = code.replace("rstc_your_control_token", CONTROL_TOKEN)
    code = code.replace("rst_your_token", double.org.token)

    done = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, timeout=60, check=False
    )

    assert done.returncode == 0, done.stderr
    expected = [f"[{double.org.name!r}]\n", "throttled 429 1\n2\n"][index]
    assert done.stdout == expected
    assert double.control.get("/faults").json() == {"faults": []}
    assert double.control.get("/snapshots").json() == {"snapshots": []}
