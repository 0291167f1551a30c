"""The route census for SCIM: every route of /api/v1/scim against missing, malformed and foreign
credentials. SCIM serves no OpenAPI document (it describes itself through its discovery
endpoints), so the routes come from the document FastAPI would generate for the mounted
sub-application: a new route is covered as soon as it is added.

A SCIM token belongs to one directory integration. An API token is not a SCIM token, nor is a
revoked one or one replaced by `rosterd integrations rotate-token`; a token of another
integration, of this organization or another, reaches only that integration's users and
groups."""

from __future__ import annotations

import json
import tempfile
import warnings
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import httpx
import pytest

from rosterd.core.audit import CLI_ACTOR
from rosterd.core.auth import AuthService
from rosterd.core.entities import EndpointPermission
from rosterd.core.integrations import IntegrationsService
from rosterd.server import Settings, create_app
from rosterd.storage import SqlDirectoryStore
from tests.api.scim.conftest import (
    ERROR,
    GROUP,
    SCIM_JSON,
    USER,
    Provisioning,
    patch_op,
    scim_integration,
)
from tests.support.dialects import dialect_apps
from tests.support.orgs import OrgFactory
from tests.support.server import LiveServer

PREFIX = "/api/v1/scim"
SEARCH = {"schemas": ["urn:ietf:params:scim:api:messages:2.0:SearchRequest"]}

# A body each write accepts, so that only the credentials decide the answer.
BODIES: dict[tuple[str, str], Any] = {
    ("POST", "/Users"): {"schemas": [USER], "userName": "census@example.com"},
    ("PUT", "/Users/{user_id}"): {"schemas": [USER], "userName": "census@example.com"},
    ("PATCH", "/Users/{user_id}"): patch_op({"op": "replace", "path": "active", "value": False}),
    ("POST", "/Groups"): {"schemas": [GROUP], "displayName": "Census"},
    ("PUT", "/Groups/{group_id}"): {"schemas": [GROUP], "displayName": "Census"},
    ("PATCH", "/Groups/{group_id}"): patch_op(
        {"op": "replace", "path": "displayName", "value": "Census"}
    ),
    ("POST", "/Users/.search"): SEARCH,
    ("POST", "/Groups/.search"): SEARCH,
    ("POST", "/.search"): SEARCH,
    ("POST", "/Bulk"): {
        "schemas": ["urn:ietf:params:scim:api:messages:2.0:BulkRequest"],
        "Operations": [],
    },
}


def _scim_operations() -> list[tuple[str, str]]:
    """(method, path under /api/v1/scim) of every route of the mounted SCIM sub-application."""
    unused = Path(tempfile.gettempdir()) / "rosterd-census-never-opened.db"
    app = create_app(Settings(database_url=f"sqlite:///{unused}"))
    scim = dialect_apps(app)[PREFIX]
    with warnings.catch_warnings():  # /Me shares one handler (and operation id) for all methods
        warnings.simplefilter("ignore")
        paths = scim.openapi()["paths"]
    return sorted((method.upper(), path) for path, item in paths.items() for method in item)


OPERATIONS = _scim_operations()
_DISCOVERY = ("/ServiceProviderConfig", "/ResourceTypes", "/Schemas")
UNSUPPORTED = ("/Me", "/Bulk")


def test_the_census_sees_every_kind_of_scim_route() -> None:
    paths = {path for _, path in OPERATIONS}
    assert {"/Users/{user_id}", "/Groups/{group_id}", "/Bulk", "/Me", *_DISCOVERY} <= paths


@dataclass
class Victim:
    provisioning: Provisioning
    ids: dict[str, str]
    secrets: list[str]


@pytest.fixture
def victim(live_server: LiveServer, orgs: OrgFactory, store: SqlDirectoryStore) -> Victim:
    provisioning = scim_integration(store, orgs.create())
    headers = {"Authorization": f"Bearer {provisioning.token}", "Content-Type": SCIM_JSON}
    with httpx.Client(base_url=live_server.scim_url, headers=headers) as scim:
        body = {"schemas": [USER], "userName": "victim@example.com", "active": True}
        user = scim.post("/Users", json=body)
        assert user.status_code == 201, user.text
        group = scim.post(
            "/Groups",
            json={
                "schemas": [GROUP],
                "displayName": "Victims",
                "members": [{"value": user.json()["id"]}],
            },
        )
        assert group.status_code == 201, group.text
    ids = {
        "user_id": user.json()["id"],
        "group_id": group.json()["id"],
        "resource_type_id": "User",
        "schema_id": USER,
    }
    secrets = ["victim@example.com", ids["user_id"], ids["group_id"], "Victims"]
    return Victim(provisioning, ids, secrets)


