"""The requests Okta and Microsoft Entra ID send when they provision, in the shapes their SCIM
guides document, from connection test to deprovisioning."""

from __future__ import annotations

import httpx

from tests.api.scim.conftest import ENTERPRISE, GROUP, PATCH_OP, USER, Provisioning, patch_op


def test_okta(scim: httpx.Client, kandji: httpx.Client, provisioning: Provisioning) -> None:
    # "Test connector configuration", then the lookup before each create.
    probe = scim.get("/Users", params={"filter": 'userName eq "nobody@example.com"', "count": "1"})
    assert (probe.status_code, probe.json()["totalResults"]) == (200, 0)

    created = scim.post(
        "/Users",
        json={
            "schemas": [USER],
            "userName": "okta.user@example.com",
            "name": {"givenName": "Okta", "familyName": "User"},
            "emails": [{"primary": True, "value": "okta.user@example.com", "type": "work"}],
            "displayName": "Okta User",
            "locale": "en-US",
            "externalId": "00ujl29u0le5T6Aj10h7",
            "groups": [],  # read-only: ignored
            "password": "1mz050nq",  # accepted, never stored
            "active": True,
        },
    )
    assert created.status_code == 201, created.text
    user = created.json()
    assert "password" not in user
    assert "groups" not in user

    found = scim.get(
        "/Users",
        params={"filter": 'userName eq "okta.user@example.com"', "startIndex": "1", "count": "100"},
    ).json()
    assert [u["id"] for u in found["Resources"]] == [user["id"]]

    # Group push: create, rename (Okta repeats the id in the value), add and remove members.
    group = scim.post(
        "/Groups", json={"schemas": [GROUP], "displayName": "Engineering", "members": []}
    ).json()
    renamed = scim.patch(
        f"/Groups/{group['id']}",
        json=patch_op(
            {"op": "replace", "value": {"id": group["id"], "displayName": "Engineering 2"}}
        ),
    )
    assert renamed.status_code == 204, renamed.text
    assert scim.get(f"/Groups/{group['id']}").json()["displayName"] == "Engineering 2"
    added = scim.patch(
        f"/Groups/{group['id']}",
        json=patch_op(
            {
                "op": "add",
                "path": "members",
                "value": [{"value": user["id"], "display": "okta.user@example.com"}],
            }
        ),
    )
    assert added.status_code == 204, added.text
    members = scim.get(f"/Groups/{group['id']}").json()["members"]
    assert [m["display"] for m in members] == ["okta.user@example.com"]
    removed = scim.patch(
        f"/Groups/{group['id']}",
        json=patch_op({"op": "remove", "path": f'members[value eq "{user["id"]}"]'}),
    )
    assert removed.status_code == 204, removed.text
    assert "members" not in scim.get(f"/Groups/{group['id']}").json()

    # Deactivation.
    deactivated = scim.patch(
        f"/Users/{user['id']}",
        json={"schemas": [PATCH_OP], "Operations": [{"op": "replace", "value": {"active": False}}]},
    )
    assert deactivated.json()["active"] is False
    shown = kandji.get(f"/users/{user['id']}").json()
    assert (shown["active"], shown["archived"], shown["name"]) == (False, False, "Okta User")


def test_microsoft_entra_id(scim: httpx.Client, kandji: httpx.Client) -> None:
    probe = scim.get(
        "/Users", params={"filter": 'userName eq "dfeef4c5-5681-4387-b016-bdf221e82081"'}
    )
    assert probe.json()["totalResults"] == 0

    created = scim.post(
        "/Users",
        json={
            "schemas": [USER, ENTERPRISE],
            "externalId": "0a21f0f2-8d2a-4f8e-bf98-7363c4aed4ef",
            "userName": "Test_User_ab6490ee@testuser.com",
            "active": True,
            "displayName": "Test User",
            "emails": [
                {"primary": True, "type": "work", "value": "Test_User_fd0ea19b@testuser.com"}
            ],
            "meta": {"resourceType": "User"},  # read-only: ignored
            "name": {
                "formatted": "givenName familyName",
                "familyName": "familyName",
                "givenName": "givenName",
            },
            "roles": [],
        },
    )
    assert created.status_code == 201, created.text
    user = created.json()
    manager = scim.post(
        "/Users", json={"schemas": [USER], "userName": "manager@testuser.com"}
    ).json()

    updated = scim.patch(
        f"/Users/{user['id']}",
        json=patch_op(
            {
                "op": "Replace",
                "path": 'emails[type eq "work"].value',
                "value": "updatedEmail@microsoft.com",
            },
            {"op": "Replace", "path": "name.familyName", "value": "updatedFamilyName"},
            {"op": "Add", "path": f"{ENTERPRISE}:manager", "value": manager["id"]},
            {"op": "Add", "path": f"{ENTERPRISE}:department", "value": "Finance"},
        ),
    )
    assert updated.status_code == 200, updated.text
    body = updated.json()
    assert body["emails"][0]["value"] == "updatedEmail@microsoft.com"
    assert body["name"]["familyName"] == "updatedFamilyName"
    assert body[ENTERPRISE] == {"department": "Finance", "manager": {"value": manager["id"]}}
    shown = kandji.get(f"/users/{user['id']}").json()
    assert (shown["email"], shown["department"]) == ("updatedEmail@microsoft.com", "Finance")

    group = scim.post("/Groups", json={"schemas": [GROUP], "displayName": "Finance"}).json()
    looked_up = scim.get(
        "/Groups", params={"excludedAttributes": "members", "filter": 'displayName eq "Finance"'}
    ).json()
    assert [g["id"] for g in looked_up["Resources"]] == [group["id"]]
    for op in ("Add", "Remove"):
        response = scim.patch(
            f"/Groups/{group['id']}",
            json=patch_op({"op": op, "path": "members", "value": [{"value": user["id"]}]}),
        )
        assert response.status_code == 204, response.text
        member_of = scim.get(
            "/Groups",
            params={
                "filter": f'id eq "{group["id"]}" and members[value eq "{user["id"]}"]',
                "excludedAttributes": "members",
            },
        ).json()
        assert member_of["totalResults"] == (1 if op == "Add" else 0)

    disabled = scim.patch(
        f"/Users/{user['id']}",
        json=patch_op({"op": "Replace", "path": "active", "value": "False"}),
    )
    assert disabled.json()["active"] is False
    assert scim.delete(f"/Users/{user['id']}").status_code == 204
    assert kandji.get(f"/users/{user['id']}").json()["archived"] is True
