"""Log set-up for `rosterd serve`: one line per record on stderr, and never personal data.

Exception messages can quote what a request carried: SQLAlchemy appends a statement's parameters
(emails, names, search terms), PostgreSQL quotes the failing row or value (`DETAIL: Key
(email_key)=(…)`), pydantic quotes the input it refused. So exceptions are logged as their class,
where they were raised (the traceback's frames: code, never values) and only the parts of their
message known to hold none of a request's data (see `describe`).
"""

from __future__ import annotations

import functools
import json
import logging
import re
import sqlite3
import sys
import traceback
import warnings
from collections.abc import Callable
from datetime import UTC, datetime
from typing import TYPE_CHECKING, Any, Final

import pydantic
from sqlalchemy.exc import StatementError
from starlette.types import Scope

if TYPE_CHECKING:
    import psycopg

FORMAT: Final = "%(asctime)s %(levelname)s %(name)s %(message)s"
LOGGED_ERROR_STATE: Final = "rosterd_logged_error"
# PostgreSQL error classes whose primary message names only the schema or the server, never a
# value: connection (08), integrity (23: "violates unique constraint …"; values are in DETAIL,
# which is never logged), transaction state (25, 40), authorization (28), syntax and access (42),
# resources (53, 54), object state (55), operator intervention (57), system (58). Data exceptions
# (22) quote the value they refused ('invalid input syntax for type uuid: "…"').
_PG_CLASSES_WITHOUT_VALUES: Final = frozenset(
    {"08", "23", "25", "28", "40", "42", "53", "54", "55", "57", "58"}
)


def configure_logging(level: str, log_format: str = "text") -> None:
    """Every logger's records (rosterd's, uvicorn's) on stderr, as text or one JSON object a
    line (`ROSTERD_LOG_FORMAT`); does nothing if the root logger has handlers already (an ASGI
    server's own log set-up)."""
    handler = logging.StreamHandler()
    handler.setFormatter(JsonFormatter() if log_format == "json" else PrivateFormatter(FORMAT))
    logging.basicConfig(level=level.upper(), handlers=[handler])
    if handler not in logging.getLogger().handlers:
        return  # another set-up's format may show what the lines below stop collecting
    # A Python warning is a record too, in the log's format: written to stderr bare it broke
    # the JSON log's one-object-a-line. FastAPI silences pydantic's warning about its
    # parameters' aliases with `catch_warnings`, which is not thread-safe: while two dialects
    # are built at once (the warm-up thread and a first request's) it leaked now and then.
    # Alembic announces each of its autogenerate plugins at INFO as it loads them: seven lines
    # on every migrated start that say nothing to an operator (the migrations' lines stay).
    logging.getLogger("alembic.runtime.plugins").setLevel(logging.WARNING)
    logging.captureWarnings(True)
    warnings.filterwarnings(
        "ignore", message=r"The 'alias' attribute with value .* was provided to the `Field\(\)`"
    )
    # FORMAT names no source line, thread or process: don't collect them for every record (the
    # logging HOWTO's "Optimization"; a third of an access log line's cost).
    logging._srcfile = None
    logging.logThreads = False
    logging.logProcesses = False
    logging.logMultiprocessing = False


class PrivateFormatter(logging.Formatter):
    """Tracebacks of any logger (uvicorn's too) as `private_traceback` writes them."""

    def formatException(self, ei: Any) -> str:  # noqa: N802 - logging's name
        _, exc, _ = ei
        # Without the final newline, as logging.Formatter.formatException gives it.
        return private_traceback(exc).rstrip("\n") if exc is not None else ""


class AccessEntry(dict[str, Any]):
    """The access log's fields, the record's message: JSON text in a text log, the fields of
    the line's object in a JSON log."""

    def __str__(self) -> str:
        return json.dumps(self)


class JsonFormatter(PrivateFormatter):
    """`{"time", "level", "logger", "message"}` on one line (or the access log's fields in
    place of `message`), with `traceback` when the record has one, written privately."""

    def format(self, record: logging.LogRecord) -> str:
        entry: dict[str, Any] = {
            "time": datetime.fromtimestamp(record.created, UTC).isoformat(timespec="milliseconds"),
            "level": record.levelname,
            "logger": record.name,
        }
        if isinstance(record.msg, AccessEntry) and not record.args:
            entry |= record.msg
        else:
            entry["message"] = record.getMessage()
        if record.exc_info:
            entry["traceback"] = self.formatException(record.exc_info)
        if record.stack_info:
            entry["stack"] = self.formatStack(record.stack_info)
        return json.dumps(entry, default=str)


