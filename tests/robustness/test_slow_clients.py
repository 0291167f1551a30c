"""Slow clients (slowloris) are cut off at the request-read deadline and never starve others."""

from __future__ import annotations

import contextlib
import socket
import time
from collections.abc import Iterator

import httpx
import pytest

from tests.support.orgs import OrgFactory
from tests.support.server import LiveServer, start_server

READ_TIMEOUT = 1.0
SLOTS = 6  # connections per worker


@pytest.fixture
def server(database_url: str, live_server: LiveServer) -> Iterator[LiveServer]:
    with start_server(
        database_url,
        live_server.store,
        request_read_timeout=READ_TIMEOUT,
        max_connections=SLOTS,
        rate_limits=False,
    ) as server:
        yield server


@pytest.fixture
def token(server: LiveServer) -> str:
    return OrgFactory(server.store).create().token


def connect(server: LiveServer, first_bytes: bytes = b"") -> socket.socket:
    host, port = server.base_url.removeprefix("http://").split(":")
    sock = socket.create_connection((host, int(port)), timeout=10)
    sock.sendall(first_bytes)
    return sock


def trickle(sockets: list[socket.socket], seconds: float, data: bytes = b"X-Slow: 1\r\n") -> None:
    """Send a header line on every socket a few times a second, as a slowloris does."""
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        for sock in sockets:
            with contextlib.suppress(OSError):  # already closed by the server
                sock.sendall(data)
        time.sleep(0.2)


def closed_by_server(sock: socket.socket) -> bool:
    """Whether the server has closed the connection (without sending a response)."""
    try:
        return sock.recv(1024) == b""
    except ConnectionResetError:
        return True
    except TimeoutError:
        return False


def current_user(server: LiveServer, token: str) -> httpx.Response:
    return httpx.get(
        f"{server.thousandeyes_url}/users/current",
        headers={"Authorization": f"Bearer {token}", "Connection": "close"},
        timeout=10,
    )


HEAD = b"GET /v7/users/current HTTP/1.1\r\nHost: rosterd\r\n"


def test_a_trickled_request_head_is_cut_off_at_the_deadline(server: LiveServer) -> None:
    slow = connect(server, HEAD)
    started = time.monotonic()

    trickle([slow], seconds=READ_TIMEOUT + 1.0)

    assert closed_by_server(slow)
    assert time.monotonic() - started < READ_TIMEOUT + 3


def test_a_connection_that_sends_nothing_is_cut_off(server: LiveServer) -> None:
    silent = connect(server)
    silent.settimeout(READ_TIMEOUT + 5)

    assert closed_by_server(silent)


def test_a_trickled_body_is_cut_off_and_nothing_is_written(server: LiveServer, token: str) -> None:
    head = (
        b"POST /v7/users HTTP/1.1\r\nHost: rosterd\r\nContent-Type: application/json\r\n"
        b"Authorization: Bearer " + token.encode() + b"\r\nContent-Length: 4000\r\n\r\n"
    )
    slow = connect(server, head + b'{"name": "Slow", "email": "slow@example.com", "x": "')

    trickle([slow], seconds=READ_TIMEOUT + 1.0, data=b"xx")

    assert closed_by_server(slow)
    users = httpx.get(
        f"{server.thousandeyes_url}/users", headers={"Authorization": f"Bearer {token}"}
    ).json()["users"]
    assert "slow@example.com" not in [u["email"] for u in users]


def test_others_are_served_while_slow_clients_hold_connections(
    server: LiveServer, token: str
) -> None:
    slow = [connect(server, HEAD) for _ in range(SLOTS - 2)]

    statuses = []
    for _ in range(5):
        statuses.append(current_user(server, token).status_code)
        trickle(slow, seconds=0.1)

    assert statuses == [200] * 5
    trickle(slow, seconds=READ_TIMEOUT + 1.0)
    assert all(closed_by_server(sock) for sock in slow)


def test_slots_held_by_slow_clients_are_freed_at_the_deadline(
    server: LiveServer, token: str
) -> None:
    slow = [connect(server, HEAD) for _ in range(SLOTS)]
    trickle(slow, seconds=0.3)

    # Every slot is taken: a new request is refused at once, never queued behind the slow ones.
    refused = current_user(server, token)
    trickle(slow, seconds=READ_TIMEOUT + 1.0)
    served = current_user(server, token)

    assert refused.status_code == 503
    assert all(closed_by_server(sock) for sock in slow)
    assert served.status_code == 200


def test_a_slow_but_steady_client_within_the_deadline_is_served(
    server: LiveServer, token: str
) -> None:
    request = HEAD + b"Authorization: Bearer " + token.encode() + b"\r\nConnection: close\r\n\r\n"
    sock = connect(server)
    for i in range(0, len(request), len(request) // 4 + 1):
        sock.sendall(request[i : i + len(request) // 4 + 1])
        time.sleep(READ_TIMEOUT / 8)

    response = sock.recv(65536)

    assert response.startswith(b"HTTP/1.1 200 ")


def test_the_deadline_applies_to_each_request_of_a_kept_alive_connection(
    server: LiveServer, token: str
) -> None:
    request = HEAD + b"Authorization: Bearer " + token.encode() + b"\r\n\r\n"
    sock = connect(server, request)
    first = sock.recv(65536)
    time.sleep(READ_TIMEOUT * 1.5)  # idle, but within the 5 s keep-alive
    sock.sendall(request)
    second = sock.recv(65536)

    sock.sendall(HEAD)
    trickle([sock], seconds=READ_TIMEOUT + 1.0)

    assert first.startswith(b"HTTP/1.1 200 ")
    assert second.startswith(b"HTTP/1.1 200 ")
    assert closed_by_server(sock)
