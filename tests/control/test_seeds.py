"""Seeds: a starting state declared in a file, loaded by `rosterd seed`, `serve --seed` and
`POST /_rosterd/seed`; tokens with the values the file gives; every error with its file, line
and field, and nothing written."""

from __future__ import annotations

import json
import os
import subprocess
import uuid
from pathlib import Path

import httpx
import jsonschema_rs
import pytest

from rosterd.seeds import seed_schema
from rosterd.storage import SqlDirectoryStore, make_engine, upgrade
from tests.control.conftest import Double
from tests.control.seeds import ACME
from tests.support.process import ROSTERD
from tests.support.server import start_server

SHIPPED_SCHEMA = Path(__file__).parents[2] / "src" / "rosterd" / "seeds" / "seed.schema.json"


def rosterd(*args: str, database_url: str) -> subprocess.CompletedProcess[str]:
    assert ROSTERD
    return subprocess.run(
        [ROSTERD, *args, "--database-url", database_url],
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
        env=os.environ | {"ROSTERD_LOG_LEVEL": "WARNING"},
    )


def acme(tmp_path: Path, suffix: str) -> Path:
    path = tmp_path / "seed.yaml"
    path.write_text(ACME.format(suffix=suffix))
    return path


def organizations(url: str) -> int:
    engine = make_engine(url)
    with engine.connect() as conn:
        count = int(conn.exec_driver_sql("SELECT count(*) FROM organizations").scalar_one())
    engine.dispose()
    return count


def test_rosterd_seed_writes_the_state_with_the_tokens_it_gives(
    own_database_url: str, tmp_path: Path
) -> None:
    engine = make_engine(own_database_url)
    upgrade(engine)
    suffix = uuid.uuid4().hex[:8]

    done = rosterd("seed", str(acme(tmp_path, suffix)), database_url=own_database_url)

    assert done.returncode == 0, done.stderr
    assert done.stderr.strip().endswith(f"seeded 1 organization from {tmp_path / 'seed.yaml'}")
    store = SqlDirectoryStore(engine)
    with start_server(own_database_url, store) as server:
        admin = {"Authorization": f"Bearer rst_test_admin_{suffix}"}
        helpdesk = {"Authorization": f"Bearer rst_test_helpdesk_{suffix}"}
        with httpx.Client(base_url=server.thousandeyes_url, headers=admin) as api:
            assert api.get("/users/current").json()["email"] == "admin@acme.test"
            groups = api.get("/account-groups").json()["accountGroups"]
            assert [(g["accountGroupName"], g["isDefaultAccountGroup"]) for g in groups] == [
                ("Acme HQ", True),
                ("EMEA", False),
            ]
            users = {u["email"]: u for u in api.get("/users").json()["users"]}
            hal = api.get(f"/users/{users['helpdesk@acme.test']['uid']}").json()
        assert hal["loginAccountGroup"]["accountGroupName"] == "EMEA"
        assert [
            (r["accountGroup"]["accountGroupName"], [x["name"] for x in r["roles"]])
            for r in hal["accountGroupRoles"]
        ] == [("EMEA", ["Helpdesk"])]
        # The helpdesk token is limited to the endpoint the seed names.
        assert httpx.get(f"{server.thousandeyes_url}/users", headers=helpdesk).status_code == 200
        assert httpx.get(f"{server.thousandeyes_url}/roles", headers=helpdesk).status_code == 403
        scim = {"Authorization": f"Bearer rst_test_scim_{suffix}"}
        assert httpx.get(f"{server.scim_url}/Users", headers=scim).status_code == 200
    store.close()
    engine.dispose()


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        (
            "organizations: [\n",
            ["seed.yaml:2: expected the node content, but found '<stream end>'"],
        ),
        ("", ["seed.yaml: the seed is empty"]),
        (
            "- a list\n",
            [
                "seed.yaml:1: (the document): Input should be a valid dictionary or instance "
                "of SeedDocument"
            ],
        ),
        (
            "organizations:\n  - name: Beta\n    subdomain: beta\n    colour: red\n    users: []\n",
            ["seed.yaml:4: organizations[0].colour: Extra inputs are not permitted"],
        ),
        (
            "organizations:\n  - name: Beta\n    subdomain: beta\n",
            ["seed.yaml:2: organizations[0].users: Field required"],
        ),
        (
            "organizations:\n"
            "  - name: Beta\n"
            "    subdomain: Beta_1\n"
            "    users:\n"
            "      - email: not-an-email\n"
            "        name: Bea\n"
            "        roles: {Nowhere: [Nobody]}\n"
            "        tokens: [{value: short}]\n"
            "    roles:\n"
            "      - {name: Auditor, permissions: [NOT_A_PERMISSION]}\n",
            [
                "seed.yaml:3: organizations[0].subdomain: subdomain must be lowercase letters, "
                "digits and hyphens",
                "seed.yaml:10: organizations[0].roles[0].permissions[0]: no permission "
                "'NOT_A_PERMISSION'",
                "seed.yaml:5: organizations[0].users[0].email: email must be a valid email address",
                "seed.yaml:7: organizations[0].users[0].roles.Nowhere: no such group",
                "seed.yaml:7: organizations[0].users[0].roles.Nowhere[0]: no role named 'Nobody'",
                "seed.yaml:8: organizations[0].users[0].tokens[0].value: a token is rst_ and 8 to "
                "200 letters, digits, '_' or '-'",
            ],
        ),
        (
            "organizations:\n"
            "  - name: Gamma\n"
            "    subdomain: gamma\n"
            "    users:\n"
            "      - {email: a@g.test, name: A, roles: {'*': [Regular User]},"
            " tokens: [{value: rst_test_twice, permissions: ['GET /nowhere']}]}\n"
            "      - {email: A@G.test, name: B, roles: {'*': [Regular User]},"
            " tokens: [{value: rst_test_twice}]}\n",
            [
                "seed.yaml:6: organizations[0].users[1].email: a user with this email appears "
                "twice",
                "seed.yaml:6: organizations[0].users[1].tokens[0].value: this token appears twice",
                "seed.yaml:5: organizations[0].users[0].tokens[0].permissions[0]: no endpoint "
                "'GET /nowhere' (METHOD /path, as documented)",
            ],
        ),
    ],
)
def test_every_problem_names_file_line_and_field_and_nothing_is_written(
    database_url: str, tmp_path: Path, text: str, expected: list[str]
) -> None:
    assert refused_seed(text, database_url, tmp_path) == expected