def _call(
    live_server: LiveServer, method: str, template: str, ids: dict[str, str], token: str | None
) -> httpx.Response:
    headers = {"Content-Type": SCIM_JSON}
    if token is not None:
        headers["Authorization"] = token
    body = BODIES.get((method, template))
    return httpx.request(
        method,
        live_server.scim_url + template.format(**ids),
        headers=headers,
        content=None if body is None else json.dumps(body),
        timeout=30,
    )


def assert_scim_error(response: httpx.Response, status: int) -> None:
    assert response.status_code == status, response.text
    body = response.json()
    assert body["schemas"] == [ERROR]
    assert body["status"] == str(status)


@pytest.fixture
def retired_tokens(store: SqlDirectoryStore, victim: Victim) -> list[str]:
    """Tokens that once opened an integration of the victim's organization: one revoked, one
    replaced by a new token."""
    integrations = IntegrationsService(store)
    subdomain = victim.provisioning.org.subdomain
    revoked, rotated = (
        scim_integration(store, victim.provisioning.org, name=name)
        for name in ("Revoked", "Rotated")
    )
    for provisioning, retire in (
        (revoked, integrations.revoke_scim_token),
        (rotated, integrations.rotate_scim_token),
    ):
        retire(
            org_subdomain=subdomain,
            integration=str(provisioning.integration.uuid),
            actor=CLI_ACTOR,
        )
    return [f"Bearer {revoked.token}", f"Bearer {rotated.token}"]


@pytest.mark.parametrize(("method", "path"), OPERATIONS)
def test_missing_malformed_revoked_and_api_tokens_are_401(
    live_server: LiveServer, victim: Victim, retired_tokens: list[str], method: str, path: str
) -> None:
    org = victim.provisioning.org
    api_token = f"Bearer {org.token}"  # the org's admin: not a SCIM token
    scoped = AuthService(org.store).create_token(
        org_subdomain=org.subdomain,
        email=org.admin.email,
        actor=CLI_ACTOR,
        permissions=[EndpointPermission("/api/v1/users", "GET")],
    )
    api_tokens = (api_token, f"Bearer {scoped.token}")  # nor is a token limited to endpoints
    for token in (None, "Bearer", "Bearer not a token", "Token abc", *api_tokens, *retired_tokens):
        response = _call(live_server, method, path, victim.ids, token)
        assert_scim_error(response, 401)
        assert not any(secret in response.text for secret in victim.secrets), token


@pytest.mark.parametrize("same_org", [True, False], ids=["same-org", "other-org"])
@pytest.mark.parametrize(("method", "path"), OPERATIONS)
def test_another_integration_never_reaches_this_ones_users_and_groups(
    live_server: LiveServer,
    victim: Victim,
    orgs: OrgFactory,
    store: SqlDirectoryStore,
    same_org: bool,
    method: str,
    path: str,
) -> None:
    org = victim.provisioning.org if same_org else orgs.create()
    intruder = scim_integration(store, org, name="Intruder")

    response = _call(live_server, method, path, victim.ids, f"Bearer {intruder.token}")

    if path in UNSUPPORTED:  # RFC 7644 §3.7, §3.11: 501 for what a provider does not offer
        assert_scim_error(response, 501)
    assert response.status_code < 500 or path in UNSUPPORTED, response.text
    # A 404 may repeat the id the intruder itself sent; nothing else of the victim may appear.
    secrets = [s for s in victim.secrets if s not in str(response.request.url)]
    assert not any(secret in response.text for secret in secrets), response.text
    if "{user_id}" in path or "{group_id}" in path:
        assert_scim_error(response, 404)
    # Whatever the intruder asked, the victim's user and group are unchanged.
    with httpx.Client(
        base_url=live_server.scim_url,
        headers={"Authorization": f"Bearer {victim.provisioning.token}"},
    ) as own:
        user = own.get(f"/Users/{victim.ids['user_id']}").json()
        assert (user["userName"], user["active"]) == ("victim@example.com", True)
        group = own.get(f"/Groups/{victim.ids['group_id']}").json()
        assert group["displayName"] == "Victims"
        assert [m["value"] for m in group["members"]] == [victim.ids["user_id"]]
