"""Hostile requests get a 4xx in the vendor's envelope: huge headers, URLs, bodies, nesting."""

from __future__ import annotations

import httpx
import pytest

from rosterd.storage import SqlDirectoryStore
from tests.api.kandji.conftest import Directory
from tests.api.scim.conftest import (
    GROUP,
    SCIM_JSON,
    create_user,
    scim_client,
    scim_integration,
)
from tests.robustness.test_route_census import OPERATIONS as API_OPERATIONS
from tests.robustness.test_route_census import dialect_of
from tests.robustness.test_scim_census import OPERATIONS as SCIM_OPERATIONS
from tests.robustness.test_scim_census import UNSUPPORTED as SCIM_UNSUPPORTED
from tests.robustness.test_scim_census import assert_scim_error
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
    assert nested.status_code == 400
    assert nested.json()["detail"].startswith("JSON parse error - ")


# Every operation that takes a body, from the documents, so that a new one is covered too.
WRITES = [
    (method, path)
    for method, path in [*API_OPERATIONS, *((m, "/api/v1/scim" + p) for m, p in SCIM_OPERATIONS)]
    if method in ("POST", "PUT", "PATCH")
]
DEEP_BODIES = {
    "arrays": b'{"name": "Deep", "x": ' + b"[" * 50_000 + b"]" * 50_000 + b"}",
    "objects": b'{"name": "Deep", "x": ' + b'{"a": ' * 50_000 + b"1" + b"}" * 50_001,
}


def _error_envelope(path: str, response: httpx.Response) -> None:
    if path.startswith("/api/v1/scim/"):
        assert_scim_error(response, response.status_code)
    else:
        dialect_of(path).check_denied(response)


@pytest.mark.parametrize("nesting", DEEP_BODIES)
@pytest.mark.parametrize(("method", "path"), WRITES)
def test_deeply_nested_bodies_are_400_on_every_write(
    live_server: LiveServer,
    orgs: OrgFactory,
    store: SqlDirectoryStore,
    method: str,
    path: str,
    nesting: str,
) -> None:
    org = orgs.create(rate_limit_per_minute=100_000)
    directory = Directory(org, store)
    [user] = directory.add_users(directory.integration(), 1)
    provisioning = scim_integration(store, org)
    with scim_client(live_server, provisioning.token) as scim:
        scim_user = create_user(scim)
        group = scim.post("/Groups", json={"schemas": [GROUP], "displayName": "Deep"}).json()
    ids = {"id": str(user.uid), "device_id": directory.add_device(), "group_id": group["id"]}
    ids["user_id"] = scim_user["id"] if "/scim/" in path else str(user.id)
    token = provisioning.token if "/scim/" in path else org.token

    response = httpx.request(
        method,
        live_server.base_url + path.format(**ids),
        content=DEEP_BODIES[nesting],
        headers={"Authorization": f"Bearer {token}", "Content-Type": SCIM_JSON},
        timeout=30,
    )

    unsupported = path.removeprefix("/api/v1/scim") in SCIM_UNSUPPORTED
    assert response.status_code == (501 if unsupported else 400), response.text
    _error_envelope(path, response)
