"""`rosterd config show` and the `--config FILE` option every command takes.

`--config` sets `ROSTERD_CONFIG` for this process and those it starts (`serve --workers`), so
that every `Settings()` reads the same file.
"""

from __future__ import annotations

import os
from pathlib import Path
from typing import Annotated, Any
from urllib.parse import urlsplit, urlunsplit

import typer

from rosterd.cli._common import JsonFlag, print_json, settings_for

MASK = "********"
HEADER = ("setting", "value", "source")

config_app = typer.Typer(help="Settings.", no_args_is_help=True, rich_markup_mode=None)


ConfigFile = Annotated[
    Path | None,
    typer.Option(
        "--config",
        help="A settings file (TOML); default $ROSTERD_CONFIG or ./rosterd.toml if present.",
        show_default=False,
    ),
]


def use_config_file(config: Path | None) -> None:
    """Every command's settings come from `config` (before the environment, which wins)."""
    if config is not None:
        os.environ["ROSTERD_CONFIG"] = str(config)


@config_app.command("show")
def config_show(json_output: JsonFlag = False) -> None:
    """Print the effective settings and where each comes from, secrets masked."""
    from rosterd.server.settings import source_of

    settings = settings_for(None)
    rows = [
        (name, masked(name, value), source_of(name))
        for name, value in settings.model_dump().items()
    ]
    if json_output:
        print_json({name: {"value": value, "source": source} for name, value, source in rows})
        return
    # Plain columns, never wrapped or cut: a setting per line, whatever the terminal's width.
    shown = [(name, "" if value is None else str(value), source) for name, value, source in rows]
    widths = [max(len(row[i]) for row in [*shown, HEADER]) for i in range(2)]
    for name, value, source in [HEADER, *shown]:
        typer.echo(f"{name:<{widths[0]}}  {value:<{widths[1]}}  {source}".rstrip())


def masked(name: str, value: Any) -> Any:
    """A token or a secret entirely; a URL's password; anything else as it is."""
    if value is None:
        return None
    if name.endswith(("_token", "_secret")):
        return MASK
    if name.endswith("_url"):
        return _without_password(str(value))
    return value


def _without_password(url: str) -> str:
    parts = urlsplit(url)
    if parts.password is None:
        return url
    user = parts.username or ""
    host = parts.netloc.rpartition("@")[2]
    return urlunsplit(parts._replace(netloc=f"{user}:{MASK}@{host}"))
