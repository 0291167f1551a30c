"""Raw HTTP/1.1 over a socket, for tests of what goes over the wire byte for byte."""

from __future__ import annotations

import re
import socket
from dataclasses import dataclass
from email.message import Message
from http.client import HTTPResponse

from tests.support.server import LiveServer

# A response may follow the last byte of the one before it, with no line break between them.
_STATUS_LINE = re.compile(rb"HTTP/1\.[01] (\d{3}) ")


@dataclass(frozen=True)
class Response:
    status: int
    headers: Message
    body: bytes


def connect(server: LiveServer, timeout: float = 10) -> socket.socket:
    host, port = server.base_url.removeprefix("http://").split(":")
    return socket.create_connection((host, int(port)), timeout=timeout)


def read_until_closed(sock: socket.socket) -> bytes:
    """Everything the server sends until it closes the connection."""
    received = b""
    while chunk := sock.recv(65536):
        received += chunk
    return received


def statuses(received: bytes) -> list[int]:
    """The status of every response in `received`, in order."""
    return [int(code) for code in _STATUS_LINE.findall(received)]


def exchange(sock: socket.socket, request: bytes) -> Response:
    """Send one request on a kept-alive connection and read its whole response (nothing more is
    on the wire: the next request is sent only after this)."""
    sock.sendall(request)
    response = HTTPResponse(sock)
    response.begin()
    return Response(response.status, response.headers, response.read())
