"""Every route of every dialect, taken from the OpenAPI documents, against missing, malformed,
revoked and foreign credentials. A new route is covered as soon as it is documented."""

from __future__ import annotations

import json
import tempfile
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import httpx
import pytest

from rosterd.core.audit import CLI_ACTOR
from rosterd.core.auth import AuthService
from rosterd.core.entities import EndpointPermission
from rosterd.dialects.kandji._deps import recorded_endpoint
from rosterd.dialects.kandji._routes import ENDPOINTS as KANDJI_ENDPOINTS
from rosterd.dialects.thousandeyes._routes import ENDPOINTS as THOUSANDEYES_ENDPOINTS
from rosterd.server import Settings, create_app
from tests.api.kandji.conftest import Directory
from tests.support.dialects import dialect_apps
from tests.support.orgs import OrgFactory, TestOrg
from tests.support.server import LiveServer


@dataclass(frozen=True)
class Dialect:
    prefix: str
    check_401: Callable[[httpx.Response], None]
    check_denied: Callable[[httpx.Response], None]


def _thousandeyes_401(response: httpx.Response) -> None:
    body = response.json()
    assert set(body) == {"error", "error_description"}
    assert body["error"] == "invalid_token"


def _thousandeyes_denied(response: httpx.Response) -> None:
    assert response.headers["content-type"] == "application/problem+json"
    assert response.json()["status"] == response.status_code


def _kandji_401(response: httpx.Response) -> None:
    assert set(response.json()) == {"detail"}


_kandji_denied = _kandji_401

DIALECTS = {
    "/v7": Dialect("/v7", _thousandeyes_401, _thousandeyes_denied),
    "/api/v1": Dialect("/api/v1", _kandji_401, _kandji_denied),
}

# A body each write operation accepts, so that only the credentials decide the answer.
BODIES: dict[tuple[str, str], Any] = {
    ("POST", "/v7/users"): {"name": "Census", "email": "census@example.com"},
    ("PUT", "/v7/users/{id}"): {"name": "Census"},
    ("POST", "/v7/roles"): {"name": "Census", "permissions": []},
    ("PUT", "/v7/roles/{id}"): {"name": "Census", "permissions": []},
    ("POST", "/v7/account-groups"): {"accountGroupName": "Census"},
    ("PUT", "/v7/account-groups/{id}"): {"accountGroupName": "Census"},
    ("PATCH", "/api/v1/devices/{device_id}"): {"asset_tag": "census"},
}


def _documented_operations() -> list[tuple[str, str]]:
    """(method, full path) of every operation the mounted dialects document."""
    # Building the app opens no connection: the database named here is never created.
    unused = Path(tempfile.gettempdir()) / "rosterd-census-never-opened.db"
    app = create_app(Settings(database_url=f"sqlite:///{unused}"))
    operations = []
    for prefix, dialect in dialect_apps(app).items():
        if prefix in DIALECTS:
            for path, item in dialect.openapi()["paths"].items():
                operations += [(method.upper(), prefix + path) for method in item]
    return sorted(operations)


OPERATIONS = _documented_operations()


def test_every_dialect_documents_its_operations() -> None:
    prefixes = {path.split("/users")[0] for _, path in OPERATIONS if "/users" in path}
    assert prefixes == set(DIALECTS)


@dataclass
class Victim:
    """An organization with data another organization must never reach."""

    org: TestOrg
    ids: dict[str, str]
    secrets: list[str]


@pytest.fixture
def victim(orgs: OrgFactory, store: Any) -> Victim:
    return _victim(orgs, store)


def _victim(orgs: OrgFactory, store: Any) -> Victim:
    org = orgs.create()
    directory = Directory(org, store)
    [user] = directory.add_users(directory.integration(), 1, prefix="victim")
    device_id = directory.add_device(user_id=str(user.id))
    role = org.add_role("Victim's own", "API_ACCESS")
    group = org.add_account_group("Victim's team")
    ids = {
        "id": str(user.uid),
        "user_id": str(user.id),
        "device_id": device_id,
        "role_id": str(role.role_id),
        "aid": str(group.aid),
    }
    return Victim(org, ids, [user.email, org.admin.email, str(user.id), device_id])


def _call(
    live_server: LiveServer,
    method: str,
    template: str,
    ids: dict[str, str],
    headers: dict[str, str],
) -> httpx.Response:
    # `{id}` names a role under /v7/roles, an account group under /v7/account-groups, a user
    # elsewhere.
    named = ids
    if template.startswith("/v7/roles/"):
        named = ids | {"id": ids["role_id"]}
    elif template.startswith("/v7/account-groups/"):
        named = ids | {"id": ids["aid"]}
    path = template.format(**named)
    body = BODIES.get((method, template))
    return httpx.request(
        method,
        live_server.base_url + path,
        headers=headers,
        content=None if body is None else json.dumps(body),
        timeout=30,
    )


def dialect_of(path: str) -> Dialect:
    return next(d for prefix, d in DIALECTS.items() if path.startswith(prefix + "/"))


