"""Audit events: written by the services in the same transaction as the change they describe."""

from __future__ import annotations

import base64
import os
from collections.abc import Sequence
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


def record(
    tx: DirectoryTransaction,
    *,
    org_id: int,
    actor: Actor,
    action: str,
    target_type: str,
    target_id: str,
    new_state: dict[str, Any] | None,
) -> AuditEvent:
    event = build_event(
        org_id=org_id,
        actor=actor,
        action=action,
        target_type=target_type,
        target_id=target_id,
        new_state=new_state,
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
) -> AuditEvent:
    """An event not yet written: bulk changes write theirs with `tx.add_audit_events`."""
    now = utcnow()
    change = (action, target_id, new_state)
    return _event(str(ULID.from_datetime(now)), now, org_id, actor, target_type, change)


Change = tuple[str, str, dict[str, Any] | None]  # (action, target_id, new_state)


def build_events(
    *, org_id: int, actor: Actor, target_type: str, changes: Sequence[Change], now: datetime
) -> list[AuditEvent]:
    """The events of one bulk change, not yet written: they share the change's time `now`, and
    their ids increase in this order, as the ULIDs python-ulid makes within one millisecond do
    (random, then + 1 each)."""
    ids = ulids(now, len(changes))
    return [
        _event(event_id, now, org_id, actor, target_type, change)
        for event_id, change in zip(ids, changes, strict=True)
    ]


def _event(
    event_id: str, now: datetime, org_id: int, actor: Actor, target_type: str, change: Change
) -> AuditEvent:
    action, target_id, new_state = change
    return AuditEvent(
        id=event_id,
        org_id=org_id,
        occurred_at=now,
        actor_type=actor.type,
        actor_id=actor.id,
        action=action,
        target_type=target_type,
        target_id=target_id,
        new_state=new_state,
        request_id=actor.request_id,
    )


# ULIDs are Crockford base32: 10 characters of millisecond timestamp, 16 of randomness (80 bits,
# which base64.b32encode writes as 16 characters too, in another alphabet).
_CROCKFORD: Final = "0123456789ABCDEFGHJKMNPQRSTVWXYZ"
_FROM_RFC4648: Final = bytes.maketrans(b"ABCDEFGHIJKLMNOPQRSTUVWXYZ234567", _CROCKFORD.encode())
_RANDOMNESS_BITS: Final = 80


def ulids(when: datetime, count: int) -> list[str]:
    """`count` increasing ULIDs of the millisecond of `when`."""
    millis = int(when.timestamp() * 1000)
    head = "".join(_CROCKFORD[(millis >> shift) & 31] for shift in range(45, -5, -5))
    start = int.from_bytes(os.urandom(10), "big") % (2**_RANDOMNESS_BITS - count)
    packed = b"".join((start + i).to_bytes(10, "big") for i in range(count))
    tails = base64.b32encode(packed).translate(_FROM_RFC4648).decode()
    return [head + tails[16 * i : 16 * i + 16] for i in range(count)]