def log_unexpected(log: logging.Logger, scope: Scope, exc: BaseException) -> None:
    """One ERROR record for a request that failed unexpectedly: its method, path and id, what
    failed and where, and nothing the request carried. Each exception is logged once."""
    state = scope.setdefault("state", {})
    if state.get(LOGGED_ERROR_STATE) is exc:
        return
    state[LOGGED_ERROR_STATE] = exc
    # The traceback goes in the message, not exc_info: it stays private whatever formatter the
    # ASGI server configured.
    log.error(
        "unexpected error in %s %s (request_id %s): %s\n%s",
        scope.get("method"),
        scope.get("path"),
        state.get("request_id"),
        describe(exc),
        private_traceback(exc).rstrip("\n"),
    )


def describe(exc: BaseException) -> str:
    """`module.Class: detail` on one line, with only the detail known to hold no request data."""
    kind = type(exc)
    name = (
        kind.__qualname__
        if kind.__module__ == "builtins"
        else f"{kind.__module__}.{kind.__qualname__}"
    )
    detail = _detail(exc)
    return f"{name}: {detail}" if detail else name


def private_traceback(exc: BaseException) -> str:
    """A traceback as Python prints it, with `describe` in place of each exception's message."""
    blocks: list[str] = []  # newest first
    seen: set[int] = set()
    current: BaseException | None = exc
    while current is not None:
        seen.add(id(current))
        frames = "".join(traceback.format_list(traceback.extract_tb(current.__traceback__)))
        header = "Traceback (most recent call last):\n" if frames else ""
        blocks.append(f"{header}{frames}{describe(current)}\n")
        current, link = _older(current)
        if current is None or id(current) in seen:
            break
        blocks.append(f"\n{link}\n\n")
    return "".join(reversed(blocks))


def _older(exc: BaseException) -> tuple[BaseException | None, str]:
    """The exception `exc` was raised from or while handling, and how Python says so."""
    if exc.__cause__ is not None:
        return exc.__cause__, "The above exception was the direct cause of the following exception:"
    if exc.__context__ is not None and not exc.__suppress_context__:
        return (
            exc.__context__,
            "During handling of the above exception, another exception occurred:",
        )
    return None, ""


def _detail(exc: BaseException) -> str | None:
    for kind, detail in _details():
        if isinstance(exc, kind):
            return detail(exc)
    # psycopg is imported where PostgreSQL is used, and only there can its errors be raised.
    postgres = sys.modules.get("psycopg")
    if postgres is not None and isinstance(exc, postgres.Error):
        return _postgres_detail(exc)
    return None


def _statement_detail(exc: StatementError) -> str:
    # The statement has placeholders where the values go; engines hide the parameters.
    parts = [describe(exc.orig)] if exc.orig is not None else []
    if exc.statement:
        parts.append(f"SQL: {_one_line(exc.statement)}")
    return "; ".join(parts)


def _postgres_detail(exc: psycopg.Error) -> str | None:
    import psycopg

    sqlstate = exc.sqlstate
    if sqlstate is None:
        # Raised by the driver itself: its connection errors name the server, not data.
        return (
            _one_line(str(exc).splitlines()[0])
            if isinstance(exc, psycopg.OperationalError)
            else None
        )
    primary = exc.diag.message_primary
    if sqlstate[:2] in _PG_CLASSES_WITHOUT_VALUES and primary:
        return f"{sqlstate} {_one_line(primary)}"
    return sqlstate


def _validation_errors(errors: Any) -> str:
    """Where and why each value was refused, never the value (pydantic's `input`)."""
    return ", ".join(
        f"{'.'.join(str(p) for p in e.get('loc', ())) or 'value'} ({e.get('type', 'invalid')})"
        for e in errors
    )


def _one_line(text: str) -> str:
    return re.sub(r"\s+", " ", text).strip()


@functools.cache
def _details() -> tuple[tuple[type[Any], Callable[[Any], str | None]], ...]:
    """What may be said of each kind of exception besides its class; the first match applies.
    Built when something first fails: FastAPI is imported by the dialects, not at start."""
    from fastapi.exceptions import ValidationException

    return (
        (StatementError, _statement_detail),
        # SQLite's messages name tables, columns and constraints, never bound values.
        (sqlite3.Error, lambda e: _one_line(str(e))),
        (pydantic.ValidationError, lambda e: f"{e.title}: {_validation_errors(e.errors())}"),
        (ValidationException, lambda e: _validation_errors(e.errors())),
        (OSError, lambda e: e.strerror),
        (BaseExceptionGroup, lambda e: "; ".join(describe(x) for x in e.exceptions)),
    )
