"""/api/v1/scim/Users: the SCIM view of an integration's users, and what the other APIs see."""

from __future__ import annotations

import re
from concurrent.futures import ThreadPoolExecutor
from typing import Any

import httpx

from rosterd.core.directory_sync import DirectoryRecord, DirectorySyncService
from rosterd.storage import SqlDirectoryStore
from tests.api.scim.conftest import (
    ENTERPRISE,
    SCIM_JSON,
    USER,
    Provisioning,
    create_user,
    error,
    patch_op,
    scim_client,
    unique_email,
)
from tests.support.server import LiveServer

TIMESTAMP = re.compile(r"^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{6}Z$")
ETAG = re.compile(r'^W/"[0-9a-f]{24}"$')


def babs(email: str) -> dict[str, Any]:
    """RFC 7643's example user, with the attributes the directory maps."""
    return {
        "schemas": [USER, ENTERPRISE],
        "userName": email,
        "externalId": "701984",
        "name": {"formatted": "Ms. Barbara J Jensen, III", "familyName": "Jensen"},
        "displayName": "Babs Jensen",
        "title": "Tour Guide",
        "active": True,
        "emails": [
            {"value": f"home.{email}", "type": "home"},
            {"value": f"work.{email}", "type": "work", "primary": True},
        ],
        "phoneNumbers": [{"value": "555-555-5555", "type": "work"}],
        "password": "t1meMa$heen",
        ENTERPRISE: {"employeeNumber": "701984", "department": "Tour Operations"},
    }


def test_create_user_answers_201_with_the_resource_its_location_and_etag(
    scim: httpx.Client, live_server: LiveServer
) -> None:
    email = unique_email("babs")

    response = scim.post("/Users", json=babs(email))

    assert response.status_code == 201, response.text
    assert response.headers["content-type"] == SCIM_JSON
    body = response.json()
    user_id = body["id"]
    location = f"{live_server.scim_url}/Users/{user_id}"
    assert response.headers["location"] == location
    assert response.headers["etag"] == body["meta"]["version"]
    assert ETAG.match(body["meta"]["version"])
    assert TIMESTAMP.match(body["meta"]["created"])
    assert body["meta"]["lastModified"] == body["meta"]["created"]
    expected = babs(email) | {"id": user_id}
    del expected["password"]  # never returned (and never stored)
    expected["meta"] = {
        "resourceType": "User",
        "created": body["meta"]["created"],
        "lastModified": body["meta"]["created"],
        "location": location,
        "version": body["meta"]["version"],
    }
    assert body == expected
    assert scim.get(f"/Users/{user_id}").json() == body


def test_a_provisioned_user_shows_in_the_kandji_api_with_its_integration(
    scim: httpx.Client, kandji: httpx.Client, provisioning: Provisioning
) -> None:
    email = unique_email("babs")
    created = scim.post("/Users", json=babs(email)).json()

    response = kandji.get(f"/users/{created['id']}")

    assert response.status_code == 200
    body = response.json()
    integration = provisioning.integration
    assert body == {
        "active": True,
        "archived": False,
        "created_at": body["created_at"],
        "department": "Tour Operations",
        "deprecated_user_id": body["deprecated_user_id"],
        "email": f"work.{email}",  # the primary email
        "id": created["id"],
        "integration": {
            "id": integration.id,
            "name": "Okta",
            "uuid": str(integration.uuid),
            "type": "scim",
        },
        "job_title": "Tour Guide",
        "name": "Babs Jensen",
        "device_count": 0,
        "updated_at": body["created_at"],
    }
    listed = kandji.get("/users", params={"integration_id": str(integration.uuid)}).json()
    assert [u["id"] for u in listed["results"]] == [created["id"]]


