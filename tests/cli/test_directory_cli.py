"""`rosterd integrations`, `users import`, `devices import` and scoped `tokens create`, run as
an operator runs them (real processes), checked through the Kandji API."""

from __future__ import annotations

import hashlib
import json
import uuid
from pathlib import Path
from typing import Any

import httpx
from sqlalchemy import select

from rosterd.storage import SqlDirectoryStore
from rosterd.storage import tables as t
from tests.api.scim.conftest import USER, error, scim_client
from tests.cli.test_cli import create_org, rosterd
from tests.support.server import LiveServer


def new_integration(database_url: str, org: str, type: str = "office365") -> dict[str, Any]:
    result = rosterd(
        "integrations",
        "create",
        "--org",
        org,
        "--name",
        "Acme Entra",
        "--type",
        type,
        "--json",
        database_url=database_url,
    )
    value: dict[str, Any] = json.loads(result.stdout)
    return value


def kandji(live_server: LiveServer, token: str) -> httpx.Client:
    return httpx.Client(
        base_url=live_server.kandji_url, headers={"Authorization": f"Bearer {token}"}
    )


def test_integrations_create_prints_exactly_one_json_object(
    database_url: str, store: SqlDirectoryStore
) -> None:
    org = create_org(database_url)["org"]["subdomain"]  # type: ignore[index]

    office = new_integration(database_url, org)
    scim = new_integration(database_url, org, "scim")

    assert list(office) == ["id", "uuid", "name", "type", "scim_token"]
    assert isinstance(office["id"], int)
    assert uuid.UUID(office["uuid"])
    assert office["name"] == "Acme Entra"
    assert office["type"] == "office365"
    assert office["scim_token"] is None
    assert list(scim) == ["id", "uuid", "name", "type", "scim_token"]
    assert isinstance(scim["scim_token"], str)
    assert scim["scim_token"]
    with store.read() as tx:
        row = tx._conn.execute(  # type: ignore[attr-defined]
            select(t.integrations.c.scim_token_hash).where(
                t.integrations.c.uuid == uuid.UUID(scim["uuid"])
            )
        ).one()
    # Stored hashed, never as given.
    assert row.scim_token_hash == hashlib.sha256(scim["scim_token"].encode()).hexdigest()


def test_integrations_create_refuses_unknown_types(database_url: str, store: object) -> None:
    org = create_org(database_url)["org"]["subdomain"]  # type: ignore[index]

    result = rosterd(
        "integrations",
        "create",
        "--org",
        org,
        "--name",
        "X",
        "--type",
        "okta",
        database_url=database_url,
        check=False,
    )

    assert result.returncode == 1
    assert "office365, gsuite, scim" in result.stderr


def test_users_import_is_idempotent_and_full_sync_archives(
    database_url: str, live_server: LiveServer, tmp_path: Path
) -> None:
    created = create_org(database_url)
    org = created["org"]["subdomain"]  # type: ignore[index]
    integration = new_integration(database_url, org)
    csv_file = tmp_path / "people.csv"
    csv_file.write_text(
        "email,name,department,job_title,external_id,active\n"
        "ana@acme.test,Ana Lima,IT,Engineer,e-1,true\n"
        "bo@acme.test,Bo Berg,,,e-2,false\n"
        "cy@acme.test,Cy Chen,Sales,,e-3,\n"
    )

    def run(path: Path, *extra: str) -> dict[str, int]:
        result = rosterd(
            "users",
            "import",
            "--org",
            org,
            "--integration",
            integration["uuid"],
            str(path),
            "--json",
            *extra,
            database_url=database_url,
        )
        value: dict[str, int] = json.loads(result.stdout)
        return value

    assert run(csv_file) == {"created": 3, "updated": 0, "unchanged": 0, "archived": 0}
    assert run(csv_file) == {"created": 0, "updated": 0, "unchanged": 3, "archived": 0}
    # JSON lines: Ana renamed and her email changed (matched by external id), Cy left out.
    lines = tmp_path / "people.jsonl"
    lines.write_text(
        json.dumps({"email": "ana.lima@acme.test", "name": "Ana L.", "external_id": "e-1"})
        + "\n\n"
        + json.dumps(
            {"email": "bo@acme.test", "name": "Bo Berg", "external_id": "e-2", "active": False}
        )
        + "\n"
    )
    full = run(lines, "--full", "--yes")
    assert full == {"created": 0, "updated": 1, "unchanged": 1, "archived": 1}

    with kandji(live_server, str(created["token"])) as c:
        users = {
            u["email"]: u
            for u in c.get("/users", params={"integration_id": integration["uuid"]}).json()[
                "results"
            ]
        }
    assert set(users) == {"ana.lima@acme.test", "bo@acme.test", "cy@acme.test"}
    assert users["ana.lima@acme.test"]["name"] == "Ana L."
    assert users["ana.lima@acme.test"]["department"] is None  # the directory no longer has it
    assert users["bo@acme.test"]["active"] is False
    assert users["cy@acme.test"]["archived"] is True
    assert users["cy@acme.test"]["department"] == "Sales"
    assert users["ana.lima@acme.test"]["integration"] == {
        "id": integration["id"],
        "name": "Acme Entra",
        "uuid": integration["uuid"],
        "type": "office365",
    }


