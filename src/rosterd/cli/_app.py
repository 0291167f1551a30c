"""Command groups: serve, db, orgs, tokens, users.

Building the command line (all that `--help` needs) imports Typer and little else: each command
imports the core services, the database and the server itself, when it runs.
"""

from __future__ import annotations

import contextlib
import os
import secrets
import sys
import tempfile
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Any

import typer

from rosterd.cli import _config, _directory, _reads
from rosterd.cli._common import (
    DatabaseUrl,
    JsonFlag,
    Org,
    err,
    open_store,
    print_json,
    print_table,
    refuse,
    reported_errors,
    reported_startup_errors,
    reported_usage_errors,
    settings_for,
)

if TYPE_CHECKING:
    from rosterd.server.settings import Settings

# Every group prints Click's plain help: Typer's Rich help formatting alone imports Rich,
# markdown-it and Pygments, about 0.3 s of each `--help`.
app = typer.Typer(
    help="rosterd: a self-hosted user directory.", no_args_is_help=True, rich_markup_mode=None
)
db_app = typer.Typer(help="Database schema.", no_args_is_help=True, rich_markup_mode=None)
orgs_app = typer.Typer(help="Organizations.", no_args_is_help=True, rich_markup_mode=None)
tokens_app = typer.Typer(help="API tokens.", no_args_is_help=True, rich_markup_mode=None)
users_app = typer.Typer(help="Users.", no_args_is_help=True, rich_markup_mode=None)
app.add_typer(db_app, name="db")
app.add_typer(orgs_app, name="orgs")
app.add_typer(tokens_app, name="tokens")
app.add_typer(users_app, name="users")
app.add_typer(_directory.integrations_app, name="integrations")
app.add_typer(_directory.devices_app, name="devices")
app.add_typer(_config.config_app, name="config")
app.add_typer(_reads.account_groups_app, name="account-groups")
app.add_typer(_reads.roles_app, name="roles")
app.add_typer(_reads.audit_app, name="audit")
orgs_app.command("list")(_reads.orgs_list)
users_app.command("list")(_reads.users_list)
users_app.command("show")(_reads.users_show)
_directory.devices_app.command("list")(_reads.devices_list)
_directory.devices_app.command("assign")(_reads.devices_assign)
_directory.devices_app.command("unassign")(_reads.devices_unassign)
users_app.command("import")(_directory.users_import)

Email = Annotated[str, typer.Option("--email", help="The user's email address.")]


def _print_version(value: bool) -> None:
    if value:
        from rosterd import __version__

        typer.echo(f"rosterd {__version__}")
        raise typer.Exit()


@app.callback()
def _root(
    version: Annotated[
        bool,
        typer.Option(
            "--version", callback=_print_version, is_eager=True, help="Print the version and exit."
        ),
    ] = False,
    config: _config.ConfigFile = None,
) -> None:
    """rosterd: a self-hosted user directory."""
    _config.use_config_file(config)


@app.command()
def serve(
    host: Annotated[str, typer.Option(help="Address to listen on.")] = "127.0.0.1",
    port: Annotated[int, typer.Option(help="Port to listen on.")] = 8000,
    database_url: DatabaseUrl = None,
    demo: Annotated[bool, typer.Option(help="Seed a demo organization and print a token.")] = False,
    migrate: Annotated[bool, typer.Option(help="Upgrade the schema before serving.")] = True,
    workers: Annotated[
        int,
        typer.Option(min=1, help="Worker processes (use PostgreSQL and Redis for more than 1)."),
    ] = 1,
    control: Annotated[
        bool,
        typer.Option(
            help="Serve the control plane at /_rosterd (reset, snapshots, faults; "
            "docs/testing.md), with ROSTERD_CONTROL_TOKEN or a token printed at start."
        ),
    ] = False,
    ephemeral: Annotated[
        bool,
        typer.Option(help="Keep the database in a temporary SQLite file, removed at exit."),
    ] = False,
    seed_file: Annotated[
        Path | None,
        typer.Option("--seed", help="Load this seed file (YAML or JSON) before serving."),
    ] = None,
) -> None:
    """Run the HTTP server."""
    if control and workers > 1:
        refuse("--control keeps its state in one process: use --workers 1")
    if demo and not _loopback(host):
        refuse(
            "--demo serves its published token on loopback only "
            "(127.0.0.1, ::1); for another address load a seed with your own tokens (--seed)"
        )
    if ephemeral and database_url:
        refuse("--ephemeral makes its own database: drop --database-url")
    with contextlib.ExitStack() as stack:
        if ephemeral:
            from rosterd.storage.templates import new_migrated_sqlite

            folder = stack.enter_context(tempfile.TemporaryDirectory(prefix="rosterd-"))
            new_migrated_sqlite(Path(folder) / "rosterd.db")
            database_url = f"sqlite:///{Path(folder) / 'rosterd.db'}"
        _serve(
            host,
            port,
            database_url,
            demo=demo,
            migrate=migrate or ephemeral,
            workers=workers,
            control=control,
            seed_file=seed_file,
        )


