"""Audit events: written by the services in the same transaction as the change they describe."""

from __future__ import annotations

import threading
from dataclasses import dataclass
from datetime import datetime
from typing import Any, Final

from ulid import ULID

from rosterd.core.clock import utcnow
from rosterd.core.entities import AuditEvent, Principal
from rosterd.core.ports import DirectoryTransaction


@dataclass(frozen=True, slots=True)
class Actor:
    """Who made a change: an API caller, the CLI, or a directory integration."""

    type: str
    id: str | None
    request_id: str | None = None

    @classmethod
    def of(cls, principal: Principal, request_id: str | None = None) -> Actor:
        return cls(type="user", id=str(principal.user.uid), request_id=request_id)


CLI_ACTOR = Actor(type="cli", id=None)

# Every action the services record, by family (what an action begins with, up to its first
# dot): the console's audit log offers these as its action filter, and the ThousandEyes
# activity log words each (a test holds the two together). A new action goes here too.
ACTIONS: Final = (
    "account_group.create",
    "account_group.update",
    "account_group.delete",
    "device.create",
    "device.update",
    "group.create",
    "group.update",
    "group.delete",
    "integration.create",
    "integration.token.rotate",
    "integration.token.revoke",
    "organization.create",
    "role.create",
    "role.update",
    "role.delete",
    "token.create",
    "token.revoke",
    "user.create",
    "user.update",
    "user.confirm_email",
    "user.archive",
    "user.restore",
    "user.delete",
)

_last_id: list[int] = [0]  # the last event id this process made, as a number
_id_lock = threading.Lock()


def _event_id(now: datetime) -> str:
    """A ULID of `now`, above every one this process made before: events made in one
    millisecond, or while the clock is frozen, keep the order they were made in."""
    made = int(ULID.from_datetime(now))
    with _id_lock:
        if made <= _last_id[0]:
            made = _last_id[0] + 1
        _last_id[0] = made
    return str(ULID.from_int(made))


def record(
    tx: DirectoryTransaction,
    *,
    org_id: int,
    actor: Actor,
    action: str,
    target_type: str,
    target_id: str,
    new_state: dict[str, Any] | None,
    aid: int | None = None,
    target_name: str | None = None,
) -> AuditEvent:
    """Write an event; `aid` is the account group the change was made in, if any, and
    `target_name` what the target is called (kept, as the target may be deleted later)."""
    event = build_event(
        org_id=org_id,
        actor=actor,
        action=action,
        target_type=target_type,
        target_id=target_id,
        new_state=new_state,
        aid=aid,
        target_name=target_name,
    )
    tx.add_audit_event(event)
    return event


def build_event(
    *,
    org_id: int,
    actor: Actor,
    action: str,
    target_type: str,
    target_id: str,
    new_state: dict[str, Any] | None,
    aid: int | None = None,
    target_name: str | None = None,
) -> AuditEvent:
    """An event not yet written: bulk changes write theirs with `tx.add_audit_events`."""
    now = utcnow()
    return AuditEvent(
        id=_event_id(now),
        org_id=org_id,
        occurred_at=now,
        actor_type=actor.type,
        actor_id=actor.id,
        action=action,
        target_type=target_type,
        target_id=target_id,
        new_state=new_state,
        request_id=actor.request_id,
        aid=aid,
        target_name=target_name,
    )
