"""uvicorn's h11 protocol with a deadline for reading each request, and strict framing.

uvicorn times out only idle keep-alive connections, and any byte received stops that clock; a
client that trickles its request line, headers or body never times out and holds a connection
slot forever (slowloris). Here every request, from its connection or first byte to the last
byte of its body, must arrive within `read_timeout` seconds, or the connection is closed.

A request whose body length a proxy in front could read another way is refused, and its
connection closed, so that no bytes after it are ever taken for a second request (request
smuggling, RFC 9112 §6.1 and §11.2).
"""

from __future__ import annotations

import asyncio
import functools
import logging
import re
from typing import Any, Final, NoReturn, cast

import h11
from h11._connection import DEFAULT_MAX_INCOMPLETE_EVENT_SIZE
from uvicorn.protocols.http.h11_impl import H11Protocol

log = logging.getLogger("rosterd.server")

# The client's side of h11's state machine once a request has been read in full (or never
# will be): nothing more to wait for.
_REQUEST_READ = frozenset({h11.DONE, h11.MUST_CLOSE, h11.CLOSED, h11.ERROR})


# Where h11 takes a request's head to end: its first empty line.
_HEAD_END: Final = re.compile(rb"\n\r?\n")
# A header line that starts with a space or tab continues the line before it (obs-fold).
_FOLDED_LINE: Final = re.compile(rb"\n[ \t]")


class StrictFramingConnection(h11.Connection):
    """h11's server side, refusing every request whose framing is ambiguous.

    h11 refuses conflicting Content-Lengths and any Transfer-Encoding other than one `chunked`.
    It accepts, as RFC 9112 lets it, a request with both Content-Length and Transfer-Encoding
    (read as chunked), header lines folded onto the next line, and lines ending in a bare LF;
    a proxy that reads any of these another way takes what follows for another request. These
    are refused too: uvicorn answers 400 with `Connection: close` and closes the connection.
    """

    def __init__(self, max_incomplete_event_size: int) -> None:
        super().__init__(h11.SERVER, max_incomplete_event_size=max_incomplete_event_size)
        self._tail = b""  # the last bytes received, for an empty line split between reads
        self._head_may_be_buffered = False

    def receive_data(self, data: bytes) -> None:
        seen = self._tail + data
        self._head_may_be_buffered |= _HEAD_END.search(seen) is not None
        self._tail = seen[-2:]
        super().receive_data(data)

    def next_event(self) -> h11.Event | type[h11.NEED_DATA] | type[h11.PAUSED]:
        if self.their_state is h11.IDLE and self._head_may_be_buffered:
            self._check_raw_head()
        event = super().next_event()
        if isinstance(event, h11.Request):
            names = {name for name, _ in event.headers}
            if b"transfer-encoding" in names and b"content-length" in names:
                self._refuse("both Content-Length and Transfer-Encoding")
        return event

    def _check_raw_head(self) -> None:
        """Look at the next request's head as received, before h11 unfolds its lines.

        Only once an empty line has arrived: scanning a head on every read while it trickles
        in would cost time quadratic in its size.
        """
        buffered, _ = self.trailing_data
        end = _HEAD_END.search(buffered)
        if end is None:
            self._head_may_be_buffered = False
            return
        head = buffered[: end.end()]
        if head.count(b"\n") != head.count(b"\r\n"):
            self._refuse("a line of the request head ends in a bare LF")
        if _FOLDED_LINE.search(head):
            self._refuse("a header line folded onto the next line (obs-fold)")

    def _refuse(self, reason: str) -> NoReturn:
        # As for what h11 refuses itself: the client's side is in error, so h11 reads nothing
        # more from this connection, and uvicorn answers 400 and closes it.
        self._process_error(self.their_role)
        raise h11.RemoteProtocolError(f"ambiguous request framing: {reason}", 400)


class ReadDeadlineH11Protocol(H11Protocol):
    def __init__(self, *args: Any, read_timeout: float, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        limit = self.config.h11_max_incomplete_event_size
        self.conn = StrictFramingConnection(limit or DEFAULT_MAX_INCOMPLETE_EVENT_SIZE)
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
