"""/api/v1/scim/Groups: groups of an integration's users, kept in the directory."""

from __future__ import annotations

import threading
from typing import Any

import httpx

from tests.api.scim.conftest import (
    GROUP,
    Provisioning,
    create_user,
    error,
    patch_op,
    scim_client,
    scim_integration,
)
from tests.support.server import LiveServer


def member(live_server: LiveServer, user: dict[str, Any], **extra: Any) -> dict[str, Any]:
    return {
        "value": user["id"],
        "$ref": f"{live_server.scim_url}/Users/{user['id']}",
        "type": "User",
    } | extra


def create_group(scim: httpx.Client, name: str, *members: dict[str, Any]) -> dict[str, Any]:
    response = scim.post(
        "/Groups",
        json={
            "schemas": [GROUP],
            "displayName": name,
            "members": [{"value": m["id"]} for m in members],
        },
    )
    assert response.status_code == 201, response.text
    created: dict[str, Any] = response.json()
    return created


def test_create_a_group_with_members(scim: httpx.Client, live_server: LiveServer) -> None:
    alice, bob = create_user(scim), create_user(scim)

    response = scim.post(
        "/Groups",
        json={
            "schemas": [GROUP],
            "displayName": "Tour Guides",
            "externalId": "g-1",
            "members": [{"value": alice["id"], "display": "Alice"}, {"value": bob["id"]}],
        },
    )

    assert response.status_code == 201, response.text
    body = response.json()
    group_id = body["id"]
    location = f"{live_server.scim_url}/Groups/{group_id}"
    assert response.headers["location"] == location
    assert response.headers["etag"] == body["meta"]["version"]
    assert body == {
        "schemas": [GROUP],
        "id": group_id,
        "externalId": "g-1",
        "meta": {
            "resourceType": "Group",
            "created": body["meta"]["created"],
            "lastModified": body["meta"]["created"],
            "location": location,
            "version": body["meta"]["version"],
        },
        "displayName": "Tour Guides",
        "members": [
            member(live_server, alice, display="Alice"),
            member(live_server, bob),
        ],
    }
    assert scim.get(f"/Groups/{group_id}").json() == body
    # Each member shows the group.
    assert scim.get(f"/Users/{alice['id']}").json()["groups"] == [
        {"value": group_id, "$ref": location, "display": "Tour Guides", "type": "direct"}
    ]


def test_patch_adds_and_removes_members(scim: httpx.Client, live_server: LiveServer) -> None:
    alice, bob, carol = create_user(scim), create_user(scim), create_user(scim)
    group = create_group(scim, "Guides", alice)
    url = f"/Groups/{group['id']}"
    members = [member(live_server, u) for u in (alice, bob, carol)]

    def members_after(*operations: dict[str, Any]) -> list[dict[str, Any]]:
        response = scim.patch(url, json=patch_op(*operations))
        # Without attributes asked for, a group PATCH answers 204 with the new version.
        assert response.status_code == 204, response.text
        assert response.content == b""
        current = scim.get(url)
        assert response.headers["etag"] == current.headers["etag"]
        found: list[dict[str, Any]] = current.json().get("members", [])
        return found

    both = [{"value": bob["id"]}, {"value": carol["id"]}]
    assert members_after({"op": "add", "path": "members", "value": both}) == members
    assert (
        members_after({"op": "remove", "path": f'members[value eq "{alice["id"]}"]'}) == members[1:]
    )
    # Microsoft Entra ID names the members to remove in `value`.
    assert (
        members_after({"op": "Remove", "path": "members", "value": [{"value": bob["id"]}]})
        == members[2:]
    )
    assert members_after(
        {"op": "replace", "path": "displayName", "value": "G"},
        {"op": "add", "path": "members", "value": [{"value": alice["id"], "display": "A"}]},
    ) == [member(live_server, alice, display="A"), members[2]]
    assert "groups" not in scim.get(f"/Users/{bob['id']}").json()
    assert [g["display"] for g in scim.get(f"/Users/{carol['id']}").json()["groups"]] == ["G"]
    # Removing what is not there, or adding who is, changes nothing.
    before = scim.get(url).headers["etag"]
    scim.patch(url, json=patch_op({"op": "remove", "path": f'members[value eq "{bob["id"]}"]'}))
    scim.patch(
        url, json=patch_op({"op": "add", "path": "members", "value": [{"value": carol["id"]}]})
    )
    assert scim.get(url).headers["etag"] == before


