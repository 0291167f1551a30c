"""The in-process rate-limit windows: counted as `limits` counts them, without a thread."""

from __future__ import annotations

import threading
import time

from limits import RateLimitItemPerMinute, RateLimitItemPerSecond

from rosterd.server.ratelimit import SWEEP_EVERY, LocalWindows, RateLimiter, per_minute


class Clock:
    def __init__(self) -> None:
        self.now = 1_000_000.0

    def __call__(self) -> float:
        return self.now


def test_a_window_starts_with_its_first_request_and_counts_refused_ones() -> None:
    clock = Clock()
    windows = LocalWindows(clock)
    item = RateLimitItemPerMinute(2)
    first = windows.hit(item, "thousandeyes", "acme")
    clock.now += 30
    states = [windows.hit(item, "thousandeyes", "acme") for _ in range(2)]
    assert (first.allowed, first.limit, first.remaining, first.reset_time) == (
        True,
        2,
        1,
        1_000_060.0,
    )
    assert [(s.allowed, s.remaining, s.reset_time) for s in states] == [
        (True, 0, 1_000_060.0),
        (False, 0, 1_000_060.0),
    ]


def test_a_new_window_begins_at_the_first_request_after_the_last_one_ended() -> None:
    clock = Clock()
    windows = LocalWindows(clock)
    item = RateLimitItemPerSecond(1)
    assert windows.hit(item, "kandji", "acme").allowed
    assert not windows.hit(item, "kandji", "acme").allowed
    clock.now += 1  # the window's end: over
    state = windows.hit(item, "kandji", "acme")
    assert (state.allowed, state.remaining, state.reset_time) == (True, 0, 1_000_002.0)


def test_keys_and_limits_are_counted_apart() -> None:
    windows = LocalWindows(Clock())
    assert windows.hit(per_minute(1), "thousandeyes", "acme").allowed
    assert windows.hit(per_minute(1), "thousandeyes", "globex").allowed
    assert windows.hit(per_minute(5), "thousandeyes", "acme").remaining == 4  # a changed limit
    assert not windows.hit(per_minute(1), "thousandeyes", "acme").allowed


def test_reset_forgets_every_window() -> None:
    windows = LocalWindows(Clock())
    windows.hit(per_minute(1), "thousandeyes", "acme")
    windows.reset()
    assert windows.hit(per_minute(1), "thousandeyes", "acme").allowed


def test_ended_windows_are_swept_so_memory_follows_the_keys_in_use() -> None:
    clock = Clock()
    windows = LocalWindows(clock)
    for org in range(SWEEP_EVERY - 1):
        windows.hit(RateLimitItemPerSecond(5), "kandji", f"org-{org}")
    clock.now += 2
    windows.hit(RateLimitItemPerSecond(5), "kandji", "still-here")  # the sweeping count
    assert len(windows._windows) == 1


def test_counting_a_request_starts_no_thread() -> None:
    # `limits`' MemoryStorage started a 10 ms expiry timer on a count when none was running:
    # at a directory's pace, a thread for every request.
    limiter = RateLimiter("memory://")
    limiter.open()
    time.sleep(0.05)
    before = set(threading.enumerate())
    started: set[threading.Thread] = set()
    for _ in range(3):
        assert limiter.hit(per_minute(100), "thousandeyes", "acme") is not None
        started |= set(threading.enumerate()) - before
        time.sleep(0.03)
    assert started == set()
