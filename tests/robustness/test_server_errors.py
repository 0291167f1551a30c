"""A 500 is answered in the dialect's envelope and its keep-alive connection stays usable: the
client's next request on it is answered too, not dropped (clients saw a read error on every
other call while the database was down)."""

from __future__ import annotations

import json
from collections.abc import Iterator
from dataclasses import dataclass

import pytest

from tests.api.scim.conftest import ERROR, scim_integration
from tests.support.orgs import OrgFactory
from tests.support.server import LiveServer, sqlite_database, start_server
from tests.support.wire import connect, exchange


@dataclass(frozen=True)
class Broken:
    """A real rosterd whose database lost its users table: reading users fails in the server."""

    server: LiveServer
    tokens: dict[str, str]  # by dialect


@pytest.fixture(scope="module")
def broken(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Broken]:
    url, store = sqlite_database(tmp_path_factory.mktemp("broken"))
    org = OrgFactory(store).create()
    scim_token = scim_integration(store, org).token
    with store.engine.begin() as conn:
        conn.exec_driver_sql("DROP TABLE users")
    with start_server(url, store) as server:
        yield Broken(server, {"thousandeyes": org.token, "kandji": org.token, "scim": scim_token})
    store.engine.dispose()


# (path whose answer needs the users table, Content-Type and body of the dialect's 500)
FAILURES = {
    "thousandeyes": (
        "/v7/users",
        "application/problem+json",
        {
            "type": "about:blank",
            "title": "Internal server error",
            "status": 500,
            "detail": "An unexpected error occurred; it has been logged.",
            "instance": "/v7/users",
        },
    ),
    "kandji": ("/api/v1/users", "application/json", {"detail": "A server error occurred."}),
    "scim": (
        "/api/v1/scim/Users",
        "application/scim+json",
        {"schemas": [ERROR], "status": "500", "detail": "Internal server error"},
    ),
}


@pytest.mark.parametrize("dialect", FAILURES)
def test_a_500_keeps_the_connection_usable(broken: Broken, dialect: str) -> None:
    path, content_type, body = FAILURES[dialect]
    request = (
        f"GET {path} HTTP/1.1\r\nHost: rosterd\r\n"
        f"Authorization: Bearer {broken.tokens[dialect]}\r\n\r\n"
    ).encode()
    with connect(broken.server) as sock:
        answers = [exchange(sock, request) for _ in range(3)]
        health = exchange(sock, b"GET /healthz HTTP/1.1\r\nHost: rosterd\r\n\r\n")

    for answer in answers:
        assert answer.status == 500
        assert answer.headers["Content-Type"] == content_type
        assert json.loads(answer.body) == body
        assert answer.headers["Connection"] is None  # kept alive
    assert (health.status, json.loads(health.body)) == (200, {"status": "ok"})
