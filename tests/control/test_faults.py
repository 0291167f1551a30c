"""PUT/GET/DELETE /_rosterd/faults: injected statuses answered as each dialect answers them for
real, delays, dropped connections, and how often each rule fires."""

from __future__ import annotations

import time
from typing import Any

import httpx
import pytest

from tests.control.conftest import Double

TE_USERS = "/v7/users/current"
KANDJI_USERS = "/api/v1/users"
SCIM_USERS = "/api/v1/scim/Users"


def arm(double: Double, *rules: dict[str, Any]) -> dict[str, Any]:
    response = double.control.put("/faults", json=list(rules))
    assert response.status_code == 200, response.text
    found: dict[str, Any] = response.json()
    return found


def scim_token(double: Double) -> str:
    from rosterd.core.audit import CLI_ACTOR
    from rosterd.core.integrations import IntegrationsService

    made = IntegrationsService(double.server.store).create_integration(
        org_subdomain=double.org.subdomain, name="Okta", type="scim", actor=CLI_ACTOR
    )
    assert made.scim_token is not None
    return made.scim_token


def test_an_injected_429_is_thousandeyes_own(double: Double) -> None:
    arm(double, {"dialect": "thousandeyes", "status": 429, "retry_after": 7})
    with double.api() as api:
        before = time.time()
        response = api.get(TE_USERS)

    assert response.status_code == 429
    assert response.headers["content-type"] == "application/problem+json"
    assert response.json() == {
        "type": "about:blank",
        "title": "Too Many Requests",
        "status": 429,
        "detail": "Exhausted rate limit for the organization",
        "instance": TE_USERS,
    }
    assert response.headers["retry-after"] == "7"
    assert response.headers["x-organization-rate-limit-limit"] == "240"
    assert response.headers["x-organization-rate-limit-remaining"] == "0"
    reset = int(response.headers["x-organization-rate-limit-reset"])
    assert int(before) + 7 <= reset <= int(time.time()) + 7
    assert response.headers["x-request-id"]


def test_an_injected_429_is_kandjis_and_scims_own(double: Double) -> None:
    arm(double, {"status": 429, "retry_after": 3})
    with double.api() as api:
        kandji = api.get(KANDJI_USERS)
    scim = httpx.get(
        f"{double.server.base_url}{SCIM_USERS}",
        headers={"Authorization": f"Bearer {scim_token(double)}"},
    )

    assert kandji.status_code == 429
    assert kandji.json() == {"detail": "Request was throttled. Expected available in 3 seconds."}
    assert kandji.headers["retry-after"] == "3"
    assert scim.status_code == 429
    assert scim.headers["content-type"] == "application/scim+json"
    assert scim.json() == {
        "schemas": ["urn:ietf:params:scim:api:messages:2.0:Error"],
        "status": "429",
        "detail": "Injected by rosterd's control plane",
    }
    assert scim.headers["retry-after"] == "3"


@pytest.mark.parametrize(
    ("path", "expected"),
    [
        (
            TE_USERS,
            {
                "type": "about:blank",
                "title": "Error",
                "status": 503,
                "detail": "Service Unavailable",
                "instance": TE_USERS,
            },
        ),
        (KANDJI_USERS, {"detail": "Service Unavailable"}),
        ("/healthz", {"detail": "Injected fault"}),
    ],
)
def test_any_other_status_is_answered_in_the_dialects_envelope(
    double: Double, path: str, expected: dict[str, Any]
) -> None:
    arm(double, {"status": 503})
    with double.api() as api:
        response = api.get(path)

    assert response.status_code == 503
    assert response.json() == expected


def test_rules_match_on_dialect_method_and_path(double: Double) -> None:
    arm(
        double,
        {"dialect": "kandji", "status": 500},
        {"method": "POST", "path": "/v7/users*", "status": 400},
        {"path": "/v7/roles/*", "status": 404},
    )
    with double.api() as api:
        assert api.get(TE_USERS).status_code == 200
        assert api.get("/v7/roles").status_code == 200  # the glob wants more than /v7/roles
        assert api.get("/v7/roles/1").status_code == 404
        refused = api.post("/v7/users", json={"name": "X", "email": "x@example.com"})
        assert refused.status_code == 400
        assert refused.json()["detail"] == "Injected by rosterd's control plane"
        assert api.get(KANDJI_USERS).status_code == 500
        assert api.get("/api/v1/devices").status_code == 500


