"""POST /_rosterd/reset and the snapshots: back to a known state in milliseconds, exactly."""

from __future__ import annotations

from typing import Any

import httpx
import pytest

from tests.control.conftest import CONTROL_TOKEN, Double
from tests.support.server import LiveServer


def everything(double: Double) -> dict[str, Any]:
    """What clients can see of the directory, through both APIs."""
    with double.api() as api:
        users = api.get("/v7/users").json()
        return {
            "users": users,
            "detail": [api.get(f"/v7/users/{u['uid']}").json() for u in users["users"]],
            "groups": api.get("/v7/account-groups").json(),
            "roles": api.get("/v7/roles").json(),
            "kandji": api.get("/api/v1/users").json(),
            "events": api.get("/v7/audit-user-events").json()["auditEvents"],
        }


def change_a_lot(double: Double, count: int) -> str:
    """`count` changes through the API; the token of one new admin."""
    with double.api() as api:
        for i in range(count // 4):
            made = api.post("/v7/users", json={"name": f"U{i}", "email": f"u{i}@later.test"})
            assert made.status_code == 201, made.text
            uid = made.json()["uid"]
            assert api.put(f"/v7/users/{uid}", json={"name": f"Renamed {i}"}).is_success
            role = api.post("/v7/roles", json={"name": f"Role {i}", "permissions": ["1"]})
            assert role.status_code == 201
            group = api.post("/v7/account-groups", json={"accountGroupName": f"Team {i}"})
            assert group.status_code == 201
        admin = api.post(
            "/v7/users",
            json={
                "name": "New admin",
                "email": "admin@later.test",
                "allAccountGroupRoleIds": ["1"],
            },
        )
    return double.org.token_for(admin.json()["email"])


def test_the_control_plane_is_off_unless_asked_for(live_server: LiveServer) -> None:
    for method, path in (("POST", "/_rosterd/reset"), ("GET", "/_rosterd/faults")):
        response = httpx.request(
            method, f"{live_server.base_url}{path}", headers={"Authorization": "Bearer x"}
        )
        assert response.status_code == 404
        assert response.json() == {"detail": "Not Found"}


@pytest.mark.parametrize(
    "headers", [{}, {"Authorization": "Bearer wrong"}, {"Authorization": CONTROL_TOKEN}]
)
def test_the_control_plane_takes_its_own_token(double: Double, headers: dict[str, str]) -> None:
    with double.api() as api:  # an API token of the organization is not the control token
        assert api.post("/_rosterd/reset").status_code == 401
    response = httpx.post(f"{double.server.base_url}/_rosterd/reset", headers=headers)

    assert response.status_code == 401
    assert response.headers["www-authenticate"] == "Bearer"
    assert response.json() == {
        "detail": "A valid control token is required (Authorization: Bearer …)"
    }


def test_a_reset_after_1000_changes_leaves_exactly_the_start(double: Double) -> None:
    start = everything(double)
    later_token = change_a_lot(double, 1000)
    assert everything(double) != start

    response = double.control.post("/reset")

    assert response.status_code == 204
    assert response.content == b""
    assert everything(double) == start
    with double.api(later_token) as later:
        assert later.get("/v7/users/current").status_code == 401  # it never existed
    # And the next user gets the id the first one after the start got.
    with double.api() as api:
        first = api.post("/v7/users", json={"name": "A", "email": "a@again.test"}).json()["uid"]
    double.control.post("/reset")
    with double.api() as api:
        assert (
            api.post("/v7/users", json={"name": "B", "email": "b@again.test"}).json()["uid"]
            == first
        )


def test_snapshots_are_taken_listed_restored_and_deleted(double: Double) -> None:
    control = double.control
    assert control.get("/snapshots").json() == {"snapshots": []}
    change_a_lot(double, 8)
    before = everything(double)

    taken = control.post("/snapshots", json={"name": "before"})
    assert taken.status_code == 201
    assert taken.json() == {"name": "before"}
    with double.api() as api:
        api.post("/v7/account-groups", json={"accountGroupName": "After"})
    assert everything(double) != before
    assert control.post("/snapshots", json={"name": "later"}).status_code == 201
    assert control.get("/snapshots").json() == {"snapshots": ["before", "later"]}

    assert control.post("/snapshots/before/restore").status_code == 204
    assert everything(double) == before
    assert control.delete("/snapshots/before").status_code == 204
    assert control.get("/snapshots").json() == {"snapshots": ["later"]}
    # A reset still goes back to the start, not to a snapshot.
    assert control.post("/reset").status_code == 204
    assert control.get("/snapshots").json() == {"snapshots": ["later"]}


@pytest.mark.parametrize(
    ("body", "detail"),
    [
        ({}, "name must be 1 to 64 letters, digits, '.', '_' or '-'"),
        ({"name": "a b"}, "name must be 1 to 64 letters, digits, '.', '_' or '-'"),
        ({"name": "x" * 65}, "name must be 1 to 64 letters, digits, '.', '_' or '-'"),
        ([], "name must be 1 to 64 letters, digits, '.', '_' or '-'"),
    ],
)
def test_bad_snapshot_requests_are_400(double: Double, body: Any, detail: str) -> None:
    response = double.control.post("/snapshots", json=body)

    assert response.status_code == 400
    assert response.json() == {"detail": detail}


def test_snapshot_names_are_unique_and_unknown_ones_404(double: Double) -> None:
    control = double.control
    assert control.post("/snapshots", json={"name": "one"}).status_code == 201
    twice = control.post("/snapshots", json={"name": "one"})
    assert twice.status_code == 400
    assert twice.json() == {"detail": "A snapshot named 'one' exists; delete it first"}
    not_json = control.post(
        "/snapshots", content=b"{", headers={"Content-Type": "application/json"}
    )
    assert not_json.status_code == 400
    assert not_json.json() == {"detail": "The body must be JSON"}
    huge = control.put("/faults", content=b"[" + b"{}," * 400_000 + b"{}]")
    assert huge.status_code == 413
    assert huge.json() == {"detail": "The body is larger than 1048576 bytes"}
    for response in (control.post("/snapshots/nope/restore"), control.delete("/snapshots/nope")):
        assert response.status_code == 404
        assert response.json() == {"detail": "No such snapshot"}
