"""The official ThousandEyes SDK 6.0.0 against injected 429s: it waits the `Retry-After` the
fault gives, retries once, and raises TooManyRequestsException when the retry meets one too."""

from __future__ import annotations

from pathlib import Path

import kandji
import pytest
from kandji.exceptions import TooManyRequestsException
from rosterd_sdk_transport import RateLimitRetry

from tests.compat.conftest import thousandeyes_python  # noqa: F401 - the compat venv fixture
from tests.compat.test_thousandeyes_sdk import run
from tests.control.conftest import Double


@pytest.mark.compat
def test_the_official_sdk_retries_an_injected_429_once(
    double: Double,
    thousandeyes_python: Path,  # noqa: F811
) -> None:
    rules = [
        {"path": "/v7/users/current", "status": 429, "retry_after": 3, "times": 1},
        {"path": "/v7/account-groups", "status": 429, "retry_after": 2, "times": 2},
    ]
    assert double.control.put("/faults", json=rules).status_code == 200

    out = run(
        thousandeyes_python,
        "faulted",
        {"host": double.server.thousandeyes_url, "token": double.org.token},
    )

    assert out["once"]["json"]["email"] == double.org.admin.email
    assert out["once_sleeps"] == [3.0]
    twice = out["twice"]
    assert (twice["exception"], twice["status"]) == ("TooManyRequestsException", 429)
    assert twice["headers"]["retry-after"] == "2"
    assert twice["data"]["json"]["detail"] == "Exhausted rate limit for the organization"
    assert out["twice_sleeps"] == [2.0]
    fired = [f["fired"] for f in double.control.get("/faults").json()["faults"]]
    assert fired == [1, 2]


def test_rosterds_kandji_sdk_retries_an_injected_429_as_it_says(double: Double) -> None:
    rules = [
        {"path": "/api/v1/users", "status": 429, "retry_after": 4, "times": 1},
        {"path": "/api/v1/users/*", "status": 429, "retry_after": 2, "times": 2},
    ]
    assert double.control.put("/faults", json=rules).status_code == 200
    waits: list[float] = []
    configuration = kandji.Configuration(
        host=double.server.base_url,
        access_token=double.org.token,
        retries=RateLimitRetry(sleep_function=waits.append),
    )

    with kandji.ApiClient(configuration) as client:
        users = kandji.UsersApi(client).list_users()
        assert waits == [4.0]
        with pytest.raises(TooManyRequestsException) as caught:
            kandji.UsersApi(client).get_user(str(double.org.admin.id))

    assert [u["email"] for u in users.results or []] == [double.org.admin.email]
    assert waits == [4.0, 2.0]
    assert caught.value.status == 429
    assert caught.value.data is not None
    assert caught.value.data.detail == "Request was throttled. Expected available in 2 seconds."