def refused_seed(text: str, database_url: str, tmp_path: Path) -> list[str]:
    """The problems `rosterd seed` prints for the seed `text` (as seed.yaml), after checking
    that it refused it and wrote nothing."""
    path = tmp_path / "seed.yaml"
    path.write_text(text)
    before = organizations(database_url)

    done = rosterd("seed", str(path), database_url=database_url)

    assert done.returncode == 2
    assert organizations(database_url) == before
    return [
        line.removeprefix("error: ").replace(str(tmp_path) + "/", "")
        for line in done.stderr.splitlines()
    ]


def test_a_second_load_finds_what_is_taken_and_writes_nothing(
    database_url: str, tmp_path: Path
) -> None:
    path = acme(tmp_path, uuid.uuid4().hex[:8])
    assert rosterd("seed", str(path), database_url=database_url).returncode == 0
    before = organizations(database_url)

    again = rosterd("seed", str(path), database_url=database_url)

    assert again.returncode == 2
    lines = [line.removeprefix("error: ") for line in again.stderr.splitlines()]
    assert [line.split(": ", 2)[1:] for line in lines] == [
        ["organizations[0].subdomain", "this subdomain is in use"],
        ["organizations[0].users[0].tokens[0].value", "this token is in use"],
        ["organizations[0].users[1].tokens[0].value", "this token is in use"],
        ["organizations[0].integrations[0].scim_token", "this token is in use"],
    ]
    assert organizations(database_url) == before


