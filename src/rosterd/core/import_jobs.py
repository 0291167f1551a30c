"""The console's import files and their imports, kept in the database so that any worker (and
any host on PostgreSQL) can show a file's dry run, start its import, and show its progress and
report.

An upload is the session's that sent it (`owner`, a digest the console makes of the session),
for one organization and integration; anyone else is told there is no such import. Its bytes are
kept in chunks of `CHUNK_SIZE`, streamed in and out (a 100 MiB file is never held in memory);
it expires `TTL` after it was last looked at, and expired ones (with their dry runs, import
jobs and reports) are deleted by `sweep_expired`: whenever a file is uploaded, by whichever
worker takes it, and in the background of every `rosterd serve` process (server/sweeper.py).
Its chunks go as soon as its import has run or it is cancelled; the upload and its report stay
until it expires. A job still running is kept past the expiry; one whose worker died is not.

An import job is run by the worker that was asked to start it, in a thread of its own. That
worker writes the records done so far and a heartbeat to the job's row every
`HEARTBEAT_EVERY` (a bounded rate, whatever the batch size). A running job not heard from for
`STALE_AFTER` is shown as stopped: its worker died (killed, restarted) mid-import.
"""

from __future__ import annotations

import hmac
import logging
import re
import secrets
import tempfile
import threading
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, replace
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import BinaryIO, Final, Literal

from rosterd.core.directory_import import DirectoryImportService, checked_directory_file
from rosterd.core.directory_sync import ImportPlan, SyncResult
from rosterd.core.entities import Integration, Principal
from rosterd.core.errors import Conflict, NotFound
from rosterd.core.import_files import Format
from rosterd.core.ports import DirectoryStore

CHUNK_SIZE: Final = 1 << 20  # bytes a chunk
CHUNKS_PER_TRANSACTION: Final = 8  # an upload's write holds SQLite's lock for 8 MiB at a time
TTL: Final = timedelta(hours=1)
SEEN_EVERY: Final = timedelta(minutes=1)  # a look moves the expiry at most this often
HEARTBEAT_EVERY: Final = 1.0  # seconds between a running job's writes of its progress
# A running job whose worker wrote nothing for this long is taken for stopped. On SQLite the
# worker's heartbeat waits for its own import's commits (50,000 records, a few seconds).
STALE_AFTER: Final = timedelta(seconds=60)
GONE: Final = "There is no such import: it may have expired. Upload the file again."
# The page adds that what it wrote stays, and that importing the file again finishes it.
DIED: Final = "The server stopped during the import."
JobState = Literal["running", "done", "stopped"]
UploadState = Literal["planned", "running", "done", "stopped"]
log = logging.getLogger("rosterd.console")


def wall_clock() -> datetime:
    """Real time, not the control plane's frozen clock: a heartbeat is read by other workers,
    whose clocks are not frozen with this one's."""
    return datetime.now(UTC)


@dataclass(frozen=True, slots=True)
class NewUpload:
    id: str
    owner: str
    org_id: int
    integration_id: int
    filename: str
    format: Format | None
    full: bool
    now: datetime
    expires_at: datetime


@dataclass(frozen=True, slots=True)
class JobEnd:
    """How a job ended: done, or stopped with an error."""

    state: JobState
    done: int
    result: SyncResult
    error: str | None
    now: datetime
    expires_at: datetime  # the upload's, a `TTL` on


@dataclass(frozen=True, slots=True)
class ImportJob:
    state: JobState
    done: int  # records written so far
    result: SyncResult  # the report (its counts so far while it runs)
    error: str | None  # why it stopped, in plain words
    started_at: datetime
    heartbeat_at: datetime
    finished_at: datetime | None


@dataclass(frozen=True, slots=True)
class Upload:
    id: str
    owner: str
    org_id: int
    integration_id: int
    integration: str  # its UUID
    filename: str  # as the browser named it, made safe
    format: Format | None  # None: told from the content
    full: bool
    size: int  # bytes
    chunks: int
    total: int  # records in the file, once planned
    plan: ImportPlan | None
    created_at: datetime
    seen_at: datetime
    expires_at: datetime
    job: ImportJob | None = None

    @property
    def state(self) -> UploadState:
        return "planned" if self.job is None else self.job.state

    @property
    def done(self) -> int:
        return 0 if self.job is None else self.job.done

    @property
    def result(self) -> SyncResult | None:
        return None if self.job is None else self.job.result

    @property
    def error(self) -> str | None:
        return None if self.job is None else self.job.error


