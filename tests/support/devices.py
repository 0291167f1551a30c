"""Devices for storage tests."""

from __future__ import annotations

import uuid
from datetime import UTC, datetime

from rosterd.core.ports import NewDevice


def new_mac(org_id: int, uid: int | None) -> NewDevice:
    """A Mac of the organization with a random id and serial number, held by `uid`."""
    return NewDevice(
        device_id=uuid.uuid4(),
        org_id=org_id,
        name="Mac",
        model="MacBook Pro",
        serial_number=uuid.uuid4().hex[:12].upper(),
        platform="Mac",
        os_version="15.1",
        created_at=datetime.now(UTC),
        user_uid=uid,
    )
