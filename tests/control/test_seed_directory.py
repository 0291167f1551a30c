"""Seeds with directory users and devices: written through the same rules as `rosterd users
import` and `rosterd devices import`, seen through the Kandji API, and every problem named by
file, line and field with nothing written."""

from __future__ import annotations

import uuid
from pathlib import Path
from typing import Any

import httpx
import pytest

from rosterd.storage import SqlDirectoryStore, make_engine, upgrade
from tests.control.test_seeds import refused_seed, rosterd
from tests.support.server import start_server

INITECH = """\
organizations:
  - name: Initech
    subdomain: initech-{suffix}
    users:
      - email: admin@initech.test
        name: Bill Lumbergh
        roles: {{"*": [Organization Admin]}}
        tokens: [{{value: rst_test_initech_{suffix}}}]
    integrations:
      - name: Entra
        type: office365
        users:
          - email: peter@initech.test
            name: Peter Gibbons
            department: Software
            job_title: Engineer
            external_id: e-1
          - {{email: milton@initech.test, name: Milton Waddams, external_id: e-2, archived: true}}
          - {{email: samir@initech.test, name: Samir N, external_id: e-3, active: false}}
    devices:
      - serial_number: C02INI0001
        device_name: Peter's Mac
        model: MacBook Air
        os_version: "14.4"
        user_email: peter@initech.test
        tags: [eng]
      - {{serial_number: C02INI0002, platform: iPhone}}
"""


def _person(user: dict[str, Any]) -> tuple[Any, ...]:
    integration = user["integration"]["name"] if user["integration"] else None
    return (
        user["email"],
        user["name"],
        user["active"],
        user["archived"],
        user["department"],
        user["job_title"],
        integration,
        user["device_count"],
    )


def test_directory_users_and_devices_load_as_the_imports_make_them(
    own_database_url: str, tmp_path: Path
) -> None:
    engine = make_engine(own_database_url)
    upgrade(engine)
    suffix = uuid.uuid4().hex[:8]
    path = tmp_path / "seed.yaml"
    path.write_text(INITECH.format(suffix=suffix))

    done = rosterd("seed", str(path), database_url=own_database_url)

    assert done.returncode == 0, done.stderr
    store = SqlDirectoryStore(engine)
    headers = {"Authorization": f"Bearer rst_test_initech_{suffix}"}
    with (
        start_server(own_database_url, store) as server,
        httpx.Client(base_url=server.kandji_url, headers=headers) as api,
    ):
        users = api.get("/users").json()["results"]
        devices = api.get("/devices").json()
        audit = api.get("/audit/events", params={"limit": 50}).json()["results"]
    store.close()
    engine.dispose()
    assert sorted(_person(u) for u in users) == [
        ("admin@initech.test", "Bill Lumbergh", True, False, None, None, None, 0),
        ("milton@initech.test", "Milton Waddams", True, True, None, None, "Entra", 0),
        ("peter@initech.test", "Peter Gibbons", True, False, "Software", "Engineer", "Entra", 1),
        ("samir@initech.test", "Samir N", False, False, None, None, "Entra", 0),
    ]
    assert [
        (d["serial_number"], d["device_name"], d["platform"], d["model"], d["tags"])
        for d in devices
    ] == [
        ("C02INI0001", "Peter's Mac", "Mac", "MacBook Air", ["eng"]),
        ("C02INI0002", "C02INI0002", "iPhone", "", []),
    ]
    assert devices[0]["user"]["email"] == "peter@initech.test"
    assert devices[1]["user"] == ""
    # The same events an import writes: three users created, one archived, two devices.
    actions = sorted(e["action"] for e in audit)
    assert actions.count("create") == 1 + 3 + 2  # the organization, its users, its devices
    assert actions.count("archive") == 1


ORG_HEAD = (
    "organizations:\n"
    "  - name: Delta\n"
    "    subdomain: delta\n"
    "    users:\n"
    "      - {email: a@delta.test, name: A, roles: {'*': [Organization Admin]}}\n"
)


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        (
            ORG_HEAD + "    integrations:\n"
            "      - name: Entra\n"
            "        type: office365\n"
            "        users:\n"
            "          - {email: not-an-email, external_id: x}\n"
            '          - {email: b@delta.test, name: "B\\u0000", external_id: x}\n'
            "          - {email: A@delta.test, name: A again}\n",
            [
                "seed.yaml:10: organizations[0].integrations[0].users[0].email: email must be "
                "a valid email address",
                "seed.yaml:11: organizations[0].integrations[0].users[1].name: name must be "
                "printable, at most 255 characters",
                "seed.yaml:11: organizations[0].integrations[0].users[1].external_id: twice",
                "seed.yaml:12: organizations[0].integrations[0].users[2].email: a user with "
                "this email appears twice",
            ],
        ),
        (
            ORG_HEAD + "    devices:\n"
            "      - {serial_number: S1, user_email: nobody@delta.test}\n"
            "      - {serial_number: S1}\n",
            [
                "seed.yaml:7: organizations[0].devices[0].user_email: no user of the seed has "
                "this email",
                "seed.yaml:8: organizations[0].devices[1].serial_number: this serial appears twice",
            ],
        ),
        (
            ORG_HEAD + "    devices:\n"
            "      - {serial_number: S1, platform: Amiga, device_id: not-a-uuid}\n",
            [
                "seed.yaml:7: organizations[0].devices[0].platform: platform must be one of "
                "('Mac', 'iPad', 'iPhone', 'AppleTV', 'iPod', 'Vision')",
                "seed.yaml:7: organizations[0].devices[0].device_id: must be a UUID",
            ],
        ),
        (
            ORG_HEAD + "    devices:\n      - {model: M1}\n",
            ["seed.yaml:7: organizations[0].devices[0].serial_number: Field required"],
        ),
    ],
)
def test_every_directory_problem_names_its_line_and_nothing_is_written(
    database_url: str, tmp_path: Path, text: str, expected: list[str]
) -> None:
    assert refused_seed(text, database_url, tmp_path) == expected
