"""`rosterd users import` and `rosterd devices import` as an operator meets them: the file's
format and columns, where a problem is, an unknown organization or integration, `--full`'s
question and `--dry-run`'s plan. Real processes against each database; the exact lines printed
and the exit codes."""

from __future__ import annotations

import json
import os
import pty
import subprocess
import uuid
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest

from rosterd.core.admins import LAST_ORGANIZATION_ADMIN, ORGANIZATION_ADMIN_ROLE_ID
from rosterd.core.entities import RoleAssignments
from rosterd.storage import SqlDirectoryStore, make_engine
from tests.cli.test_cli import create_org, rosterd
from tests.cli.test_directory_cli import new_integration
from tests.support.process import ROSTERD

USER_COLUMNS = "email, name, department, job_title, external_id, active"
DEVICE_COLUMNS = (
    "serial_number, device_name, name, model, platform, os_version, asset_tag, tags, "
    "blueprint_id, blueprint_name, agent_version, mac_address, filevault_enabled, device_id, "
    "user_email, user_id"
)
ANA_AND_BO = "Email,NAME, External_ID \nana@acme.test,Ana Lima,e-1\nbo@acme.test,Bo Berg,e-2\n"


@dataclass
class Importing:
    """An organization with an office365 integration, and a folder for its files."""

    database_url: str
    files: Path
    org: str
    admin: str
    integration: str

    def file(self, content: str, name: str | None = None) -> Path:
        path = self.files / (name or uuid.uuid4().hex)  # no extension: the content tells
        path.write_text(content)
        return path

    def users(
        self, path: Path, *extra: str, org: str | None = None, integration: str | None = None
    ) -> Result:
        where = ["--org", org or self.org, "--integration", integration or self.integration]
        return self.run("users", "import", *where, str(path), *extra)

    def devices(self, path: Path, *extra: str, org: str | None = None) -> Result:
        return self.run("devices", "import", "--org", org or self.org, str(path), *extra)

    def run(self, *args: str) -> Result:
        return Result.of(rosterd(*args, database_url=self.database_url, check=False))

    def listed(self) -> dict[str, dict[str, Any]]:
        """The integration's users by email, as `rosterd users list` shows them."""
        result = rosterd(
            "users", "list", "--org", self.org, "--integration", self.integration, "--jsonl",
            database_url=self.database_url,
        )  # fmt: skip
        rows = [json.loads(line) for line in result.stdout.splitlines()]
        return {row["email"]: row for row in rows}

    def device_serials(self) -> list[str]:
        result = rosterd(
            "devices", "list", "--org", self.org, "--json", database_url=self.database_url
        )
        return [d["serial_number"] for d in json.loads(result.stdout)["devices"]]

    def audit_count(self) -> int:
        result = rosterd(
            "audit", "list", "--org", self.org, "--jsonl", "--limit", "1000",
            database_url=self.database_url,
        )  # fmt: skip
        return len(result.stdout.splitlines())


@dataclass(frozen=True)
class Result:
    code: int
    stdout: str
    stderr: list[str]  # its lines, Rich's wrapping and padding undone

    @classmethod
    def of(cls, done: subprocess.CompletedProcess[str]) -> Result:
        lines = [" ".join(line.split()) for line in done.stderr.splitlines() if line.strip()]
        return cls(done.returncode, done.stdout, lines)

    def summary(self) -> list[str]:
        """stderr without the progress bar's line (its time varies)."""
        return [line for line in self.stderr if not line.startswith("importing users ")]


@pytest.fixture
def importing(database_url: str, tmp_path: Path) -> Importing:
    created = create_org(database_url)
    org = str(created["org"]["subdomain"])  # type: ignore[index]
    admin = str(created["admin"]["email"])  # type: ignore[index]
    integration = new_integration(database_url, org)["uuid"]
    return Importing(database_url, tmp_path, org, admin, integration)


def test_csv_headers_match_in_any_letter_case(importing: Importing) -> None:
    result = importing.users(importing.file(ANA_AND_BO, "people.jsonl"), "--json")

    assert (result.code, result.stderr[1:]) == (0, [])
    assert json.loads(result.stdout) == {"created": 2, "updated": 0, "unchanged": 0, "archived": 0}
    listed = importing.listed()
    assert {e: (u["name"], u["archived"]) for e, u in listed.items()} == {
        "ana@acme.test": ("Ana Lima", False),
        "bo@acme.test": ("Bo Berg", False),
    }


