"""/api/v1/users, held against Kandji's own Postman examples: field for field, type for type."""

from __future__ import annotations

import base64
import json
import re
from pathlib import Path
from typing import Any
from urllib.parse import parse_qs, urlsplit

import httpx
import pytest

from tests.api.kandji.conftest import Directory
from tests.support.orgs import OrgFactory, TestOrg
from tests.support.server import LiveServer

EXAMPLES_FILE = Path(__file__).with_name("postman_users_examples.json")
VENDOR_COLLECTION = (
    Path(__file__).parents[3].parent / "shared/reference/vendor/kandji-postman-collection.json"
)
TIMESTAMP = re.compile(r"^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{6}Z$")


def example(name: str) -> dict[str, Any]:
    found: dict[str, Any] = json.loads(EXAMPLES_FILE.read_text())["examples"][name]
    return found


def example_body(name: str) -> Any:
    return json.loads(example(name)["body"])


def assert_same_shape(actual: Any, expected: Any, where: str = "$") -> None:
    """Same keys in the same order, and the same JSON type at every place."""
    assert type(actual) is type(expected), f"{where}: {actual!r} vs {expected!r}"
    if isinstance(expected, dict):
        assert list(actual) == list(expected), where
        for key in expected:
            assert_same_shape(actual[key], expected[key], f"{where}.{key}")
    elif isinstance(expected, list):
        for i, (a, e) in enumerate(zip(actual, expected, strict=False)):
            assert_same_shape(a, e, f"{where}[{i}]")


def seed_example_users(directory: Directory) -> dict[str, Any]:
    """The example's integration and users (test_user_02 first, so test_user_01 is newer),
    with test_user_01 on two devices."""
    integration = directory.integration("accuhive", "office365")
    directory.import_users(
        integration,
        [
            {"email": "test_user_02@accuhive.io", "name": "test_user_02"},
            {"email": "test_user_01@accuhive.io", "name": "test_user_01"},
        ],
    )
    first = directory.user("test_user_01@accuhive.io")
    for _ in range(2):
        directory.add_device(user_email=first.email)
    return {"integration": integration, "first": first}


def test_the_vendor_examples_are_kandjis_own(tmp_path: Path) -> None:
    """The examples file is a verbatim extract of the vendor's Postman collection."""
    if not VENDOR_COLLECTION.exists():
        pytest.skip("the vendor reference files are not beside this checkout")
    collection = json.loads(VENDOR_COLLECTION.read_text())
    users = next(item for item in collection["item"] if item["name"] == "Users")
    for item in users["item"]:
        for response in item["response"]:
            assert example(f"{item['name']} / {response['name']}")["body"] == response["body"]


def test_get_user_reproduces_the_postman_example(
    client: httpx.Client, directory: Directory
) -> None:
    seeded = seed_example_users(directory)
    expected = example_body("Get User / success")

    response = client.get(f"/users/{seeded['first'].id}")

    assert response.status_code == 200
    assert response.headers["content-type"] == "application/json"
    body = response.json()
    assert_same_shape(body, expected)
    same_values = ["active", "archived", "department", "email", "job_title", "name"]
    assert {k: body[k] for k in same_values} == {k: expected[k] for k in same_values}
    assert body["device_count"] == expected["device_count"] == 2
    assert body["id"] == str(seeded["first"].id)
    assert body["deprecated_user_id"] == str(seeded["first"].uid)
    integration = seeded["integration"]
    assert body["integration"] == {
        "id": integration.id,
        "name": expected["integration"]["name"],
        "uuid": str(integration.uuid),
        "type": expected["integration"]["type"],
    }
    assert TIMESTAMP.match(body["created_at"])
    assert TIMESTAMP.match(body["updated_at"])


