"""Named snapshots of the database, and the one taken at start that a reset returns to."""

from __future__ import annotations

import threading

from sqlalchemy import Engine

from rosterd.storage.snapshots import (
    Snapshot,
    discard_snapshot,
    restore_snapshot,
    take_snapshot,
)


class Snapshots:
    def __init__(self, engine: Engine) -> None:
        self._engine = engine
        self._start = take_snapshot(engine)  # the state to reset to: empty, or as seeded
        self._named: dict[str, Snapshot] = {}
        self._lock = threading.Lock()  # one restore or snapshot at a time

    def reset(self) -> None:
        with self._lock:
            restore_snapshot(self._engine, self._start)

    def names(self) -> list[str]:
        return sorted(self._named)

    def take(self, name: str) -> None:
        with self._lock:
            self._named[name] = take_snapshot(self._engine)

    def restore(self, name: str) -> bool:
        with self._lock:
            found = self._named.get(name)
            if found is not None:
                restore_snapshot(self._engine, found)
        return found is not None

    def delete(self, name: str) -> bool:
        with self._lock:
            found = self._named.pop(name, None)
        if found is not None:
            discard_snapshot(found)
        return found is not None