def test_users_import_checks_the_whole_file_first(
    database_url: str, live_server: LiveServer, tmp_path: Path
) -> None:
    created = create_org(database_url)
    org = created["org"]["subdomain"]  # type: ignore[index]
    integration = new_integration(database_url, org)
    bad = tmp_path / "bad.jsonl"
    bad.write_text(
        '{"email": "ok@acme.test"}\n{"email": "not an email"}\n{"email": "ok@acme.test"}\n'
    )

    result = rosterd(
        "users",
        "import",
        "--org",
        org,
        "--integration",
        integration["uuid"],
        str(bad),
        database_url=database_url,
        check=False,
    )

    assert result.returncode == 1
    assert "line 2: email" in result.stderr
    assert "Traceback" not in result.stderr
    with kandji(live_server, str(created["token"])) as c:
        found = c.get("/users", params={"integration_id": integration["uuid"]}).json()
    assert found["results"] == []


def test_users_import_needs_a_known_integration(database_url: str, tmp_path: Path) -> None:
    org = create_org(database_url)["org"]["subdomain"]  # type: ignore[index]
    people = tmp_path / "p.jsonl"
    people.write_text('{"email": "a@acme.test"}\n')

    result = rosterd(
        "users",
        "import",
        "--org",
        org,
        "--integration",
        str(uuid.uuid4()),
        str(people),
        database_url=database_url,
        check=False,
    )

    assert result.returncode == 1
    assert "No integration" in result.stderr


def test_devices_import_assigns_users(
    database_url: str, live_server: LiveServer, tmp_path: Path
) -> None:
    created = create_org(database_url)
    org = created["org"]["subdomain"]  # type: ignore[index]
    admin = created["admin"]["email"]  # type: ignore[index]
    devices = tmp_path / "devices.csv"
    devices.write_text(
        "serial_number,device_name,model,platform,os_version,user_email,tags\n"
        f'C02AAA,Mac one,MacBook Air (M1 2020),Mac,14.4.1,{admin},"a,b"\n'
        "DMPBBB,iPad two,iPad Air,iPad,17.1,,\n"
    )

    first = rosterd(
        "devices", "import", "--org", org, str(devices), "--json", database_url=database_url
    )
    again = rosterd(
        "devices", "import", "--org", org, str(devices), "--json", database_url=database_url
    )

    assert json.loads(first.stdout) == {"created": 2, "updated": 0}
    assert json.loads(again.stdout) == {"created": 0, "updated": 2}
    with kandji(live_server, str(created["token"])) as c:
        listed = c.get("/devices").json()
    assert [d["serial_number"] for d in listed] == ["C02AAA", "DMPBBB"]
    assert listed[0]["user"]["email"] == admin
    assert listed[0]["tags"] == ["a", "b"]
    assert listed[1]["user"] == ""


def test_tokens_create_with_endpoint_permissions(
    database_url: str, live_server: LiveServer
) -> None:
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
            "--permission",
            "GET /api/v1/users",
            "--permission",
            "get /api/v1/users/{id}",
            "--permission",
            "GET /v7/users/current",
            "--json",
            database_url=database_url,
        ).stdout
    )
    unknown = rosterd(
        "tokens",
        "create",
        "--org",
        org,
        "--email",
        email,
        "--permission",
        "GET /api/v1/blueprints",
        database_url=database_url,
        check=False,
    )

    with kandji(live_server, issued["token"]) as c:
        assert c.get("/users").status_code == 200
        assert c.get("/devices").status_code == 403
    headers = {"Authorization": f"Bearer {issued['token']}"}
    with httpx.Client(base_url=live_server.thousandeyes_url, headers=headers) as te:
        assert te.get("/users/current").status_code == 200
        assert te.get("/users").status_code == 403
        assert te.post("/users", json={"name": "N", "email": f"n@{org}.test"}).status_code == 403
    assert unknown.returncode == 1
    assert "Unknown endpoint permission" in unknown.stderr
    assert "GET /v7/users/{id}" in unknown.stderr  # the choices name both APIs' endpoints