def test_list_users_reproduces_the_postman_example(
    client: httpx.Client, directory: Directory, live_server: LiveServer
) -> None:
    older = directory.integration("older users")
    directory.add_users(older, 300)  # so that the first page has a `next`, as in the example
    seed_example_users(directory)
    expected = example_body("List Users / success")

    response = client.get("/users")

    assert response.status_code == 200
    assert response.headers["content-type"] == "application/json"
    body = response.json()
    assert list(body) == ["next", "previous", "results"]
    assert body["previous"] is None
    assert len(body["results"]) == 300
    assert_same_shape(body["results"][:2], expected["results"])
    for got, want in zip(body["results"][:2], expected["results"], strict=True):
        for key in ("active", "archived", "department", "email", "job_title", "name"):
            assert got[key] == want[key]
        assert got["device_count"] == want["device_count"]
        assert got["integration"]["name"] == want["integration"]["name"]
    # The `next` link: absolute, `?cursor=` + DRF's base64 of `p=<deprecated_user_id>`.
    assert isinstance(body["next"], str)
    link = urlsplit(body["next"])
    assert f"{link.scheme}://{link.netloc}{link.path}" == f"{live_server.kandji_url}/users"
    assert list(parse_qs(link.query)) == ["cursor"]
    expected_link = urlsplit(expected["next"])
    assert re.fullmatch(r"cursor=[A-Za-z0-9]+(%3D)*", link.query)
    assert re.fullmatch(r"cursor=[A-Za-z0-9]+(%3D)*", expected_link.query)
    cursor = parse_qs(link.query)["cursor"][0]
    last = body["results"][-1]["deprecated_user_id"]
    assert base64.b64decode(cursor).decode() == f"p={last}"


def test_delete_user_assigned_to_devices_reproduces_the_postman_400(
    client: httpx.Client, directory: Directory
) -> None:
    seeded = seed_example_users(directory)
    expected = example("Delete User / user assigned to device")

    response = client.delete(f"/users/{seeded['first'].id}")

    assert response.status_code == expected["status"] == 400
    assert response.headers["content-type"] == expected["headers"]["Content-Type"]
    assert response.json() == json.loads(expected["body"])


def test_delete_user_reproduces_the_postman_204(client: httpx.Client, directory: Directory) -> None:
    seed_example_users(directory)
    second = directory.user("test_user_02@accuhive.io")
    expected = example("Delete User / success")

    response = client.delete(f"/users/{second.id}")

    assert response.status_code == expected["status"] == 204
    assert response.content == b""
    assert response.headers["content-type"] == expected["headers"]["Content-Type"]
    assert client.get(f"/users/{second.id}").status_code == 404


def test_delete_unassign_delete_flow(client: httpx.Client, directory: Directory) -> None:
    integration = directory.integration()
    [user] = directory.add_users(integration, 1)
    device_id = directory.add_device(user_email=user.email)

    refused = client.delete(f"/users/{user.id}")
    unassigned = client.patch(f"/devices/{device_id}", json={"user": None})
    deleted = client.delete(f"/users/{user.id}")

    assert refused.status_code == 400
    assert refused.json() == {"detail": "User still assigned to one or more devices."}
    assert unassigned.status_code == 200
    assert unassigned.json()["user"] == ""
    assert deleted.status_code == 204
    assert client.get(f"/users/{user.id}").json() == {"detail": "Not found."}
    assert client.get(f"/devices/{device_id}").json()["user"] == ""


@pytest.mark.parametrize("user_id", ["00000000-0000-4000-8000-000000000000", "29360", "x" * 64])
def test_unknown_or_malformed_user_ids_are_not_found(client: httpx.Client, user_id: str) -> None:
    for response in (client.get(f"/users/{user_id}"), client.delete(f"/users/{user_id}")):
        assert response.status_code == 404
        assert response.json() == {"detail": "Not found."}


def test_other_organizations_users_are_not_found(
    client: httpx.Client, orgs: OrgFactory, store: Any
) -> None:
    other = Directory(orgs.create(), store)
    [user] = other.add_users(other.integration(), 1)

    assert client.get(f"/users/{user.id}").status_code == 404
    assert client.delete(f"/users/{user.id}").json() == {"detail": "Not found."}
    assert other.user(user.email).id == user.id  # still there
    assert client.get("/users", params={"id": str(user.id)}).json()["results"] == []


