"""Read commands: what is in the directory, for people (tables) and scripts (--json, --jsonl).

Each is a thin command over `core.operator_reads`: the operator runs rosterd, so no API caller's
permissions apply, and each read stays within the organization it names.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Annotated, Any

import typer

from rosterd.cli._common import (
    DatabaseUrl,
    JsonFlag,
    Listing,
    Org,
    listing,
    open_store,
    print_json,
    print_table,
    reported_errors,
)

if TYPE_CHECKING:  # imported when a command runs, so that --help loads only Typer
    from rosterd.core.entities import AuditEvent, DeviceView, DirectoryUser, Organization
    from rosterd.core.operator_reads import OperatorReadsService

# Plain help, as every group's (see _app).
account_groups_app = typer.Typer(
    help="Account groups.", no_args_is_help=True, rich_markup_mode=None
)
roles_app = typer.Typer(help="Roles.", no_args_is_help=True, rich_markup_mode=None)
audit_app = typer.Typer(help="The audit log.", no_args_is_help=True, rich_markup_mode=None)

Limit = Annotated[int, typer.Option("--limit", min=1, max=1000, help="At most this many.")]


def _reads(database_url: str | None) -> OperatorReadsService:
    """The operator's reads over the store `database_url` names."""
    from rosterd.core.operator_reads import OperatorReadsService

    return OperatorReadsService(open_store(database_url))


def _organization(org: Organization) -> dict[str, Any]:
    return {
        "id": org.id,
        "subdomain": org.subdomain,
        "name": org.name,
        "rate_limit_per_minute": org.rate_limit_per_minute,
        "created_at": org.created_at.isoformat(),
    }


@listing
def orgs_list(database_url: DatabaseUrl = None) -> Listing:
    """List the organizations, oldest first."""
    with reported_errors():
        found = _reads(database_url).list_organizations()
    rows = [_organization(o) for o in found]
    columns = {"id": "id", "subdomain": "subdomain", "name": "name", "created": "created_at"}
    return Listing("organizations", columns, rows)


def _user(found: DirectoryUser) -> dict[str, Any]:
    u = found.user
    return {
        "uid": u.uid,
        "id": str(u.id),
        "email": u.email,
        "name": u.name,
        "active": u.active,
        "archived": u.archived,
        "department": u.department,
        "job_title": u.job_title,
        "integration": str(found.integration.uuid) if found.integration else None,
        "device_count": found.device_count,
        "created_at": u.created_at.isoformat(),
    }


@listing
def users_list(
    org: Org,
    email: Annotated[str | None, typer.Option(help="Emails containing this text.")] = None,
    integration: Annotated[str | None, typer.Option(help="An integration's UUID.")] = None,
    archived: Annotated[
        bool | None, typer.Option("--archived/--not-archived", help="Archived or not.")
    ] = None,
    account_group: Annotated[
        int | None, typer.Option(help="Users with a role in this account group (its id).")
    ] = None,
    after: Annotated[int | None, typer.Option(help="The page after this uid.")] = None,
    limit: Limit = 50,
    database_url: DatabaseUrl = None,
) -> Listing:
    """List an organization's users in uid order, a page at a time."""
    from rosterd.core.operator_reads import parse_uuid_option
    from rosterd.core.ports import OperatorUserQuery

    with reported_errors():
        query = OperatorUserQuery(
            email_contains=email or None,
            integration_uuid=parse_uuid_option(integration, "--integration"),
            archived=archived,
            account_group=account_group,
            after_uid=after,
            limit=limit,
        )
        page = _reads(database_url).list_users(org_subdomain=org, query=query)
    rows = [_user(u) for u in page.users]
    columns = {
        "uid": "uid",
        "email": "email",
        "name": "name",
        "active": "active",
        "archived": "archived",
        "devices": "device_count",
    }
    more = None if page.next_after is None else f"more: --after {page.next_after}"
    return Listing("users", columns, rows, {"next_after": page.next_after}, note=more)


def users_show(
    org: Org,
    user: Annotated[str, typer.Argument(help="The user's email, uid or UUID.")],
    json_output: JsonFlag = False,
    database_url: DatabaseUrl = None,
) -> None:
    """Show one user: the account, login account group, roles and API tokens."""
    with reported_errors():
        details = _reads(database_url).show_user(org_subdomain=org, user=user)
    shown = _user(details.user)
    shown["login_account_group"] = (
        details.login_account_group.name if details.login_account_group else None
    )
    shown["roles"] = [
        {
            "role": held.role.name,
            "account_group": held.account_group.name if held.account_group else None,
        }
        for held in details.roles
    ]
    shown["tokens"] = [
        {
            "id": t.id,
            "name": t.name,
            "created_at": t.created_at.isoformat(),
            "revoked_at": t.revoked_at.isoformat() if t.revoked_at else None,
        }
        for t in details.tokens
    ]
    if json_output:
        print_json(shown)
        return
    facts = [{"field": k, "value": v} for k, v in shown.items() if k not in ("roles", "tokens")]
    print_table({"field": "field", "value": "value"}, facts)
    roles = [
        {**r, "account_group": r["account_group"] or "(all account groups)"} for r in shown["roles"]
    ]
    print_table({"role": "role", "account group": "account_group"}, roles)
    print_table(
        {"token": "id", "name": "name", "created": "created_at", "revoked": "revoked_at"},
        shown["tokens"],
    )


