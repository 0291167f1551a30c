"""The SCIM protocol around the resources: auth, errors, discovery, media types, ETags, audit."""

from __future__ import annotations

from typing import Any

import httpx
import pytest

from rosterd.storage import SqlDirectoryStore
from tests.api.scim.conftest import (
    ENTERPRISE,
    GROUP,
    LIST,
    SCIM_JSON,
    USER,
    Provisioning,
    create_user,
    error,
    patch_op,
    scim_client,
    scim_integration,
)
from tests.cli.test_directory_cli import new_integration
from tests.support.orgs import OrgFactory
from tests.support.server import LiveServer, start_server

# auth


@pytest.mark.parametrize(
    ("headers", "detail"),
    [
        ({}, "Missing bearer token"),
        ({"Authorization": "Bearer"}, "Missing bearer token"),
        ({"Authorization": "Basic dXNlcjpwYXNz"}, "Missing bearer token"),
        ({"Authorization": "Bearer rst_not-a-token-of-anything"}, "Invalid bearer token"),
        ({"Authorization": "Bearer a b"}, "Invalid bearer token"),
    ],
)
def test_requests_without_the_integration_s_token_get_401(
    anonymous: httpx.Client, headers: dict[str, str], detail: str
) -> None:
    for path in ("/Users", "/Groups", "/ServiceProviderConfig", "/Schemas"):
        response = anonymous.get(path, headers=headers)
        assert response.status_code == 401, path
        assert response.headers["www-authenticate"] == 'Bearer realm="SCIM"'
        assert response.headers["content-type"] == SCIM_JSON
        assert response.json() == error(401, detail)


def test_an_api_token_is_not_a_scim_token(
    anonymous: httpx.Client, provisioning: Provisioning
) -> None:
    admin_token = provisioning.org.token

    response = anonymous.get("/Users", headers={"Authorization": f"Bearer {admin_token}"})

    assert response.status_code == 401
    assert response.json() == error(401, "Invalid bearer token")


def test_a_token_sees_and_changes_only_its_integration(
    scim: httpx.Client,
    live_server: LiveServer,
    store: SqlDirectoryStore,
    provisioning: Provisioning,
    orgs: OrgFactory,
) -> None:
    mine = create_user(scim)
    group = scim.post("/Groups", json={"schemas": [GROUP], "displayName": "Mine"}).json()
    same_org = scim_integration(store, provisioning.org, "Entra")
    other_org = scim_integration(store, orgs.create(), "Okta")

    for other in (same_org, other_org):
        with scim_client(live_server, other.token) as theirs:
            assert theirs.get("/Users").json()["totalResults"] == 0
            assert theirs.get("/Groups").json()["totalResults"] == 0
            assert theirs.get(f"/Users/{mine['id']}").status_code == 404
            assert theirs.get(f"/Groups/{group['id']}").status_code == 404
            filtered = theirs.get("/Users", params={"filter": f'id eq "{mine["id"]}"'})
            assert filtered.json()["totalResults"] == 0
            assert theirs.delete(f"/Users/{mine['id']}").status_code == 404
            assert theirs.delete(f"/Groups/{group['id']}").status_code == 404
            patched = theirs.patch(
                f"/Users/{mine['id']}",
                json=patch_op({"op": "replace", "path": "title", "value": "x"}),
            )
            assert patched.status_code == 404
            # The same userName is free in another integration of the same organization? No:
            # the email it maps to is the organization's.
            clash = theirs.post("/Users", json={"schemas": [USER], "userName": mine["userName"]})
            expected = 409 if other is same_org else 201
            assert clash.status_code == expected, clash.text
    assert scim.get(f"/Users/{mine['id']}").json() == mine


def test_the_token_from_the_cli_provisions(
    live_server: LiveServer, database_url: str, provisioning: Provisioning
) -> None:
    created = new_integration(database_url, provisioning.org.subdomain, "scim")

    with scim_client(live_server, created["scim_token"]) as scim:
        user = create_user(scim)
        listed = scim.get("/Users").json()

    assert listed["totalResults"] == 1
    assert listed["Resources"][0]["id"] == user["id"]


# routing and errors