def test_users_created_through_thousandeyes_have_no_integration(
    client: httpx.Client, org: TestOrg, live_server: LiveServer
) -> None:
    with httpx.Client(
        base_url=live_server.thousandeyes_url, headers={"Authorization": f"Bearer {org.token}"}
    ) as te:
        created = te.post("/users", json={"name": "Jo", "email": f"jo@{org.subdomain}.example"})
    assert created.status_code == 201

    [found] = client.get("/users", params={"email": f"jo@{org.subdomain}"}).json()["results"]

    assert found["integration"] is None
    assert found["deprecated_user_id"] == created.json()["uid"]
    assert found["department"] is None
    assert found["job_title"] is None
    assert found["device_count"] == 0


def test_filters(client: httpx.Client, directory: Directory) -> None:
    first = directory.integration("first")
    second = directory.integration("second", "gsuite")
    directory.import_users(
        first,
        [
            {"email": "Ana.Lima@Acme.test", "name": "Ana"},
            {"email": "bo@acme.test", "name": "Bo", "department": "IT", "job_title": "Dev"},
        ],
    )
    directory.import_users(second, [{"email": "cy@acme.org", "name": "Cy"}])
    # A full sync of `second` without Cy archives Cy.
    directory.import_users(second, [], full=True)

    def emails(**params: str) -> list[str]:
        response = client.get("/users", params=params)
        assert response.status_code == 200, response.text
        return [u["email"] for u in response.json()["results"]]

    everyone = emails()
    assert everyone[:3] == ["cy@acme.org", "bo@acme.test", "Ana.Lima@Acme.test"]
    assert emails(email="ANA.L") == ["Ana.Lima@Acme.test"]  # contains, any case
    assert emails(email="a.l") == ["Ana.Lima@Acme.test"]  # shorter than a trigram
    assert emails(email="acme.") == ["cy@acme.org", "bo@acme.test", "Ana.Lima@Acme.test"]
    assert emails(email="%") == []  # LIKE wildcards match themselves
    assert emails(email="_") == []
    assert emails(integration_id=str(first.uuid)) == ["bo@acme.test", "Ana.Lima@Acme.test"]
    assert emails(integration_id=str(second.uuid), archived="true") == ["cy@acme.org"]
    assert emails(integration_id=str(second.uuid), archived="false") == []
    assert "cy@acme.org" not in emails(archived="false")
    bo = directory.user("bo@acme.test")
    assert emails(id=str(bo.id)) == ["bo@acme.test"]
    # An empty value is no filter, as Kandji's own script relies on.
    assert emails(email="", id="", integration_id="", archived="") == everyone
    [detail] = client.get("/users", params={"id": str(bo.id)}).json()["results"]
    assert detail["department"] == "IT"
    assert detail["job_title"] == "Dev"
    assert detail["integration"]["type"] == "office365"


@pytest.mark.parametrize(
    ("param", "value"),
    [
        ("archived", "maybe"),
        ("id", "not-a-uuid"),
        ("integration_id", "1234"),
        ("email", "x" * 300),
    ],
)
def test_invalid_filters_are_400(client: httpx.Client, param: str, value: str) -> None:
    response = client.get("/users", params={param: value})

    assert response.status_code == 400
    assert list(response.json()) == ["detail"]
    assert param in response.json()["detail"]


@pytest.mark.parametrize(
    "cursor",
    [
        "not base64!",
        base64.b64encode(b"p=abc").decode(),
        base64.b64encode(b"r=x&p=1").decode(),
        base64.b64encode(b"p=-5").decode(),
        base64.b64encode(b"\xff\xfe").decode(),
    ],
)
def test_invalid_cursors_are_404(client: httpx.Client, cursor: str) -> None:
    response = client.get("/users", params={"cursor": cursor})

    assert response.status_code == 404
    assert response.json() == {"detail": "Invalid cursor"}