def scim_users(live_server: LiveServer, token: str) -> httpx.Response:
    with scim_client(live_server, token) as c:
        return c.get("/Users")


def test_rotating_a_scim_token_retires_the_old_one_and_keeps_the_directory(
    database_url: str, live_server: LiveServer, store: SqlDirectoryStore
) -> None:
    org = create_org(database_url)["org"]["subdomain"]  # type: ignore[index]
    scim = new_integration(database_url, org, "scim")
    with scim_client(live_server, scim["scim_token"]) as c:
        created = c.post("/Users", json={"schemas": [USER], "userName": "ana@acme.test"})
    assert created.status_code == 201

    result = rosterd(
        "integrations", "rotate-token", "--org", org, "--integration", scim["uuid"], "--json",
        database_url=database_url,
    )  # fmt: skip

    rotated = json.loads(result.stdout)
    assert list(rotated) == ["uuid", "scim_token"]
    assert rotated["uuid"] == scim["uuid"]
    assert rotated["scim_token"] != scim["scim_token"]
    old = scim_users(live_server, scim["scim_token"])
    assert old.status_code == 401
    assert old.json() == error(401, "Invalid bearer token")
    new = scim_users(live_server, rotated["scim_token"])
    assert new.status_code == 200
    assert [u["userName"] for u in new.json()["Resources"]] == ["ana@acme.test"]
    with store.read() as tx:
        org_id = tx.get_organization_by_subdomain(org).id  # type: ignore[union-attr]
        events = [e for e in tx.list_audit_events(org_id) if e.action.startswith("integration.")]
    assert [e.action for e in events] == ["integration.create", "integration.token.rotate"]
    assert rotated["scim_token"] not in json.dumps([e.new_state for e in events])


def test_a_revoked_scim_token_is_refused_until_a_new_one_is_issued(
    database_url: str, live_server: LiveServer
) -> None:
    org = create_org(database_url)["org"]["subdomain"]  # type: ignore[index]
    scim = new_integration(database_url, org, "scim")

    revoked = rosterd(
        "integrations", "revoke-token", "--org", org, "--integration", scim["uuid"],
        database_url=database_url,
    )  # fmt: skip
    refused = scim_users(live_server, scim["scim_token"])
    rotated = rosterd(
        "integrations", "rotate-token", "--org", org, "--integration", scim["uuid"],
        database_url=database_url,
    )  # fmt: skip

    assert "SCIM token revoked" in revoked.stderr
    assert refused.status_code == 401
    assert refused.json() == error(401, "Invalid bearer token")
    assert scim_users(live_server, rotated.stdout.strip()).status_code == 200
    assert scim_users(live_server, scim["scim_token"]).status_code == 401


def test_only_scim_integrations_of_the_organization_have_tokens(database_url: str) -> None:
    org = create_org(database_url)["org"]["subdomain"]  # type: ignore[index]
    other_org = create_org(database_url)["org"]["subdomain"]  # type: ignore[index]
    office = new_integration(database_url, org)
    scim = new_integration(database_url, org, "scim")

    def rotate(org: str, integration: str) -> Any:
        return rosterd(
            "integrations", "rotate-token", "--org", org, "--integration", integration,
            database_url=database_url, check=False,
        )  # fmt: skip

    not_scim = rotate(org, office["uuid"])
    elsewhere = rotate(other_org, scim["uuid"])
    unknown = rotate(org, "not-a-uuid")

    assert not_scim.returncode == 1
    assert "only scim integrations have a token" in not_scim.stderr
    assert elsewhere.returncode == 1
    assert f"No integration '{scim['uuid']}' in organization '{other_org}'" in elsewhere.stderr
    assert unknown.returncode == 1
    assert not_scim.stdout == elsewhere.stdout == unknown.stdout == ""
