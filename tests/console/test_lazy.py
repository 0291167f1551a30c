"""The console loads nothing before its first request: `rosterd serve` starts as fast."""

from __future__ import annotations

import json
import subprocess
import sys

PROBE = """
import json, sys, tempfile
from rosterd.server import Settings, create_app
from rosterd.storage import SqlDirectoryStore, make_engine

create_app(Settings(), SqlDirectoryStore(make_engine(f"sqlite:///{tempfile.mkdtemp()}/r.db")))
print(json.dumps(sorted(sys.modules)))
"""


def test_building_the_app_imports_no_console_module() -> None:
    result = subprocess.run(
        [sys.executable, "-c", PROBE], capture_output=True, text=True, check=True, timeout=60
    )
    loaded = set(json.loads(result.stdout))
    assert "rosterd.console" in loaded
    assert sorted(m for m in loaded if m.startswith("rosterd.console.")) == []
    assert {"jinja2", "itsdangerous"} & loaded == set()