def test_unknown_paths_are_scim_404s_not_kandji_ones(scim: httpx.Client) -> None:
    for path in ("/Nope", "/Users/a/b", "/users"):
        response = scim.get(path)
        assert response.status_code == 404, path
        assert response.headers["content-type"] == SCIM_JSON
        assert response.json() == error(404, f"No SCIM endpoint at /api/v1/scim{path}")
    unknown = scim.get("/Users/00000000-0000-0000-0000-000000000000")
    assert unknown.json() == error(404, "No user '00000000-0000-0000-0000-000000000000'")


@pytest.mark.parametrize(
    ("method", "path", "allow"),
    [
        ("POST", "/ServiceProviderConfig", "GET"),
        ("DELETE", "/Schemas", "GET"),
        ("PUT", "/ResourceTypes", "GET"),
        ("PUT", "/Users", "GET, POST"),
        ("POST", "/Users/x", "GET, PUT, PATCH, DELETE"),
        ("GET", "/Bulk", "POST"),
    ],
)
def test_unserved_methods_get_405_with_allow(
    scim: httpx.Client, method: str, path: str, allow: str
) -> None:
    response = scim.request(method, path)

    assert response.status_code == 405
    assert response.headers["allow"] == allow
    assert response.json() == error(405, f"{method} is not supported here")


def test_bulk_and_me_are_not_implemented(scim: httpx.Client) -> None:
    bulk = scim.post("/Bulk", json={})
    me = scim.get("/Me")

    assert bulk.json() == error(501, "Bulk operations are not supported")
    assert me.json() == error(
        501,
        "/Me is not supported: a SCIM token belongs to a directory integration, not a user",
    )


def test_bad_bodies(scim: httpx.Client) -> None:
    not_json = scim.post("/Users", content=b"{nope")
    empty = scim.post("/Users", content=b"")
    array = scim.post("/Users", json=[{"userName": "x"}])
    unknown = scim.post("/Users", json={"schemas": [USER], "userName": "x", "shoeSize": 42})
    wrong_schema = scim.post("/Users", json={"schemas": [GROUP], "userName": "x"})

    assert not_json.status_code == 400
    assert not_json.json()["scimType"] == "invalidSyntax"
    assert not_json.json()["detail"].startswith("The body is not JSON: ")
    assert empty.json() == error(400, "The request has no body", "invalidSyntax")
    surrogate = scim.post("/Users", content=b'{"userName": "\\ud800@example.com"}')
    assert surrogate.json() == error(
        400, "The body holds text that is not Unicode", "invalidSyntax"
    )
    assert array.json() == error(400, "The body must be a JSON object", "invalidSyntax")
    assert (unknown.status_code, unknown.json()["scimType"]) == (400, "invalidSyntax")
    assert "shoeSize" in unknown.json()["detail"]
    assert (wrong_schema.status_code, wrong_schema.json()["status"]) == (400, "400")
    assert scim.get("/Users").json()["totalResults"] == 0


def test_json_bodies_under_any_json_media_type(scim: httpx.Client) -> None:
    for content_type in ("application/json", "application/scim+json; charset=utf-8", None):
        headers = {"Content-Type": content_type} if content_type else {}
        response = scim.post(
            "/Users",
            content=f'{{"userName": "u{len(headers)}-{content_type}"}}'.encode(),
            headers=headers,
        )
        assert response.status_code == 201, (content_type, response.text)
    other = scim.post("/Users", content=b"userName=x", headers={"Content-Type": "text/plain"})
    assert other.status_code == 415
    assert other.json() == error(415, "Send the body as application/scim+json, not text/plain")


def test_oversized_bodies_get_413(scim: httpx.Client, live_server: LiveServer) -> None:
    limit = live_server.settings.max_body_bytes
    body = b'{"userName": "' + b"x" * limit + b'"}'

    response = scim.post("/Users", content=body)

    assert response.status_code == 413
    assert response.json() == error(413, f"The request body exceeds the limit of {limit} bytes")


DEEP_ARRAY = b'{"userName": "deep@example.com", "x": ' + b"[" * 50_000 + b"]" * 50_000 + b"}"
DEEP_OBJECT = b'{"userName": "deep@example.com", "x": ' + b'{"a": ' * 50_000 + b"1" + b"}" * 50_001


