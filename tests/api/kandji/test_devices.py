"""/api/v1/devices: list (user filters, limit/offset), get, and PATCH in Kandji's shapes."""

from __future__ import annotations

import re
import uuid

import httpx
import pytest

from tests.api.kandji.conftest import Directory
from tests.support.orgs import TestOrg
from tests.support.server import LiveServer

# Keys in the order of Kandji's List Devices example.
DEVICE_KEYS = [
    "device_id",
    "device_name",
    "model",
    "serial_number",
    "platform",
    "os_version",
    "supplemental_build_version",
    "supplemental_os_version_extra",
    "last_check_in",
    "user",
    "asset_tag",
    "blueprint_id",
    "mdm_enabled",
    "agent_installed",
    "is_missing",
    "is_removed",
    "agent_version",
    "first_enrollment",
    "last_enrollment",
    "blueprint_name",
    "lost_mode_status",
    "tags",
]
ENROLLMENT_TIME = re.compile(r"^\d{4}-\d\d-\d\d \d\d:\d\d:\d\d\.\d{6}\+00:00$")


def test_get_device_in_kandjis_shape(client: httpx.Client, people: Directory) -> None:
    art = people.user("art.vandelay@vandelay.test")
    device_id = people.add_device(
        "C02FL5YXQ6LC",
        device_name="avenger-test",
        model="MacBook Air (M1, 2020)",
        os_version="13.2.1",
        asset_tag="1040",
        tags="tag1, tag2",
        blueprint_id="97e4e175-1631-43f6-a02b-33fd1c748ab8",
        user_email=art.email,
    )

    body = client.get(f"/devices/{device_id}").json()

    assert list(body) == DEVICE_KEYS
    assert body["blueprint_id"] == "97e4e175-1631-43f6-a02b-33fd1c748ab8"
    assert body["device_id"] == device_id
    assert body["serial_number"] == "C02FL5YXQ6LC"
    assert body["device_name"] == "avenger-test"
    assert body["platform"] == "Mac"
    assert body["asset_tag"] == "1040"
    assert body["tags"] == ["tag1", "tag2"]
    assert body["user"] == {
        "email": art.email,
        "name": "Art Vandelay",
        "id": str(art.id),
        "is_archived": False,
    }
    assert ENROLLMENT_TIME.match(body["first_enrollment"])
    assert re.match(r"^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{6}Z$", body["last_check_in"])
    assert isinstance(body["mdm_enabled"], bool)


def test_a_device_without_a_blueprint_has_no_blueprint_id(
    client: httpx.Client, people: Directory
) -> None:
    device_id = people.add_device()

    body = client.get(f"/devices/{device_id}").json()

    assert list(body) == [key for key in DEVICE_KEYS if key != "blueprint_id"]
    assert client.get("/devices", params={"device_id": device_id}).json() == [body]


def test_patch_assigns_and_unassigns_users(client: httpx.Client, people: Directory) -> None:
    art = people.user("art.vandelay@vandelay.test")
    device_id = people.add_device()

    assigned = client.patch(f"/devices/{device_id}", json={"user": str(art.id)})
    counted = client.get(f"/users/{art.id}").json()["device_count"]
    cleared = client.patch(f"/devices/{device_id}", json={"user": None})

    assert assigned.status_code == 200
    assert assigned.json()["user"]["id"] == str(art.id)
    assert counted == 1
    assert cleared.status_code == 200
    assert cleared.json()["user"] == ""
    assert client.get(f"/users/{art.id}").json()["device_count"] == 0


def test_an_archived_user_can_be_assigned_and_shows_archived(
    client: httpx.Client, directory: Directory
) -> None:
    # Archiving keeps a user's record and devices (Kandji shows `is_archived` on a device's
    # user); only a delete removes it.
    integration = directory.integration()
    [kept, archived] = directory.add_users(integration, 2)
    directory.import_users(integration, [{"email": kept.email}], full=True)
    device_id = directory.add_device()

    assigned = client.patch(f"/devices/{device_id}", json={"user": str(archived.id)})

    assert assigned.status_code == 200
    assert assigned.json()["user"] == {
        "email": archived.email,
        "name": archived.name,
        "id": str(archived.id),
        "is_archived": True,
    }
    assert client.get(f"/users/{archived.id}").json()["device_count"] == 1


def test_patch_asset_tag_and_tags_leaves_the_rest(client: httpx.Client, people: Directory) -> None:
    art = people.user("art.vandelay@vandelay.test")
    device_id = people.add_device(asset_tag="old", user_email=art.email)

    tagged = client.patch(f"/devices/{device_id}", json={"tags": ["a", "b"]}).json()
    cleared_tag = client.patch(f"/devices/{device_id}", json={"asset_tag": None}).json()
    cleared_tags = client.patch(f"/devices/{device_id}", json={"tags": []}).json()

    assert tagged["tags"] == ["a", "b"]
    assert tagged["asset_tag"] == "old"
    assert tagged["user"]["id"] == str(art.id)
    assert cleared_tag["asset_tag"] == ""
    assert cleared_tag["tags"] == ["a", "b"]
    assert cleared_tags["tags"] == []
    assert cleared_tags["user"]["id"] == str(art.id)


