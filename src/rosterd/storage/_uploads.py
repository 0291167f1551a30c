"""Queries for the console's uploads, their chunks and their import jobs (core/import_jobs.py)."""

from __future__ import annotations

from datetime import datetime
from typing import Any, cast

from sqlalchemy import Connection, Row, delete, exists, insert, select, update

from rosterd.core.directory_sync import ImportPlan, PlannedUpdate, SyncResult
from rosterd.core.import_files import Format
from rosterd.core.import_jobs import ImportJob, JobEnd, JobState, NewUpload, Upload
from rosterd.storage import tables as t

_uploads, _chunks, _jobs = t.console_uploads, t.console_upload_chunks, t.console_import_jobs


def add_upload(conn: Connection, upload: NewUpload) -> None:
    conn.execute(
        insert(_uploads).values(
            id=upload.id,
            owner=upload.owner,
            org_id=upload.org_id,
            integration_id=upload.integration_id,
            filename=upload.filename,
            format=upload.format,
            full_sync=upload.full,
            size=0,
            chunks=0,
            total=0,
            plan=None,
            created_at=upload.now,
            seen_at=upload.now,
            expires_at=upload.expires_at,
        )
    )


def add_chunk(conn: Connection, upload_id: str, number: int, data: bytes) -> None:
    conn.execute(insert(_chunks).values(upload_id=upload_id, number=number, data=data))


def set_size(conn: Connection, upload_id: str, size: int, chunks: int) -> None:
    conn.execute(
        update(_uploads).where(_uploads.c.id == upload_id).values(size=size, chunks=chunks)
    )


def get_upload(conn: Connection, upload_id: str) -> Upload | None:
    stmt = (
        select(_uploads, t.integrations.c.uuid.label("integration_uuid"), *_job_columns())
        .join(t.integrations, t.integrations.c.id == _uploads.c.integration_id)
        .outerjoin(_jobs, _jobs.c.upload_id == _uploads.c.id)
        .where(_uploads.c.id == upload_id)
    )
    row = conn.execute(stmt).first()
    return _upload(row) if row is not None else None


def _job_columns() -> list[Any]:
    return [c.label(f"job_{c.name}") for c in _jobs.c if c.name != "upload_id"]


def _upload(row: Row[Any]) -> Upload:
    return Upload(
        id=row.id,
        owner=row.owner,
        org_id=row.org_id,
        integration_id=row.integration_id,
        integration=str(row.integration_uuid),
        filename=row.filename,
        format=cast("Format | None", row.format),
        full=row.full_sync,
        size=row.size,
        chunks=row.chunks,
        total=row.total,
        plan=_plan(row.plan) if row.plan is not None else None,
        created_at=row.created_at,
        seen_at=row.seen_at,
        expires_at=row.expires_at,
        job=_job(row) if row.job_state is not None else None,
    )


def _job(row: Row[Any]) -> ImportJob:
    return ImportJob(
        state=cast("JobState", row.job_state),
        done=row.job_done,
        result=SyncResult(row.job_created, row.job_updated, row.job_unchanged, row.job_archived),
        error=row.job_error,
        started_at=row.job_started_at,
        heartbeat_at=row.job_heartbeat_at,
        finished_at=row.job_finished_at,
    )


def _plan(document: dict[str, Any]) -> ImportPlan:
    return ImportPlan(
        counts=SyncResult(**document["counts"]),
        created=list(document["created"]),
        updated=[PlannedUpdate(email, tuple(fields)) for email, fields in document["updated"]],
        archived=list(document["archived"]),
    )


def _document(plan: ImportPlan) -> dict[str, Any]:
    counts = plan.counts
    return {
        "counts": {
            "created": counts.created,
            "updated": counts.updated,
            "unchanged": counts.unchanged,
            "archived": counts.archived,
        },
        "created": plan.created,
        "updated": [[u.email, list(u.fields)] for u in plan.updated],
        "archived": plan.archived,
    }


def get_chunk(conn: Connection, upload_id: str, number: int) -> bytes | None:
    stmt = select(_chunks.c.data).where(
        _chunks.c.upload_id == upload_id, _chunks.c.number == number
    )
    data = conn.execute(stmt).scalar()
    return bytes(data) if data is not None else None


def set_plan(conn: Connection, upload_id: str, plan: ImportPlan, total: int) -> None:
    conn.execute(
        update(_uploads).where(_uploads.c.id == upload_id).values(plan=_document(plan), total=total)
    )


def see(conn: Connection, upload_id: str, now: datetime, expires_at: datetime) -> None:
    conn.execute(
        update(_uploads)
        .where(_uploads.c.id == upload_id)
        .values(seen_at=now, expires_at=expires_at)
    )


def delete_upload(conn: Connection, upload_id: str) -> None:
    conn.execute(delete(_uploads).where(_uploads.c.id == upload_id))  # its chunks and job too


def delete_chunks(conn: Connection, upload_id: str) -> None:
    conn.execute(delete(_chunks).where(_chunks.c.upload_id == upload_id))


def any_expired(conn: Connection, now: datetime) -> bool:
    stmt = select(_uploads.c.id).where(_uploads.c.expires_at <= now).limit(1)
    return conn.execute(stmt).first() is not None


def delete_expired(conn: Connection, now: datetime, alive_since: datetime) -> int:
    alive = exists().where(
        _jobs.c.upload_id == _uploads.c.id,
        _jobs.c.state == "running",
        _jobs.c.heartbeat_at >= alive_since,
    )
    result = conn.execute(delete(_uploads).where(_uploads.c.expires_at <= now, ~alive))
    return result.rowcount


def add_job(conn: Connection, upload_id: str, now: datetime) -> bool:
    if conn.execute(select(_jobs.c.state).where(_jobs.c.upload_id == upload_id)).first():
        return False
    conn.execute(
        insert(_jobs).values(
            upload_id=upload_id,
            state="running",
            done=0,
            created=0,
            updated=0,
            unchanged=0,
            archived=0,
            error=None,
            started_at=now,
            heartbeat_at=now,
            finished_at=None,
        )
    )
    return True


def beat(conn: Connection, upload_id: str, done: int, now: datetime) -> None:
    conn.execute(
        update(_jobs)
        .where(_jobs.c.upload_id == upload_id, _jobs.c.state == "running")
        .values(done=done, heartbeat_at=now)
    )


def finish_job(conn: Connection, upload_id: str, end: JobEnd) -> None:
    result = end.result
    conn.execute(
        update(_jobs)
        .where(_jobs.c.upload_id == upload_id)
        .values(
            state=end.state,
            done=end.done,
            created=result.created,
            updated=result.updated,
            unchanged=result.unchanged,
            archived=result.archived,
            error=end.error,
            heartbeat_at=end.now,
            finished_at=end.now,
        )
    )
    see(conn, upload_id, end.now, end.expires_at)
