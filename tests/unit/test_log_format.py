"""`rosterd serve`'s log set-up stops logging from collecting what its format never shows."""

from __future__ import annotations

import logging
import re
from collections.abc import Iterator

import pytest

from rosterd.server.logging import FORMAT, configure_logging

# Record attributes that need what configure_logging turns off.
_NEEDS_CALLER_THREAD_OR_PROCESS = re.compile(
    r"%\((pathname|filename|module|lineno|funcName|thread|threadName|process|processName)\)"
)


@pytest.fixture
def restored_logging() -> Iterator[None]:
    kept = (logging._srcfile, logging.logThreads, logging.logProcesses, logging.logMultiprocessing)
    root = logging.getLogger()
    handlers, level = root.handlers[:], root.level
    yield
    (logging._srcfile, logging.logThreads, logging.logProcesses, logging.logMultiprocessing) = kept
    root.handlers[:] = handlers
    root.setLevel(level)


def test_the_format_shows_nothing_that_is_no_longer_collected() -> None:
    assert not _NEEDS_CALLER_THREAD_OR_PROCESS.search(FORMAT)


def test_records_still_carry_the_format_s_fields(
    restored_logging: None, capsys: pytest.CaptureFixture[str]
) -> None:
    logging.getLogger().handlers.clear()
    configure_logging("info")

    logging.getLogger("rosterd.access").info('{"event": "request"}')

    line = capsys.readouterr().err.strip()
    assert re.fullmatch(
        r"\d{4}-\d\d-\d\d \d\d:\d\d:\d\d,\d{3} INFO rosterd\.access \{\"event\": \"request\"\}",
        line,
    ), line
    assert logging._srcfile is None
    assert (logging.logThreads, logging.logProcesses, logging.logMultiprocessing) == (
        False,
        False,
        False,
    )
