"""On Python 3.10, installing rosterd says that it needs 3.11, rather than failing first on a
dependency that needs it (old pips resolve the dependencies before the Requires-Python)."""

from __future__ import annotations

import tomllib
from importlib.metadata import distribution
from pathlib import Path

from packaging.requirements import Requirement
from packaging.specifiers import SpecifierSet

PYPROJECT = Path(__file__).parent.parent.parent / "pyproject.toml"
PROJECT = tomllib.loads(PYPROJECT.read_text())["project"]
OLDER = {"python_version": "3.10", "python_full_version": "3.10.13"}


def test_rosterd_needs_python_3_11() -> None:
    assert PROJECT["requires-python"] == ">=3.11"
    assert "3.10" not in SpecifierSet(PROJECT["requires-python"])


def test_a_dependency_that_needs_3_11_is_skipped_on_older_pythons() -> None:
    needing = []
    for line in PROJECT["dependencies"]:
        requirement = Requirement(line)
        required = distribution(requirement.name).metadata.get("Requires-Python") or ""
        if "3.10" in SpecifierSet(required):
            continue
        needing.append(requirement.name)
        assert requirement.marker is not None, f"{line}: add ; python_version >= '3.11'"
        assert not requirement.marker.evaluate(OLDER), line
        assert requirement.marker.evaluate({"python_version": "3.11"}), line
    assert "scim2-models" in needing  # the one that made pip fail before
