"""`rosterd serve`'s log set-up stops logging from collecting what its format never shows."""

from __future__ import annotations

import json
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


def test_a_logging_set_up_already_there_is_left_as_it_is(restored_logging: None) -> None:
    root = logging.getLogger()
    theirs = logging.StreamHandler()
    root.handlers[:] = [theirs]
    logging._srcfile = "kept"  # type: ignore[assignment]

    configure_logging("info", "json")

    assert root.handlers == [theirs]
    assert logging._srcfile == "kept"


def test_a_json_record_with_a_traceback_keeps_it_private(
    restored_logging: None, capsys: pytest.CaptureFixture[str]
) -> None:
    logging.getLogger().handlers.clear()
    configure_logging("info", "json")

    secret = "jane@example.com"
    try:
        raise KeyError(secret)
    except KeyError:
        logging.getLogger("rosterd.unit").exception("failed %s", "here")
    line = capsys.readouterr().err
    entry = json.loads(line)

    assert line.count("\n") == 1
    assert (entry["level"], entry["logger"], entry["message"]) == (
        "ERROR",
        "rosterd.unit",
        "failed here",
    )
    assert entry["traceback"].startswith("Traceback (most recent call last):\n")
    assert entry["traceback"].endswith("\nKeyError")
    assert "jane" not in line
