"""Response header names as the vendors write them, whatever case a handler gave them."""

from __future__ import annotations

from rosterd.server import middleware
from rosterd.server.middleware import canonical_name


def test_names_are_spelled_as_the_vendors_do_each_time() -> None:
    for _ in range(2):  # the second time from what the first kept
        assert canonical_name(b"x-request-id") == b"X-Request-Id"
        assert canonical_name(b"X-REQUEST-ID") == b"X-Request-Id"
        assert canonical_name(b"content-type") == b"Content-Type"
        assert canonical_name(b"www-authenticate") == b"WWW-Authenticate"
        assert canonical_name(b"ETAG") == b"ETag"
        assert canonical_name(b"x-ratelimit-remaining") == b"X-Ratelimit-Remaining"


def test_names_of_a_handlers_own_making_do_not_grow_what_is_kept() -> None:
    for i in range(1000):
        assert canonical_name(b"x-made-up-%d" % i) == b"X-Made-Up-%d" % i
    assert len(middleware._CANONICAL_NAMES) <= middleware._CANONICAL_NAMES_KEPT