def test_post_seed_adds_a_state_that_a_reset_takes_away(double: Double) -> None:
    suffix = uuid.uuid4().hex[:8]
    document = json.dumps(
        {
            "organizations": [
                {
                    "name": "Delta",
                    "subdomain": f"delta-{suffix}",
                    "users": [
                        {
                            "email": "d@delta.test",
                            "name": "Dee",
                            "roles": {"*": ["Organization Admin"]},
                            "tokens": [{"value": f"rst_test_delta_{suffix}"}],
                        }
                    ],
                }
            ]
        },
        indent=1,
    )
    token = {"Authorization": f"Bearer rst_test_delta_{suffix}"}

    made = double.control.post("/seed", content=document)

    assert made.status_code == 201
    assert made.json() == {"organizations": [f"delta-{suffix}"]}
    current = f"{double.server.thousandeyes_url}/users/current"
    assert httpx.get(current, headers=token).json()["email"] == "d@delta.test"
    again = double.control.post("/seed", content=document)
    assert again.status_code == 400
    assert again.json()["problems"][0] == (
        "body:5: organizations[0].subdomain: this subdomain is in use"
    )
    assert double.control.post("/reset").status_code == 204
    assert httpx.get(current, headers=token).status_code == 401


def test_serve_seed_with_control_resets_to_the_seed(tmp_path: Path) -> None:
    from tests.control.test_serve_control import _wait_until_healthy
    from tests.support.process import free_port

    assert ROSTERD
    suffix = uuid.uuid4().hex[:8]
    port = free_port()
    env = os.environ | {"TMPDIR": str(tmp_path), "ROSTERD_CONTROL_TOKEN": "rstc_seeded"}
    process = subprocess.Popen(
        [
            ROSTERD,
            "serve",
            "--ephemeral",
            "--control",
            "--port",
            str(port),
            "--seed",
            str(acme(tmp_path, suffix)),
        ],
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    base = f"http://127.0.0.1:{port}"
    try:
        _wait_until_healthy(base)
        admin = {"Authorization": f"Bearer rst_test_admin_{suffix}"}
        made = httpx.post(
            f"{base}/v7/users", headers=admin, json={"name": "N", "email": "n@x.test"}
        )
        assert made.status_code == 201
        reset = httpx.post(
            f"{base}/_rosterd/reset", headers={"Authorization": "Bearer rstc_seeded"}
        )
        assert reset.status_code == 204
        emails = [u["email"] for u in httpx.get(f"{base}/v7/users", headers=admin).json()["users"]]
        assert emails == ["admin@acme.test", "helpdesk@acme.test"]
    finally:
        process.terminate()
        process.wait(timeout=20)


def test_the_schema_is_served_shipped_and_describes_the_seeds(
    double: Double, tmp_path: Path
) -> None:
    served = httpx.get(f"{double.server.base_url}/_rosterd/seed.schema.json")  # no token needed

    assert served.status_code == 200
    assert served.headers["content-type"] == "application/schema+json"
    assert served.json() == seed_schema() == json.loads(SHIPPED_SCHEMA.read_text()), (
        "regenerate src/rosterd/seeds/seed.schema.json from rosterd.seeds.seed_schema()"
    )
    import yaml

    validator = jsonschema_rs.Draft202012Validator(served.json())
    assert validator.is_valid(yaml.safe_load(ACME.format(suffix="x")))
    assert not validator.is_valid({"organizations": [{"name": "No users"}]})


def test_the_documented_seed_loads(own_database_url: str, tmp_path: Path) -> None:
    import re

    page = (Path(__file__).parents[2] / "docs" / "testing.md").read_text()
    [example] = re.findall(r"```yaml\n(.*?)```", page, re.DOTALL)
    path = tmp_path / "seed.yaml"
    path.write_text(example)
    engine = make_engine(own_database_url)
    upgrade(engine)
    engine.dispose()

    done = rosterd("seed", str(path), database_url=own_database_url)

    assert done.returncode == 0, done.stderr
    assert organizations(own_database_url) == 1
