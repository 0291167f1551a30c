"""GET /api/v1/devices: every filter and `ordering` Kandji documents for List Devices, against a
directory of devices, on both databases."""

from __future__ import annotations

from typing import Any

import httpx
import pytest

from rosterd.core.errors import Invalid
from tests.api.kandji.conftest import Directory

BLUEPRINT_A = "91f97957-2353-4f86-a1ab-64d2b044a596"
BLUEPRINT_B = "dccade80-bddd-43ac-a9b7-e322b17cd7d9"

# serial number -> what the device is imported with (the serials are in enrolment order)
DEVICES: dict[str, dict[str, Any]] = {
    "S1-AIR": {
        "device_name": "Johnny's MacBook Air",
        "model": "MacBook Air (M1, 2020)",
        "os_version": "13.2.3",
        "asset_tag": "23245",
        "blueprint_id": BLUEPRINT_A,
        "mac_address": "00:0c:29:05:43:b6",
        "filevault_enabled": True,
        "tags": ["accuhive_01", "Finance"],
        "user_email": "art.vandelay@vandelay.test",
    },
    "S2-PRO": {
        "device_name": "build-server",
        "model": "MacBook Pro (14-inch, 2023)",
        "os_version": "14.1",
        "asset_tag": "232450",
        "blueprint_id": BLUEPRINT_B,
        "mac_address": "00:0C:29:05:43:B7",
        "filevault_enabled": False,
        "tags": ["accuhive_02"],
        "user_email": "kel.varnsen@vandelay.test",
    },
    "S3-IPAD": {
        "device_name": "Lobby iPad",
        "model": "iPad (8th generation) (Wi-Fi)",
        "platform": "iPad",
        "os_version": "16.1.1",
        "blueprint_id": BLUEPRINT_B,
        "tags": ["lobby"],
    },
    "S4-MINI": {
        "device_name": "mini",
        "model": "Mac mini (M2, 2023)",
        "os_version": "13.2.1",
        "asset_tag": "a_%",
        "tags": ["accuhive_01"],
        "user_email": "art.vandelay@vandelay.test",
    },
    "S5-PHONE": {
        "device_name": "Johnny's iPhone",
        "model": "iPhone 15",
        "platform": "iPhone",
        "os_version": "17.1",
        "filevault_enabled": True,  # FileVault is macOS only: no filter value matches it
    },
}
SERIALS = list(DEVICES)


@pytest.fixture
def fleet(people: Directory) -> Directory:
    for serial, fields in DEVICES.items():
        people.add_device(serial, **fields)
    return people


def _serials(client: httpx.Client, **params: str) -> list[str]:
    response = client.get("/devices", params=params)
    assert response.status_code == 200, response.text
    return [device["serial_number"] for device in response.json()]


@pytest.mark.parametrize(
    ("params", "expected"),
    [
        ({}, SERIALS),
        ({"device_name": "johnny"}, ["S1-AIR", "S5-PHONE"]),
        ({"device_name": "'s MacBook"}, ["S1-AIR"]),
        ({"model": "macbook"}, ["S1-AIR", "S2-PRO"]),
        ({"model": "(M1, 2020)"}, ["S1-AIR"]),
        ({"os_version": "13.2"}, ["S1-AIR", "S4-MINI"]),
        ({"os_version": "13.2.3"}, ["S1-AIR"]),
        ({"asset_tag": "23245"}, ["S1-AIR"]),  # exact: not 232450
        ({"asset_tag": "a_%"}, ["S4-MINI"]),  # no wildcards
        ({"asset_tag": "a"}, []),
        ({"blueprint_id": BLUEPRINT_B}, ["S2-PRO", "S3-IPAD"]),
        ({"blueprint_id": "91f97957-2353"}, ["S1-AIR"]),
        ({"blueprint_id": "DCCADE80"}, ["S2-PRO", "S3-IPAD"]),
        ({"mac_address": "00:0c:29:05:43:b7"}, ["S2-PRO"]),  # any letter case
        ({"mac_address": "00:0C:29:05:43:B6"}, ["S1-AIR"]),
        ({"mac_address": "00:0c:29"}, []),  # exact
        ({"filevault_enabled": "true"}, ["S1-AIR"]),
        ({"filevault_enabled": "false"}, ["S2-PRO"]),
        ({"tag_name": "accuhive_01"}, ["S1-AIR", "S4-MINI"]),
        ({"tag_name": "finance"}, []),  # case sensitive
        ({"tag_name": "accuhive"}, []),  # the whole name
        ({"tag_name_in": "accuhive_02, lobby"}, ["S2-PRO", "S3-IPAD"]),
        ({"tag_name_in": "Finance,nope"}, ["S1-AIR"]),
        ({"tag_id": "2cfeb3ac-3b5d-423e-bcff-e2676a3a32da"}, []),
        ({"tag_id_in": "a,b"}, []),
        ({"platform": "iPad"}, ["S3-IPAD"]),
        ({"serial_number": "s1"}, ["S1-AIR"]),
        ({"user": "vandelay"}, ["S1-AIR", "S4-MINI"]),
        ({"user_email": "varnsen"}, ["S2-PRO"]),
        # Every filter given must hold.
        ({"model": "mac", "tag_name": "accuhive_01"}, ["S1-AIR", "S4-MINI"]),
        (
            {"model": "mac", "os_version": "14", "tag_name_in": "accuhive_01,accuhive_02"},
            ["S2-PRO"],
        ),
        # Kandji clients send these; Kandji ignores them.
        ({"sizePerPage": "50", "source": "kandji"}, SERIALS),
    ],
)
def test_each_filter_gives_its_subset(
    client: httpx.Client, fleet: Directory, params: dict[str, str], expected: list[str]
) -> None:
    assert _serials(client, **params) == expected