def _device(view: DeviceView) -> dict[str, Any]:
    d = view.device
    return {
        "device_id": str(d.device_id),
        "name": d.name,
        "serial_number": d.serial_number,
        "platform": d.platform,
        "model": d.model,
        "os_version": d.os_version,
        "user": view.user.email if view.user else None,
    }


@listing
def devices_list(
    org: Org,
    user: Annotated[str | None, typer.Option(help="A user's devices (email, uid or UUID).")] = None,
    serial: Annotated[str | None, typer.Option(help="Serial numbers containing this.")] = None,
    limit: Limit = 50,
    offset: Annotated[int, typer.Option(min=0, help="Skip this many.")] = 0,
    database_url: DatabaseUrl = None,
) -> Listing:
    """List an organization's devices."""
    from rosterd.core.ports import DeviceQuery

    with reported_errors():
        found = _reads(database_url).list_devices(
            org_subdomain=org,
            user=user,
            query=DeviceQuery(serial_number_contains=serial),
            limit=limit,
            offset=offset,
        )
    columns = {
        "device id": "device_id",
        "name": "name",
        "serial": "serial_number",
        "platform": "platform",
        "user": "user",
    }
    return Listing("devices", columns, [_device(d) for d in found])


def _assign(org: str, device: str, user: str | None, database_url: str | None) -> None:
    from rosterd.core.audit import CLI_ACTOR
    from rosterd.core.devices import DevicesService

    with reported_errors():
        view = DevicesService(open_store(database_url)).assign_device(
            org_subdomain=org, device=device, user=user, actor=CLI_ACTOR
        )
    who = view.user.email if view.user else "nobody"
    typer.echo(f"{view.device.serial_number} ({view.device.device_id}) assigned to {who}")


Device = Annotated[str, typer.Argument(help="The device's serial number or device id.")]


def devices_assign(
    org: Org,
    device: Device,
    user: Annotated[str, typer.Option(help="The user's email, uid or UUID.")],
    database_url: DatabaseUrl = None,
) -> None:
    """Assign a device to a user (the Kandji rules: a user with devices cannot be deleted)."""
    _assign(org, device, user, database_url)


def devices_unassign(org: Org, device: Device, database_url: DatabaseUrl = None) -> None:
    """Leave a device assigned to nobody."""
    _assign(org, device, None, database_url)


def _event(event: AuditEvent) -> dict[str, Any]:
    return {
        "id": event.id,
        "occurred_at": event.occurred_at.isoformat(),
        "actor": event.actor_type
        if event.actor_id is None
        else f"{event.actor_type}:{event.actor_id}",
        "action": event.action,
        "target_type": event.target_type,
        "target_id": event.target_id,
        "target_name": event.target_name,
        "new_state": event.new_state,
    }


@audit_app.command("list")
@listing
def audit_list(
    org: Org,
    action: Annotated[
        str | None,
        typer.Option(help="One action (user.create), or every action on a kind of target (user.)."),
    ] = None,
    actor: Annotated[
        str | None,
        typer.Option(help="cli, control, an integration's UUID, or a user (email, uid or UUID)."),
    ] = None,
    target: Annotated[str | None, typer.Option(help="A target's id, or a user's email.")] = None,
    since: Annotated[
        str | None, typer.Option(help="An ISO time, or back from now: 30m, 1h, 7d, 2w.")
    ] = None,
    limit: Limit = 50,
    database_url: DatabaseUrl = None,
) -> Listing:
    """List an organization's audit events, newest first."""
    from rosterd.core.operator_reads import since_time

    with reported_errors():
        found = _reads(database_url).list_audit_events(
            org_subdomain=org,
            action=action,
            actor=actor,
            target=target,
            since=since_time(since) if since is not None else None,
            limit=limit,
        )
    columns = {
        "time": "occurred_at",
        "actor": "actor",
        "action": "action",
        "target": "target_id",
        "name": "target_name",
    }
    return Listing("events", columns, [_event(e) for e in found])


@account_groups_app.command("list")
@listing
def account_groups_list(org: Org, database_url: DatabaseUrl = None) -> Listing:
    """List an organization's account groups."""
    with reported_errors():
        found = _reads(database_url).list_account_groups(org_subdomain=org)
    rows = [{"aid": g.aid, "name": g.name, "default": g.is_default} for g in found]
    return Listing("account_groups", {"aid": "aid", "name": "name", "default": "default"}, rows)


@roles_app.command("list")
@listing
def roles_list(org: Org, database_url: DatabaseUrl = None) -> Listing:
    """List the roles an organization can use: the built-in ones, then its own."""
    with reported_errors():
        found = _reads(database_url).list_roles(org_subdomain=org)
    rows = [
        {
            "id": r.role_id,
            "name": r.name,
            "builtin": r.is_builtin,
            "permissions": len(r.permission_codes),
            "permission_codes": sorted(r.permission_codes),
        }
        for r in found
    ]
    columns = {"id": "id", "name": "name", "built-in": "builtin", "permissions": "permissions"}
    return Listing("roles", columns, rows)
