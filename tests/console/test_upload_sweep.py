"""An idle `rosterd serve` deletes the console's expired uploads on its own (server/sweeper.py):
with their chunks, dry runs and import reports, a finished job's and a dead worker's job's
alike, while an upload not yet expired and one whose import still runs stay. A real server
process on the session's database (SQLite and PostgreSQL), no upload made meanwhile."""

from __future__ import annotations

import time
from datetime import timedelta

import pytest

from rosterd.core.directory_sync import SyncResult
from rosterd.core.entities import Integration
from rosterd.core.import_jobs import ImportJobsService, Upload, wall_clock
from rosterd.core.integrations import IntegrationsService
from rosterd.server import Settings
from rosterd.storage import SqlDirectoryStore
from tests.console.conftest import fill
from tests.storage.test_import_jobs import chunks, keep
from tests.support.orgs import OrgFactory
from tests.support.process import start_processes


@pytest.fixture
def integration(store: SqlDirectoryStore, orgs: OrgFactory) -> Integration:
    people = fill(orgs.create(), store)
    (found,) = IntegrationsService(store).list_integrations(org_subdomain=people.org.subdomain)
    return found


def test_an_idle_server_deletes_expired_uploads_and_keeps_the_rest(
    store: SqlDirectoryStore, integration: Integration, database_url: str
) -> None:
    now = wall_clock()
    earlier = now - timedelta(hours=2)  # what was uploaded then expired an hour ago
    current = ImportJobsService(store)
    then = ImportJobsService(store, now=lambda: earlier)
    fresh = keep(current, integration, b"email\nfresh@x.test\n")
    done = keep(then, integration, b"email\ndone@x.test\n")
    assert then.start(done)
    then.finish(done, result=SyncResult(1, 0, 0, 0), error=None)
    dead = keep(then, integration, b"email\ndead@x.test\n")
    assert then.start(dead)  # and its worker died: no heartbeat since
    running = keep(then, integration, b"email\nrunning@x.test\n")
    assert then.start(running)
    with store.write() as tx:  # a job still running: heard from just now
        tx.beat_import_job(running.id, done=1, now=now)

    def there(upload: Upload) -> bool:
        with store.read() as tx:
            return tx.get_upload(upload.id) is not None

    assert all(map(there, (fresh, done, dead, running)))
    (server,) = start_processes(1, database_url, ROSTERD_CONSOLE_SWEEP_SECONDS="0.5")
    try:
        deadline = time.monotonic() + 30
        while (there(done) or there(dead)) and time.monotonic() < deadline:
            time.sleep(0.2)
    finally:
        server.stop()
    assert (there(done), there(dead)) == (False, False)
    assert chunks(store, dead) == [None, None]  # the dead job's file went with it
    assert (there(fresh), there(running)) == (True, True)
    for upload in (fresh, running):
        current.discard(upload.id)


def test_the_sweep_is_every_ten_minutes_unless_set() -> None:
    assert Settings().console_sweep_seconds == 600
    assert Settings(console_sweep_seconds=0).console_sweep_seconds == 0
