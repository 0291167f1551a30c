"""Connection-level limits for the HTTP server (uvicorn options), in one place.

rosterd serves every connection from one event loop, so a slow client holds only its own socket;
these bound how long and how much any one client may hold.
"""

from __future__ import annotations

from typing import Any, Final

SERVER_TIMEOUTS: Final[dict[str, Any]] = {
    # An idle keep-alive connection is closed after 5 s.
    "timeout_keep_alive": 5,
    # Requests still running at shutdown get 10 s to finish.
    "timeout_graceful_shutdown": 10,
    # At most this many connections at once per worker; past it new requests get a 503.
    "limit_concurrency": 1000,
    # Request line and headers larger than this are refused (h11 parser).
    "h11_max_incomplete_event_size": 16 * 1024,
}
