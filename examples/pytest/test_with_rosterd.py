"""A project's own tests against rosterd, with nothing but rosterd installed beside pytest.

Run with `pytest examples/pytest` (the plugin comes with rosterd; nothing to configure).
"""

from __future__ import annotations

import json
import urllib.error
import urllib.request
from typing import Any

import pytest

from rosterd.testing import RosterdServer


def call(rosterd: RosterdServer, method: str, path: str, body: Any = None) -> tuple[int, Any]:
    request = urllib.request.Request(
        rosterd.base_url + path,
        data=None if body is None else json.dumps(body).encode(),
        method=method,
        headers={"Authorization": f"Bearer {rosterd.token}", "Content-Type": "application/json"},
    )
    try:
        with urllib.request.urlopen(request) as response:
            return response.status, json.loads(response.read() or b"null")
    except urllib.error.HTTPError as error:
        return error.code, json.loads(error.read() or b"null")


def test_a_user_made_here_is_there(rosterd: RosterdServer) -> None:
    status, made = call(
        rosterd, "POST", "/v7/users", {"name": "Jane Doe", "email": "jane@example.com"}
    )
    assert status == 201
    status, found = call(rosterd, "GET", f"/v7/users/{made['uid']}")
    assert (status, found["email"]) == (200, "jane@example.com")


def test_every_test_starts_from_the_same_state(rosterd: RosterdServer) -> None:
    # The user the test above made is gone: the fixture reset the server.
    status, listing = call(rosterd, "GET", "/v7/users")
    assert status == 200
    assert [u["email"] for u in listing["users"]] == [rosterd.admin_email]


def test_an_injected_outage_is_the_vendors_own(rosterd: RosterdServer) -> None:
    with rosterd.control.fault(path="/v7/users*", status=503, times=1):
        status, body = call(rosterd, "GET", "/v7/users")
        assert status == 503
        assert body["title"] == "Error"
        assert body["detail"] == "Service Unavailable"
        assert call(rosterd, "GET", "/v7/users")[0] == 200  # it fired once
    assert rosterd.control.faults() == []


def test_a_snapshot_restores_a_shared_state(rosterd: RosterdServer) -> None:
    call(rosterd, "POST", "/v7/account-groups", {"accountGroupName": "Team"})
    rosterd.control.snapshot("with-team")
    call(rosterd, "POST", "/v7/account-groups", {"accountGroupName": "Another"})
    rosterd.control.restore("with-team")
    _, groups = call(rosterd, "GET", "/v7/account-groups")
    assert [g["accountGroupName"] for g in groups["accountGroups"]] == ["Test", "Team"]
    rosterd.control.delete_snapshot("with-team")


@pytest.mark.rosterd_seed("team.yaml")
def test_a_seeded_state_with_a_known_token(rosterd: RosterdServer) -> None:
    request = urllib.request.Request(
        rosterd.thousandeyes_url + "/users",
        headers={"Authorization": "Bearer rst_test_team_lead"},
    )
    with urllib.request.urlopen(request) as response:
        emails = [u["email"] for u in json.loads(response.read())["users"]]
    assert emails == ["lead@team.example", "desk@team.example"]


def test_a_stopped_clock_stamps_what_is_made(rosterd: RosterdServer) -> None:
    with rosterd.control.frozen_clock("2026-01-01T00:00:00Z"):
        _, made = call(rosterd, "POST", "/v7/users", {"name": "Al", "email": "al@example.com"})
    assert made["dateRegistered"] == "2026-01-01T00:00:00Z"


@pytest.mark.parametrize("attempt", [1, 2])
def test_the_official_style_sdk_client_is_ready(rosterd: RosterdServer, attempt: int) -> None:
    pytest.importorskip("thousandeyes_sdk.administrative")
    from thousandeyes_sdk.administrative import UsersApi

    with rosterd.thousandeyes_client() as client:  # type: ignore[attr-defined]
        assert UsersApi(client).get_current_user().email == rosterd.admin_email
