"""Directory commands: integrations, importing users and devices."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer

from rosterd.cli._common import (
    DatabaseUrl,
    JsonFlag,
    Org,
    err,
    open_store,
    print_json,
    print_table,
    reported_errors,
)
from rosterd.cli._files import Spill, read_rows
from rosterd.core.integration_types import INTEGRATION_TYPES

if TYPE_CHECKING:  # the commands import these when they run, so that --help loads only Typer
    from rich.progress import Progress

    from rosterd.core.directory_sync import DirectoryRecord
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
        help="JSON lines, or CSV (name ends in .csv).",
    ),
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
    full: Annotated[
        bool,
        typer.Option(help="A full sync: archive the integration's users the file leaves out."),
    ] = False,
    json_output: JsonFlag = False,
    database_url: DatabaseUrl = None,
) -> None:
    """Import directory users (email, name, department, job_title, external_id, active).

    Idempotent: a user is matched by external id, then by email, and updated in place.
    """
    from rosterd.core.directory_sync import (
        DirectoryRecord,
        DirectorySyncService,
        check_records,
        parse_record,
    )

    store = open_store(database_url)

    def parsed() -> Iterator[DirectoryRecord]:
        return (parse_record(row, where) for where, row in read_rows(file))

    with reported_errors(), Spill(DirectoryRecord._make) as spill:
        records = spill.passes(parsed)
        total = check_records(records)  # the whole file is checked before anything changes
        with _progress() as progress:
            task = progress.add_task("importing users", total=total)
            result = DirectorySyncService(store).import_users(
                org_subdomain=org,
                integration_uuid=integration,
                records=records(),
                full=full,
                progress=lambda done: progress.advance(task, done),
            )
    summary = {
        "created": result.created,
        "updated": result.updated,
        "unchanged": result.unchanged,
        "archived": result.archived,
    }
    if json_output:
        print_json(summary)
    else:
        err.print(", ".join(f"{count} {what}" for what, count in summary.items()))


@devices_app.command("import")
def devices_import(
    org: Org, file: ImportFile, json_output: JsonFlag = False, database_url: DatabaseUrl = None
) -> None:
    """Import devices (serial_number, device_name, model, platform, os_version, asset_tag,
    tags, blueprint_id, mac_address, filevault_enabled, device_id, and user_email or user_id
    to assign one). Known devices get the file's assignment, asset tag and tags."""
    from rosterd.core.devices import DevicesService

    store = open_store(database_url)
    with reported_errors():
        rows = [row for _, row in read_rows(file)]
        result = DevicesService(store).import_devices(org_subdomain=org, records=rows)
    if json_output:
        print_json({"created": result.created, "updated": result.updated})
    else:
        err.print(f"{result.created} created, {result.updated} updated")


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
