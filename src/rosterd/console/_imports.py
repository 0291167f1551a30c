"""Importing a directory file into an integration from its page: the upload, its dry-run plan,
the import run in the background with its progress, and the final report.

The file is read, checked, planned and written by the same core functions as `rosterd users
import` (core/directory_import.py); the caller needs what rotating the integration's token
needs. Between the plan and the apply the file waits in the database, and the import's
progress and report are kept there too (core/import_jobs.py): any worker shows them.
"""

from __future__ import annotations

import logging
import threading
from typing import Any, Final, cast

from starlette.concurrency import run_in_threadpool
from starlette.datastructures import FormData, UploadFile
from starlette.formparsers import MultiPartException, MultiPartParser
from starlette.requests import Request
from starlette.responses import Response

from rosterd.console._admin_forms import explain
from rosterd.console._base import FORGED, SignedIn, form_page, page, redirect, status_of
from rosterd.console._integrations import IntegrationPages, integration_uuid
from rosterd.console._uploads import owner_of, size
from rosterd.core.directory_import import DirectoryImportService
from rosterd.core.directory_sync import SyncResult
from rosterd.core.entities import Integration, Principal
from rosterd.core.errors import Invalid, NotFound, RosterdError
from rosterd.core.import_files import FORMATS, Format
from rosterd.core.import_jobs import GONE, ImportJobsService, Upload

log = logging.getLogger("rosterd.console")
AUTO: Final = "auto"
# Room for the form's other fields and the multipart framing, beyond the file itself.
_FORM_OVERHEAD: Final = 64 * 1024


class UploadTooLarge(Exception):
    pass


