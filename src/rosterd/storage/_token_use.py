"""When each API token was last used, recorded without a write on the request's path.

A request that authenticates with a token calls `TokenUses.used`: for a token this process
recorded less than `EVERY` ago, that is one dictionary lookup and a comparison, nothing else.
Otherwise the token's id and the time are handed to a background thread, which writes what it
was handed in one short transaction of its own (`last_used_at`, only ever moved forward). A
write that fails (the database busy or gone) is logged, without any token's data, and
dropped: the request never waits for it nor fails with it. So `last_used_at` is the last use
to within about a minute (more if a process stopped before writing), at most one write a minute
per token and process.
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Callable, Mapping
from datetime import datetime, timedelta
from typing import Final

from rosterd.core.clock import utcnow

EVERY: Final = timedelta(seconds=60)
log = logging.getLogger(__name__)

# Writes `{token id: when used}` in one transaction.
Writer = Callable[[Mapping[int, datetime]], None]


class TokenUses:
    def __init__(self, write: Writer) -> None:
        self._write = write
        self._recorded: dict[int, datetime] = {}  # token id: when last handed to the writer
        self._pending: dict[int, datetime] = {}
        self._lock = threading.Lock()
        self._flushing = threading.Lock()
        self._wake = threading.Event()
        self._thread: threading.Thread | None = None
        self._closed = False

    def used(self, token_id: int) -> None:
        """The token authenticated a request now."""
        now = utcnow()
        last = self._recorded.get(token_id)
        if last is not None and timedelta(0) <= now - last < EVERY:
            return  # the common path: recorded this minute
        with self._lock:
            self._recorded[token_id] = now
            self._pending[token_id] = now
            if self._thread is None and not self._closed:
                self._thread = threading.Thread(
                    target=self._run, name="rosterd-token-uses", daemon=True
                )
                self._thread.start()
        self._wake.set()

    def flush(self) -> None:
        """Write what is pending now, in this thread (the background thread's work, and what
        `close` and the tests call)."""
        # One flush at a time, so that a flush returns only once a write in progress is done.
        with self._flushing:
            with self._lock:
                pending, self._pending = self._pending, {}
                # Forget tokens not used this minute: the map stays the size of the busy ones.
                now = utcnow()
                self._recorded = {i: at for i, at in self._recorded.items() if now - at < EVERY}
            if not pending:
                return
            try:
                self._write(pending)
            except Exception:  # best effort: the next use, a minute on, writes again
                log.warning("could not record when %d API tokens were last used", len(pending))

    def close(self) -> None:
        """Write what is pending and stop the background thread."""
        with self._lock:
            self._closed = True
            thread = self._thread
        self._wake.set()
        if thread is not None:
            thread.join(timeout=5)
        self.flush()

    def _run(self) -> None:
        while True:
            self._wake.wait()
            self._wake.clear()
            if self._closed:
                return
            self.flush()