def sweep_expired(store: DirectoryStore, now: datetime) -> int:
    """Delete the uploads expired by `now`, with their chunks, dry runs and jobs, but those whose
    job runs with a heartbeat within `STALE_AFTER`; returns how many. Nothing expired (most
    sweeps): one read, no write. Safe in any number of workers and hosts at once: a row another
    one deleted is simply not deleted again."""
    with store.read() as tx:
        if not tx.any_expired_uploads(now):
            return 0
    with store.write() as tx:
        return tx.delete_expired_uploads(now, now - STALE_AFTER)


class ImportJobsService:
    def __init__(self, store: DirectoryStore, *, now: Callable[[], datetime] = wall_clock) -> None:
        self._store = store
        self._imports = DirectoryImportService(store)
        self._now = now
        self._running: dict[str, _Heartbeat] = {}  # this process's jobs, by upload id

    def keep(
        self,
        source: BinaryIO,
        *,
        owner: str,
        integration: Integration,
        filename: str,
        format: Format | None,
        full: bool,
    ) -> Upload:
        """A copy of `source` in the database, for the session `owner`; expired uploads are
        deleted first."""
        now = self._now()
        new = NewUpload(
            secrets.token_urlsafe(18),
            owner,
            integration.org_id,
            integration.id,
            safe_name(filename),
            format,
            full,
            now,
            now + TTL,
        )
        sweep_expired(self._store, now)
        with self._store.write() as tx:
            tx.add_upload(new)
        try:
            self._write_chunks(new.id, source)
        except BaseException:
            self.discard(new.id)
            raise
        found = self._get(new.id)
        assert found is not None  # just written
        return found

    def _write_chunks(self, upload_id: str, source: BinaryIO) -> None:
        size = number = 0
        chunk = source.read(CHUNK_SIZE)
        while chunk:
            with self._store.write() as tx:
                for _ in range(CHUNKS_PER_TRANSACTION):
                    if not chunk:
                        break
                    tx.add_upload_chunk(upload_id, number, chunk)
                    size, number = size + len(chunk), number + 1
                    chunk = source.read(CHUNK_SIZE)
        with self._store.write() as tx:
            tx.set_upload_size(upload_id, size=size, chunks=number)

    def find(
        self, upload_id: str, *, owner: str, org_id: int, integration_id: int
    ) -> Upload | None:
        """The upload, if it is this session's, for this organization and integration, and not
        expired; looking at it keeps it for another `TTL`."""
        upload = self._get(upload_id)
        now = self._now()
        if (
            upload is None
            or not hmac.compare_digest(upload.owner, owner)
            or (upload.org_id, upload.integration_id) != (org_id, integration_id)
            or (upload.expires_at <= now and not self._alive(upload, now))
        ):
            return None
        if now - upload.seen_at >= SEEN_EVERY:
            with self._store.write() as tx:
                tx.see_upload(upload_id, now, now + TTL)
            upload = replace(upload, seen_at=now, expires_at=now + TTL)
        return upload

    def _get(self, upload_id: str) -> Upload | None:
        """The upload as stored, its job as this process knows it: its own running jobs'
        progress as of now, another worker's running job stopped if that worker is silent."""
        with self._store.read() as tx:
            upload = tx.get_upload(upload_id)
        job = upload.job if upload is not None else None
        if upload is None or job is None or job.state != "running":
            return upload
        beat = self._running.get(upload_id)
        if beat is not None:
            return replace(upload, job=replace(job, done=max(job.done, beat.done)))
        if self._now() - job.heartbeat_at > STALE_AFTER:
            return replace(upload, job=replace(job, state="stopped", error=DIED))
        return upload

    def _alive(self, upload: Upload, now: datetime) -> bool:
        """Whether the upload's job runs: in this process, or in one heard from lately."""
        job = upload.job
        if job is None or job.state != "running":
            return False
        return upload.id in self._running or now - job.heartbeat_at <= STALE_AFTER

    def plan_as(self, *, principal: Principal, upload: Upload) -> Upload:
        """The upload with its dry run (kept with it): the file read back, checked and planned
        as the caller's import; nothing is written to the directory."""
        with (
            self._file_of(upload) as path,
            checked_directory_file(path, format=upload.format) as file,
        ):
            plan = self._imports.plan_import_as(
                principal=principal, integration=upload.integration, file=file, full=upload.full
            )
            total = file.total
        with self._store.write() as tx:
            tx.set_upload_plan(upload.id, plan, total)
        return replace(upload, plan=plan, total=total)

    def start(self, upload: Upload) -> bool:
        """Make the upload's job, running; False if it has one already (sent twice, or by
        two workers at once: it runs once)."""
        now = self._now()
        try:
            with self._store.write() as tx:
                started = tx.add_import_job(upload.id, now)
        except Conflict:  # another worker's insert came first
            return False
        if started:
            self._running[upload.id] = _Heartbeat(self._store, upload.id, self._now)
        return started

    def import_as(self, *, principal: Principal, upload: Upload) -> SyncResult:
        """Run the started job's import (in the calling thread), its progress and heartbeat
        written as it goes; then `finish` it."""
        beat = self._running[upload.id]
        with (
            beat,
            self._file_of(upload) as path,
            checked_directory_file(path, format=upload.format) as file,
        ):
            return self._imports.import_users_as(
                principal=principal,
                integration=upload.integration,
                file=file,
                full=upload.full,
                progress=beat.advance,
            )

    def finish(self, upload: Upload, *, result: SyncResult | None, error: str | None) -> None:
        """The job done (`result`) or stopped (`error`); the file's chunks are deleted."""
        beat = self._running.pop(upload.id, None)
        now = self._now()
        with self._store.write() as tx:
            end = JobEnd(
                "done" if error is None else "stopped",
                beat.done if beat is not None else 0,
                result or SyncResult(),
                error,
                now,
                now + TTL,
            )
            tx.finish_import_job(upload.id, end)
            tx.delete_upload_chunks(upload.id)

    def discard(self, upload_id: str) -> None:
        """Delete the upload, its chunks and its job."""
        with self._store.write() as tx:
            tx.delete_upload(upload_id)

    @contextmanager
    def _file_of(self, upload: Upload) -> Iterator[Path]:
        """The upload's bytes in a private temporary file (named as the file was: its errors
        name it), deleted afterwards; streamed out a chunk at a time."""
        with tempfile.TemporaryDirectory(prefix="rosterd-import-") as folder:
            path = Path(folder) / upload.filename
            with path.open("xb") as target:
                for number in range(upload.chunks):
                    with self._store.read() as tx:
                        chunk = tx.get_upload_chunk(upload.id, number)
                    if chunk is None:  # cancelled or expired meanwhile
                        raise NotFound(GONE)
                    target.write(chunk)
            yield path