class ImportPages(IntegrationPages):
    """The integration pages, with their import."""

    def __init__(self, *args: Any) -> None:
        super().__init__(*args)
        self._imports = DirectoryImportService(self.services.store)
        self._jobs = ImportJobsService(self.services.store)

    @page
    async def upload(self, request: Request, signed_in: SignedIn) -> Response:
        """The import form's POST: keep the file, check it and plan it; nothing is written."""
        uuid = integration_uuid(request)
        # Checked before the body is read: a caller who may not import sends no file here.
        integration = self._imports.check_import_as(principal=signed_in.principal, integration=uuid)
        limit = self.services.settings.console_import_max_bytes
        try:
            form = await _read_upload(request, limit)
        except UploadTooLarge:
            return self._refused(signed_in, uuid, f"The file is larger than {size(limit)}.", 413)
        except MultiPartException:
            return self._refused(signed_in, uuid, "The upload could not be read.", 400)
        try:
            return await self._check_upload(signed_in, integration, form, limit)
        finally:
            await form.close()

    async def _check_upload(
        self, signed_in: SignedIn, integration: Integration, form: FormData, limit: int
    ) -> Response:
        csrf = form.get("csrf")
        if not signed_in.session.csrf_matches(csrf if isinstance(csrf, str) else None):
            return self.render("error.html", signed_in.context(message=FORGED), 403)
        uuid = str(integration.uuid)
        file, format = form.get("file"), form.get("format", AUTO)
        if not isinstance(file, UploadFile) or not file.filename:
            return self._refused(signed_in, uuid, "Choose a file to import.", 400)
        if (file.size or 0) > limit:
            return self._refused(signed_in, uuid, f"The file is larger than {size(limit)}.", 413)
        if format != AUTO and format not in FORMATS:
            return self._refused(signed_in, uuid, "Choose the file's format from the list.", 400)
        upload = await run_in_threadpool(
            lambda: self._jobs.keep(
                file.file,
                owner=owner_of(signed_in.session),
                integration=integration,
                filename=file.filename or "",
                format=None if format == AUTO else cast("Format", format),
                full=form.get("full") == "on",
            )
        )
        try:
            await run_in_threadpool(
                lambda: self._jobs.plan_as(principal=signed_in.principal, upload=upload)
            )
        except RosterdError as exc:  # the file's errors, or the last admin's refusal
            await run_in_threadpool(self._jobs.discard, upload.id)
            problems = [p.line() for p in exc.errors] if isinstance(exc, Invalid) else []
            return self._refused(signed_in, uuid, explain(exc), status_of(exc), problems)
        return redirect(f"/integrations/{uuid}/imports/{upload.id}")

    def _refused(
        self,
        signed_in: SignedIn,
        uuid: str,
        message: str,
        status: int,
        problems: list[str] | None = None,
    ) -> Response:
        """The integration's page with why the file was not taken (nothing was written)."""
        return self._integration_page(
            signed_in, uuid, status=status, import_error=message, problems=problems or []
        )

    @page
    async def import_page(self, request: Request, signed_in: SignedIn) -> Response:
        """The plan before the apply; the progress while it runs; the report after it."""
        upload = await self._upload(request, signed_in)
        return self._import_page(signed_in, upload)

    @page
    async def progress(self, request: Request, signed_in: SignedIn) -> Response:
        """The progress fragment that the page polls (htmx) while the import runs."""
        upload = await self._upload(request, signed_in)
        # The count the page showed last: a worker that sees less (another's import, on
        # SQLite, is seen at its commits) does not move the bar back.
        done = max(upload.done, min(_count(request.query_params.get("done")), upload.total))
        context = signed_in.context(upload=upload, done=done)
        return self.render("_import_progress.html", context)

    @form_page
    async def apply(self, request: Request, signed_in: SignedIn, form: dict[str, str]) -> Response:
        """Start the import in the background; the browser goes to its progress."""
        upload = await self._upload(request, signed_in)
        path = f"/integrations/{upload.integration}/imports/{upload.id}"
        plan = upload.plan
        assert plan is not None  # `_upload` finds only planned uploads
        if plan.counts.archived and form.get("confirm_archive") != "yes":
            error = f"Confirm that the import archives {users(plan.counts.archived)}."
            return self._import_page(signed_in, upload, error=error, status=400)
        if upload.state != "planned" or not await run_in_threadpool(self._jobs.start, upload):
            return redirect(path)  # sent twice: it runs once
        threading.Thread(
            target=self._run, args=(signed_in.principal, upload), name="console-import"
        ).start()
        return redirect(path)

    @form_page
    async def cancel(self, request: Request, signed_in: SignedIn, form: dict[str, str]) -> Response:
        upload = await self._upload(request, signed_in)
        if upload.state == "running":
            return redirect(f"/integrations/{upload.integration}/imports/{upload.id}")
        await run_in_threadpool(self._jobs.discard, upload.id)
        return redirect(f"/integrations/{upload.integration}")

    def _run(self, principal: Principal, upload: Upload) -> None:
        """The import, read from the kept file again and checked again as it is written."""
        result: SyncResult | None = None
        error: str | None = None
        try:
            result = self._jobs.import_as(principal=principal, upload=upload)
        except RosterdError as exc:
            error = explain(exc)
        except Exception as exc:  # a failure of the store: said on the page, not a hung bar
            log.error("a console import failed: %s", type(exc).__name__)  # no personal data
            error = "The import stopped on an unexpected error; see the server's log."
        try:
            self._jobs.finish(upload, result=result, error=error)
        except Exception as exc:  # unsaid, the job goes stale: shown as stopped
            log.error("a console import's end was not recorded: %s", type(exc).__name__)

    async def _upload(self, request: Request, signed_in: SignedIn) -> Upload:
        """The path's upload, if the caller may import into its integration and it is this
        session's; any other is not found."""
        principal = signed_in.principal
        integration = self._imports.check_import_as(
            principal=principal, integration=integration_uuid(request)
        )
        # In the thread pool: looking at an upload may write its new expiry, which on SQLite
        # waits for a running import's commit.
        upload = await run_in_threadpool(
            lambda: self._jobs.find(
                request.path_params["import_id"],
                owner=owner_of(signed_in.session),
                org_id=principal.org.id,
                integration_id=integration.id,
            )
        )
        if upload is None or upload.plan is None:  # an upload is shown once it is planned
            raise NotFound(GONE)
        return upload

    def _import_page(
        self, signed_in: SignedIn, upload: Upload, *, error: str | None = None, status: int = 200
    ) -> Response:
        view, _ = self._integrations.get_integration_as(
            principal=signed_in.principal, integration=upload.integration
        )
        context = signed_in.context(
            view=view, upload=upload, done=upload.done, error=error, users=users
        )
        return self.render("import.html", context, status)


async def _read_upload(request: Request, limit: int) -> FormData:
    """The multipart form, its file spooled to disk by Starlette's parser, refused as soon as
    the body passes `limit` (and the form's overhead)."""
    if not request.headers.get("content-type", "").startswith("multipart/form-data"):
        raise MultiPartException("not a multipart form")
    most = limit + _FORM_OVERHEAD
    length = request.headers.get("content-length", "")
    if length.isdigit() and int(length) > most:
        raise UploadTooLarge

    async def body() -> Any:
        seen = 0
        async for chunk in request.stream():
            seen += len(chunk)
            if seen > most:
                raise UploadTooLarge
            yield chunk

    parser = MultiPartParser(request.headers, body(), max_files=1, max_fields=8)
    return await parser.parse()


def _count(given: str | None) -> int:
    """A count the page sent back; anything else (not ASCII digits, absurdly long) is 0."""
    if given is None or not (given.isascii() and given.isdigit()) or len(given) > 15:
        return 0
    return int(given)


def users(count: int) -> str:
    return f"{count} user" if count == 1 else f"{count} users"
