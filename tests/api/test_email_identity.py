"""One address is one person: emails are kept in Unicode NFC and compared case-insensitively,
and invisible or control characters are refused in every dialect, so that `admin\\u200b@org`
cannot pass for `admin@org`."""

from __future__ import annotations

import unicodedata
import uuid
from typing import Any

import httpx
import pytest

from rosterd.core.errors import Invalid
from tests.api.kandji.conftest import Directory
from tests.api.scim.conftest import USER, scim_client, scim_integration
from tests.support.orgs import OrgFactory, TestOrg
from tests.support.server import LiveServer

# Zero-width space, right-to-left override, a C1 control (CSI), the byte-order mark.
INVISIBLE = ["\u200b", "\u202e", "\u009b", "\ufeff"]


def jose_spellings(tag: str) -> tuple[str, str]:
    """The composed and the decomposed spelling of one address."""
    address = f"jos\u00e9.{tag}@example.com"
    return unicodedata.normalize("NFC", address), unicodedata.normalize("NFD", address)


@pytest.fixture
def org(orgs: OrgFactory) -> TestOrg:
    return orgs.create()


@pytest.fixture
def te(live_server: LiveServer, org: TestOrg) -> Any:
    headers = {"Authorization": f"Bearer {org.token}"}
    with httpx.Client(base_url=live_server.thousandeyes_url, headers=headers) as c:
        yield c


def test_nfc_and_nfd_spellings_are_one_user_under_v7(te: httpx.Client) -> None:
    composed, decomposed = jose_spellings(uuid.uuid4().hex[:8])
    assert composed != decomposed

    first = te.post("/users", json={"name": "José", "email": decomposed})
    second = te.post("/users", json={"name": "José", "email": composed.upper()})

    assert first.status_code == 201
    assert first.json()["email"] == composed  # stored and shown in NFC
    assert second.status_code == 400
    assert second.json()["errors"][0]["code"] == "DUPLICATE"
    assert second.json()["errors"][0]["field"] == "email"


def test_kandji_email_search_matches_either_spelling(
    te: httpx.Client, live_server: LiveServer, org: TestOrg
) -> None:
    composed, decomposed = jose_spellings(uuid.uuid4().hex[:8])
    assert te.post("/users", json={"name": "José", "email": composed}).status_code == 201
    headers = {"Authorization": f"Bearer {org.token}"}
    with httpx.Client(base_url=live_server.kandji_url, headers=headers) as kandji:
        found = kandji.get("/users", params={"email": decomposed.split("@")[0].upper()})
    assert [u["email"] for u in found.json()["results"]] == [composed]


@pytest.mark.parametrize("char", INVISIBLE, ids=["zwsp", "rlo", "csi", "bom"])
def test_v7_refuses_invisible_characters_in_emails(
    te: httpx.Client, org: TestOrg, char: str
) -> None:
    spoof = f"admin{char}-{uuid.uuid4().hex[:6]}@example.com"
    created = te.post("/users", json={"name": "Spoof", "email": spoof})
    renamed = te.put(f"/users/{org.admin.uid}", json={"email": f"x{char}@example.com"})

    for response in (created, renamed):
        assert response.status_code == 400
        assert response.headers["content-type"] == "application/problem+json"
        assert response.json()["errors"] == [
            {
                "code": "INVALID_EMAIL",
                "field": "email",
                "message": "email must not contain invisible or control characters",
            }
        ]
    assert te.get("/users/current").json()["email"] == org.admin.email


@pytest.mark.parametrize("char", INVISIBLE, ids=["zwsp", "rlo", "csi", "bom"])
def test_scim_refuses_invisible_characters_in_user_names_and_emails(
    live_server: LiveServer, org: TestOrg, store: Any, char: str
) -> None:
    provisioning = scim_integration(store, org)
    with scim_client(live_server, provisioning.token) as scim:
        by_name = scim.post("/Users", json={"schemas": [USER], "userName": f"a{char}@x.com"})
        by_email = scim.post(
            "/Users",
            json={
                "schemas": [USER],
                "userName": f"plain-{uuid.uuid4().hex[:6]}@example.com",
                "emails": [{"value": f"a{char}@example.com", "primary": True}],
            },
        )
        listed = scim.get("/Users").json()["totalResults"]

    for response in (by_name, by_email):
        assert response.status_code == 400, response.text
        body = response.json()
        assert body["status"] == "400"
        assert body["scimType"] == "invalidValue"
    assert listed == 0


def test_directory_imports_refuse_invisible_characters_and_merge_spellings(
    org: TestOrg, store: Any
) -> None:
    directory = Directory(org, store)
    integration = directory.integration()
    composed, decomposed = jose_spellings(uuid.uuid4().hex[:8])

    with pytest.raises(Invalid) as refused:
        directory.import_users(integration, [{"email": "admin\u200b@example.com"}])
    with pytest.raises(Invalid) as twice:
        directory.import_users(integration, [{"email": composed}, {"email": decomposed}])
    directory.import_users(integration, [{"email": decomposed}])

    assert refused.value.errors[0].field == "row 1: email"
    assert refused.value.errors[0].message == "email must be printable, at most 255 characters"
    assert twice.value.errors[0].code == "DUPLICATE"
    assert directory.user(composed).email == composed
