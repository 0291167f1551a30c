"""The README's python examples run against a live rosterd, only the host and token substituted."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from tests.support.orgs import OrgFactory
from tests.support.server import LiveServer

README = Path(__file__).parent.parent / "README.md"
BLOCKS = re.findall(r"```python\n(.*?)```", README.read_text(), flags=re.DOTALL)


def test_the_readme_has_python_examples() -> None:
    assert len(BLOCKS) >= 2


@pytest.mark.parametrize("block", BLOCKS, ids=[f"block{i}" for i in range(len(BLOCKS))])
def test_readme_example_runs(
    block: str, live_server: LiveServer, orgs: OrgFactory, capsys: pytest.CaptureFixture[str]
) -> None:
    org = orgs.create()
    code = block.replace("http://127.0.0.1:8000", live_server.base_url).replace("rst_…", org.token)
    code = code.replace("jane@example.com", f"jane@{org.subdomain}.example.com")

    exec(compile(code, str(README), "exec"), {})

    assert "Traceback" not in capsys.readouterr().err
