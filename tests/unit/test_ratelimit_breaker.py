"""The rate limiter's circuit breaker, on a clock the test moves and real (dead) Redis endpoints."""

from __future__ import annotations

import logging
import socket
from collections.abc import Iterator

import pytest

from rosterd.server.ratelimit import BACKOFF_SECONDS, Breaker, RateLimiter, per_minute
from tests.support.process import free_port


class Clock:
    """A monotonic clock that moves only when the test says so."""

    def __init__(self) -> None:
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now


@pytest.fixture
def clock() -> Clock:
    return Clock()


@pytest.fixture
def black_hole() -> Iterator[socket.socket]:
    """Takes connections (into its backlog) and never answers: a hung or firewalled Redis."""
    with socket.socket() as listener:
        listener.bind(("127.0.0.1", 0))
        listener.listen(64)
        listener.setblocking(False)
        yield listener


def new_connections(listener: socket.socket) -> int:
    count = 0
    while True:
        try:
            connection, _ = listener.accept()
        except BlockingIOError:
            return count
        connection.close()
        count += 1


def records(caplog: pytest.LogCaptureFixture, level: int) -> list[logging.LogRecord]:
    return [r for r in caplog.records if r.name == "rosterd.ratelimit" and r.levelno == level]


def test_a_black_holed_redis_is_tried_once_per_backoff(
    clock: Clock, black_hole: socket.socket
) -> None:
    port = black_hole.getsockname()[1]
    limiter = RateLimiter(f"redis://127.0.0.1:{port}/0", clock=clock)
    item = per_minute(2)
    assert limiter.hit(item, "org") is None  # times out instead of hanging
    assert new_connections(black_hole) == 1
    clock.now += BACKOFF_SECONDS - 0.1
    assert [limiter.hit(item, "org") for _ in range(10)] == [None] * 10
    assert new_connections(black_hole) == 0
    clock.now += 0.1
    assert limiter.hit(item, "org") is None
    assert new_connections(black_hole) == 1


def test_an_outage_logs_one_warning_without_a_traceback(
    clock: Clock, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.DEBUG, logger="rosterd.ratelimit")
    limiter = RateLimiter(f"redis://127.0.0.1:{free_port()}/0", clock=clock)
    for _ in range(3):  # three back-offs, each ending in a failed try
        assert [limiter.hit(per_minute(2), "org") for _ in range(5)] == [None] * 5
        clock.now += BACKOFF_SECONDS
    [warning] = records(caplog, logging.WARNING)
    assert warning.exc_info is None
    assert "ConnectionError" in warning.getMessage()
    assert len(records(caplog, logging.DEBUG)) == 2  # the later tries, quietly


def test_a_working_store_counts_and_logs_nothing(
    clock: Clock, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.DEBUG, logger="rosterd.ratelimit")
    limiter = RateLimiter("memory://", clock=clock)
    states = [limiter.hit(per_minute(2), "org") for _ in range(3)]
    assert [(s.allowed, s.remaining) for s in states if s] == [(True, 1), (True, 0), (False, 0)]
    assert not caplog.records


def test_after_the_backoff_one_request_probes_and_a_success_closes_the_breaker(
    clock: Clock, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.INFO, logger="rosterd.ratelimit")
    breaker = Breaker(backoff=5, clock=clock)
    breaker.failed(ConnectionError("refused"))
    clock.now += 4.9
    assert not breaker.attempt()
    clock.now += 0.1
    assert [breaker.attempt() for _ in range(3)] == [True, False, False]  # one probe at a time
    breaker.succeeded()
    assert [breaker.attempt() for _ in range(3)] == [True, True, True]
    [info] = records(caplog, logging.INFO)
    assert info.getMessage() == "rate-limit storage available again; limits enforced"
    breaker.succeeded()
    assert len(records(caplog, logging.INFO)) == 1  # said once per recovery
