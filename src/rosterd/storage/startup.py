"""Opening the database for the server or a command: it is refused up front, with one line that
names the file or server and what is wrong, rather than failing on the first request or write."""

from __future__ import annotations

import os
import sqlite3
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from alembic.util import CommandError
from sqlalchemy import Engine, text
from sqlalchemy.engine import URL, make_url
from sqlalchemy.exc import ArgumentError, DBAPIError

from rosterd.storage.engine import BEGIN_MODE_OPTION, make_engine
from rosterd.storage.migrate import is_current, upgrade

_SIDE_FILES = ("-wal", "-shm", "-journal")
_SETTING = "ROSTERD_DATABASE_URL (or --database-url)"
_FORMS = "use sqlite:///path or postgresql://user:password@host/database"


class DatabaseUnusable(Exception):
    """rosterd cannot use the database; the message is one line naming the file or server."""


def open_database(url: str, *, migrate: bool) -> Engine:
    """An engine on a database rosterd can read and write, at the newest schema.

    With `migrate`, pending migrations are applied first (a missing SQLite file is created, and
    removed again if that fails); without it, a missing or outdated schema is refused.
    """
    parsed = _parse(url)
    where = _where(parsed)
    path = _sqlite_file(parsed)
    if path is not None:
        _check_sqlite_path(path, create=migrate)
    created = path is not None and not path.exists()
    try:
        engine = make_engine(url)
    except (ArgumentError, ImportError) as exc:  # e.g. a driver that is not installed
        raise DatabaseUnusable(f"cannot use the database URL in {_SETTING}: {exc}") from exc
    try:
        with _explained(where):
            if migrate:
                upgrade(engine)
            elif not is_current(engine):
                raise DatabaseUnusable(
                    f"the schema of {where} is not up to date: run `rosterd db upgrade`"
                )
            _check_writable(engine)
    except BaseException:
        engine.dispose()
        if created and path is not None:
            _remove_sqlite_files(path)
        raise
    return engine


def _parse(url: str) -> URL:
    try:
        parsed = make_url(url)
    except ArgumentError as exc:
        raise DatabaseUnusable(f"{_SETTING} is not a database URL: {_FORMS}") from exc
    if parsed.get_backend_name() not in ("sqlite", "postgresql"):
        raise DatabaseUnusable(
            f"unsupported database {parsed.get_backend_name()!r} in {_SETTING}: {_FORMS}"
        )
    return parsed


def _where(url: URL) -> str:
    if url.get_backend_name() == "sqlite":
        path = _sqlite_file(url)
        return f"the SQLite database {path or url.database or ':memory:'}"
    return f"the PostgreSQL database {url.render_as_string(hide_password=True)}"


def _sqlite_file(url: URL) -> Path | None:
    """The file of a SQLite URL; None for in-memory databases and `file:` URIs."""
    if url.get_backend_name() != "sqlite" or url.query.get("uri"):
        return None
    if not url.database or url.database == ":memory:":
        return None
    return Path(url.database).absolute()


def _check_sqlite_path(path: Path, *, create: bool) -> None:
    if not path.parent.is_dir():
        raise DatabaseUnusable(
            f"the directory {path.parent} of the SQLite database {path} does not exist"
        )
    if path.exists():
        return
    # Connecting would create an empty file, which is not a database rosterd can use.
    if not create:
        raise DatabaseUnusable(
            f"there is no SQLite database at {path}: create it with `rosterd db upgrade`"
        )
    if not os.access(path.parent, os.W_OK | os.X_OK):
        raise DatabaseUnusable(
            f"cannot create the SQLite database {path}: its directory is read-only"
        )


def _check_writable(engine: Engine) -> None:
    """A no-op write, rolled back: SQLite opens a file it may not write read-only, without a
    word, and a PostgreSQL replica answers reads; both would fail every write instead."""
    options = {BEGIN_MODE_OPTION: "IMMEDIATE"}
    with engine.connect().execution_options(**options) as conn, conn.begin() as transaction:
        conn.execute(text("UPDATE alembic_version SET version_num = version_num"))
        transaction.rollback()


@contextmanager
def _explained(where: str) -> Iterator[None]:
    try:
        yield
    except DBAPIError as exc:
        raise DatabaseUnusable(_reason(where, exc.orig)) from exc
    except CommandError as exc:  # e.g. a schema revision this version does not know
        raise DatabaseUnusable(f"cannot migrate {where}: {exc}") from exc


def _reason(where: str, error: BaseException | None) -> str:
    if isinstance(error, sqlite3.Error):
        return _sqlite_reason(where, error)
    return _postgres_reason(where, error)


def _postgres_reason(where: str, error: BaseException | None) -> str:
    import psycopg  # here, not above: commands on SQLite need not load it

    if isinstance(error, psycopg.errors.ReadOnlySqlTransaction):
        return f"{where} is read-only: {_one_line(error)}"
    if isinstance(error, psycopg.OperationalError):
        return f"cannot connect to {where}: {_one_line(error)}"
    return f"cannot use {where}: {_one_line(error)}"


def _sqlite_reason(where: str, error: sqlite3.Error) -> str:
    name = getattr(error, "sqlite_errorname", "")
    if name.startswith("SQLITE_READONLY"):
        return (
            f"{where} is read-only: rosterd must be able to write it, and to create its -wal "
            "and -shm files in its directory"
        )
    if name.startswith("SQLITE_CANTOPEN"):
        return f"cannot open {where}: {error}"
    if name == "SQLITE_NOTADB":
        return f"cannot open {where}: the file is not a SQLite database"
    if name == "SQLITE_FULL" or name.startswith("SQLITE_IOERR"):
        return f"cannot write {where}: {error}"
    return f"cannot use {where}: {error}"


def _one_line(error: BaseException | None) -> str:
    return " ".join(str(error).split()) or type(error).__name__


def _remove_sqlite_files(path: Path) -> None:
    for name in (path, *(path.with_name(path.name + suffix) for suffix in _SIDE_FILES)):
        name.unlink(missing_ok=True)