def test_patch_answers_with_the_attributes_asked_for(
    scim: httpx.Client, live_server: LiveServer
) -> None:
    alice = create_user(scim)
    group = create_group(scim, "Guides")

    response = scim.patch(
        f"/Groups/{group['id']}",
        params={"attributes": "members"},
        json=patch_op({"op": "add", "path": "members", "value": [{"value": alice["id"]}]}),
    )

    assert response.status_code == 200
    assert response.json() == {
        "schemas": [GROUP],
        "id": group["id"],
        "members": [member(live_server, alice)],
    }
    assert response.headers["etag"] == scim.get(f"/Groups/{group['id']}").headers["etag"]


def test_membership_changes_check_if_match(scim: httpx.Client) -> None:
    alice = create_user(scim)
    group = create_group(scim, "Guides")
    add = patch_op({"op": "add", "path": "members", "value": [{"value": alice["id"]}]})

    stale = scim.patch(f"/Groups/{group['id']}", json=add, headers={"If-Match": 'W/"0"'})
    current = scim.patch(
        f"/Groups/{group['id']}", json=add, headers={"If-Match": group["meta"]["version"]}
    )

    assert stale.status_code == 412
    assert current.status_code == 204


def test_only_the_integration_s_users_can_be_members(
    scim: httpx.Client, live_server: LiveServer, store: Any, provisioning: Provisioning
) -> None:
    other = scim_integration(store, provisioning.org, "Entra")
    with scim_client(live_server, other.token) as elsewhere:
        stranger = create_user(elsewhere)
    gone = create_user(scim)
    scim.delete(f"/Users/{gone['id']}")

    group = create_group(scim, "G")
    for value in (stranger["id"], gone["id"], "not-an-id"):
        created = scim.post(
            "/Groups", json={"schemas": [GROUP], "displayName": "G", "members": [{"value": value}]}
        )
        added = scim.patch(
            f"/Groups/{group['id']}",
            json=patch_op({"op": "add", "path": "members", "value": [{"value": value}]}),
        )
        for response in (created, added):
            assert response.status_code == 400
            assert response.json() == error(
                400,
                f"The request describes an invalid group: no user {value!r} in this integration",
                "invalidValue",
            )
    assert "members" not in scim.get(f"/Groups/{group['id']}").json()


def test_deleting_a_user_takes_it_out_of_its_groups(
    scim: httpx.Client, live_server: LiveServer
) -> None:
    alice, bob = create_user(scim), create_user(scim)
    group = create_group(scim, "Guides", alice, bob)

    scim.delete(f"/Users/{alice['id']}")

    after = scim.get(f"/Groups/{group['id']}").json()
    assert after["members"] == [member(live_server, bob)]
    assert after["meta"]["version"] != group["meta"]["version"]


def test_delete_group(scim: httpx.Client) -> None:
    alice = create_user(scim)
    group = create_group(scim, "Guides", alice)

    response = scim.delete(f"/Groups/{group['id']}")

    assert response.status_code == 204
    assert scim.get(f"/Groups/{group['id']}").json() == error(404, f"No group {group['id']!r}")
    assert scim.get(f"/Users/{alice['id']}").status_code == 200
    assert "groups" not in scim.get(f"/Users/{alice['id']}").json()