@pytest.mark.parametrize("body", [DEEP_ARRAY, DEEP_OBJECT], ids=["arrays", "objects"])
@pytest.mark.parametrize(
    ("method", "path"),
    [("POST", "/Users"), ("PUT", "/Users/{id}"), ("PATCH", "/Users/{id}"), ("POST", "/.search")],
)
def test_deeply_nested_bodies_are_400_invalid_syntax(
    scim: httpx.Client, method: str, path: str, body: bytes
) -> None:
    user = create_user(scim)

    response = scim.request(method, path.format(id=user["id"]), content=body)

    assert response.status_code == 400
    assert response.json() == error(400, "The body is nested too deeply", "invalidSyntax")
    assert scim.get(f"/Users/{user['id']}").json() == user


# discovery


def test_service_provider_config_says_what_rosterd_supports(
    scim: httpx.Client, live_server: LiveServer
) -> None:
    response = scim.get("/ServiceProviderConfig")

    assert response.status_code == 200
    location = f"{live_server.scim_url}/ServiceProviderConfig"
    assert response.json() == {
        "schemas": ["urn:ietf:params:scim:schemas:core:2.0:ServiceProviderConfig"],
        "meta": {"resourceType": "ServiceProviderConfig", "location": location},
        "patch": {"supported": True},
        "bulk": {"supported": False, "maxOperations": 0, "maxPayloadSize": 0},
        "filter": {"supported": True, "maxResults": 1000},
        "changePassword": {"supported": False},
        "sort": {"supported": True},
        "etag": {"supported": True},
        "authenticationSchemes": [
            {
                "type": "oauthbearertoken",
                "name": "Bearer token",
                "description": "The directory integration's SCIM token, shown once by "
                "`rosterd integrations create --type scim`",
                "primary": True,
            }
        ],
    }


def test_resource_types_and_schemas(scim: httpx.Client, live_server: LiveServer) -> None:
    types = scim.get("/ResourceTypes").json()
    schemas = scim.get("/Schemas").json()
    user_type = scim.get("/ResourceTypes/User").json()
    group_schema = scim.get(f"/Schemas/{GROUP}").json()

    assert types["schemas"] == [LIST]
    assert types["totalResults"] == 2
    assert types["Resources"][0] == user_type
    assert user_type == {
        "schemas": ["urn:ietf:params:scim:schemas:core:2.0:ResourceType"],
        "id": "User",
        "name": "User",
        "description": "A user of the directory integration the token belongs to",
        "endpoint": "/Users",
        "schema": USER,
        "schemaExtensions": [{"schema": ENTERPRISE, "required": False}],
        "meta": {
            "resourceType": "ResourceType",
            "location": f"{live_server.scim_url}/ResourceTypes/User",
        },
    }
    assert [s["id"] for s in schemas["Resources"]] == [USER, ENTERPRISE, GROUP]
    members = next(a for a in group_schema["attributes"] if a["name"] == "members")
    ref = next(s for s in members["subAttributes"] if s["name"] == "$ref")
    assert ref["referenceTypes"] == ["User"]
    assert group_schema["meta"] == {
        "resourceType": "Schema",
        "location": f"{live_server.scim_url}/Schemas/{GROUP}",
    }
    assert scim.get("/Schemas/urn:nope").json() == error(404, "No schema 'urn:nope'")
    assert scim.get("/ResourceTypes/Nope").json() == error(404, "No resource type 'Nope'")
    forbidden = scim.get("/Schemas", params={"filter": 'id eq "x"'})
    assert forbidden.json() == error(403, "Discovery endpoints do not support filtering")


# versions


def test_if_match_guards_changes_with_the_etag(scim: httpx.Client) -> None:
    created = create_user(scim, title="One")
    url = f"/Users/{created['id']}"
    stale = 'W/"000000000000000000000000"'
    change = patch_op({"op": "replace", "path": "title", "value": "Two"})

    refused = scim.patch(url, json=change, headers={"If-Match": stale})
    refused_put = scim.put(url, json={"userName": "x"}, headers={"If-Match": stale})
    refused_delete = scim.delete(url, headers={"If-Match": stale})
    accepted = scim.patch(url, json=change, headers={"If-Match": created["meta"]["version"]})

    for response in (refused, refused_put, refused_delete):
        assert response.status_code == 412
        assert response.json() == error(
            412, "The resource changed: its version does not match If-Match"
        )
    assert accepted.status_code == 200
    assert accepted.json()["title"] == "Two"
    # The old version no longer matches; the new one, and `*`, do.
    assert scim.delete(url, headers={"If-Match": created["meta"]["version"]}).status_code == 412
    assert scim.get(url, headers={"If-Match": accepted.headers["etag"]}).status_code == 200
    assert scim.delete(url, headers={"If-Match": "*"}).status_code == 204


