"""`--help` loads the command line and nothing it does not show: not the server, the database,
the settings or Rich. What is imported is checked here, never how long it takes (that is
measured in docs/performance.md)."""

from __future__ import annotations

import json
import subprocess
import sys

import typer.main
from typer.core import TyperGroup

from rosterd.cli import app

# What the commands run on; none of it is needed to describe them.
HEAVY = {
    "alembic",
    "fastapi",
    "limits",
    "psycopg",
    "pydantic_settings",
    "rich",
    "scim2_models",
    "sqlalchemy",
    "starlette",
    "uvicorn",
}
ROSTERD_HEAVY = ("rosterd.dialects", "rosterd.server", "rosterd.storage")

# Runs `rosterd ARGS --help` for each ARGS given as JSON, then prints the status of each and the
# modules loaded after all of them.
PROBE = """
import json, sys
from rosterd.cli import main

statuses = []
for args in json.loads(sys.argv[1]):
    sys.argv = ["rosterd", *args, "--help"]
    try:
        main()
    except SystemExit as exc:
        statuses.append(exc.code)
print(json.dumps({"statuses": statuses, "modules": sorted(sys.modules)}))
"""


def every_command(group: TyperGroup, path: tuple[str, ...] = ()) -> list[list[str]]:
    """The command line of every group and command under `group`, the root included."""
    found = [list(path)]
    for name, command in group.commands.items():
        if isinstance(command, TyperGroup):
            found += every_command(command, (*path, name))
        else:
            found.append([*path, name])
    return found


def loaded_by_help(commands: list[list[str]]) -> set[str]:
    result = subprocess.run(
        [sys.executable, "-c", PROBE, json.dumps(commands)],
        capture_output=True,
        text=True,
        timeout=120,
        check=True,
    )
    probe = json.loads(result.stdout.splitlines()[-1])
    assert probe["statuses"] == [0] * len(commands), result.stdout
    assert result.stdout.count("Usage: rosterd") == len(commands)
    return set(probe["modules"])


def heavy(modules: set[str]) -> set[str]:
    return {m for m in modules if m.split(".")[0] in HEAVY or m.startswith(ROSTERD_HEAVY)}


def test_every_command_is_probed() -> None:
    commands = every_command(typer.main.get_group(app))
    for expected in ([], ["serve"], ["db"], ["db", "upgrade"], ["users", "import"]):
        assert expected in commands
    assert ["integrations", "create"] in commands
    assert ["devices", "import"] in commands


def test_the_help_of_every_command_loads_nothing_heavy() -> None:
    assert heavy(loaded_by_help(every_command(typer.main.get_group(app)))) == set()


def test_the_top_level_help_loads_not_even_pydantic() -> None:
    """Typer itself imports pydantic for the options of a subcommand, not for the top level."""
    modules = loaded_by_help([[]])
    assert heavy(modules) == set()
    assert "pydantic" not in modules
