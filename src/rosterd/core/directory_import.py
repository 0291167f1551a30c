"""Reading a directory file for an import: every row parsed and the whole file checked
(people listed twice) before anything is written, for `rosterd users import` and the console's
import alike."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from rosterd.core.directory_sync import (
    DirectoryRecord,
    DirectorySyncService,
    ImportPlan,
    SyncResult,
    check_records,
    parse_record,
)
from rosterd.core.entities import Integration, Principal
from rosterd.core.import_files import Format, Places, Spill, read_rows
from rosterd.core.integrations import MANAGE, integration_of, principal_org
from rosterd.core.ports import DirectoryStore


@dataclass(frozen=True, slots=True)
class DirectoryFile:
    """A checked file's records, read afresh (from the spill) each time `records` is called."""

    records: Callable[[], Iterator[DirectoryRecord]]
    total: int


@contextmanager
def checked_directory_file(path: Path, *, format: Format | None) -> Iterator[DirectoryFile]:
    """The file's records once every row is parsed and the whole file checked; an `Invalid`
    names the first broken row (or each person listed twice) by its line."""
    places = Places()

    def parsed() -> Iterator[DirectoryRecord]:
        for where, row in read_rows(path, format=format, columns=DirectoryRecord._fields):
            places.add(where)
            yield parse_record(row, where)

    with Spill(DirectoryRecord._make) as spill:
        records = spill.passes(parsed)
        total = check_records(records, places.of)
        yield DirectoryFile(records, total)


class DirectoryImportService:
    """A signed-in caller's import (the console's): the CLI's `rosterd users import` on the
    caller's own organization, checked as rotating the integration's token is (`MANAGE`,
    a token without endpoint limits); planned and written by `DirectorySyncService`."""

    def __init__(self, store: DirectoryStore) -> None:
        self._store = store
        self._sync = DirectorySyncService(store)

    def check_import_as(self, *, principal: Principal, integration: str) -> Integration:
        """The integration the caller may import into; else Forbidden, or NotFound (another
        organization's, or none)."""
        with self._store.read() as tx:
            return integration_of(tx, principal_org(principal, MANAGE)(tx), integration)

    def plan_import_as(
        self, *, principal: Principal, integration: str, file: DirectoryFile, full: bool
    ) -> ImportPlan:
        """`DirectorySyncService.plan_import` of the file, for a caller who may import it."""
        return self._sync.plan_import(**self._checked(principal, integration, file, full))

    def import_users_as(
        self,
        *,
        principal: Principal,
        integration: str,
        file: DirectoryFile,
        full: bool,
        progress: Callable[[int], None] | None = None,
    ) -> SyncResult:
        """`DirectorySyncService.import_users` of the file, for a caller who may import it."""
        arguments = self._checked(principal, integration, file, full)
        return self._sync.import_users(**arguments, progress=progress)

    def _checked(
        self, principal: Principal, integration: str, file: DirectoryFile, full: bool
    ) -> dict[str, Any]:
        """The sync's arguments, once the caller is checked."""
        self.check_import_as(principal=principal, integration=integration)
        return {
            "org_subdomain": principal.org.subdomain,
            "integration_uuid": integration,
            "records": file.records(),
            "full": full,
        }
