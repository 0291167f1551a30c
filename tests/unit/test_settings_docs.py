"""The README's settings table lists every setting, and nothing else."""

from __future__ import annotations

import re
from pathlib import Path

from rosterd.server.settings import CONFIG_VARIABLE, Settings, env_name

README = Path(__file__).parent.parent.parent / "README.md"


def test_the_readme_lists_every_setting() -> None:
    listed = re.findall(r"^\| `(ROSTERD_[A-Z_]+)` \|", README.read_text(), flags=re.MULTILINE)

    assert len(listed) == len(set(listed))
    assert set(listed) == {env_name(field) for field in Settings.model_fields} | {CONFIG_VARIABLE}
