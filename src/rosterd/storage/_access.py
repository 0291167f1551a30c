"""What every request needs and what rarely changes, kept in memory while it is current.

An organization's catalogue (account groups, roles and their permissions) and a token's endpoint
permissions are read on every request and change seldom. Each worker keeps them here, stamped
with the organization's `access_version`, which triggers move in the same transaction as any
change to those rows (migration 0005). A request reads the current version (one indexed row,
in its own transaction) and uses a kept value only if its stamp matches, so a change is seen by
the next request in every worker, on every host, the moment it commits.

Stamps also hold the row's creation time: ids can be reused after a reset, versions restart.
"""

from __future__ import annotations

import threading
from collections.abc import Hashable
from datetime import datetime
from typing import Generic, TypeVar

from rosterd.core.entities import Catalogue, EndpointPermission

V = TypeVar("V")

Stamp = tuple[int, datetime, int]  # (row id, created at, access version)

# Enough for every organization and token a busy server sees; past it the oldest entry goes.
MAX_ENTRIES = 10_000


class _Kept(Generic[V]):
    """A bounded map of stamped values; safe for the event loop and worker threads at once."""

    def __init__(self, max_entries: int) -> None:
        self._entries: dict[Hashable, tuple[Stamp, V]] = {}
        self._max_entries = max_entries
        self._lock = threading.Lock()

    def get(self, key: Hashable, stamp: Stamp) -> V | None:
        found = self._entries.get(key)
        return found[1] if found is not None and found[0] == stamp else None

    def keep(self, key: Hashable, stamp: Stamp, value: V) -> None:
        with self._lock:
            if key not in self._entries and len(self._entries) >= self._max_entries:
                del self._entries[next(iter(self._entries))]
            self._entries[key] = (stamp, value)


class AccessCache:
    def __init__(self, max_entries: int = MAX_ENTRIES) -> None:
        self.catalogues: _Kept[Catalogue] = _Kept(max_entries)  # by organization id
        self.endpoints: _Kept[frozenset[EndpointPermission]] = _Kept(max_entries)  # by token hash