def test_a_provisioned_user_is_a_regular_user_of_the_default_account_group(
    scim: httpx.Client, kandji: httpx.Client, thousandeyes: httpx.Client, provisioning: Provisioning
) -> None:
    created = create_user(scim, displayName="Jo Provisioned")
    uid = kandji.get(f"/users/{created['id']}").json()["deprecated_user_id"]
    group = provisioning.org.account_group

    response = thousandeyes.get(f"/users/{uid}")

    assert response.status_code == 200
    body = response.json()
    account_group = {"aid": str(group.aid), "accountGroupName": group.name}
    assert body["email"] == created["userName"]
    assert body["name"] == "Jo Provisioned"
    assert body["loginAccountGroup"] == account_group
    assert body["accountGroupRoles"] == [
        {
            "accountGroup": account_group,
            "roles": [
                {
                    "roleId": body["accountGroupRoles"][0]["roles"][0]["roleId"],
                    "name": "Regular User",
                    "isBuiltin": True,
                    "hasManagementPermissions": False,
                }
            ],
        }
    ]
    assert body["allAccountGroupRoles"] == []
    listed = thousandeyes.get("/users").json()["users"]
    assert uid in [u["uid"] for u in listed]


def test_the_name_comes_from_display_name_then_formatted_then_given_and_family_names(
    scim: httpx.Client, kandji: httpx.Client
) -> None:
    cases = [
        ({"displayName": "Display", "name": {"formatted": "Formatted"}}, "Display"),
        ({"name": {"formatted": "Formatted", "givenName": "Given"}}, "Formatted"),
        ({"name": {"givenName": "Given", "familyName": "Family"}}, "Given Family"),
        ({}, None),  # the userName
    ]
    for fields, name in cases:
        created = create_user(scim, **fields)
        shown = kandji.get(f"/users/{created['id']}").json()["name"]
        assert shown == (name or created["userName"]), fields


def test_the_email_is_the_primary_email_else_the_first_else_the_user_name(
    scim: httpx.Client, kandji: httpx.Client
) -> None:
    first, second = unique_email("first"), unique_email("second")
    primary = create_user(scim, emails=[{"value": first}, {"value": second, "primary": True}])
    unmarked = create_user(scim, emails=[{"value": first}, {"value": second}])
    unusable = create_user(scim, emails=[{"value": "not an address"}])

    assert kandji.get(f"/users/{primary['id']}").json()["email"] == second
    assert kandji.get(f"/users/{unmarked['id']}").json()["email"] == first
    assert kandji.get(f"/users/{unusable['id']}").json()["email"] == unusable["userName"]


def test_a_user_without_any_address_gets_a_placeholder_under_the_invalid_domain(
    scim: httpx.Client, kandji: httpx.Client
) -> None:
    user_name = unique_email().replace("@", "-at-")
    created = create_user(scim, userName=user_name)

    shown = kandji.get(f"/users/{created['id']}").json()

    assert shown["email"] == f"{created['id']}@scim.invalid"
    assert shown["name"] == user_name
    assert "emails" not in created
    # Removing every email later keeps the address the user has.
    address = unique_email()
    user = create_user(scim, userName=f"x-{user_name}", emails=[{"value": address}])
    scim.patch(f"/Users/{user['id']}", json=patch_op({"op": "remove", "path": "emails"}))
    assert kandji.get(f"/users/{user['id']}").json()["email"] == address


def test_active_false_makes_the_user_inactive(scim: httpx.Client, kandji: httpx.Client) -> None:
    created = create_user(scim, active=True)

    response = scim.patch(
        f"/Users/{created['id']}",
        json=patch_op({"op": "replace", "path": "active", "value": False}),
    )

    assert response.status_code == 200, response.text
    assert response.json()["active"] is False
    assert kandji.get(f"/users/{created['id']}").json()["active"] is False


def test_delete_archives_the_user(
    scim: httpx.Client, kandji: httpx.Client, provisioning: Provisioning
) -> None:
    created = create_user(scim)
    user_id = created["id"]

    response = scim.delete(f"/Users/{user_id}")

    assert response.status_code == 204
    assert response.content == b""
    assert scim.get(f"/Users/{user_id}").json() == error(404, f"No user {user_id!r}")
    assert scim.get(f"/Users/{user_id}").status_code == 404
    assert scim.delete(f"/Users/{user_id}").status_code == 404
    assert scim.get("/Users").json()["totalResults"] == 0
    shown = kandji.get(f"/users/{user_id}").json()
    assert shown["archived"] is True
    archived = kandji.get(
        "/users",
        params={"archived": "true", "integration_id": str(provisioning.integration.uuid)},
    ).json()
    assert [u["id"] for u in archived["results"]] == [user_id]


