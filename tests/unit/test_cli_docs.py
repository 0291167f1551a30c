"""docs/cli.md and the README list every command the command line has, and no other."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
import typer.main
from typer.core import TyperGroup

from rosterd.cli import app
from tests.cli.test_lazy_imports import every_command

ROOT = Path(__file__).parent.parent.parent


def commands() -> tuple[set[str], set[str]]:
    """The command line's groups and its commands, as typed after `rosterd`."""
    root = typer.main.get_group(app)
    assert isinstance(root, TyperGroup)
    paths = [" ".join(path) for path in every_command(root) if path]
    groups = {path.rpartition(" ")[0] for path in paths if " " in path}
    return groups, set(paths) - groups


def documented(page: Path, groups: set[str]) -> set[str]:
    """The commands named by the lines of the page's bash block of `rosterd` commands."""
    block = next(
        b
        for b in re.findall(r"```bash\n(.*?)```", page.read_text(), flags=re.DOTALL)
        if "rosterd orgs create" in b
    )
    found = set()
    for line in block.splitlines():
        if not line.startswith("rosterd "):
            continue
        # `rosterd [--config FILE] config show`: the root's options come before the command.
        words = re.sub(r"^rosterd (\[[^\]]*\] )*", "", line).split()
        found.add(" ".join(words[:2]) if words[0] in groups else words[0])
    return found


@pytest.mark.parametrize("page", ["docs/cli.md", "README.md"])
def test_the_page_lists_every_command(page: str) -> None:
    groups, leaves = commands()

    listed = documented(ROOT / page, groups)

    assert {"serve", "users import", "devices import", "audit list"} <= leaves
    assert listed - {"--version"} == leaves
