"""PUT/GET /_rosterd/clock: a stopped clock writes the same timestamps on every run."""

from __future__ import annotations

from typing import Any

import pytest

from tests.control.conftest import Double

FROZEN = "2026-01-01T09:30:00Z"


def test_a_frozen_clock_stamps_everything_rosterd_writes(double: Double) -> None:
    response = double.control.put("/clock", json={"now": FROZEN})
    assert response.status_code == 200
    assert response.json() == {"now": FROZEN, "frozen": True}

    with double.api() as api:
        made = [
            api.post("/v7/users", json={"name": f"U{i}", "email": f"u{i}@clock.test"}).json()
            for i in range(3)
        ]
        role = api.post("/v7/roles", json={"name": "Clocked", "permissions": []})
        events = api.get("/v7/audit-user-events").json()["auditEvents"]
        kandji = api.get("/api/v1/users", params={"email": "clock.test"}).json()

    assert {u["dateRegistered"] for u in made} == {FROZEN}
    assert role.status_code == 201
    later = [e for e in events if e["date"] == FROZEN]
    # Made in one instant, the events keep the order they were made in.
    assert [e["resources"][0]["name"] for e in later] == [
        "U0 (u0@clock.test)",
        "U1 (u1@clock.test)",
        "U2 (u2@clock.test)",
        "Clocked",
    ]
    assert {u["created_at"][:19] for u in kandji["results"]} == {"2026-01-01T09:30:00"}
    assert double.control.get("/clock").json() == {"now": FROZEN, "frozen": True}


def test_null_lets_it_run_again_and_a_reset_does_too(double: Double) -> None:
    double.control.put("/clock", json={"now": "2030-05-05T05:05:05+02:00"})
    assert double.control.get("/clock").json() == {"now": "2030-05-05T03:05:05Z", "frozen": True}

    running = double.control.put("/clock", json={"now": None}).json()
    assert running["frozen"] is False
    assert running["now"][:4] == "2026"

    double.control.put("/clock", json={"now": FROZEN})
    assert double.control.post("/reset").status_code == 204
    assert double.control.get("/clock").json()["frozen"] is False


@pytest.mark.parametrize(
    "body",
    [{}, [], {"now": "2026-01-01"}, {"now": 0}, {"now": "2026-01-01T00:00:00"}, {"now": "soon"}],
)
def test_bad_clock_requests_are_400_and_change_nothing(double: Double, body: Any) -> None:
    response = double.control.put("/clock", json=body)

    assert response.status_code == 400
    assert "now" in response.json()["detail"]
    assert double.control.get("/clock").json()["frozen"] is False
