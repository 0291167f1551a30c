"""The console's uploaded import files, kept in this process between the plan and the apply
(a browser cannot post the file again).

Each upload is a file of its own in a private temporary directory, found only by the session
that sent it (a digest of its token hash and CSRF token), for its organization and integration,
by a random id; it expires an hour after it was last looked at, and its file is deleted once
the import ran, was cancelled or expired (the directory goes with the process).
"""

from __future__ import annotations

import hashlib
import hmac
import re
import secrets
import shutil
import tempfile
import threading
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import BinaryIO, Final, Literal

from rosterd.console._session import Session
from rosterd.core.directory_sync import ImportPlan, SyncResult
from rosterd.core.import_files import Format

TTL_SECONDS: Final = 60 * 60
State = Literal["planned", "running", "done", "failed"]


def owner_of(session: Session) -> str:
    """Who may reach an upload: the session that sent it, and no other (a new sign-in, even
    with the same token, makes a new CSRF token)."""
    return hashlib.sha256(f"{session.token_hash}:{session.csrf}".encode()).hexdigest()


@dataclass(slots=True)
class Upload:
    id: str
    owner: str
    org_id: int
    integration: str  # its UUID
    filename: str  # as the browser named it, made safe
    path: Path
    format: Format | None  # None: told from the content
    full: bool
    expires: float  # time.monotonic()
    plan: ImportPlan | None = None
    state: State = "planned"
    total: int = 0  # records in the file
    done: int = 0  # records the import wrote so far
    result: SyncResult | None = None
    error: str | None = None
    lock: threading.Lock = field(default_factory=threading.Lock)


class Uploads:
    def __init__(self) -> None:
        self._directory = tempfile.TemporaryDirectory(prefix="rosterd-console-imports-")
        self._items: dict[str, Upload] = {}
        self._lock = threading.Lock()

    def keep(
        self,
        source: BinaryIO,
        *,
        owner: str,
        org_id: int,
        integration: str,
        filename: str,
        format: Format | None,
        full: bool,
    ) -> Upload:
        """A copy of `source`, kept for the session `owner`."""
        self._sweep()
        upload_id = secrets.token_urlsafe(18)
        folder = Path(self._directory.name) / upload_id
        folder.mkdir(mode=0o700)
        path = folder / _safe_name(filename)
        with path.open("xb") as target:
            shutil.copyfileobj(source, target)
        upload = Upload(
            upload_id, owner, org_id, integration, path.name, path, format, full, _deadline()
        )
        with self._lock:
            self._items[upload_id] = upload
        return upload

    def find(self, upload_id: str, *, owner: str, org_id: int, integration: str) -> Upload | None:
        """The upload, if it is this session's, for this organization and integration."""
        self._sweep()
        with self._lock:
            upload = self._items.get(upload_id)
        if (
            upload is None
            or not hmac.compare_digest(upload.owner, owner)
            or (upload.org_id, upload.integration) != (org_id, integration)
        ):
            return None
        upload.expires = _deadline()
        return upload

    def discard(self, upload: Upload) -> None:
        """Forget the upload and delete its file."""
        with self._lock:
            self._items.pop(upload.id, None)
        delete_file(upload)

    def _sweep(self) -> None:
        now = time.monotonic()
        with self._lock:
            expired = [u for u in self._items.values() if u.expires < now and u.state != "running"]
            for upload in expired:
                del self._items[upload.id]
        for upload in expired:
            delete_file(upload)


def delete_file(upload: Upload) -> None:
    shutil.rmtree(upload.path.parent, ignore_errors=True)


def _deadline() -> float:
    return time.monotonic() + TTL_SECONDS


def _safe_name(filename: str) -> str:
    """The file's own name (no folders), in letters, digits, dots, dashes and underscores: the
    file's errors name it."""
    name = re.sub(r"[^\w.-]", "_", filename.replace("\\", "/").rsplit("/", 1)[-1])[:100]
    return name.lstrip(".") or "upload"


def size(limit: int) -> str:
    """A byte count as people read it: 100 MiB, 512 KiB, 300 bytes."""
    for unit, factor in (("GiB", 1 << 30), ("MiB", 1 << 20), ("KiB", 1 << 10)):
        if limit >= factor and limit % factor == 0:
            return f"{limit // factor} {unit}"
    return f"{limit} bytes"
