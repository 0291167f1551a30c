"""The console's uploads and import jobs in the database (migration 0013, core/import_jobs.py):
chunks streamed in and out, only the owner's, expiry an hour after the last look, and a running
job whose worker went silent shown as stopped (SQLite and PostgreSQL)."""

from __future__ import annotations

import io
from datetime import datetime, timedelta

import pytest

from rosterd.core import import_jobs
from rosterd.core.directory_sync import SyncResult
from rosterd.core.entities import Integration
from rosterd.core.import_jobs import DIED, ImportJobsService, Upload
from rosterd.core.integrations import IntegrationsService
from rosterd.storage import SqlDirectoryStore
from tests.console.conftest import fill
from tests.support.orgs import OrgFactory

START = datetime.fromisoformat("2026-12-04T09:00:00+00:00")


class Clock:
    def __init__(self) -> None:
        self.at = START

    def __call__(self) -> datetime:
        return self.at

    def move(self, **delta: float) -> None:
        self.at += timedelta(**delta)


@pytest.fixture
def integration(store: SqlDirectoryStore, orgs: OrgFactory) -> Integration:
    people = fill(orgs.create(), store)
    (found,) = IntegrationsService(store).list_integrations(org_subdomain=people.org.subdomain)
    return found


def keep(service: ImportJobsService, integration: Integration, content: bytes) -> Upload:
    return service.keep(
        io.BytesIO(content),
        owner="a" * 64,
        integration=integration,
        filename="../people list.csv",
        format=None,
        full=False,
    )


def find(service: ImportJobsService, upload: Upload, **changed: object) -> Upload | None:
    where = {
        "owner": upload.owner,
        "org_id": upload.org_id,
        "integration_id": upload.integration_id,
    }
    return service.find(upload.id, **(where | changed))  # type: ignore[arg-type]


def chunks(store: SqlDirectoryStore, upload: Upload) -> list[bytes | None]:
    with store.read() as tx:
        return [tx.get_upload_chunk(upload.id, n) for n in range(upload.chunks + 1)]


def test_an_upload_is_kept_in_chunks_of_bounded_size(
    store: SqlDirectoryStore, integration: Integration, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(import_jobs, "CHUNK_SIZE", 1000)
    monkeypatch.setattr(import_jobs, "CHUNKS_PER_TRANSACTION", 3)  # four transactions
    content = bytes(range(256)) * 41  # 10,496 bytes
    upload = keep(ImportJobsService(store), integration, content)
    assert (upload.size, upload.chunks, upload.filename) == (10_496, 11, "people_list.csv")
    assert (upload.integration, upload.state, upload.plan) == (
        str(integration.uuid),
        "planned",
        None,
    )
    stored = chunks(store, upload)
    assert [len(c or b"") for c in stored] == [1000] * 10 + [496, 0]
    assert b"".join(c or b"" for c in stored) == content


def test_an_upload_is_found_only_by_its_session_organization_and_integration(
    store: SqlDirectoryStore, integration: Integration
) -> None:
    service = ImportJobsService(store)
    upload = keep(service, integration, b"email\n")
    assert find(service, upload) == upload
    assert find(service, upload, owner="b" * 64) is None
    assert find(service, upload, org_id=upload.org_id + 1) is None
    assert find(service, upload, integration_id=upload.integration_id + 1) is None
    assert service.find("no-such-upload", owner=upload.owner, org_id=1, integration_id=1) is None


def test_an_upload_expires_an_hour_after_it_was_last_looked_at(
    store: SqlDirectoryStore, integration: Integration
) -> None:
    clock = Clock()
    service = ImportJobsService(store, now=clock)
    upload = keep(service, integration, b"email\n")
    assert upload.expires_at == START + timedelta(hours=1)
    clock.move(seconds=30)
    assert find(service, upload) == upload  # looked at within the minute: nothing written
    clock.move(minutes=59)
    seen = find(service, upload)
    assert seen is not None
    assert seen.expires_at == clock.at + timedelta(hours=1)
    clock.move(minutes=59, seconds=59)
    assert find(service, upload) is not None
    clock.move(hours=1, seconds=1)
    assert find(service, upload) is None  # expired, not deleted yet
    with store.read() as tx:
        assert tx.get_upload(upload.id) is not None
    keep(service, integration, b"email\n")  # the next upload deletes it
    with store.read() as tx:
        assert tx.get_upload(upload.id) is None
    assert chunks(store, upload) == [None, None]


def test_a_running_job_not_heard_from_for_a_minute_is_shown_stopped(
    store: SqlDirectoryStore, integration: Integration
) -> None:
    clock = Clock()
    running, other = ImportJobsService(store, now=clock), ImportJobsService(store, now=clock)
    upload = keep(running, integration, b"email\n")
    assert running.start(upload)
    assert not other.start(upload)  # a second apply, on any worker: it runs once
    with store.write() as tx:
        tx.beat_import_job(upload.id, done=5000, now=clock.at)
    clock.move(seconds=60)
    job = (find(other, upload) or upload).job
    assert job is not None
    assert (job.state, job.done, job.error) == ("running", 5000, None)

    clock.move(hours=2)  # expired too, but a live job's upload is kept...
    assert find(running, upload) is not None  # its own worker knows it runs
    job = (find(other, upload) or upload).job
    assert job is not None
    assert (job.state, job.done, job.error) == ("stopped", 5000, DIED)
    assert find(other, upload) is not None  # ...and shown stopped until it expires
    clock.move(hours=1, seconds=1)
    assert find(other, upload) is None
    keep(other, integration, b"email\n")
    with store.read() as tx:
        assert tx.get_upload(upload.id) is None


def test_a_finished_job_keeps_its_report_and_drops_its_chunks(
    store: SqlDirectoryStore, integration: Integration
) -> None:
    clock = Clock()
    service = ImportJobsService(store, now=clock)
    upload = keep(service, integration, b"email\nx@y.test\n")
    assert service.start(upload)
    clock.move(minutes=5)
    service.finish(upload, result=SyncResult(1, 2, 3, 4), error=None)
    found = find(ImportJobsService(store, now=clock), upload)
    assert found is not None
    assert found.job is not None
    assert (found.state, found.result, found.error) == ("done", SyncResult(1, 2, 3, 4), None)
    assert found.job.finished_at == clock.at
    assert found.expires_at == clock.at + timedelta(hours=1)
    assert chunks(store, upload) == [None, None]

    stopped = keep(service, integration, b"email\n")
    assert service.start(stopped)
    service.finish(stopped, result=None, error="The file lists people twice.")
    found = find(service, stopped)
    assert found is not None
    assert (found.state, found.error) == ("stopped", "The file lists people twice.")