def _loopback(host: str) -> bool:
    from rosterd.server.hosts import is_loopback  # the server's rule, imported when needed

    return is_loopback(host)


def _serve(
    host: str,
    port: int,
    database_url: str | None,
    *,
    demo: bool,
    migrate: bool,
    workers: int,
    control: bool,
    seed_file: Path | None,
) -> None:
    import uvicorn

    from rosterd.server import create_app
    from rosterd.server.hosts import warn_if_any_host_is_linked
    from rosterd.server.limits import server_options
    from rosterd.server.logging import configure_logging

    settings = settings_for(database_url)
    configure_logging(settings.log_level, settings.log_format)
    warn_if_any_host_is_linked(settings, host)
    store = open_store(settings.database_url, migrate=migrate)
    if demo:
        from rosterd.cli import _demo

        with reported_errors():
            _demo.seed_and_announce(store, f"http://{host}:{port}")
    if seed_file is not None:
        _load_seed(store, seed_file)
    if control:
        given = settings.control_token
        token = given or f"rstc_{secrets.token_urlsafe(24)}"
        settings = settings.model_copy(update={"control": True, "control_token": token})
        where = f"control plane at http://{host}:{port}/_rosterd"
        if given:
            err.print(f"{where} (token: ROSTERD_CONTROL_TOKEN)")
        else:
            err.print(f"{where}, token:")
            typer.echo(token)
    options: dict[str, Any] = {
        "host": host,
        "port": port,
        "access_log": False,
        "log_config": None,
        **server_options(settings),
    }
    with contextlib.ExitStack() as stack:
        _serve_metrics(stack, settings)
        if workers == 1:
            uvicorn.run(create_app(settings, store), **options)
            return
        # Each worker process builds its own app from the environment.
        os.environ["ROSTERD_DATABASE_URL"] = settings.database_url
        uvicorn.run("rosterd.server.asgi:app", workers=workers, **options)


def _serve_metrics(stack: contextlib.ExitStack[bool | None], settings: Settings) -> None:
    from rosterd.server.operations import MetricsUnavailable, metrics_serving

    try:
        stack.enter_context(metrics_serving(settings))
    except MetricsUnavailable as exc:
        refuse(str(exc))


@db_app.command("upgrade")
def db_upgrade(database_url: DatabaseUrl = None) -> None:
    """Create or upgrade the schema to the newest migration."""
    from rosterd.storage.startup import open_database

    open_database(settings_for(database_url).database_url, migrate=True).dispose()
    err.print("schema is up to date")


@db_app.command("backup")
def db_backup(
    destination: Annotated[Path, typer.Argument(help="The file to write (must not exist).")],
    database_url: DatabaseUrl = None,
) -> None:
    """Copy the live SQLite database to a file, consistently, while rosterd keeps serving."""
    from rosterd.storage.backup import backup_sqlite

    url = settings_for(database_url).database_url
    try:
        size = backup_sqlite(url, destination)
    except (ValueError, FileExistsError, FileNotFoundError) as exc:
        refuse(str(exc))
    err.print(f"backed up {size} bytes to {destination}")


@orgs_app.command("create")
def orgs_create(
    name: Annotated[str, typer.Option(help="Display name.")],
    subdomain: Annotated[str, typer.Option(help="Unique subdomain, e.g. acme.")],
    admin_email: Annotated[str, typer.Option(help="Email of the first Organization Admin.")],
    rate_limit: Annotated[
        int | None, typer.Option(help="ThousandEyes API requests per minute (default 240).")
    ] = None,
    json_output: JsonFlag = False,
    database_url: DatabaseUrl = None,
) -> None:
    """Create an organization, its default account group, an admin user and their API token."""
    from rosterd.core.audit import CLI_ACTOR
    from rosterd.core.organizations import OrganizationsService

    store = open_store(database_url)
    with reported_errors():
        created = OrganizationsService(store).create_organization(
            name=name,
            subdomain=subdomain,
            admin_email=admin_email,
            rate_limit_per_minute=rate_limit,
            actor=CLI_ACTOR,
        )
    if json_output:
        print_json(
            {
                "org": {"name": created.org.name, "subdomain": created.org.subdomain},
                "account_group": {
                    "aid": str(created.account_group.aid),
                    "name": created.account_group.name,
                },
                "admin": {
                    "uid": str(created.admin.uid),
                    "id": str(created.admin.id),
                    "email": created.admin.email,
                },
                "token": created.token,
            }
        )
        return
    err.print(f"created organization {subdomain!r} (account group {created.account_group.aid})")
    err.print(f"admin {admin_email} has uid {created.admin.uid}; API token (shown once):")
    typer.echo(created.token)


