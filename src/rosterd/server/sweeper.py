"""The console's expired uploads deleted in the background, so that an idle server does not keep
them (and their chunks, dry runs and import reports) until the next upload.

Every `rosterd serve` process sweeps once shortly after it starts (`FIRST`, or the interval if
shorter) and then every `console_sweep_seconds` (`ROSTERD_CONSOLE_SWEEP_SECONDS`, 10 minutes
unless set; 0: never), each wait drawn within ±10% of it so that workers started together do
not sweep together. A sweep with nothing due is one read of the expiry index's first entry; one
with something due is one indexed DELETE (core/import_jobs.py, `sweep_expired`). Workers and
hosts need no coordination: a row one of them deleted is not there for the others. The sweep's
modules are loaded at its first run, in its thread, not at the server's start.
"""

from __future__ import annotations

import logging
import random
import threading
from collections.abc import Callable

from rosterd.core.ports import DirectoryStore
from rosterd.server.logging import describe

FIRST = 60.0  # seconds after the start: after the warm-up, which builds the dialects
JITTER = 0.1
log = logging.getLogger("rosterd.console")


class Sweeper:
    """A daemon thread calling `sweep` every `every` seconds (the first time after
    `min(FIRST, every)`), until `stop`."""

    def __init__(self, sweep: Callable[[], int], every: float) -> None:
        self._sweep = sweep
        self._every = every
        self._stopped = threading.Event()
        self._thread: threading.Thread | None = None

    def start(self) -> None:
        if self._every <= 0:
            return
        self._thread = threading.Thread(target=self._run, name="rosterd-sweep", daemon=True)
        self._thread.start()

    def stop(self) -> None:
        self._stopped.set()
        if self._thread is not None:
            self._thread.join(timeout=5)

    def _run(self) -> None:
        wait = min(FIRST, self._every)
        while not self._stopped.wait(wait * random.uniform(1 - JITTER, 1 + JITTER)):  # noqa: S311
            try:
                deleted = self._sweep()
            except Exception as exc:  # the next sweep tries again
                log.warning("deleting the console's expired uploads failed: %s", describe(exc))
            else:
                if deleted:
                    log.info("deleted %d expired console uploads", deleted)
            wait = self._every


def upload_sweeper(store: DirectoryStore, every: float) -> Sweeper:
    def sweep() -> int:
        from rosterd.core.import_jobs import sweep_expired, wall_clock

        return sweep_expired(store, wall_clock())

    return Sweeper(sweep, every)
