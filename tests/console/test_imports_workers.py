"""The console's import across workers: `rosterd serve` processes on one database (an SQLite
file, a PostgreSQL database), the file uploaded to one and planned, imported, followed and
reported through the other; and a worker killed mid-import, its job shown stopped by the other
once its heartbeat is old, and the file imported again to finish it."""

from __future__ import annotations

import re
import time
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

import httpx
import pytest
from sqlalchemy import text

from rosterd.core.directory_sync import COMMIT_SIZE
from rosterd.core.entities import Integration
from rosterd.core.import_jobs import DIED
from rosterd.storage import SqlDirectoryStore, make_engine
from tests.console.conftest import ConsoleOrg, csrf_of, fill, sign_in
from tests.console.test_imports import accuhive, planned, upload, user_count
from tests.support.orgs import OrgFactory
from tests.support.process import ServerProcess, start_processes

RECORDS = 60_000  # two transactions (50,000 and 10,000), twelve batches
FILE = "email,name\n" + "".join(f"person{i}@workers.test,Person {i}\n" for i in range(RECORDS))
SECRET = "a console secret the workers share"
WRITTEN = re.compile(r'<label for="import-bar">(\d+) of (\d+) records written</label>')


@dataclass
class Workers:
    database_url: str
    store: SqlDirectoryStore
    servers: list[ServerProcess]


@dataclass
class Signed:
    """An organization's admin signed in, one client per server sharing the session."""

    people: ConsoleOrg
    integration: Integration
    clients: list[httpx.Client]
    csrf: str


@pytest.fixture(scope="module")
def workers(database_url: str) -> Iterator[Workers]:
    """Two `rosterd serve` processes on the session's database, started once per module."""
    engine = make_engine(database_url)
    store = SqlDirectoryStore(engine)
    servers = start_processes(2, database_url, ROSTERD_CONSOLE_SECRET=SECRET)
    try:
        yield Workers(database_url, store, servers)
    finally:
        for server in servers:
            server.stop()
        store.close()
        engine.dispose()


def signed_in(store: SqlDirectoryStore, servers: list[ServerProcess]) -> Iterator[Signed]:
    people = fill(OrgFactory(store).create(), store)
    integration = accuhive(store, people)
    first = httpx.Client(base_url=servers[0].base_url + "/console", timeout=30)
    sign_in(first, people.org.token)
    csrf = csrf_of(first.get(f"/integrations/{integration.uuid}"))
    second = httpx.Client(base_url=servers[1].base_url + "/console", timeout=30)
    second.cookies = first.cookies  # the same browser, its request taken by the other worker
    try:
        yield Signed(people, integration, [first, second], csrf)
    finally:
        first.close()
        second.close()


@pytest.fixture
def across(workers: Workers) -> Iterator[Signed]:
    """A session on both workers."""
    yield from signed_in(workers.store, workers.servers)


@pytest.fixture
def doomed(workers: Workers) -> Iterator[tuple[Signed, ServerProcess]]:
    """A session on the first worker and on a third server of its own, which the test kills."""
    (third,) = start_processes(1, workers.database_url, ROSTERD_CONSOLE_SECRET=SECRET)
    try:
        for signed in signed_in(workers.store, [workers.servers[0], third]):
            yield signed, third
    finally:
        third.stop()


def written(fragment: httpx.Response) -> int:
    found = WRITTEN.search(fragment.text)
    assert found, fragment.text
    assert int(found.group(2)) == RECORDS
    return int(found.group(1))


def follow(client: httpx.Client, path: str, until: int) -> list[int]:
    """The records written as the progress fragment shows them, polled until `until` or the
    end of the import."""
    seen: list[int] = []
    deadline = time.monotonic() + 120
    while time.monotonic() < deadline:
        fragment = client.get(f"{path}/progress")
        assert fragment.status_code == 200
        if "<h2>Importing</h2>" not in fragment.text:
            return seen
        seen.append(written(fragment))
        if seen[-1] >= until:
            return seen
        time.sleep(0.05)
    raise AssertionError("the import did not finish")


