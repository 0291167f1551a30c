"""How rosterd runs under uvicorn: the HTTP parser and connection limits, in one place.

rosterd serves every connection from one event loop, so a slow client holds only its own socket;
these bound how long and how much any one client may hold.
"""

from __future__ import annotations

from typing import Any

from rosterd.server.protocol import read_deadline_h11
from rosterd.server.settings import Settings


def server_options(settings: Settings) -> dict[str, Any]:
    """uvicorn's options for `settings`."""
    return {
        # h11 writes header names with the case rosterd gives them ("Location", as the vendors
        # send it); httptools lowercases every name, which breaks clients that read response
        # headers from a plain dict, such as the official ThousandEyes SDK's `*_with_http_info`.
        # The protocol adds a deadline for reading each request (uvicorn has none).
        "http": read_deadline_h11(settings.request_read_timeout),
        # An idle keep-alive connection is closed after 5 s.
        "timeout_keep_alive": 5,
        # Requests still running at shutdown get 10 s to finish.
        "timeout_graceful_shutdown": 10,
        # With --workers, the supervisor kills a worker that does not answer its ping in time,
        # also while it starts: uvicorn's 5 s killed workers still importing the app on a busy
        # machine, over and over, so that none ever served. A hung worker goes after 30 s.
        "timeout_worker_healthcheck": 30,
        # At most this many connections at once per worker; past it new requests get a 503.
        "limit_concurrency": settings.max_connections,
        # A request line and headers larger than this are cut off by the parser (a plain 400);
        # below it, each dialect refuses more than 16 KiB of headers with a 431 in its envelope.
        "h11_max_incomplete_event_size": 64 * 1024,
    }
