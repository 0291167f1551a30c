"""Request smuggling: a request whose length a proxy in front could read another way is refused
with one 400 and the connection is closed, so nothing after it is ever served (RFC 9112 §6)."""

from __future__ import annotations

import socket
import time
from collections.abc import Iterator

import pytest

from tests.support.server import LiveServer, sqlite_database, start_server
from tests.support.wire import connect, read_until_closed, statuses

PREFIXES = ["/v7/users", "/api/v1/users", "/api/v1/scim/Users"]
BODY = b"0\r\n\r\n"  # an empty chunked body, or 5 bytes of a Content-Length body

# Heads that frame the body ambiguously (each ends before the blank line), by name.
AMBIGUOUS = {
    "content-length and transfer-encoding": b"Content-Length: 5\r\nTransfer-Encoding: chunked",
    "transfer-encoding and content-length": b"Transfer-Encoding: chunked\r\nContent-Length: 5",
    "content-length and transfer-encoding, other case": (
        b"content-length: 5\r\ntransfer-encoding: Chunked"
    ),
    "transfer-encoding folded onto the next line": b"Transfer-Encoding:\r\n chunked",
    "transfer-encoding hidden in a folded line": (
        b"Content-Length: 5\r\nX-Note: a\r\n Transfer-Encoding: chunked"
    ),
    "transfer-encoding after a bare LF": b"X-Note: a\nTransfer-Encoding: chunked",
    "content-length after a bare LF": b"X-Note: a\nContent-Length: 5",
    # What h11 refuses by itself; kept here so that a parser change cannot let them through.
    "transfer-encoding chunked, identity": b"Transfer-Encoding: chunked, identity",
    "transfer-encoding xchunked": b"Content-Length: 5\r\nTransfer-Encoding: xchunked",
    "transfer-encoding twice": b"Transfer-Encoding: chunked\r\nTransfer-Encoding: chunked",
    "transfer-encoding with a space before the colon": (
        b"Content-Length: 5\r\nTransfer-Encoding : chunked"
    ),
    "conflicting content-lengths": b"Content-Length: 5\r\nContent-Length: 40",
    "a list of content-lengths": b"Content-Length: 5, 40",
    "a signed content-length": b"Content-Length: +5",
}


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[LiveServer]:
    """Framing happens before any database access: one SQLite database is enough."""
    url, store = sqlite_database(tmp_path_factory.mktemp("framing"))
    with start_server(url, store) as live:
        yield live
    store.engine.dispose()


def smuggled(prefix: str) -> bytes:
    """A second request, answered (if ever) with a 404 that names its path under /v7 and SCIM."""
    return f"DELETE {prefix}/smuggled-request/x HTTP/1.1\r\nHost: rosterd\r\n\r\n".encode()


@pytest.mark.parametrize("prefix", PREFIXES)
@pytest.mark.parametrize("framing", AMBIGUOUS)
def test_an_ambiguous_length_gets_one_400_and_the_connection_closes(
    server: LiveServer, prefix: str, framing: str
) -> None:
    head = f"POST {prefix} HTTP/1.1\r\nHost: rosterd\r\n".encode() + AMBIGUOUS[framing]
    with connect(server) as sock:
        sock.sendall(head + b"\r\n\r\n" + BODY + smuggled(prefix))
        received = read_until_closed(sock)

    assert statuses(received) == [400], received
    response_head = received.partition(b"\r\n\r\n")[0].lower()
    assert b"\r\nconnection: close" in response_head
    assert b"smuggled-request" not in received


@pytest.mark.parametrize("prefix", PREFIXES)
def test_a_pipelined_request_after_a_well_framed_one_is_still_served(
    server: LiveServer, prefix: str
) -> None:
    chunked = f"GET {prefix} HTTP/1.1\r\nHost: rosterd\r\nTransfer-Encoding: chunked\r\n\r\n"
    last = f"GET {prefix} HTTP/1.1\r\nHost: rosterd\r\nConnection: close\r\n\r\n"
    with connect(server) as sock:
        sock.sendall(chunked.encode() + BODY + last.encode())
        received = read_until_closed(sock)

    # Unauthenticated: a 401 each, from the dialect, on one connection.
    assert statuses(received) == [401, 401], received


def test_a_folded_head_whose_empty_line_arrives_in_two_reads_is_refused_too(
    server: LiveServer,
) -> None:
    folded = AMBIGUOUS["transfer-encoding hidden in a folded line"]
    head = b"POST /v7/users HTTP/1.1\r\nHost: rosterd\r\n" + folded + b"\r\n\r"
    with connect(server) as sock:
        sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
        for part in (head, b"\n", BODY + smuggled("/v7/users")):
            sock.sendall(part)
            time.sleep(0.2)  # so that the server reads each part on its own
        received = read_until_closed(sock)

    assert statuses(received) == [400], received
