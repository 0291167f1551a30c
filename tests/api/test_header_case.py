"""Header names go out as the vendors write them (`Location`, not `location`).

Clients that copy response headers into a plain dict, like the official ThousandEyes SDK's
`*_with_http_info`, find them only under the vendor's spelling.
"""

from __future__ import annotations

import json
import socket

from tests.support.orgs import OrgFactory
from tests.support.server import LiveServer


def raw_exchange(live_server: LiveServer, request: bytes) -> bytes:
    host, port = live_server.base_url.removeprefix("http://").split(":")
    with socket.create_connection((host, int(port)), timeout=10) as conn:
        conn.sendall(request)
        head = b""
        while b"\r\n\r\n" not in head:
            head += conn.recv(65536)
    return head.split(b"\r\n\r\n")[0]


def header_names(head: bytes) -> set[bytes]:
    return {line.split(b":")[0] for line in head.split(b"\r\n")[1:]}


def test_thousandeyes_headers_keep_the_vendors_case(
    live_server: LiveServer, orgs: OrgFactory
) -> None:
    org = orgs.create()
    body = json.dumps({"name": "Case", "email": f"case-{org.subdomain}@example.com"}).encode()
    head = raw_exchange(
        live_server,
        b"POST /v7/users HTTP/1.1\r\nHost: t\r\n"
        b"Authorization: Bearer " + org.token.encode() + b"\r\n"
        b"Content-Type: application/json\r\nConnection: close\r\n"
        b"Content-Length: " + str(len(body)).encode() + b"\r\n\r\n" + body,
    )

    assert head.startswith(b"HTTP/1.1 201 ")
    assert {
        b"Location",
        b"Content-Type",
        b"Content-Length",
        b"X-Request-Id",
        b"X-Organization-Rate-Limit-Limit",
        b"X-Organization-Rate-Limit-Remaining",
        b"X-Organization-Rate-Limit-Reset",
    } <= header_names(head)


def test_error_headers_keep_the_vendors_case(live_server: LiveServer) -> None:
    head = raw_exchange(
        live_server, b"GET /v7/users HTTP/1.1\r\nHost: t\r\nConnection: close\r\n\r\n"
    )

    assert head.startswith(b"HTTP/1.1 401 ")
    assert {b"WWW-Authenticate", b"Content-Type"} <= header_names(head)


def test_kandji_rate_limit_headers_keep_the_vendors_case(
    live_server: LiveServer, orgs: OrgFactory
) -> None:
    org = orgs.create()
    head = raw_exchange(
        live_server,
        b"GET /api/v1/users HTTP/1.1\r\nHost: t\r\n"
        b"Authorization: Bearer " + org.token.encode() + b"\r\n"
        b"Connection: close\r\n\r\n",
    )

    assert head.startswith(b"HTTP/1.1 200 ")
    assert {
        b"Ratelimit-Limit",
        b"Ratelimit-Remaining",
        b"Ratelimit-Reset",
        b"X-Ratelimit-Limit-Hour",
        b"X-Ratelimit-Remaining-Second",
    } <= header_names(head)