@pytest.mark.parametrize(("method", "path"), OPERATIONS)
def test_missing_malformed_and_revoked_tokens_are_401(
    live_server: LiveServer, victim: Victim, method: str, path: str
) -> None:
    revoked = victim.org.token_for(victim.org.admin.email)
    AuthService(victim.org.store).revoke_token(
        org_subdomain=victim.org.subdomain, token=revoked, actor=CLI_ACTOR
    )
    json_type = {"Content-Type": "application/json"}
    for headers in (
        {},
        {"Authorization": "Bearer"},
        {"Authorization": "Bearer not a token"},
        {"Authorization": "Token abc"},
        {"Authorization": f"Bearer {revoked}"},
    ):
        response = _call(live_server, method, path, victim.ids, headers | json_type)
        assert response.status_code == 401, (headers, response.text)
        dialect_of(path).check_401(response)
        assert not any(secret in response.text for secret in victim.secrets)


@pytest.mark.parametrize(("method", "path"), OPERATIONS)
def test_another_organization_never_reaches_this_ones_data(
    live_server: LiveServer, victim: Victim, orgs: OrgFactory, method: str, path: str
) -> None:
    intruder = orgs.create()
    headers = {"Authorization": f"Bearer {intruder.token}", "Content-Type": "application/json"}

    response = _call(live_server, method, path, victim.ids, headers)

    assert response.status_code < 500, response.text
    assert not any(secret in response.text for secret in victim.secrets), response.text
    if "{" in path:  # a path naming one of the victim's resources
        assert response.status_code in (403, 404), response.text
        dialect_of(path).check_denied(response)
    # Whatever the intruder asked, the victim's data is unchanged.
    with httpx.Client(
        base_url=live_server.base_url, headers={"Authorization": f"Bearer {victim.org.token}"}
    ) as own:
        assert own.get(f"/v7/users/{victim.ids['id']}").json()["name"] != "Census"
        assert own.get(f"/api/v1/devices/{victim.ids['device_id']}").status_code == 200
        assert own.get(f"/v7/roles/{victim.ids['role_id']}").json()["name"] == "Victim's own"
        group = own.get(f"/v7/account-groups/{victim.ids['aid']}").json()
        assert group["accountGroupName"] == "Victim's team"


def _endpoint(method: str, path: str) -> EndpointPermission:
    """An operation as a token's endpoint permissions name it."""
    return recorded_endpoint(EndpointPermission(path, method))


def _scoped_token(org: TestOrg, endpoints: list[EndpointPermission]) -> str:
    issued = AuthService(org.store).create_token(
        org_subdomain=org.subdomain, email=org.admin.email, actor=CLI_ACTOR, permissions=endpoints
    )
    return issued.token


def test_tokens_may_be_limited_to_every_documented_operation() -> None:
    catalogue = set(KANDJI_ENDPOINTS + THOUSANDEYES_ENDPOINTS)
    assert {_endpoint(method, path) for method, path in OPERATIONS} == catalogue


def _thousandeyes_forbidden(response: httpx.Response, method: str, template: str) -> None:
    assert response.headers["content-type"] == "application/problem+json"
    assert response.json() == {
        "type": "about:blank",
        "title": "Forbidden",
        "status": 403,
        "detail": f"This API token is limited to other endpoints than {method} {template}",
        "instance": httpx.URL(response.request.url).path,
    }


def _kandji_forbidden(response: httpx.Response, method: str, template: str) -> None:
    assert response.headers["content-type"] == "application/json"
    assert response.json() == {"detail": "You do not have permission to perform this action."}


FORBIDDEN_BODIES = {"/v7": _thousandeyes_forbidden, "/api/v1": _kandji_forbidden}


@pytest.mark.parametrize(("method", "path"), OPERATIONS)
def test_a_scoped_token_is_refused_outside_its_endpoints(
    live_server: LiveServer, victim: Victim, method: str, path: str
) -> None:
    """Even a token that may call every other endpoint, of both dialects, may not call this one."""
    this = _endpoint(method, path)
    others = [_endpoint(m, p) for m, p in OPERATIONS if _endpoint(m, p) != this]
    token = _scoped_token(victim.org, others)
    headers = {"Authorization": f"Bearer {token}", "Content-Type": "application/json"}

    response = _call(live_server, method, path, victim.ids, headers)

    assert response.status_code == 403, response.text
    FORBIDDEN_BODIES[dialect_of(path).prefix](response, method, this.path)
    assert not any(secret in response.text for secret in victim.secrets)
    with httpx.Client(
        base_url=live_server.base_url, headers={"Authorization": f"Bearer {victim.org.token}"}
    ) as own:
        user = own.get(f"/v7/users/{victim.ids['id']}")
        assert user.status_code == 200
        assert user.json()["name"] != "Census"
        assert own.get(f"/api/v1/devices/{victim.ids['device_id']}").status_code == 200
        emails = {u["email"] for u in own.get("/v7/users").json()["users"]}
        assert BODIES[("POST", "/v7/users")]["email"] not in emails


@pytest.mark.parametrize(("method", "path"), OPERATIONS)
def test_a_token_scoped_to_one_endpoint_may_call_it(
    live_server: LiveServer, orgs: OrgFactory, store: Any, method: str, path: str
) -> None:
    """It gets the answer a token without limits gets, in an organization just alike."""
    statuses = []
    for scoped in (True, False):
        victim = _victim(orgs, store)
        token = _scoped_token(victim.org, [_endpoint(method, path)] if scoped else [])
        headers = {"Authorization": f"Bearer {token}", "Content-Type": "application/json"}
        response = _call(live_server, method, path, victim.ids, headers)
        assert response.status_code != 403, response.text
        statuses.append(response.status_code)
    assert statuses[0] == statuses[1]