@tokens_app.command("create")
def tokens_create(
    org: Org,
    email: Email,
    name: Annotated[str, typer.Option(help="A label for the token.")] = "",
    permission: Annotated[
        list[str] | None,
        typer.Option(
            help='Limit the token to an endpoint of either API, e.g. "GET /api/v1/users" or '
            '"GET /v7/users/{id}"; repeatable. Without any, the token may call every endpoint.'
            " A limited token is refused (403) everywhere else."
        ),
    ] = None,
    json_output: JsonFlag = False,
    database_url: DatabaseUrl = None,
) -> None:
    """Issue an API token for a user; the token is shown this once."""
    from rosterd.core.audit import CLI_ACTOR
    from rosterd.core.auth import AuthService

    store = open_store(database_url)
    with reported_errors():
        issued = AuthService(store).create_token(
            org_subdomain=org,
            email=email,
            name=name,
            actor=CLI_ACTOR,
            permissions=_directory.endpoint_permissions(permission or []),
        )
    if json_output:
        print_json({"token": issued.token})
    else:
        typer.echo(issued.token)


@tokens_app.command("list")
def tokens_list(
    org: Org, email: Email, json_output: JsonFlag = False, database_url: DatabaseUrl = None
) -> None:
    """List a user's API tokens: ids, labels and dates (the secrets are never stored)."""
    from rosterd.core.auth import AuthService

    store = open_store(database_url)
    with reported_errors():
        tokens = AuthService(store).list_tokens(org_subdomain=org, email=email)
    rows = [
        {
            "id": str(t.id),
            "name": t.name,
            "created_at": t.created_at.isoformat(),
            "revoked_at": t.revoked_at.isoformat() if t.revoked_at else None,
        }
        for t in tokens
    ]
    if json_output:
        print_json({"tokens": rows})
        return
    print_table(
        {"id": "id", "name": "name", "created": "created_at", "revoked": "revoked_at"}, rows
    )


@tokens_app.command("revoke")
def tokens_revoke(
    org: Org,
    token: Annotated[str | None, typer.Option(help="The token to revoke.")] = None,
    token_id: Annotated[
        int | None, typer.Option("--id", help="The id of the token (see `tokens list`).")
    ] = None,
    database_url: DatabaseUrl = None,
) -> None:
    """Revoke an API token: it is refused (401) from the next request on."""
    from rosterd.core.audit import CLI_ACTOR
    from rosterd.core.auth import AuthService

    store = open_store(database_url)
    with reported_errors():
        AuthService(store).revoke_token(
            org_subdomain=org, token=token, token_id=token_id, actor=CLI_ACTOR
        )
    err.print("token revoked")


@users_app.command("confirm-email")
def users_confirm_email(org: Org, email: Email, database_url: DatabaseUrl = None) -> None:
    """Confirm a user's changed email address, so that their API tokens work again."""
    from rosterd.core.audit import CLI_ACTOR
    from rosterd.core.organizations import OrganizationsService

    store = open_store(database_url)
    with reported_errors():
        OrganizationsService(store).confirm_email(org_subdomain=org, email=email, actor=CLI_ACTOR)
    err.print(f"email {email} confirmed")


SeedFile = Annotated[
    Path,
    typer.Argument(help="A seed file, YAML or JSON (docs/testing.md).", show_default=False),
]


@app.command("seed")
def seed(file: SeedFile, database_url: DatabaseUrl = None) -> None:
    """Load a starting state declared in a file: all of it, or nothing."""
    _load_seed(open_store(database_url), file)


def _load_seed(store: Any, file: Path) -> None:
    """Parse and write `file`, and say so; its problems one per line on stderr, status 2."""
    from rosterd.core.audit import CLI_ACTOR
    from rosterd.seeds import SeedError, load_seed, read_seed

    try:
        result = load_seed(store, read_seed(file), actor=CLI_ACTOR)
    except SeedError as exc:
        for problem in exc.problems:
            err.print(f"error: {problem}", markup=False, highlight=False)
        raise typer.Exit(2) from None
    count = len(result.organizations)
    err.print(f"seeded {count} organization{'s' if count != 1 else ''} from {file}")


def main() -> None:
    """`rosterd`: Click's own handling of usage errors is off (standalone mode), so that each
    is one line on stderr (`reported_usage_errors`), not a usage block or a traceback."""
    with reported_startup_errors(), reported_usage_errors():
        status = app(standalone_mode=False)  # a status when a command or --help exits early
    sys.exit(status if isinstance(status, int) else 0)
