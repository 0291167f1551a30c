"""`rosterd --version`, and the one table style every listing prints (a header row, then rows)."""

from __future__ import annotations

from rosterd import __version__
from tests.cli.test_cli import create_org, rosterd
from tests.cli.test_directory_cli import new_integration


def test_version_prints_the_package_version(tmp_path: object) -> None:
    result = rosterd("--version", database_url=f"sqlite:///{tmp_path}/x.db")
    assert result.stdout == f"rosterd {__version__}\n"
    assert result.stderr == ""


def header(stdout: str) -> list[str]:
    """The column names of a Rich table's header row (the line after the top border)."""
    lines = stdout.splitlines()
    assert lines[0].startswith("┏"), stdout
    return [cell.strip() for cell in lines[1].strip("┃").split("┃")]


def test_integrations_list_has_the_table_style_of_tokens_list(database_url: str) -> None:
    created = create_org(database_url)
    org = created["org"]["subdomain"]  # type: ignore[index]
    email = created["admin"]["email"]  # type: ignore[index]
    integration = new_integration(database_url, org)

    listed = rosterd("integrations", "list", "--org", org, database_url=database_url).stdout
    tokens = rosterd("tokens", "list", "--org", org, "--email", email, database_url=database_url)

    assert header(listed) == ["id", "uuid", "type", "name"]
    assert header(tokens.stdout) == ["id", "name", "created", "revoked"]
    row = [cell.strip() for cell in listed.splitlines()[3].strip("│").split("│")]
    assert row == [str(integration["id"]), integration["uuid"], "office365", integration["name"]]