def test_times_and_probability_decide_how_often_a_rule_fires(double: Double) -> None:
    arm(
        double,
        {"path": TE_USERS, "status": 500, "times": 2},
        {"path": KANDJI_USERS, "status": 500, "probability": 0},
    )
    with double.api() as api:
        statuses = [api.get(TE_USERS).status_code for _ in range(4)]
        kandji = [api.get(KANDJI_USERS).status_code for _ in range(5)]

    assert statuses == [500, 500, 200, 200]
    assert kandji == [200] * 5
    assert double.control.get("/faults").json() == {
        "faults": [
            {"path": TE_USERS, "status": 500, "times": 2, "fired": 2},
            {"path": KANDJI_USERS, "status": 500, "probability": 0.0, "fired": 0},
        ]
    }


def test_a_latency_delays_and_then_answers_for_real(double: Double) -> None:
    arm(double, {"path": TE_USERS, "latency_ms": 300})
    with double.api() as api:
        started = time.monotonic()
        response = api.get(TE_USERS)
        elapsed = time.monotonic() - started
        quick = api.get("/v7/roles")

    assert response.status_code == 200
    assert response.json()["email"] == double.org.admin.email
    assert elapsed >= 0.3
    assert quick.status_code == 200


def test_a_latency_with_a_status_delays_the_error(double: Double) -> None:
    arm(double, {"path": TE_USERS, "latency_ms": 200, "status": 502})
    with double.api() as api:
        started = time.monotonic()
        response = api.get(TE_USERS)

    assert time.monotonic() - started >= 0.2
    assert response.status_code == 502


def test_a_dropped_connection_sends_no_response(double: Double) -> None:
    arm(double, {"path": TE_USERS, "reset_connection": True, "times": 1})
    with double.api() as api:
        with pytest.raises((httpx.RemoteProtocolError, httpx.ReadError)):
            api.get(TE_USERS)
        assert api.get(TE_USERS).status_code == 200  # the next connection is served


def test_clearing_and_resetting_remove_the_rules(double: Double) -> None:
    arm(double, {"status": 500})
    assert double.control.delete("/faults").status_code == 204
    assert double.control.get("/faults").json() == {"faults": []}
    with double.api() as api:
        assert api.get(TE_USERS).status_code == 200
    arm(double, {"status": 500})
    # The control plane itself is never faulted: a reset still gets through.
    assert double.control.post("/reset").status_code == 204
    assert double.control.get("/faults").json() == {"faults": []}


@pytest.mark.parametrize(
    ("rules", "detail"),
    [
        ({"status": 500}, "body: Input should be a valid list"),
        ([{}], "0: Value error, a rule needs a status, a latency_ms or reset_connection"),
        ([{"status": 200}], "0.status: Input should be greater than or equal to 400"),
        (
            [{"status": 500, "probability": 2}],
            "0.probability: Input should be less than or equal to 1",
        ),
        ([{"status": 500, "times": 0}], "0.times: Input should be greater than or equal to 1"),
        (
            [{"status": 500, "dialect": "okta"}],
            "0.dialect: Input should be 'thousandeyes', 'kandji' or 'scim'",
        ),
        ([{"status": 500, "colour": "red"}], "0.colour: Extra inputs are not permitted"),
        (
            [{"status": 500, "reset_connection": True}],
            "0: Value error, a dropped connection has no status",
        ),
    ],
)
def test_bad_rules_are_400_and_change_nothing(double: Double, rules: Any, detail: str) -> None:
    arm(double, {"path": "/nowhere", "status": 500})

    response = double.control.put("/faults", json=rules)

    assert response.status_code == 400
    assert response.json() == {"detail": detail}
    assert double.control.get("/faults").json()["faults"] == [
        {"path": "/nowhere", "status": 500, "fired": 0}
    ]
