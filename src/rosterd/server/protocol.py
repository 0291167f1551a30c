"""uvicorn's h11 protocol with a deadline for reading each request.

uvicorn times out only idle keep-alive connections, and any byte received stops that clock; a
client that trickles its request line, headers or body never times out and holds a connection
slot forever (slowloris). Here every request, from its connection or first byte to the last
byte of its body, must arrive within `read_timeout` seconds, or the connection is closed.
"""

from __future__ import annotations

import asyncio
import functools
import logging
from typing import Any, cast

import h11
from uvicorn.protocols.http.h11_impl import H11Protocol

log = logging.getLogger("rosterd.server")

# The client's side of h11's state machine once a request has been read in full (or never
# will be): nothing more to wait for.
_REQUEST_READ = frozenset({h11.DONE, h11.MUST_CLOSE, h11.CLOSED, h11.ERROR})


class ReadDeadlineH11Protocol(H11Protocol):
    def __init__(self, *args: Any, read_timeout: float, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.read_timeout = read_timeout
        self.read_deadline: asyncio.TimerHandle | None = None

    def connection_made(self, transport: asyncio.Transport) -> None:  # type: ignore[override]
        super().connection_made(transport)
        self._start_read_clock()  # a connection that never sends a byte is slow too

    def data_received(self, data: bytes) -> None:
        super().data_received(data)
        if self.conn.their_state in _REQUEST_READ:
            self._stop_read_clock()
        elif self.read_deadline is None:
            self._start_read_clock()  # the first byte of a request on a kept-alive connection

    def connection_lost(self, exc: Exception | None) -> None:
        self._stop_read_clock()
        super().connection_lost(exc)

    def _start_read_clock(self) -> None:
        self.read_deadline = self.loop.call_later(self.read_timeout, self._read_timed_out)

    def _stop_read_clock(self) -> None:
        if self.read_deadline is not None:
            self.read_deadline.cancel()
            self.read_deadline = None

    def _read_timed_out(self) -> None:
        self.read_deadline = None
        if self.transport.is_closing():
            return
        client = self.client[0] if self.client else "an unknown client"
        log.info(
            "closed the connection of %s: no complete request in %ss", client, self.read_timeout
        )
        # A request being handled sees `http.disconnect` when it next reads its body.
        self.transport.close()


def read_deadline_h11(read_timeout: float) -> type[asyncio.Protocol]:
    """The protocol to give uvicorn as `http`; a partial, not a subclass, so that it pickles
    into worker processes."""
    protocol = functools.partial(ReadDeadlineH11Protocol, read_timeout=read_timeout)
    return cast(type[asyncio.Protocol], protocol)