@pytest.mark.parametrize(
    ("content", "expected"),
    [
        (
            "email,Mail\na@acme.test,b\n",
            f"error: line 1: unknown column 'Mail'; the columns are: {USER_COLUMNS}",
        ),
        (
            "email,title,phone\na@acme.test,b,c\n",
            f"error: line 1: unknown columns 'title', 'phone'; the columns are: {USER_COLUMNS}",
        ),
        ("email,Email\na@acme.test,b\n", "error: line 1: column 'email' is given twice"),
        (
            '{"email": "a@acme.test"}\n\n{"email": "b@acme.test", "Name": "B"}\n',
            f"error: line 3: unknown field 'Name'; the fields are: {USER_COLUMNS}",
        ),
        (
            '[{"email": "a@acme.test"}, {"email": "b@acme.test", "phone": "1"}]',
            f"error: record 2: unknown field 'phone'; the fields are: {USER_COLUMNS}",
        ),
        ('[{"email": "a@acme.test"}, 3]', "error: record 2: each record must be one JSON object"),
        ('{"users": []}', "error: line 1: unknown field 'users'; the fields are: " + USER_COLUMNS),
        (
            "email\na@acme.test\nb@acme.test\nA@acme.test\n",
            "error: line 4: email: A@acme.test is listed twice",
        ),
        (
            '{"email": "a@acme.test"}\n\n{"email": "A@acme.test"}\n',
            "error: line 3: email: A@acme.test is listed twice",
        ),
    ],
)
def test_a_user_file_s_problem_is_one_line_saying_where(
    importing: Importing, content: str, expected: str
) -> None:
    result = importing.users(importing.file(content))

    assert (result.code, result.stdout, result.stderr) == (1, "", [expected])
    assert importing.listed() == {}


def test_a_file_that_is_not_text_is_refused(importing: Importing) -> None:
    path = importing.files / "people.csv"
    path.write_bytes(b"email\n\xff\xfe@acme.test\n")

    result = importing.users(path)

    assert (result.code, result.stdout) == (1, "")
    assert result.stderr == ["error: people.csv is not UTF-8 text (byte 6 cannot be read)"]


def test_the_format_comes_from_the_content_or_from_format(importing: Importing) -> None:
    as_csv = importing.file(ANA_AND_BO, "people.json")
    as_array = importing.file(json.dumps([{"email": "cy@acme.test"}]), "people.csv")
    as_lines = importing.file('{"email": "dee@acme.test"}\n', "people.txt")
    imported = [importing.users(path, "--json") for path in (as_csv, as_array, as_lines)]
    forced = importing.users(importing.file('{"email": "eve@acme.test"}\n'), "--format", "csv")
    unknown = importing.users(as_csv, "--format", "xml")

    assert [(r.code, json.loads(r.stdout)["created"]) for r in imported] == [(0, 2), (0, 1), (0, 1)]
    assert (forced.code, forced.stdout) == (1, "")
    assert forced.stderr == [
        """error: line 1: unknown column '{"email": "eve@acme.test"}'; the columns are: """
        + USER_COLUMNS
    ]
    assert (unknown.code, unknown.stdout) == (2, "")
    assert unknown.stderr == [
        "error: Invalid value for '--format': 'xml' is not one of 'csv', 'jsonl', 'json'; "
        "try 'rosterd users import --help'"
    ]
    assert sorted(importing.listed()) == [
        "ana@acme.test", "bo@acme.test", "cy@acme.test", "dee@acme.test"
    ]  # fmt: skip


def test_an_unknown_organization_or_integration_is_refused_before_the_file_is_read(
    importing: Importing,
) -> None:
    bad_file = importing.file("email,phone\n")  # its own error comes second, if at all
    other = str(uuid.uuid4())

    no_org = importing.users(bad_file, org="nowhere")
    no_integration = importing.users(bad_file, integration=other)
    no_org_devices = importing.devices(bad_file, org="nowhere")

    assert (no_org.code, no_org.stdout) == (1, "")
    assert no_org.stderr == ["error: No organization with subdomain 'nowhere'"]
    assert (no_integration.code, no_integration.stdout) == (1, "")
    assert no_integration.stderr == [
        f"error: No integration '{other}' in organization '{importing.org}'"
    ]
    assert (no_org_devices.code, no_org_devices.stdout) == (1, "")
    assert no_org_devices.stderr == ["error: No organization with subdomain 'nowhere'"]


