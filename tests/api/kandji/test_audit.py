"""/api/v1/audit/events: every change from every dialect and the CLI, in Kandji's shape."""

from __future__ import annotations

import re
from datetime import UTC, datetime, timedelta
from typing import Any

import httpx
import pytest

from tests.api.kandji.conftest import Directory
from tests.support.orgs import TestOrg
from tests.support.server import LiveServer

# Keys in the order of Kandji's "List audit events" example.
EVENT_KEYS = [
    "id",
    "action",
    "occurred_at",
    "actor_id",
    "actor_type",
    "target_id",
    "target_type",
    "target_component",
    "new_state",
    "metadata",
]
ULID = re.compile(r"^[0-9A-HJKMNP-TV-Z]{26}$")


def all_events(client: httpx.Client, **params: str) -> list[dict[str, Any]]:
    response = client.get("/audit/events", params=params)
    events: list[dict[str, Any]] = []
    while True:
        assert response.status_code == 200, response.text
        body = response.json()
        events += body["results"]
        if body["next"] is None:
            return events
        response = client.get(body["next"])


def test_events_from_every_dialect_and_the_cli(
    client: httpx.Client, directory: Directory, org: TestOrg, live_server: LiveServer
) -> None:
    integration = directory.integration()
    [user] = directory.add_users(integration, 1)
    device_id = directory.add_device(user_email=user.email)
    client.patch(f"/devices/{device_id}", json={"user": None})
    client.delete(f"/users/{user.id}")
    with httpx.Client(
        base_url=live_server.thousandeyes_url, headers={"Authorization": f"Bearer {org.token}"}
    ) as te:
        created = te.post("/users", json={"name": "Te", "email": f"te@{org.subdomain}.test"})

    response = client.get("/audit/events", params={"limit": "500"})

    assert response.status_code == 200
    body = response.json()
    assert list(body) == ["results", "previous", "next"]
    events = body["results"]
    assert all(list(e) == EVENT_KEYS for e in events)
    assert all(ULID.match(e["id"]) for e in events)
    happened = [(e["target_type"], e["action"]) for e in events]
    assert happened == [
        ("organization", "create"),
        ("integration", "create"),
        ("user", "create"),  # the directory import
        ("device", "create"),  # the device import
        ("device", "update"),  # PATCH /api/v1/devices/{id}
        ("user", "delete"),  # DELETE /api/v1/users/{id}
        ("user", "create"),  # POST /v7/users
    ]
    delete = events[5]
    assert delete["target_id"] == str(user.id)
    assert delete["actor_type"] == "user"
    assert delete["actor_id"] == str(org.admin.uid)
    assert delete["new_state"]["email"] == user.email
    assert set(delete["metadata"]) == {"request_id"}
    assert events[6]["new_state"]["uid"] == created.json()["uid"]
    assert events[2]["actor_type"] == "integration"
    assert events[2]["actor_id"] == str(integration.uuid)
    assert events[0]["actor_type"] == "cli"


def test_sort_orders_and_pages(client: httpx.Client, directory: Directory) -> None:
    directory.add_users(directory.integration(), 7)
    everything = all_events(client)
    assert len(everything) == 9  # the org, the integration, seven users

    newest_first = all_events(client, sort_by="-occurred_at", limit="2")
    by_id = all_events(client, sort_by="id", limit="3")
    by_id_descending = all_events(client, sort_by="-id", limit="4")

    assert newest_first == everything[::-1]
    assert [e["id"] for e in by_id] == sorted(e["id"] for e in everything)
    assert [e["id"] for e in by_id_descending] == sorted(
        (e["id"] for e in everything), reverse=True
    )


def test_previous_links_go_back(client: httpx.Client, directory: Directory) -> None:
    directory.add_users(directory.integration(), 4)
    first = client.get("/audit/events", params={"limit": "2"}).json()
    second = client.get(first["next"]).json()
    third = client.get(second["next"]).json()

    back = client.get(third["previous"]).json()

    assert first["previous"] is None
    assert back["results"] == second["results"]
    assert client.get(back["previous"]).json()["results"] == first["results"]
    assert "limit=2" in first["next"]


def test_date_range(client: httpx.Client, directory: Directory) -> None:
    events = all_events(client)
    today = datetime.now(UTC).date()

    def count(**params: str) -> int:
        return len(all_events(client, **params))

    assert count(start_date=today.isoformat(), end_date=today.isoformat()) == len(events)
    assert count(end_date=(today - timedelta(days=1)).isoformat()) == 0
    assert count(start_date=(today + timedelta(days=1)).isoformat()) == 0
    assert count(start_date=events[0]["occurred_at"]) == len(events)
    assert count(end_date="2024-12-06T17:48:41.784439Z") == 0


@pytest.mark.parametrize(
    "params",
    [
        {"sort_by": "name"},
        {"sort_by": "--id"},
        {"limit": "0"},
        {"limit": "many"},
        {"start_date": "yesterday"},
        {"end_date": "2024-13-01"},
    ],
)
def test_bad_parameters_are_400(client: httpx.Client, params: dict[str, str]) -> None:
    response = client.get("/audit/events", params=params)

    assert response.status_code == 400
    assert list(response.json()) == ["detail"]


def test_limit_is_capped_at_500_and_bad_cursors_are_404(client: httpx.Client) -> None:
    assert client.get("/audit/events", params={"limit": "100000"}).status_code == 200
    response = client.get("/audit/events", params={"cursor": "PmR0OnRvbW9ycm93"})
    assert response.status_code == 404
    assert response.json() == {"detail": "Invalid cursor"}