class _Heartbeat:
    """A running job's progress, written with a heartbeat to its row every `HEARTBEAT_EVERY`
    by a thread of its own (so also while the import reads its file or waits on the
    database), at that rate whatever the number of batches."""

    def __init__(self, store: DirectoryStore, upload_id: str, now: Callable[[], datetime]) -> None:
        self._store = store
        self._upload_id = upload_id
        self._now = now
        self.done = 0
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, name="console-import-heartbeat")

    def advance(self, records: int) -> None:
        """The import wrote `records` more (called per batch)."""
        self.done += records

    def __enter__(self) -> _Heartbeat:
        self._thread.start()
        return self

    def __exit__(self, *_: object) -> None:
        self._stop.set()
        self._thread.join()

    def _run(self) -> None:
        while not self._stop.wait(HEARTBEAT_EVERY):
            try:
                with self._store.write() as tx:
                    tx.beat_import_job(self._upload_id, done=self.done, now=self._now())
            except Exception as exc:  # the next beat tries again; a silent job goes stale
                log.warning("could not record an import's progress: %s", type(exc).__name__)


def safe_name(filename: str) -> str:
    """The file's own name (no folders), in letters, digits, dots, dashes and underscores: the
    file's errors name it."""
    name = re.sub(r"[^\w.-]", "_", filename.replace("\\", "/").rsplit("/", 1)[-1])[:100]
    return name.lstrip(".") or "upload"
