"""Hostile requests get a 4xx in the vendor's envelope: huge headers, URLs, bodies, nesting."""

from __future__ import annotations

import httpx
import pytest

from tests.support.orgs import OrgFactory
from tests.support.server import LiveServer

# (path of a real operation, how the dialect's error body looks)
DIALECTS = {
    "thousandeyes": ("/v7/users/current", lambda body, status: body["status"] == status),
    "kandji": ("/api/v1/users", lambda body, status: set(body) == {"detail"}),
}


@pytest.fixture
def token(orgs: OrgFactory) -> str:
    return orgs.create(rate_limit_per_minute=100_000).token


@pytest.mark.parametrize("dialect", DIALECTS)
def test_oversized_headers_are_431(live_server: LiveServer, token: str, dialect: str) -> None:
    path, envelope = DIALECTS[dialect]
    headers = {"Authorization": f"Bearer {token}", "X-Padding": "x" * 20_000}

    response = httpx.get(live_server.base_url + path, headers=headers)

    assert response.status_code == 431
    assert envelope(response.json(), 431)


@pytest.mark.parametrize("dialect", DIALECTS)
def test_many_headers_are_431(live_server: LiveServer, token: str, dialect: str) -> None:
    path, envelope = DIALECTS[dialect]
    headers = [("Authorization", f"Bearer {token}")] + [(f"X-H{i}", "v" * 20) for i in range(800)]

    response = httpx.get(live_server.base_url + path, headers=headers)

    assert response.status_code == 431
    assert envelope(response.json(), 431)


@pytest.mark.parametrize("dialect", DIALECTS)
def test_oversized_urls_are_414(live_server: LiveServer, token: str, dialect: str) -> None:
    path, envelope = DIALECTS[dialect]

    response = httpx.get(
        live_server.base_url + path,
        params={"q": "x" * 10_000},
        headers={"Authorization": f"Bearer {token}"},
    )

    assert response.status_code == 414
    assert envelope(response.json(), 414)


@pytest.mark.parametrize("dialect", DIALECTS)
def test_requests_within_the_limits_are_served(
    live_server: LiveServer, token: str, dialect: str
) -> None:
    path, _ = DIALECTS[dialect]
    headers = {"Authorization": f"Bearer {token}", "X-Padding": "x" * 8_000}
    assert httpx.get(live_server.base_url + path, headers=headers).status_code == 200


def test_kandji_device_patch_refuses_huge_and_nested_bodies(
    live_server: LiveServer, token: str
) -> None:
    url = f"{live_server.kandji_url}/devices/00000000-0000-4000-8000-000000000000"
    headers = {"Authorization": f"Bearer {token}", "Content-Type": "application/json"}
    huge = httpx.patch(
        url, content=b'{"asset_tag": "' + b"x" * (1024 * 1024) + b'"}', headers=headers
    )
    nested = httpx.patch(
        url, content=b'{"tags": ' + b"[" * 100_000 + b"]" * 100_000 + b"}", headers=headers
    )

    assert huge.status_code == 413
    assert set(huge.json()) == {"detail"}
    assert nested.status_code in (400, 404)
    assert set(nested.json()) == {"detail"}
