"""Usage errors as an operator meets them (a real process): one line on stderr naming the
problem and where help is, exit status 2, nothing on stdout, never Click's usage block or a
traceback. None of them reaches the database."""

from __future__ import annotations

import subprocess

import pytest

from tests.support.process import ROSTERD


def run(*args: str) -> subprocess.CompletedProcess[str]:
    assert ROSTERD, "the rosterd command is not installed in this environment"
    return subprocess.run([ROSTERD, *args], capture_output=True, text=True, timeout=60, check=False)


@pytest.mark.parametrize(
    ("args", "line"),
    [
        (
            ["users", "import", "--bogus"],
            "error: No such option: --bogus (Possible options: --org); "
            "try 'rosterd users import --help'",
        ),
        (
            ["integrations", "create", "--org", "acme", "--name", "X"],
            "error: Missing option '--type'; try 'rosterd integrations create --help'",
        ),
        (
            ["users", "show", "--org", "acme"],
            "error: Missing argument 'user'; try 'rosterd users show --help'",
        ),
        (
            ["users", "list", "--org", "acme", "--limit", "abc"],
            "error: Invalid value for '--limit': Input should be a valid integer, unable to "
            "parse string as an integer; try 'rosterd users list --help'",
        ),
        (
            ["users", "list", "--org", "acme", "--limit", "0"],
            "error: Invalid value for '--limit': Input should be greater than or equal to 1; "
            "try 'rosterd users list --help'",
        ),
        (["nope"], "error: No such command 'nope'; try 'rosterd --help'"),
        (["users", "nope"], "error: No such command 'nope'; try 'rosterd users --help'"),
        (
            ["devices", "import", "--org", "acme", "/no/such/file.csv"],
            "error: Invalid value for 'FILE': file '/no/such/file.csv' does not exist; "
            "try 'rosterd devices import --help'",
        ),
    ],
)
def test_a_usage_error_is_one_line_and_status_2(args: list[str], line: str) -> None:
    result = run(*args)

    assert (result.returncode, result.stdout, result.stderr) == (2, "", line + "\n")


def test_a_group_without_its_command_still_prints_its_help() -> None:
    result = run("users")

    assert result.returncode == 2
    assert result.stderr.startswith("Usage: rosterd users [OPTIONS] COMMAND [ARGS]...\n")
    assert "confirm-email" in result.stderr


def test_help_and_version_still_answer_with_status_0() -> None:
    help_ = run("users", "import", "--help")
    version = run("--version")

    assert help_.returncode == 0
    assert help_.stdout.startswith("Usage: rosterd users import [OPTIONS] ")
    assert version.returncode == 0
    assert version.stdout.startswith("rosterd ")