def test_if_none_match_answers_304_while_the_version_holds(scim: httpx.Client) -> None:
    created = create_user(scim)
    url = f"/Users/{created['id']}"
    version = created["meta"]["version"]

    unchanged = scim.get(url, headers={"If-None-Match": version})
    scim.patch(url, json=patch_op({"op": "add", "path": "title", "value": "New"}))
    changed = scim.get(url, headers={"If-None-Match": version})

    assert unchanged.status_code == 304
    assert unchanged.headers["etag"] == version
    assert unchanged.content == b""
    assert changed.status_code == 200
    assert changed.headers["etag"] != version


def test_every_change_moves_the_version(scim: httpx.Client) -> None:
    created = create_user(scim)
    url = f"/Users/{created['id']}"
    versions = [created["meta"]["version"]]
    for value in ("A", "B"):
        response = scim.patch(url, json=patch_op({"op": "add", "path": "title", "value": value}))
        versions.append(response.headers["etag"])
    group = scim.post(
        "/Groups",
        json={"schemas": [GROUP], "displayName": "G", "members": [{"value": created["id"]}]},
    ).json()
    versions.append(scim.get(url).headers["etag"])  # its groups changed
    scim.patch(
        f"/Groups/{group['id']}",
        json=patch_op({"op": "replace", "path": "displayName", "value": "H"}),
    )
    versions.append(scim.get(url).headers["etag"])

    assert len(set(versions)) == len(versions)


# audit


def test_every_change_is_audited_as_the_integration(
    scim: httpx.Client, kandji: httpx.Client, provisioning: Provisioning
) -> None:
    user = create_user(scim)
    scim.patch(f"/Users/{user['id']}", json=patch_op({"op": "add", "path": "title", "value": "T"}))
    group = scim.post(
        "/Groups",
        json={"schemas": [GROUP], "displayName": "G", "members": [{"value": user["id"]}]},
    ).json()
    scim.delete(f"/Users/{user['id']}")
    scim.delete(f"/Groups/{group['id']}")
    scim.patch(f"/Users/{user['id']}", json=patch_op({"op": "add", "path": "title", "value": "X"}))

    events = [
        e
        for e in kandji.get("/audit/events", params={"limit": "500"}).json()["results"]
        if e["actor_type"] == "integration"
    ]

    integration = str(provisioning.integration.uuid)
    assert [(e["action"], e["target_type"], e["target_id"]) for e in events] == [
        ("create", "user", user["id"]),
        ("update", "user", user["id"]),
        ("create", "group", group["id"]),
        ("archive", "user", user["id"]),
        ("update", "group", group["id"]),
        ("delete", "group", group["id"]),
    ]
    assert {e["actor_id"] for e in events} == {integration}
    assert all(e["metadata"]["request_id"] for e in events)
    created: dict[str, Any] = events[0]["new_state"]
    assert created == {
        "user_name": user["userName"],
        "email": user["userName"],
        "name": user["userName"],
        "active": True,
        "department": "",
        "job_title": "",
        "external_id": None,
        "integration": integration,
    }
    assert events[3]["new_state"]["groups_left"] == [group["id"]]
    assert events[4]["new_state"] == {"members_removed": [user["id"]]}


def test_locations_use_the_public_base_url(
    database_url: str, store: SqlDirectoryStore, provisioning: Provisioning
) -> None:
    with (
        start_server(database_url, store, public_base_url="https://rosterd.example.com/") as server,
        scim_client(server, provisioning.token) as scim,
    ):
        created = create_user(scim)
        group = scim.post(
            "/Groups",
            json={"schemas": [GROUP], "displayName": "G", "members": [{"value": created["id"]}]},
        ).json()

    base = "https://rosterd.example.com/api/v1/scim"
    assert created["meta"]["location"] == f"{base}/Users/{created['id']}"
    assert group["members"][0]["$ref"] == f"{base}/Users/{created['id']}"
