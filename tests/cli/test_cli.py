"""The `rosterd` command as an operator runs it: a real process, real stdout and exit codes."""

from __future__ import annotations

import json
import os
import subprocess
import uuid

import httpx
import pytest

from tests.support.process import ROSTERD
from tests.support.server import LiveServer


def rosterd(*args: str, database_url: str, check: bool = True) -> subprocess.CompletedProcess[str]:
    assert ROSTERD, "the rosterd command is not installed in this environment"
    env = os.environ | {"ROSTERD_DATABASE_URL": database_url}
    result = subprocess.run(
        [ROSTERD, *args], capture_output=True, text=True, env=env, timeout=60, check=False
    )
    if check:
        assert result.returncode == 0, result.stderr
    return result


def create_org(database_url: str) -> dict[str, object]:
    subdomain = f"cli-{uuid.uuid4().hex[:8]}"
    result = rosterd(
        "orgs",
        "create",
        "--name",
        "CLI Org",
        "--subdomain",
        subdomain,
        "--admin-email",
        f"root@{subdomain}.example.com",
        "--json",
        database_url=database_url,
    )
    value: dict[str, object] = json.loads(result.stdout)
    return value


def test_orgs_create_prints_exactly_one_json_object(database_url: str, store: object) -> None:
    subdomain = f"cli-{uuid.uuid4().hex[:8]}"
    result = rosterd(
        "orgs",
        "create",
        "--name",
        "CLI Org",
        "--subdomain",
        subdomain,
        "--admin-email",
        f"root@{subdomain}.example.com",
        "--json",
        database_url=database_url,
    )

    created = json.loads(result.stdout)  # the whole of stdout is one JSON document
    assert set(created) == {"org", "account_group", "admin", "token"}
    assert created["org"] == {"name": "CLI Org", "subdomain": subdomain}
    assert set(created["account_group"]) == {"aid", "name"}
    assert created["account_group"]["aid"].isdigit()
    assert set(created["admin"]) == {"uid", "id", "email"}
    assert created["admin"]["email"] == f"root@{subdomain}.example.com"
    assert uuid.UUID(created["admin"]["id"])
    assert created["token"].startswith("rst_")


def test_the_printed_token_works_against_the_api(
    database_url: str, live_server: LiveServer
) -> None:
    created = create_org(database_url)

    response = httpx.get(
        f"{live_server.thousandeyes_url}/users/current",
        headers={"Authorization": f"Bearer {created['token']}"},
    )

    assert response.status_code == 200
    assert response.json()["uid"] == created["admin"]["uid"]  # type: ignore[index]


def test_tokens_create_and_revoke(database_url: str, live_server: LiveServer) -> None:
    created = create_org(database_url)
    org = created["org"]["subdomain"]  # type: ignore[index]
    email = created["admin"]["email"]  # type: ignore[index]

    issued = json.loads(
        rosterd(
            "tokens", "create", "--org", org, "--email", email, "--json", database_url=database_url
        ).stdout
    )
    url = f"{live_server.thousandeyes_url}/users/current"
    headers = {"Authorization": f"Bearer {issued['token']}"}
    assert httpx.get(url, headers=headers).status_code == 200

    rosterd("tokens", "revoke", "--org", org, "--token", issued["token"], database_url=database_url)
    assert httpx.get(url, headers=headers).status_code == 401
    again = rosterd(
        "tokens",
        "revoke",
        "--org",
        org,
        "--token",
        issued["token"],
        database_url=database_url,
        check=False,
    )
    assert again.returncode == 1
    assert "No such active token" in again.stderr


def test_duplicate_subdomain_is_a_clear_error(database_url: str, store: object) -> None:
    created = create_org(database_url)
    org = created["org"]["subdomain"]  # type: ignore[index]

    result = rosterd(
        "orgs",
        "create",
        "--name",
        "Again",
        "--subdomain",
        org,
        "--admin-email",
        "x@example.com",
        database_url=database_url,
        check=False,
    )

    assert result.returncode == 1
    assert "already in use" in result.stderr
    assert "Traceback" not in result.stderr


def test_unknown_user_for_a_token_is_a_clear_error(database_url: str, store: object) -> None:
    created = create_org(database_url)
    result = rosterd(
        "tokens",
        "create",
        "--org",
        created["org"]["subdomain"],  # type: ignore[index]
        "--email",
        "nobody@example.com",
        database_url=database_url,
        check=False,
    )
    assert result.returncode == 1
    assert "No user 'nobody@example.com'" in result.stderr


def test_commands_refuse_an_unmigrated_database(tmp_path: object) -> None:
    url = f"sqlite:///{tmp_path}/empty.db"
    result = rosterd(
        "tokens", "create", "--org", "x", "--email", "a@b.co", database_url=url, check=False
    )
    assert result.returncode == 2
    assert "rosterd db upgrade" in result.stderr

    rosterd("db", "upgrade", database_url=url)
    again = rosterd(
        "tokens", "create", "--org", "x", "--email", "a@b.co", database_url=url, check=False
    )
    assert again.returncode == 1


@pytest.mark.parametrize("args", [["--help"], ["orgs", "--help"], ["serve", "--help"]])
def test_help_works(args: list[str], tmp_path: object) -> None:
    assert "Usage" in rosterd(*args, database_url=f"sqlite:///{tmp_path}/x.db").stdout


def test_tokens_list_and_revoke_by_id(database_url: str, live_server: LiveServer) -> None:
    created = create_org(database_url)
    org = created["org"]["subdomain"]  # type: ignore[index]
    email = created["admin"]["email"]  # type: ignore[index]
    issued = json.loads(
        rosterd(
            "tokens",
            "create",
            "--org",
            org,
            "--email",
            email,
            "--name",
            "ci",
            "--json",
            database_url=database_url,
        ).stdout
    )

    listed = json.loads(
        rosterd(
            "tokens", "list", "--org", org, "--email", email, "--json", database_url=database_url
        ).stdout
    )["tokens"]
    assert [t["name"] for t in listed] == ["initial admin token", "ci"]
    assert all(t["revoked_at"] is None for t in listed)
    assert issued["token"] not in json.dumps(listed)

    rosterd("tokens", "revoke", "--org", org, "--id", listed[1]["id"], database_url=database_url)
    url = f"{live_server.thousandeyes_url}/users/current"
    assert httpx.get(url, headers={"Authorization": f"Bearer {issued['token']}"}).status_code == 401
    assert (
        httpx.get(url, headers={"Authorization": f"Bearer {created['token']}"}).status_code == 200
    )
    after = json.loads(
        rosterd(
            "tokens", "list", "--org", org, "--email", email, "--json", database_url=database_url
        ).stdout
    )["tokens"]
    assert after[1]["revoked_at"] is not None

    neither = rosterd("tokens", "revoke", "--org", org, database_url=database_url, check=False)
    assert neither.returncode == 1
    assert "by its value or by its id" in neither.stderr
