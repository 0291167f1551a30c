"""What every command shares: the store, error output, and JSON printing."""

from __future__ import annotations

import json
import sys
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Annotated, Any

import typer
from rich.console import Console

from rosterd.core.errors import Invalid, RosterdError
from rosterd.server.settings import Settings
from rosterd.storage import SqlDirectoryStore, is_current, make_engine

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


def settings_for(database_url: str | None) -> Settings:
    settings = Settings()
    if database_url:
        settings = settings.model_copy(update={"database_url": database_url})
    return settings


def open_store(database_url: str | None) -> SqlDirectoryStore:
    engine = make_engine(settings_for(database_url).database_url)
    if not is_current(engine):
        err.print("[red]The database schema is not up to date: run `rosterd db upgrade`.[/red]")
        raise typer.Exit(2)
    return SqlDirectoryStore(engine)


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
