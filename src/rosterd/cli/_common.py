"""What every command shares: the store, error output, and JSON printing."""

from __future__ import annotations

import json
import sys
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Annotated, Any

import typer
from pydantic import ValidationError
from pydantic_settings import SettingsError
from rich.console import Console
from rich.markup import escape
from sqlalchemy.exc import SQLAlchemyError

from rosterd.core.errors import Invalid, RosterdError
from rosterd.server.settings import Settings
from rosterd.storage import SqlDirectoryStore
from rosterd.storage.startup import DatabaseUnusable, open_database

err = Console(stderr=True, soft_wrap=True)

DatabaseUrl = Annotated[
    str | None,
    typer.Option(
        "--database-url",
        help="SQLAlchemy URL (sqlite:///path or postgresql://...); default $ROSTERD_DATABASE_URL "
        "or sqlite:///rosterd.db",
        show_default=False,
    ),
]
JsonFlag = Annotated[bool, typer.Option("--json", help="Print one JSON object and nothing else.")]


class InvalidSettings(Exception):
    """A `ROSTERD_*` variable has a value rosterd cannot use; the message names it."""


def settings_for(database_url: str | None) -> Settings:
    try:
        settings = Settings()
    except ValidationError as exc:
        raise InvalidSettings(_settings_problems(exc)) from exc
    except SettingsError as exc:  # a value pydantic-settings could not even parse
        raise InvalidSettings(f"invalid setting: {exc}") from exc
    if database_url:
        settings = settings.model_copy(update={"database_url": database_url})
    return settings


def _settings_problems(exc: ValidationError) -> str:
    """`invalid setting ROSTERD_X: why` (never the value, which may be a password)."""
    prefix = Settings.model_config.get("env_prefix", "")
    problems = []
    for error in exc.errors():
        name = prefix + "_".join(str(part) for part in error["loc"]).upper()
        reason = error["ctx"]["error"] if error["type"] == "value_error" else error["msg"]
        problems.append(f"{name}: {reason}")
    return f"invalid setting{'s' if len(problems) > 1 else ''} {'; '.join(problems)}"


def open_store(database_url: str | None, *, migrate: bool = False) -> SqlDirectoryStore:
    """The store, once the database is known to be usable (see `open_database`)."""
    return SqlDirectoryStore(
        open_database(settings_for(database_url).database_url, migrate=migrate)
    )


@contextmanager
def reported_startup_errors() -> Iterator[None]:
    """Bad settings and unusable databases are one line on stderr and exit status 2; a database
    failing mid-command one line and status 1. Never a traceback, which could hold the data of
    the statement that failed."""
    try:
        yield
    except (InvalidSettings, DatabaseUnusable) as exc:
        err.print(f"[red]error:[/red] {escape(str(exc))}")
        sys.exit(2)
    except SQLAlchemyError as exc:
        from rosterd.server.logging import describe

        err.print(f"[red]error:[/red] the database failed: {escape(describe(exc))}")
        sys.exit(1)


@contextmanager
def reported_errors() -> Iterator[None]:
    """Core errors become a one-line message and exit status 1, never a traceback."""
    try:
        yield
    except RosterdError as exc:
        err.print(f"[red]error:[/red] {exc.message}")
        if isinstance(exc, Invalid):
            for problem in exc.errors:
                err.print(f"  {problem.field}: {problem.message}")
        raise typer.Exit(1) from exc


def print_json(value: Any) -> None:
    sys.stdout.write(json.dumps(value) + "\n")