@pytest.mark.parametrize(
    ("ordering", "expected"),
    [
        ("serial_number", SERIALS),
        ("-serial_number", SERIALS[::-1]),
        ("device_name", ["S1-AIR", "S5-PHONE", "S3-IPAD", "S2-PRO", "S4-MINI"]),  # bytes: A < a
        ("platform,-os_version", ["S2-PRO", "S1-AIR", "S4-MINI", "S3-IPAD", "S5-PHONE"]),
        ("model", ["S4-MINI", "S1-AIR", "S2-PRO", "S3-IPAD", "S5-PHONE"]),
        # No value (no asset tag, blueprint or user) comes first, creation order among equals.
        ("asset_tag", ["S3-IPAD", "S5-PHONE", "S1-AIR", "S2-PRO", "S4-MINI"]),
        ("blueprint_id", ["S4-MINI", "S5-PHONE", "S1-AIR", "S2-PRO", "S3-IPAD"]),
        ("-blueprint_id", ["S2-PRO", "S3-IPAD", "S1-AIR", "S4-MINI", "S5-PHONE"]),
        ("user", ["S3-IPAD", "S5-PHONE", "S1-AIR", "S4-MINI", "S2-PRO"]),
        ("-user,-serial_number", ["S2-PRO", "S4-MINI", "S1-AIR", "S5-PHONE", "S3-IPAD"]),
        ("last_check_in", SERIALS),  # imported in this order
        (" os_version , ", ["S4-MINI", "S1-AIR", "S2-PRO", "S3-IPAD", "S5-PHONE"]),
    ],
)
def test_ordering(
    client: httpx.Client, fleet: Directory, ordering: str, expected: list[str]
) -> None:
    assert _serials(client, ordering=ordering) == expected


def test_ordering_and_paging_go_together(client: httpx.Client, fleet: Directory) -> None:
    pages = [
        _serials(client, ordering="-serial_number", limit="2", offset=str(offset))
        for offset in (0, 2, 4)
    ]
    assert pages == [SERIALS[::-1][0:2], SERIALS[::-1][2:4], SERIALS[::-1][4:]]


def test_device_ids_order_as_their_text(client: httpx.Client, fleet: Directory) -> None:
    body = client.get("/devices", params={"ordering": "device_id"}).json()
    ids = [device["device_id"] for device in body]
    assert ids == sorted(ids)


@pytest.mark.parametrize(
    ("params", "detail"),
    [
        (
            {"ordering": "serial"},
            "ordering: “serial” is not a field to order by; use asset_tag, blueprint_id, "
            "device_id, device_name, last_check_in, model, platform, os_version, "
            "serial_number, user, each with - in front for descending order.",
        ),
        (
            {"ordering": "model,--model"},
            "ordering: “--model” is not a field to order by; use asset_tag, blueprint_id, "
            "device_id, device_name, last_check_in, model, platform, os_version, "
            "serial_number, user, each with - in front for descending order.",
        ),
        (
            {"filevault_enabled": "yes"},
            "filevault_enabled: “yes” is not a valid boolean; use true or false.",
        ),
        ({"model": "a\x00b"}, "model: Null characters are not allowed."),
    ],
)
def test_bad_filters_are_refused_in_drfs_envelope(
    client: httpx.Client, fleet: Directory, params: dict[str, str], detail: str
) -> None:
    response = client.get("/devices", params=params)
    assert response.status_code == 400
    assert response.headers["content-type"] == "application/json"
    assert response.json() == {"detail": detail}


@pytest.mark.parametrize(
    ("fields", "field"),
    [
        ({"filevault_enabled": "maybe"}, "record 1: filevault_enabled"),
        ({"filevault_enabled": 1}, "record 1: filevault_enabled"),
        ({"blueprint_id": "not-a-uuid"}, "record 1: blueprint_id"),
    ],
)
def test_an_import_refuses_bad_device_attributes(
    directory: Directory, fields: dict[str, Any], field: str
) -> None:
    with pytest.raises(Invalid) as refused:
        directory.add_device(**fields)
    assert [error.field for error in refused.value.errors] == [field]