def test_full_without_a_terminal_needs_yes(importing: Importing) -> None:
    importing.users(importing.file(ANA_AND_BO))
    only_ana = importing.file("email\nana@acme.test\n")

    refused = importing.users(only_ana, "--full")
    archived_before = {e: u["archived"] for e, u in importing.listed().items()}
    confirmed = importing.users(only_ana, "--full", "--yes")

    assert (refused.code, refused.stdout) == (2, "")
    assert refused.stderr == [
        "error: --full archives the users the file leaves out: confirm with --yes (no terminal)"
    ]
    assert archived_before == {"ana@acme.test": False, "bo@acme.test": False}
    assert confirmed.code == 0
    assert confirmed.summary() == ["0 created, 0 updated, 1 unchanged, 1 archived"]
    assert importing.listed()["bo@acme.test"]["archived"] is True


def on_a_terminal(importing: Importing, path: Path, answer: str) -> Result:
    """`users import --full` with a terminal as its stdin, on which `answer` is typed."""
    terminal, child = pty.openpty()
    try:
        process = subprocess.Popen(
            [ROSTERD, "users", "import", "--org", importing.org, "--integration",
             importing.integration, str(path), "--full"],
            stdin=child, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
            env=os.environ | {"ROSTERD_DATABASE_URL": importing.database_url},
        )  # fmt: skip
        os.close(child)
        os.write(terminal, answer.encode())
        stdout, stderr = process.communicate(timeout=60)
    finally:
        os.close(terminal)
    return Result.of(subprocess.CompletedProcess(process.args, process.returncode, stdout, stderr))


def test_full_on_a_terminal_says_how_many_it_archives_and_asks(importing: Importing) -> None:
    importing.users(importing.file(ANA_AND_BO + "cy@acme.test,Cy,e-3\n"))
    only_ana = importing.file("email\nana@acme.test\n")
    question = [
        "the file leaves out 2 of the integration's users: --full archives them",
        "Archive 2 users? [y/N]:",
    ]

    declined = on_a_terminal(importing, only_ana, "n\n")
    kept = {e: u["archived"] for e, u in importing.listed().items()}
    accepted = on_a_terminal(importing, only_ana, "y\n")

    assert (declined.code, declined.stdout) == (1, "")
    assert declined.stderr == [*question[:1], f"{question[1]} error: aborted"]
    assert kept == {"ana@acme.test": False, "bo@acme.test": False, "cy@acme.test": False}
    assert (accepted.code, accepted.stdout) == (0, "")
    assert accepted.stderr[0] == question[0]
    # What the terminal echoes (the answer, its newline) is not in stderr: the bar follows.
    assert accepted.stderr[1].startswith(f"{question[1]} importing users ")
    assert accepted.stderr[2:] == ["0 created, 0 updated, 1 unchanged, 2 archived"]
    assert {e: u["archived"] for e, u in importing.listed().items()} == {
        "ana@acme.test": False, "bo@acme.test": True, "cy@acme.test": True
    }  # fmt: skip


def test_full_asks_nothing_when_nobody_would_be_archived(importing: Importing) -> None:
    people = importing.file(ANA_AND_BO)
    importing.users(people)

    result = on_a_terminal(importing, people, "")

    assert result.code == 0
    assert result.summary() == ["0 created, 0 updated, 2 unchanged, 0 archived"]


def test_dry_run_prints_the_plan_and_changes_nothing(importing: Importing) -> None:
    importing.users(importing.file(ANA_AND_BO))
    changed = importing.file(
        "email,name,external_id,department\n"
        "ana.lima@acme.test,Ana L.,e-1,\n"  # a new address and name, found by external id
        "cy@acme.test,Cy Chen,e-3,Sales\n"
        "dee@acme.test,,,\n"
    )
    before = (importing.listed(), importing.audit_count())

    plan = importing.users(changed, "--full", "--dry-run")
    as_json = importing.users(changed, "--full", "--dry-run", "--json")
    without_full = importing.users(changed, "--dry-run", "--json")
    after = (importing.listed(), importing.audit_count())
    done = importing.users(changed, "--full", "--yes", "--json")

    assert (plan.code, plan.stderr) == (0, [])
    assert plan.stdout == (
        "dry run, nothing written: 2 created, 1 updated, 0 unchanged, 1 archived\n"
        "  create  cy@acme.test\n"
        "  create  dee@acme.test\n"
        "  update  ana.lima@acme.test (email, name)\n"
        "  archive bo@acme.test\n"
    )
    assert (as_json.code, as_json.stderr) == (0, [])
    counts = {"created": 2, "updated": 1, "unchanged": 0, "archived": 1}
    assert json.loads(as_json.stdout) == {
        "dry_run": True,
        **counts,
        "examples": {
            "created": ["cy@acme.test", "dee@acme.test"],
            "updated": [{"email": "ana.lima@acme.test", "fields": ["email", "name"]}],
            "archived": ["bo@acme.test"],
        },
    }
    assert json.loads(without_full.stdout)["archived"] == 0
    assert after == before
    assert json.loads(done.stdout) == counts