def test_creating_a_deleted_user_again_restores_it(
    scim: httpx.Client, kandji: httpx.Client
) -> None:
    created = create_user(scim, displayName="First")
    scim.delete(f"/Users/{created['id']}")

    again = scim.post(
        "/Users", json={"schemas": [USER], "userName": created["userName"], "title": "Back"}
    )

    assert again.status_code == 201, again.text
    assert again.json()["id"] == created["id"]
    assert again.json()["title"] == "Back"
    assert "displayName" not in again.json()
    shown = kandji.get(f"/users/{created['id']}").json()
    assert (shown["archived"], shown["job_title"], shown["name"]) == (
        False,
        "Back",
        created["userName"],
    )


def test_user_names_are_unique_in_the_integration_regardless_of_case(
    scim: httpx.Client,
) -> None:
    created = create_user(scim)

    response = scim.post(
        "/Users", json={"schemas": [USER], "userName": created["userName"].upper()}
    )

    assert response.status_code == 409
    assert response.json() == error(
        409,
        f"a user with userName {created['userName'].upper()!r} already exists: "
        f"a user with userName {created['userName'].upper()!r} already exists",
        "uniqueness",
    )


def test_an_email_of_a_user_outside_the_integration_is_a_conflict(
    scim: httpx.Client, provisioning: Provisioning
) -> None:
    admin = provisioning.org.admin.email

    response = scim.post("/Users", json={"schemas": [USER], "userName": admin})

    assert response.status_code == 409
    assert response.json()["scimType"] == "uniqueness"
    assert response.json()["detail"].startswith(f"a user with email {admin!r} already exists")


def test_put_replaces_every_attribute(scim: httpx.Client, kandji: httpx.Client) -> None:
    email = unique_email("babs")
    created = scim.post("/Users", json=babs(email)).json()

    response = scim.put(
        f"/Users/{created['id']}",
        json={"schemas": [USER], "userName": email, "displayName": "Barbara"},
    )

    assert response.status_code == 200, response.text
    body = response.json()
    assert response.headers["etag"] == body["meta"]["version"] != created["meta"]["version"]
    assert body["meta"]["created"] == created["meta"]["created"]
    assert body["meta"]["lastModified"] > created["meta"]["lastModified"]
    assert {k: v for k, v in body.items() if k != "meta"} == {
        "schemas": [USER],
        "id": created["id"],
        "userName": email,
        "displayName": "Barbara",
    }
    shown = kandji.get(f"/users/{created['id']}").json()
    assert (shown["name"], shown["job_title"], shown["department"], shown["active"]) == (
        "Barbara",
        None,
        None,
        True,
    )
    # Without emails, the userName is the address.
    assert shown["email"] == email


def test_put_without_changes_keeps_the_version(scim: httpx.Client) -> None:
    created = create_user(scim, title="Same")
    body = {k: v for k, v in created.items() if k not in ("id", "meta")}

    response = scim.put(f"/Users/{created['id']}", json=body)

    assert response.status_code == 200
    assert response.json() == created


def test_patch_add_replace_and_remove_with_paths_and_value_filters(
    scim: httpx.Client, kandji: httpx.Client
) -> None:
    email = unique_email("babs")
    created = scim.post("/Users", json=babs(email)).json()

    response = scim.patch(
        f"/Users/{created['id']}",
        json=patch_op(
            {"op": "add", "path": "nickName", "value": "Babs"},
            {"op": "replace", "path": 'emails[type eq "work"].value', "value": f"new.{email}"},
            {"op": "remove", "path": 'emails[type eq "home"]'},
            {"op": "replace", "path": "name.givenName", "value": "Barbara"},
            {"op": "add", "value": {"title": "Chief Guide", f"{ENTERPRISE}:division": "East"}},
            {"op": "remove", "path": "phoneNumbers"},
        ),
    )

    assert response.status_code == 200, response.text
    body = response.json()
    assert body["nickName"] == "Babs"
    assert body["emails"] == [{"value": f"new.{email}", "type": "work", "primary": True}]
    assert body["name"] == {
        "formatted": "Ms. Barbara J Jensen, III",
        "familyName": "Jensen",
        "givenName": "Barbara",
    }
    assert body["title"] == "Chief Guide"
    assert body[ENTERPRISE] == {
        "employeeNumber": "701984",
        "department": "Tour Operations",
        "division": "East",
    }
    assert "phoneNumbers" not in body
    assert scim.get(f"/Users/{created['id']}").json() == body
    shown = kandji.get(f"/users/{created['id']}").json()
    assert (shown["email"], shown["job_title"]) == (f"new.{email}", "Chief Guide")