@pytest.mark.parametrize(
    ("body", "detail"),
    [
        ({"user": "00000000-0000-4000-8000-000000000000"}, "object does not exist"),
        ({"user": "29360"}, "not a valid UUID"),
        ({"user": 29360}, "user"),
        ({"tags": "not-a-list"}, "tags"),
        ({"asset_tag": 5}, "asset_tag"),
        # NUL: PostgreSQL cannot store it in text, so neither database takes it.
        ({"asset_tag": "a\u0000b"}, "asset_tag"),
        ({"tags": ["a\u0000"]}, "tags.0"),
    ],
)
def test_patch_refuses_bad_values(
    client: httpx.Client, people: Directory, body: dict[str, object], detail: str
) -> None:
    device_id = people.add_device()

    response = client.patch(f"/devices/{device_id}", json=body)

    assert response.status_code == 400
    assert list(response.json()) == ["detail"]
    assert detail in response.json()["detail"]


def test_patch_refuses_malformed_json_as_drf_does(client: httpx.Client, people: Directory) -> None:
    device_id = people.add_device()

    response = client.patch(
        f"/devices/{device_id}",
        content=b'{\n  "user": null\n  "tags": []\n}',
        headers={"Content-Type": "application/json"},
    )

    assert response.status_code == 400
    assert response.json() == {
        "detail": "JSON parse error - Expecting ',' delimiter: line 3 column 3 (char 19)"
    }


def test_patch_needs_json(client: httpx.Client, people: Directory) -> None:
    device_id = people.add_device()

    response = client.patch(
        f"/devices/{device_id}", content=b"user=x", headers={"Content-Type": "text/plain"}
    )

    assert response.status_code == 415
    assert response.json() == {"detail": 'Unsupported media type "text/plain" in request.'}


def test_unknown_devices_are_not_found(client: httpx.Client) -> None:
    for path in (f"/devices/{uuid.uuid4()}", "/devices/not-a-uuid"):
        assert client.get(path).json() == {"detail": "Not found."}
        response = client.patch(path, json={"user": None})
        assert response.status_code == 404
        assert response.json() == {"detail": "Not found."}


def test_list_devices_filters_by_user(client: httpx.Client, people: Directory) -> None:
    art = people.user("art.vandelay@vandelay.test")
    kel = people.user("kel.varnsen@vandelay.test")
    arts = people.add_device("ART1", user_email=art.email)
    kels = people.add_device("KEL1", user_email=kel.email)
    nobodys = people.add_device("NONE1")

    def ids(**params: str) -> list[str]:
        response = client.get("/devices", params=params)
        assert response.status_code == 200, response.text
        return [d["device_id"] for d in response.json()]

    assert ids() == [arts, kels, nobodys]
    assert ids(user="vandelay") == [arts]
    assert ids(user_name="VARNSEN") == [kels]
    assert ids(user_email="art.") == [arts]
    assert ids(user_email_exact="Kel.Varnsen@vandelay.test") == [kels]
    assert ids(user_email_exact="kel") == []
    assert ids(user_id=str(kel.id)) == [kels]
    assert ids(serial_number="none") == [nobodys]
    assert ids(user_id="") == [arts, kels, nobodys]
    unassigned = client.get("/devices", params={"serial_number": "NONE1"}).json()[0]
    assert unassigned["user"] == ""
    assert client.get("/devices", params={"user_id": "nope"}).status_code == 400


def test_list_devices_pages_with_limit_and_offset(client: httpx.Client, people: Directory) -> None:
    ids = [people.add_device(f"SER{i:03d}") for i in range(7)]

    def page(**params: str) -> list[str]:
        return [d["device_id"] for d in client.get("/devices", params=params).json()]

    assert page(limit="3") == ids[:3]
    assert page(limit="3", offset="3") == ids[3:6]
    assert page(limit="3", offset="6") == ids[6:]
    assert page(limit="1000") == ids  # at most 300 per request, as Kandji caps it
    for bad in ({"limit": "0"}, {"limit": "x"}, {"offset": "-1"}):
        assert client.get("/devices", params=bad).status_code == 400


def test_a_thousandeyes_delete_leaves_the_users_devices_unassigned(
    client: httpx.Client, people: Directory, live_server: LiveServer, org: TestOrg
) -> None:
    art = people.user("art.vandelay@vandelay.test")
    device_id = people.add_device(user_email=art.email)

    with httpx.Client(
        base_url=live_server.thousandeyes_url, headers={"Authorization": f"Bearer {org.token}"}
    ) as te:
        deleted = te.delete(f"/users/{art.uid}")

    assert deleted.status_code == 204
    assert client.get(f"/users/{art.id}").status_code == 404
    assert client.get(f"/devices/{device_id}").json()["user"] == ""
