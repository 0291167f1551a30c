"""Directory commands: integrations, importing users and devices."""

from __future__ import annotations

import sys
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, cast

import typer

from rosterd.cli._common import (
    DatabaseUrl,
    JsonFlag,
    Org,
    bulk_collection,
    err,
    open_store,
    print_json,
    print_table,
    refuse,
    reported_errors,
)
from rosterd.core.import_files import FORMATS, Format, read_rows
from rosterd.core.integration_types import INTEGRATION_TYPES

if TYPE_CHECKING:  # the commands import these when they run, so that --help loads only Typer
    from rich.progress import Progress

    from rosterd.core.directory_sync import ImportPlan, SyncResult
    from rosterd.core.entities import EndpointPermission

# Plain help, as every group's (see _app).
integrations_app = typer.Typer(
    help="Directory integrations.", no_args_is_help=True, rich_markup_mode=None
)
devices_app = typer.Typer(help="Devices.", no_args_is_help=True, rich_markup_mode=None)

IntegrationId = Annotated[str, typer.Option("--integration", help="The integration's UUID.")]
ImportFile = Annotated[
    Path,
    typer.Argument(
        exists=True,
        dir_okay=False,
        readable=True,
        metavar="FILE",
        help="CSV with a header row, JSON lines, or a JSON array of objects (docs/cli.md).",
    ),
]


def _known_format(value: str | None) -> str | None:
    if value is not None and value not in FORMATS:
        raise typer.BadParameter(f"{value!r} is not one of {', '.join(map(repr, FORMATS))}")
    return value


FormatOption = Annotated[
    str | None,
    typer.Option(
        "--format",
        help="The file's format: csv, jsonl or json; by default told from its first character.",
        callback=_known_format,
        show_default=False,
    ),
]
DryRun = Annotated[
    bool, typer.Option("--dry-run", help="Print what the import would change; change nothing.")
]


@integrations_app.command("create")
def integrations_create(
    org: Org,
    name: Annotated[str, typer.Option(help="A name for the integration.")],
    type: Annotated[str, typer.Option(help=f"One of: {', '.join(INTEGRATION_TYPES)}.")],
    json_output: JsonFlag = False,
    database_url: DatabaseUrl = None,
) -> None:
    """Create a directory integration; a `scim` one gets a SCIM bearer token, shown this once."""
    from rosterd.core.audit import CLI_ACTOR
    from rosterd.core.integrations import IntegrationsService

    store = open_store(database_url)
    with reported_errors():
        created = IntegrationsService(store).create_integration(
            org_subdomain=org, name=name, type=type, actor=CLI_ACTOR
        )
    integration = created.integration
    if json_output:
        print_json(
            {
                "id": integration.id,
                "uuid": str(integration.uuid),
                "name": integration.name,
                "type": integration.type,
                "scim_token": created.scim_token,
            }
        )
        return
    err.print(f"created {integration.type} integration {integration.name!r}")
    typer.echo(str(integration.uuid))
    if created.scim_token:
        err.print("SCIM bearer token (shown once):")
        typer.echo(created.scim_token)


@integrations_app.command("list")
def integrations_list(
    org: Org, json_output: JsonFlag = False, database_url: DatabaseUrl = None
) -> None:
    """List the organization's directory integrations."""
    from rosterd.core.integrations import IntegrationsService

    store = open_store(database_url)
    with reported_errors():
        found = IntegrationsService(store).list_integrations(org_subdomain=org)
    rows = [{"id": i.id, "uuid": str(i.uuid), "name": i.name, "type": i.type} for i in found]
    if json_output:
        print_json({"integrations": rows})
        return
    print_table({"id": "id", "uuid": "uuid", "type": "type", "name": "name"}, rows)


@integrations_app.command("rotate-token")
def integrations_rotate_token(
    org: Org,
    integration: IntegrationId,
    json_output: JsonFlag = False,
    database_url: DatabaseUrl = None,
) -> None:
    """Give a `scim` integration a new SCIM token, shown this once; the old one stops working."""
    from rosterd.core.audit import CLI_ACTOR
    from rosterd.core.integrations import IntegrationsService

    store = open_store(database_url)
    with reported_errors():
        token = IntegrationsService(store).rotate_scim_token(
            org_subdomain=org, integration=integration, actor=CLI_ACTOR
        )
    if json_output:
        print_json({"uuid": integration, "scim_token": token})
        return
    err.print("new SCIM bearer token (shown once); the old one no longer works:")
    typer.echo(token)


@integrations_app.command("revoke-token")
def integrations_revoke_token(
    org: Org, integration: IntegrationId, database_url: DatabaseUrl = None
) -> None:
    """Stop a `scim` integration's SCIM token working (its users and groups stay)."""
    from rosterd.core.audit import CLI_ACTOR
    from rosterd.core.integrations import IntegrationsService

    store = open_store(database_url)
    with reported_errors():
        IntegrationsService(store).revoke_scim_token(
            org_subdomain=org, integration=integration, actor=CLI_ACTOR
        )
    err.print("SCIM token revoked; `rosterd integrations rotate-token` issues a new one")


