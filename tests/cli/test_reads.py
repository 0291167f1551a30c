"""The read commands through the real command line, on each database: orgs, users, devices,
the audit log, account groups and roles; tables, --json and --jsonl, and their errors."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from tests.cli.test_cli import create_org, rosterd
from tests.cli.test_listings import header


@pytest.fixture
def org(database_url: str, tmp_path: Path) -> dict[str, Any]:
    """An organization with its admin, two more people in an integration, and one device."""
    created = create_org(database_url)
    subdomain = created["org"]["subdomain"]  # type: ignore[index]
    integration = json.loads(
        rosterd(
            "integrations",
            "create",
            "--org",
            subdomain,
            "--name",
            "Entra",
            "--type",
            "office365",
            "--json",
            database_url=database_url,
        ).stdout
    )
    people = tmp_path / "people.jsonl"
    people.write_text(
        '{"external_id": "e1", "email": "ann@reads.test", "name": "Ann"}\n'
        '{"external_id": "e2", "email": "bob@reads.test", "name": "Bob", "active": false}\n'
    )
    rosterd(
        "users",
        "import",
        "--org",
        subdomain,
        "--integration",
        integration["uuid"],
        str(people),
        database_url=database_url,
    )
    devices = tmp_path / "devices.csv"
    devices.write_text(
        "serial_number,device_name,model,platform,os_version,user_email\n"
        "C02READ,Ann's Mac,MacBook Air,Mac,14.4,ann@reads.test\n"
    )
    rosterd("devices", "import", "--org", subdomain, str(devices), database_url=database_url)
    return {**created, "subdomain": subdomain, "integration": integration["uuid"]}


def run_json(database_url: str, *args: str) -> Any:
    return json.loads(rosterd(*args, "--json", database_url=database_url).stdout)


def test_orgs_list(database_url: str, org: dict[str, Any]) -> None:
    table = rosterd("orgs", "list", database_url=database_url).stdout
    listed = run_json(database_url, "orgs", "list")["organizations"]

    assert header(table) == ["id", "subdomain", "name", "created"]
    mine = [o for o in listed if o["subdomain"] == org["subdomain"]]
    # No rate limit of its own: the default applies.
    assert [(o["name"], o["rate_limit_per_minute"]) for o in mine] == [("CLI Org", None)]


def test_users_list_filters_and_pages(database_url: str, org: dict[str, Any]) -> None:
    sub = org["subdomain"]
    admin = org["admin"]["email"]

    everyone = run_json(database_url, "users", "list", "--org", sub)
    directory = run_json(
        database_url, "users", "list", "--org", sub, "--integration", org["integration"]
    )
    by_email = run_json(database_url, "users", "list", "--org", sub, "--email", "BOB@")
    first = run_json(database_url, "users", "list", "--org", sub, "--limit", "2")
    rest = run_json(
        database_url,
        "users",
        "list",
        "--org",
        sub,
        "--limit",
        "2",
        "--after",
        str(first["next_after"]),
    )
    own_aid = _default_aid(database_url, sub)
    in_group = run_json(database_url, "users", "list", "--org", sub, "--account-group", own_aid)
    other = create_org(database_url)["org"]["subdomain"]  # type: ignore[index]
    far_aid = _default_aid(database_url, other)
    in_far_group = run_json(database_url, "users", "list", "--org", sub, "--account-group", far_aid)

    assert [u["email"] for u in everyone["users"]] == [admin, "ann@reads.test", "bob@reads.test"]
    assert everyone["next_after"] is None
    assert [u["email"] for u in directory["users"]] == ["ann@reads.test", "bob@reads.test"]
    assert [(u["email"], u["active"]) for u in by_email["users"]] == [("bob@reads.test", False)]
    assert [u["email"] for u in first["users"]] == [admin, "ann@reads.test"]
    assert first["next_after"] == first["users"][1]["uid"]
    assert [u["email"] for u in rest["users"]] == ["bob@reads.test"]
    assert rest["next_after"] is None
    # The admin holds Organization Admin in all account groups, which counts in every group.
    assert admin in [u["email"] for u in in_group["users"]]
    # ...of this organization only: another's account group matches nobody here.
    assert in_far_group["users"] == []
    ann = everyone["users"][1]
    assert (ann["device_count"], ann["integration"]) == (1, org["integration"])


def _default_aid(database_url: str, subdomain: str) -> str:
    groups = rosterd(
        "account-groups", "list", "--org", subdomain, "--jsonl", database_url=database_url
    ).stdout
    return str(json.loads(groups.splitlines()[0])["aid"])


def test_users_list_table_says_how_to_get_the_next_page(
    database_url: str, org: dict[str, Any]
) -> None:
    result = rosterd(
        "users", "list", "--org", org["subdomain"], "--limit", "1", database_url=database_url
    )
    jsonl = rosterd(
        "users", "list", "--org", org["subdomain"], "--jsonl", database_url=database_url
    ).stdout

    assert header(result.stdout) == ["uid", "email", "name", "active", "archived", "devices"]
    first_uid = json.loads(jsonl.splitlines()[0])["uid"]
    assert result.stderr == f"more: --after {first_uid}\n"
    assert [json.loads(line)["email"] for line in jsonl.splitlines()] == [
        org["admin"]["email"],
        "ann@reads.test",
        "bob@reads.test",
    ]


def test_users_show_by_email_uid_and_uuid(database_url: str, org: dict[str, Any]) -> None:
    sub, admin = org["subdomain"], org["admin"]["email"]
    by_email = run_json(database_url, "users", "show", "--org", sub, admin)
    by_uid = run_json(database_url, "users", "show", "--org", sub, str(by_email["uid"]))
    by_id = run_json(database_url, "users", "show", "--org", sub, by_email["id"])

    assert by_email == by_uid == by_id
    assert by_email["roles"] == [{"role": "Organization Admin", "account_group": None}]
    assert [t["name"] for t in by_email["tokens"]] == ["initial admin token"]
    assert by_email["login_account_group"] == "CLI Org"
    assert "rst_" not in json.dumps(by_email)  # token secrets are never stored or shown


def test_devices_list_assign_and_unassign(database_url: str, org: dict[str, Any]) -> None:
    sub, admin = org["subdomain"], org["admin"]["email"]

    listed = run_json(database_url, "devices", "list", "--org", sub)["devices"]
    assigned = rosterd(
        "devices", "assign", "--org", sub, "C02READ", "--user", admin, database_url=database_url
    )
    mine = run_json(database_url, "devices", "list", "--org", sub, "--user", admin)["devices"]
    unassigned = rosterd(
        "devices", "unassign", "--org", sub, listed[0]["device_id"], database_url=database_url
    )
    after = run_json(database_url, "devices", "list", "--org", sub, "--serial", "READ")["devices"]
    events = run_json(database_url, "audit", "list", "--org", sub, "--action", "device.")

    assert [(d["serial_number"], d["user"]) for d in listed] == [("C02READ", "ann@reads.test")]
    assert assigned.stdout == f"C02READ ({listed[0]['device_id']}) assigned to {admin}\n"
    assert [d["serial_number"] for d in mine] == ["C02READ"]
    assert unassigned.stdout == f"C02READ ({listed[0]['device_id']}) assigned to nobody\n"
    assert [d["user"] for d in after] == [None]
    assert [e["actor"] for e in events["events"]][:2] == ["cli", "cli"]


def test_audit_list_filters(database_url: str, org: dict[str, Any]) -> None:
    sub = org["subdomain"]
    recent = run_json(database_url, "audit", "list", "--org", sub, "--since", "1h")["events"]
    created = run_json(
        database_url, "audit", "list", "--org", sub, "--action", "organization.create"
    )["events"]
    about_ann = run_json(database_url, "audit", "list", "--org", sub, "--target", "ann@reads.test")[
        "events"
    ]
    by_cli = run_json(
        database_url, "audit", "list", "--org", sub, "--actor", "cli", "--limit", "1"
    )["events"]
    future = run_json(database_url, "audit", "list", "--org", sub, "--since", "2999-01-01")

    times = [e["occurred_at"] for e in recent]
    assert times == sorted(times, reverse=True)
    assert len(recent) >= 4
    assert [e["action"] for e in created] == ["organization.create"]
    assert about_ann
    assert {e["target_type"] for e in about_ann} == {"user"}
    assert len(by_cli) == 1
    assert future == {"events": []}


def test_account_groups_and_roles(database_url: str, org: dict[str, Any]) -> None:
    sub = org["subdomain"]
    groups = rosterd(
        "account-groups", "list", "--org", sub, "--jsonl", database_url=database_url
    ).stdout
    roles = run_json(database_url, "roles", "list", "--org", sub)["roles"]
    table = rosterd("roles", "list", "--org", sub, database_url=database_url).stdout

    assert [json.loads(line) for line in groups.splitlines()] == [
        {"aid": json.loads(groups.splitlines()[0])["aid"], "name": "CLI Org", "default": True}
    ]
    assert [r["name"] for r in roles][:3] == ["Organization Admin", "Account Admin", "Regular User"]
    assert all(r["permissions"] == len(r["permission_codes"]) > 0 for r in roles)
    assert header(table) == ["id", "name", "built-in", "permissions"]


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (
            ["users", "list", "--org", "no-such-org"],
            "error: No organization with subdomain 'no-such-org'",
        ),
        (
            ["users", "list", "--org", "{org}", "--integration", "xyz"],
            "error: --integration must be a UUID, not 'xyz'",
        ),
        (
            ["users", "show", "--org", "{org}", "nobody@reads.test"],
            "error: No user 'nobody@reads.test' in organization '{org}'",
        ),
        (
            ["devices", "assign", "--org", "{org}", "NOPE", "--user", "ann@reads.test"],
            "error: No device 'NOPE' in organization '{org}'",
        ),
        (
            ["devices", "assign", "--org", "{org}", "C02READ", "--user", "zed@reads.test"],
            "error: No user 'zed@reads.test' in organization '{org}'",
        ),
        (
            ["audit", "list", "--org", "{org}", "--since", "yesterday"],
            "error: --since must be an ISO time (2026-12-01T08:00) or a time back from now"
            " (30m, 1h, 7d, 2w), not 'yesterday'",
        ),
    ],
)
def test_errors_are_one_line(
    database_url: str, org: dict[str, Any], args: list[str], message: str
) -> None:
    sub = org["subdomain"]
    result = rosterd(
        *[a.replace("{org}", sub) for a in args], database_url=database_url, check=False
    )
    assert (result.returncode, result.stdout) == (1, "")
    assert result.stderr == message.replace("{org}", sub) + "\n"


def test_json_and_jsonl_together_is_a_usage_error(database_url: str, org: dict[str, Any]) -> None:
    result = rosterd(
        "roles",
        "list",
        "--org",
        org["subdomain"],
        "--json",
        "--jsonl",
        database_url=database_url,
        check=False,
    )
    assert (result.returncode, result.stdout) == (2, "")
    assert result.stderr == "error: --json and --jsonl: choose one\n"
