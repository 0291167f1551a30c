"""Named snapshots of the database, and the one taken at start that a reset returns to."""

from __future__ import annotations

import itertools
import threading

from sqlalchemy import Engine

from rosterd.storage.snapshots import open_snapshots


class Snapshots:
    def __init__(self, engine: Engine) -> None:
        self._database = open_snapshots(engine)
        self._numbers = itertools.count(1)
        self._start = 0  # the state to reset to: empty, or as seeded
        self._named: dict[str, int] = {}
        self._lock = threading.Lock()  # one restore or snapshot at a time
        self._database.take(self._start)

    def reset(self) -> None:
        with self._lock:
            self._database.restore(self._start)

    def names(self) -> list[str]:
        return sorted(self._named)

    def take(self, name: str) -> None:
        with self._lock:
            number = next(self._numbers)
            self._database.take(number)
            replaced = self._named.get(name)
            self._named[name] = number
            if replaced is not None:
                self._database.discard(replaced)

    def restore(self, name: str) -> bool:
        with self._lock:
            found = self._named.get(name)
            if found is not None:
                self._database.restore(found)
        return found is not None

    def delete(self, name: str) -> bool:
        with self._lock:
            found = self._named.pop(name, None)
            if found is not None:
                self._database.discard(found)
        return found is not None

    def close(self) -> None:
        with self._lock:
            self._database.close()
            self._named.clear()