def test_an_upload_to_one_worker_is_planned_imported_and_reported_by_another(
    workers: Workers, across: Signed
) -> None:
    one, other = across.clients
    people, integration, csrf = across.people, across.integration, across.csrf
    before = user_count(workers.store, people)
    import_id, _ = planned(one, upload(one, integration, FILE, csrf=csrf))
    path = f"/integrations/{integration.uuid}/imports/{import_id}"
    plan = other.get(path)
    assert plan.status_code == 200
    assert f"File <code>people.csv</code>, {RECORDS} users." in plan.text
    assert f"<dt>Create</dt><dd>{RECORDS} users</dd>" in plan.text

    applied = other.post(f"{path}/apply", data={"csrf": csrf})
    assert applied.status_code == 303
    assert applied.headers["location"] == f"/console{path}"
    assert one.post(f"{path}/apply", data={"csrf": csrf}).status_code == 303  # runs once
    # The worker running it counts each batch of 5,000; the other reads the job's row.
    running = follow(other, path, until=RECORDS)
    assert running == sorted(running)
    assert all(n % 5000 == 0 for n in running)
    assert any(0 < n < COMMIT_SIZE for n in running), running  # before the first commit

    report = one.get(f"{path}/progress")
    deadline = time.monotonic() + 60
    while "<h2>Importing</h2>" in report.text and time.monotonic() < deadline:
        time.sleep(0.1)
        report = one.get(f"{path}/progress")
    assert "<h2>Imported</h2>" in report.text
    assert written(report) == RECORDS
    assert (
        f"<dt>Created</dt><dd>{RECORDS}</dd>\n    <dt>Updated</dt><dd>0</dd>\n"
        "    <dt>Unchanged</dt><dd>0</dd>\n    <dt>Archived</dt><dd>0</dd>"
    ) in report.text
    assert "<h2>Imported</h2>" in other.get(path).text
    assert user_count(workers.store, people) == before + RECORDS


def test_a_worker_killed_mid_import_leaves_its_job_stopped_and_the_file_imports_again(
    workers: Workers, doomed: tuple[Signed, ServerProcess]
) -> None:
    signed, third = doomed
    one, other = signed.clients
    people, integration, csrf = signed.people, signed.integration, signed.csrf
    before = user_count(workers.store, people)
    import_id, _ = planned(one, upload(one, integration, FILE, csrf=csrf))
    path = f"/integrations/{integration.uuid}/imports/{import_id}"
    assert other.post(f"{path}/apply", data={"csrf": csrf}).status_code == 303
    seen = follow(other, path, until=5000)
    assert seen
    assert seen[-1] >= 5000
    third.kill()  # SIGKILL: no handler runs, the job's row says "running"

    fragment = one.get(f"{path}/progress")
    assert "<h2>Importing</h2>" in fragment.text  # heard from less than a minute ago
    with workers.store.engine.begin() as conn:  # as if a minute and more had passed since
        conn.execute(
            text("UPDATE console_import_jobs SET heartbeat_at = :then WHERE upload_id = :id"),
            {"then": datetime.now(UTC) - timedelta(minutes=2), "id": import_id},
        )
    fragment = one.get(f"{path}/progress")
    assert fragment.status_code == 200
    assert "hx-trigger" not in fragment.text  # nothing more to poll
    assert (
        "<h2>The import stopped</h2>\n"
        f'  <p class="error" role="alert" id="import-error">{DIED}</p>\n'
        "  <p>What it wrote before it stopped is kept; importing the same file again finishes "
        "it.</p>"
    ) in fragment.text
    committed = user_count(workers.store, people) - before
    assert committed in (0, COMMIT_SIZE, RECORDS)  # whole transactions only

    again, _ = planned(one, upload(one, integration, FILE, csrf=csrf))
    path = f"/integrations/{integration.uuid}/imports/{again}"
    assert one.post(f"{path}/apply", data={"csrf": csrf}).status_code == 303
    follow(one, path, until=RECORDS + 1)
    report = one.get(f"{path}/progress")
    assert f"<dt>Created</dt><dd>{RECORDS - committed}</dd>" in report.text
    assert f"<dt>Unchanged</dt><dd>{committed}</dd>" in report.text
    assert user_count(workers.store, people) == before + RECORDS