def test_patch_as_microsoft_entra_id_sends_it(scim: httpx.Client, kandji: httpx.Client) -> None:
    """Capitalised ops, booleans as strings, a replace through a filter that matches nothing."""
    created = create_user(scim, active=True)
    address = unique_email("entra")

    response = scim.patch(
        f"/Users/{created['id']}",
        json=patch_op(
            {"op": "Replace", "path": "active", "value": "False"},
            {"op": "Add", "path": 'emails[type eq "work"].value', "value": address},
            {"op": "Add", "path": f"{ENTERPRISE}:department", "value": "Sales"},
        ),
    )

    assert response.status_code == 200, response.text
    body = response.json()
    assert body["active"] is False
    assert body["emails"] == [{"type": "work", "value": address}]
    shown = kandji.get(f"/users/{created['id']}").json()
    assert (shown["active"], shown["email"], shown["department"]) == (False, address, "Sales")


def test_patch_errors_carry_their_scim_type(scim: httpx.Client) -> None:
    created = create_user(scim)
    url = f"/Users/{created['id']}"

    bad_path = scim.patch(url, json=patch_op({"op": "replace", "path": "nope", "value": "x"}))
    read_only = scim.patch(url, json=patch_op({"op": "replace", "path": "id", "value": "x"}))
    bad_value = scim.patch(url, json=patch_op({"op": "replace", "path": "active", "value": []}))
    no_target = scim.patch(url, json=patch_op({"op": "remove", "path": 'emails[type eq "work"]'}))
    no_ops = scim.patch(url, json={"schemas": ["urn:x"], "Operations": []})

    assert (bad_path.status_code, bad_path.json()["scimType"]) == (400, "invalidPath")
    assert (read_only.status_code, read_only.json()["scimType"]) == (400, "mutability")
    assert (bad_value.status_code, bad_value.json()["scimType"]) == (400, "invalidValue")
    assert no_target.status_code == 200  # removing what is not there changes nothing
    assert no_target.json() == created
    assert no_ops.status_code == 400
    assert scim.get(url).json() == created


def test_invalid_values_are_refused_with_invalid_value(scim: httpx.Client) -> None:
    too_long = scim.post(
        "/Users", json={"schemas": [USER], "userName": unique_email(), "title": "x" * 256}
    )
    blank = scim.post("/Users", json={"schemas": [USER], "userName": "  "})
    missing = scim.post("/Users", json={"schemas": [USER], "displayName": "No user name"})
    wrong_type = scim.post("/Users", json={"schemas": [USER], "userName": ["a"]})

    assert too_long.status_code == 400
    assert too_long.json() == error(
        400,
        "The request describes an invalid user: title must be printable, at most 255 characters",
        "invalidValue",
    )
    assert blank.json() == error(
        400, "The request describes an invalid user: userName cannot be blank", "invalidValue"
    )
    assert (missing.status_code, missing.json()["scimType"]) == (400, "invalidValue")
    assert (wrong_type.status_code, wrong_type.json()["scimType"]) == (400, "invalidValue")