def test_list_groups_by_display_name_and_member(
    scim: httpx.Client, live_server: LiveServer
) -> None:
    alice, bob = create_user(scim), create_user(scim)
    guides = create_group(scim, "Tour Guides", alice)
    create_group(scim, "Drivers", bob)

    by_name = scim.get(
        "/Groups",
        params={"filter": 'displayName eq "tour guides"', "excludedAttributes": "members"},
    ).json()
    by_member = scim.get("/Groups", params={"filter": f'members[value eq "{alice["id"]}"]'}).json()
    everyone = scim.get("/Groups", params={"attributes": "displayName"}).json()

    expected = {k: v for k, v in guides.items() if k != "members"}
    assert by_name["Resources"] == [expected]
    assert by_member["Resources"] == [guides]
    assert everyone["totalResults"] == 2
    assert everyone["Resources"] == [
        {"schemas": [GROUP], "id": guides["id"], "displayName": "Tour Guides"},
        {"schemas": [GROUP], "id": everyone["Resources"][1]["id"], "displayName": "Drivers"},
    ]


def test_concurrent_member_additions_all_land(
    scim: httpx.Client, live_server: LiveServer, provisioning: Provisioning
) -> None:
    """Each PATCH reads and writes in one transaction: no addition is lost to another."""
    users = [create_user(scim) for _ in range(8)]
    group = create_group(scim, "Busy")
    statuses: list[int] = []

    def add(user: dict[str, Any]) -> None:
        with scim_client(live_server, provisioning.token) as own:
            # Half through the membership path, half through the whole-group one.
            operations: list[dict[str, Any]] = [
                {"op": "add", "path": "members", "value": [{"value": user["id"]}]}
            ]
            if int(user["id"][-1], 16) % 2:
                operations.append({"op": "replace", "path": "externalId", "value": user["id"]})
            response = own.patch(f"/Groups/{group['id']}", json=patch_op(*operations))
            statuses.append(response.status_code)

    threads = [threading.Thread(target=add, args=(u,)) for u in users]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()

    assert statuses == [204] * len(users)
    members = scim.get(f"/Groups/{group['id']}").json()["members"]
    assert sorted(m["value"] for m in members) == sorted(u["id"] for u in users)


def test_group_names_are_required(scim: httpx.Client) -> None:
    missing = scim.post("/Groups", json={"schemas": [GROUP]})
    blank = scim.post("/Groups", json={"schemas": [GROUP], "displayName": " "})
    group = create_group(scim, "Named")
    removed = scim.patch(
        f"/Groups/{group['id']}", json=patch_op({"op": "remove", "path": "displayName"})
    )

    assert (missing.status_code, missing.json()["scimType"]) == (400, "invalidValue")
    assert blank.json() == error(
        400, "The request describes an invalid group: displayName cannot be blank", "invalidValue"
    )
    assert removed.status_code == 400
    assert scim.get(f"/Groups/{group['id']}").json() == group


def test_archiving_a_user_while_a_group_gains_it_leaves_no_archived_member(
    unlimited_server: LiveServer, provisioning: Provisioning
) -> None:
    """An integration's writes queue up: no deadlock (500), and no archived member. (Without
    rate limits: some 90 requests in a second or two would meet the per-second limit.)"""
    live_server = unlimited_server
    scim = scim_client(live_server, provisioning.token)
    group = create_group(scim, "Racing")
    statuses: list[tuple[str, int]] = []
    for _ in range(4):
        users = [create_user(scim) for _ in range(6)]
        start = threading.Barrier(2 * len(users))

        def archive(user: dict[str, Any], start: threading.Barrier = start) -> None:
            with scim_client(live_server, provisioning.token) as own:
                start.wait()
                statuses.append(("delete", own.delete(f"/Users/{user['id']}").status_code))

        def join(user: dict[str, Any], start: threading.Barrier = start) -> None:
            add = patch_op({"op": "add", "path": "members", "value": [{"value": user["id"]}]})
            with scim_client(live_server, provisioning.token) as own:
                start.wait()
                statuses.append(("join", own.patch(f"/Groups/{group['id']}", json=add).status_code))

        threads = [
            threading.Thread(target=work, args=(user,))
            for user in users
            for work in (join, archive)
        ]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join()

    assert sorted(set(statuses)) <= [("delete", 204), ("join", 204), ("join", 400)]
    assert "members" not in scim.get(f"/Groups/{group['id']}").json()
    scim.close()