def test_dry_run_shows_three_users_of_each_kind(importing: Importing) -> None:
    rows = "".join(f"p{i}@acme.test\n" for i in range(5))

    plan = importing.users(importing.file(f"email\n{rows}"), "--dry-run")

    assert plan.stdout.splitlines() == [
        "dry run, nothing written: 5 created, 0 updated, 0 unchanged, 0 archived",
        "  create  p0@acme.test",
        "  create  p1@acme.test",
        "  create  p2@acme.test",
    ]
    assert importing.listed() == {}


def make_the_only_admin(importing: Importing, email: str) -> None:
    """`email` becomes the organization's only Organization Admin; its first admin, no one."""
    store = SqlDirectoryStore(make_engine(importing.database_url))
    try:
        with store.write() as tx:
            org = tx.get_organization_by_subdomain(importing.org)
            assert org is not None
            user, first_admin = (tx.find_user_by_email(org.id, e) for e in (email, importing.admin))
            assert user is not None
            assert first_admin is not None
            only_admin = RoleAssignments(all_account_groups=frozenset({ORGANIZATION_ADMIN_ROLE_ID}))
            tx.set_role_assignments(user.uid, only_admin)
            tx.set_role_assignments(first_admin.uid, RoleAssignments())
    finally:
        store.close()
        store.engine.dispose()


def test_dry_run_refuses_as_the_import_does_to_archive_the_last_admin(
    importing: Importing,
) -> None:
    importing.users(importing.file(ANA_AND_BO))
    make_the_only_admin(importing, "ana@acme.test")
    without_ana = importing.file("email,external_id\nbo@acme.test,e-2\n")

    plan = importing.users(without_ana, "--full", "--dry-run")
    done = importing.users(without_ana, "--full", "--yes")

    refusal = f"error: {LAST_ORGANIZATION_ADMIN}"
    assert (plan.code, plan.stdout, plan.stderr) == (1, "", [refusal])
    assert (done.code, done.summary()) == (1, [refusal])
    assert importing.listed()["ana@acme.test"]["archived"] is False


def test_device_imports_take_the_same_files_and_say_where_a_problem_is(
    importing: Importing,
) -> None:
    devices = importing.file(
        "Serial_Number,Device_Name,PLATFORM,user_email\n"
        f"C02AAA,Mac one,Mac,{importing.admin}\n"
        "DMPBBB,iPad two,iPad,\n",
        "devices.jsonl",
    )
    unknown_user = importing.file(
        json.dumps([{"serial_number": "X1"}, {"serial_number": "X2", "user_email": "no@x.test"}])
    )
    unknown_column = importing.file("serial_number,owner\nX1,a\n")
    bad_line = importing.file('{"serial_number": "X1"}\n\n{"serial_number": "X2", "platform": 1}\n')

    planned = importing.devices(devices, "--dry-run")
    planned_json = importing.devices(devices, "--dry-run", "--json")
    serials_after_plan = importing.device_serials()
    imported = importing.devices(devices, "--json")
    problems = [importing.devices(path) for path in (unknown_user, unknown_column, bad_line)]

    assert (planned.code, planned.stderr) == (0, [])
    assert planned.stdout == "dry run, nothing written: 2 created, 0 updated\n"
    assert json.loads(planned_json.stdout) == {"dry_run": True, "created": 2, "updated": 0}
    assert serials_after_plan == []
    assert json.loads(imported.stdout) == {"created": 2, "updated": 0}
    assert [(p.code, p.stdout) for p in problems] == [(1, "")] * 3
    assert [p.stderr for p in problems] == [
        ["error: record 2: user: no such user"],
        [f"error: line 1: unknown column 'owner'; the columns are: {DEVICE_COLUMNS}"],
        ["error: line 3: platform must be printable text"],
    ]
    assert importing.device_serials() == ["C02AAA", "DMPBBB"]