def test_users_created_by_an_import_show_as_their_email(
    scim: httpx.Client, store: SqlDirectoryStore, provisioning: Provisioning
) -> None:
    email = unique_email("imported")
    DirectorySyncService(store).import_users(
        org_subdomain=provisioning.org.subdomain,
        integration_uuid=str(provisioning.integration.uuid),
        records=[DirectoryRecord(email=email, name="Imported Person", job_title="Clerk")],
    )

    found = scim.get("/Users", params={"filter": f'userName eq "{email.upper()}"'}).json()

    [user] = found["Resources"]
    assert {k: v for k, v in user.items() if k not in ("id", "meta")} == {
        "schemas": [USER],
        "userName": email,
        "displayName": "Imported Person",
        "emails": [{"value": email, "primary": True}],
        "active": True,
        "title": "Clerk",
    }
    # A client that takes the user over stores its own attributes from then on.
    response = scim.put(
        f"/Users/{user['id']}", json={"schemas": [USER], "userName": email, "nickName": "Imp"}
    )
    assert response.status_code == 200, response.text
    assert response.json()["nickName"] == "Imp"


def test_a_user_deleted_through_the_kandji_api_is_gone_for_scim(
    scim: httpx.Client, kandji: httpx.Client
) -> None:
    user = create_user(scim)
    group = scim.post(
        "/Groups",
        json={
            "schemas": ["urn:ietf:params:scim:schemas:core:2.0:Group"],
            "displayName": "G",
            "members": [{"value": user["id"]}],
        },
    ).json()

    assert kandji.delete(f"/users/{user['id']}").status_code == 204

    assert scim.get(f"/Users/{user['id']}").status_code == 404
    after = scim.get(f"/Groups/{group['id']}")
    assert "members" not in after.json()
    assert after.headers["etag"] != group["meta"]["version"]
    # The identity provider may create the person again: a new user.
    again = scim.post("/Users", json={"schemas": [USER], "userName": user["userName"]})
    assert again.status_code == 201
    assert again.json()["id"] != user["id"]


def test_the_identity_provider_owns_what_scim_shows(
    scim: httpx.Client, thousandeyes: httpx.Client, kandji: httpx.Client
) -> None:
    created = create_user(scim, displayName="From The IdP")
    uid = kandji.get(f"/users/{created['id']}").json()["deprecated_user_id"]

    renamed = thousandeyes.put(f"/users/{uid}", json={"name": "Renamed In ThousandEyes"})

    assert renamed.status_code == 200, renamed.text
    assert kandji.get(f"/users/{created['id']}").json()["name"] == "Renamed In ThousandEyes"
    shown = scim.get(f"/Users/{created['id']}")
    assert shown.json()["displayName"] == "From The IdP"
    assert shown.headers["etag"] != created["meta"]["version"]  # lastModified moved
    # The client's next write sets the directory's name again.
    scim.patch(
        f"/Users/{created['id']}", json=patch_op({"op": "add", "path": "title", "value": "T"})
    )
    assert kandji.get(f"/users/{created['id']}").json()["name"] == "From The IdP"


def test_deactivating_or_deleting_a_user_refuses_its_api_tokens(
    scim: httpx.Client, live_server: LiveServer, provisioning: Provisioning
) -> None:
    created = create_user(scim, active=True)
    token = provisioning.org.token_for(created["userName"])

    def current_user() -> int:
        response = httpx.get(
            f"{live_server.thousandeyes_url}/users/current",
            headers={"Authorization": f"Bearer {token}"},
        )
        return response.status_code

    assert current_user() == 200
    scim.patch(
        f"/Users/{created['id']}",
        json=patch_op({"op": "replace", "path": "active", "value": False}),
    )
    assert current_user() == 401
    scim.patch(
        f"/Users/{created['id']}", json=patch_op({"op": "replace", "path": "active", "value": True})
    )
    assert current_user() == 200
    scim.delete(f"/Users/{created['id']}")
    assert current_user() == 401


def test_racing_creates_of_one_user_make_one_user(
    scim: httpx.Client, live_server: LiveServer, provisioning: Provisioning
) -> None:
    email = unique_email("race")

    def create(_: int) -> int:
        with scim_client(live_server, provisioning.token) as own:
            return own.post("/Users", json={"schemas": [USER], "userName": email}).status_code

    with ThreadPoolExecutor(8) as pool:
        statuses = sorted(pool.map(create, range(8)))

    assert statuses == [201] + [409] * 7
    found = scim.get("/Users", params={"filter": f'userName eq "{email}"'}).json()
    assert found["totalResults"] == 1
