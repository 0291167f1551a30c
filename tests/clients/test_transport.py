"""The shared transport: the retry policy's arithmetic, and the retry loop over real sockets."""

from __future__ import annotations

import socket
import threading
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from email.utils import format_datetime
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import httpx
import pytest
from rosterd_sdk_transport import Attempt, RateLimitRetry, Response, Transport, TransportError
from thousandeyes_sdk.core import ThousandEyesRetry

NOW = 1_800_000_000.0


def response(status: int, **headers: str) -> Response:
    return Response("GET", "http://x/", status, "", httpx.Headers(headers), b"")


def attempt(status: int, method: str = "GET", retries: int = 0, **headers: str) -> Attempt:
    earlier = tuple(Attempt(method, "http://x/", response(status), None) for _ in range(retries))
    return Attempt(method, "http://x/", response(status, **headers), None, earlier)


def policy(**settings: object) -> ThousandEyesRetry:
    return ThousandEyesRetry(clock=lambda: NOW, **settings)  # type: ignore[arg-type]


# --- how long to wait -----------------------------------------------------------------------


def test_retry_after_in_seconds_wins_over_reset_headers() -> None:
    reset = str(int(NOW) + 30)
    assert policy().next_delay(attempt(429, **{"Retry-After": "7"})) == 7
    both = attempt(429, **{"Retry-After": "7", "X-Organization-Rate-Limit-Reset": reset})
    assert policy().next_delay(both) == 7


def test_retry_after_as_an_http_date() -> None:
    when = datetime.fromtimestamp(NOW, UTC) + timedelta(seconds=12)
    assert policy().next_delay(attempt(429, **{"Retry-After": format_datetime(when, True)})) == 12


def test_reset_headers_are_epoch_seconds_and_the_later_one_counts() -> None:
    organization = str(int(NOW) + 5)
    instant_test = str(int(NOW) + 9)
    assert (
        policy().next_delay(attempt(429, **{"X-Organization-Rate-Limit-Reset": organization})) == 5
    )
    both = attempt(
        429,
        **{
            "X-Organization-Rate-Limit-Reset": organization,
            "X-Instant-Test-Rate-Limit-Reset": instant_test,
        },
    )
    assert policy().next_delay(both) == 9
    # A reset in the past (or a small relative number) means "now".
    assert policy().next_delay(attempt(429, **{"X-Organization-Rate-Limit-Reset": "60"})) == 0
    # Garbage is ignored: exponential backoff instead.
    assert policy().next_delay(attempt(429, **{"X-Organization-Rate-Limit-Reset": "soon"})) == 0.5


def test_relative_reset_headers_for_kandji() -> None:
    kandji = RateLimitRetry(relative_reset_headers=("ratelimit-reset",), clock=lambda: NOW)
    assert kandji.next_delay(attempt(429, **{"RateLimit-Reset": "3"})) == 3


def test_retries_are_bounded() -> None:
    assert policy().next_delay(attempt(429, retries=1)) is None  # status=1: one retry
    assert policy(status=3).next_delay(attempt(429, retries=2)) == 2.0  # backoff 0.5 * 2**2
    assert policy(status=5, total=2).next_delay(attempt(429, retries=2)) is None
    assert policy(total=0).next_delay(attempt(429)) is None
    # A wait longer than max_wait is not taken.
    assert policy(max_wait=5).next_delay(attempt(429, **{"Retry-After": "6"})) is None


def test_which_statuses_are_retried() -> None:
    with_header = {"Retry-After": "1"}
    assert policy().next_delay(attempt(429, "POST")) == 0.5  # 429: any method
    assert policy().next_delay(attempt(503, "GET", **with_header)) == 1
    assert policy().next_delay(attempt(503, "POST", **with_header)) is None  # not idempotent
    assert policy().next_delay(attempt(503, "GET")) is None  # no Retry-After
    assert policy().next_delay(attempt(500, "GET", **with_header)) is None
    assert policy().next_delay(attempt(404)) is None


def test_connection_failures() -> None:
    refused = Attempt("POST", "http://x/", None, httpx.ConnectError("refused"))
    reset = Attempt("POST", "http://x/", None, httpx.ReadError("reset"))
    reset_get = Attempt("GET", "http://x/", None, httpx.ReadError("reset"))
    assert policy().next_delay(refused) == 0.5  # never sent: safe for any method
    assert policy().next_delay(reset) is None  # maybe processed: only idempotent methods
    assert policy().next_delay(reset_get) == 0.5
    three = Attempt("GET", "http://x/", None, httpx.ConnectError("x"), (refused, refused, refused))
    assert policy().next_delay(three) is None
    assert (
        policy(connect=1).next_delay(
            Attempt("GET", "http://x/", None, httpx.ConnectError("x"), (refused,))
        )
        is None
    )


# --- the loop, against a real HTTP server ---------------------------------------------------


class Script(BaseHTTPRequestHandler):
    statuses: list[tuple[int, dict[str, str]]] = []
    seen: list[str] = []

    def do_POST(self) -> None:
        self.seen.append(self.headers.get("Authorization", ""))
        length = int(self.headers.get("Content-Length", "0"))
        self.rfile.read(length)
        status, headers = self.statuses.pop(0)
        body = b'{"ok": true}'
        self.send_response(status)
        for name, value in headers.items():
            self.send_header(name, value)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, format: str, *args: object) -> None:
        pass


@pytest.fixture
def scripted() -> Iterator[tuple[str, type[Script]]]:
    handler = type("Handler", (Script,), {"statuses": [], "seen": []})
    server = ThreadingHTTPServer(("127.0.0.1", 0), handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_address[1]}/users", handler
    server.shutdown()
    server.server_close()


def test_a_429_then_success_returns_the_success(scripted: tuple[str, type[Script]]) -> None:
    url, handler = scripted
    handler.statuses = [(429, {"Retry-After": "2"}), (201, {})]
    waits: list[float] = []

    with Transport(retry=ThousandEyesRetry(sleep_function=waits.append)) as transport:
        got = transport.request("POST", url, bearer_token="tok", content=b"{}")

    assert (got.status, got.reason, got.body) == (201, "Created", b'{"ok": true}')
    assert got.header("content-type") == "application/json"
    assert waits == [2.0]
    assert handler.seen == ["Bearer tok", "Bearer tok"]


def test_without_a_policy_the_429_is_returned(scripted: tuple[str, type[Script]]) -> None:
    url, handler = scripted
    handler.statuses = [(429, {"Retry-After": "2"})]
    with Transport() as transport:
        assert transport.request("POST", url).status == 429
    assert len(handler.seen) == 1


def test_a_refused_connection_is_retried_then_raised() -> None:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    waits: list[float] = []
    with (
        Transport(retry=ThousandEyesRetry(sleep_function=waits.append)) as transport,
        pytest.raises(TransportError) as caught,
    ):
        transport.request("POST", f"http://127.0.0.1:{port}/users")
    assert waits == [0.5, 1.0, 2.0]  # total=3, exponential backoff
    assert isinstance(caught.value.cause, httpx.ConnectError)