def users_import(
    org: Org,
    integration: IntegrationId,
    file: ImportFile,
    format: FormatOption = None,
    full: Annotated[
        bool,
        typer.Option(help="A full sync: archive the integration's users the file leaves out."),
    ] = False,
    yes: Annotated[
        bool,
        typer.Option("--yes", help="Archive with --full without asking (needed with no terminal)."),
    ] = False,
    dry_run: DryRun = False,
    json_output: JsonFlag = False,
    database_url: DatabaseUrl = None,
) -> None:
    """Import directory users (email, name, department, job_title, external_id, active).

    Idempotent: a user is matched by external id, then by email, and updated in place.
    """
    from rosterd.core.directory_import import checked_directory_file
    from rosterd.core.directory_sync import DirectorySyncService

    if full and not (yes or dry_run) and not sys.stdin.isatty():
        refuse("--full archives the users the file leaves out: confirm with --yes (no terminal)")
    service = DirectorySyncService(open_store(database_url))

    with reported_errors(), bulk_collection():
        service.check_import_target(org_subdomain=org, integration_uuid=integration)
        # The whole file is checked before anything changes.
        with checked_directory_file(file, format=_format(format)) as checked:
            records = checked.records
            if dry_run or (full and not yes):
                plan = service.plan_import(
                    org_subdomain=org, integration_uuid=integration, records=records(), full=full
                )
                if dry_run:
                    _print_plan(plan, json_output=json_output)
                    return
                _confirm_archiving(plan.counts.archived)
            with _progress() as progress:
                task = progress.add_task("importing users", total=checked.total)
                result = service.import_users(
                    org_subdomain=org,
                    integration_uuid=integration,
                    records=records(),
                    full=full,
                    progress=lambda done: progress.advance(task, done),
                )
    _print_counts(_counts(result), json_output=json_output)


def _confirm_archiving(count: int) -> None:
    """Ask before a full sync archives anyone (`--yes` skips the question)."""
    if count == 0:
        return
    users = "user" if count == 1 else "users"
    err.print(f"the file leaves out {count} of the integration's {users}: --full archives them")
    # Asked on stderr and read from stdin (Click's confirm writes a space to stdout).
    sys.stderr.write(f"Archive {count} {users}? [y/N]: ")
    sys.stderr.flush()
    try:
        answer = sys.stdin.readline()
    except KeyboardInterrupt:
        sys.stderr.write("\n")  # the error goes on a line of its own
        answer = ""
    if answer.strip().lower() not in ("y", "yes"):
        raise typer.Abort


def _counts(result: SyncResult) -> dict[str, int]:
    return {
        "created": result.created,
        "updated": result.updated,
        "unchanged": result.unchanged,
        "archived": result.archived,
    }


def _print_counts(counts: dict[str, int], *, json_output: bool) -> None:
    """An import's counts: one JSON object on stdout, or a line on stderr."""
    if json_output:
        print_json(counts)
    else:
        err.print(", ".join(f"{count} {what}" for what, count in counts.items()))


def _print_plan(plan: ImportPlan, *, json_output: bool) -> None:
    """A dry run's plan on stdout: the counts, and the first few users of each kind."""
    updated = [{"email": u.email, "fields": list(u.fields)} for u in plan.updated]
    if json_output:
        examples = {"created": plan.created, "updated": updated, "archived": plan.archived}
        print_json({"dry_run": True, **_counts(plan.counts), "examples": examples})
        return
    counts = ", ".join(f"{count} {what}" for what, count in _counts(plan.counts).items())
    lines = [f"dry run, nothing written: {counts}"]
    lines += [f"  create  {email}" for email in plan.created]
    lines += [f"  update  {u.email} ({', '.join(u.fields)})" for u in plan.updated]
    lines += [f"  archive {email}" for email in plan.archived]
    typer.echo("\n".join(lines))


@devices_app.command("import")
def devices_import(
    org: Org,
    file: ImportFile,
    format: FormatOption = None,
    dry_run: DryRun = False,
    json_output: JsonFlag = False,
    database_url: DatabaseUrl = None,
) -> None:
    """Import devices (serial_number, device_name, model, platform, os_version, asset_tag,
    tags, blueprint_id, mac_address, filevault_enabled, device_id, and user_email or user_id
    to assign one). Known devices get the file's assignment, asset tag and tags."""
    from rosterd.core.devices import DEVICE_FIELDS, DevicesService

    service = DevicesService(open_store(database_url))
    with reported_errors(), bulk_collection():
        service.check_import_target(org_subdomain=org)
        rows = list(read_rows(file, format=_format(format), columns=DEVICE_FIELDS))
        result = service.import_devices(
            org_subdomain=org,
            records=[row for _, row in rows],
            places=[where for where, _ in rows],
            dry_run=dry_run,
        )
    counts = {"created": result.created, "updated": result.updated}
    if not dry_run:
        _print_counts(counts, json_output=json_output)
    elif json_output:
        print_json({"dry_run": True, **counts})
    else:
        typer.echo(f"dry run, nothing written: {result.created} created, {result.updated} updated")


def _format(given: str | None) -> Format | None:
    return cast("Format | None", given)  # checked by _known_format


def endpoint_permissions(values: list[str]) -> list[EndpointPermission]:
    """`"GET /api/v1/users"` → an endpoint permission; only documented endpoints are accepted."""
    # The web stack, only when asked for.
    from rosterd.seeds import known_endpoints

    return known_endpoints(values)


def _progress() -> Progress:
    from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn

    return Progress(
        TextColumn("{task.description}"),
        BarColumn(),
        MofNCompleteColumn(),
        TimeElapsedColumn(),
        console=err.console,
        transient=False,
    )
