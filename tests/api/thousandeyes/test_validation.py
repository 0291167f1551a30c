"""Bad input under /v7: 400 ValidationError naming each field, 413 for huge bodies, never a 500."""

from __future__ import annotations

import httpx
import pytest

from rosterd.core import permissions as perm
from tests.api.thousandeyes.test_users import new_user, unique_email
from tests.support.orgs import OrgFactory, TestOrg

VALIDATION_TITLE = "Request validation failed. There are invalid or missing fields"


def fields(response: httpx.Response) -> list[str]:
    assert response.status_code == 400, response.text
    assert response.headers["content-type"] == "application/problem+json"
    body = response.json()
    assert body["title"] == VALIDATION_TITLE
    assert body["status"] == 400
    return [e["field"] for e in body["errors"]]


def test_duplicate_email_in_the_org_names_the_email_field(client: httpx.Client) -> None:
    email = unique_email("dup")
    assert new_user(client, email=email).status_code == 201

    response = new_user(client, email=email.upper())

    assert fields(response) == ["email"]
    assert response.json()["errors"][0]["code"] == "DUPLICATE"


def test_missing_name_and_email_are_both_reported(client: httpx.Client) -> None:
    assert fields(client.post("/users", json={})) == ["email", "name"]


@pytest.mark.parametrize("email", ["no-at-sign", "a@b", "two@@example.com", "sp ace@x.io", ""])
def test_invalid_email_is_refused(client: httpx.Client, email: str) -> None:
    assert fields(new_user(client, email=email)) == ["email"]


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({"name": "n", "email": 123}, "email"),
        ({"name": ["n"], "email": "a@example.com"}, "name"),
        (
            {"name": "n", "email": "a@example.com", "allAccountGroupRoleIds": [3]},
            "allAccountGroupRoleIds[0]",
        ),
        (
            {"name": "n", "email": "a@example.com", "accountGroupRoles": [{"roleIds": ["3"]}]},
            "accountGroupRoles[0].accountGroupId",
        ),
        ({"name": "n", "email": "a@example.com", "loginAccountGroupId": 5}, "loginAccountGroupId"),
    ],
)
def test_wrong_types_name_the_field(
    client: httpx.Client, body: dict[str, object], field: str
) -> None:
    assert fields(client.post("/users", json=body)) == [field]


def test_unknown_roles_and_account_groups_are_refused(client: httpx.Client) -> None:
    response = new_user(
        client,
        accountGroupRoles=[
            {"accountGroupId": "987654321", "roleIds": ["3"]},
            {"accountGroupId": "1", "roleIds": ["424242", "x"]},
        ],
    )
    found = fields(response)
    assert "accountGroupRoles[0].accountGroupId" in found
    assert "accountGroupRoles[1].roleIds[0]" in found
    assert "accountGroupRoles[1].roleIds[1]" in found


def test_another_organizations_role_is_unknown(client: httpx.Client, orgs: OrgFactory) -> None:
    theirs = orgs.create().add_role("Theirs", perm.API_ACCESS)

    response = new_user(client, allAccountGroupRoleIds=[str(theirs.role_id)])

    assert fields(response) == ["allAccountGroupRoleIds[0]"]


def test_login_account_group_must_be_one_the_user_is_assigned_to(
    client: httpx.Client, org: TestOrg
) -> None:
    other = org.add_account_group("Elsewhere")

    response = new_user(client, loginAccountGroupId=str(other.aid))

    assert fields(response) == ["loginAccountGroupId"]


def test_unknown_keys_are_ignored(client: httpx.Client) -> None:
    assert new_user(client, foo="bar").status_code == 201


@pytest.mark.parametrize("payload", [b'{"name": "x"', b"[]", b"null", b'"text"', b"\xff\xfe"])
def test_malformed_json_is_a_400(client: httpx.Client, payload: bytes) -> None:
    response = client.post("/users", content=payload, headers={"Content-Type": "application/json"})
    assert fields(response) == ["body"]


def test_deeply_nested_json_is_a_400(client: httpx.Client) -> None:
    payload = b'{"name": ' + b"[" * 100_000 + b"]" * 100_000 + b"}"
    response = client.post("/users", content=payload, headers={"Content-Type": "application/json"})
    assert fields(response) == ["body"]


def test_body_over_one_mebibyte_is_a_413(client: httpx.Client) -> None:
    payload = b'{"name": "' + b"x" * (1024 * 1024) + b'"}'
    response = client.post("/users", content=payload, headers={"Content-Type": "application/json"})

    assert response.status_code == 413
    assert response.headers["content-type"] == "application/problem+json"
    assert response.json()["title"] == "Payload Too Large"


def test_streamed_body_over_the_limit_is_a_413(client: httpx.Client) -> None:
    def chunks():  # type: ignore[no-untyped-def]
        yield b'{"name": "'
        for _ in range(17):
            yield b"x" * 65536
        yield b'"}'

    response = client.post("/users", content=chunks(), headers={"Content-Type": "application/json"})
    assert response.status_code == 413


def test_malformed_aid_is_a_400(client: httpx.Client) -> None:
    assert fields(client.get("/users", params={"aid": "abc"})) == ["aid"]


def test_unknown_route_is_a_404_problem(client: httpx.Client) -> None:
    response = client.get("/nothing-here")

    assert response.status_code == 404
    assert response.headers["content-type"] == "application/problem+json"
    assert response.json() == {
        "type": "about:blank",
        "title": "URI Resource Not Found",
        "status": 404,
        "detail": "No resource at /v7/nothing-here",
        "instance": "/v7/nothing-here",
    }


def test_wrong_method_is_a_405_problem_with_allow(client: httpx.Client) -> None:
    response = client.patch("/users")

    assert response.status_code == 405
    assert response.headers["content-type"] == "application/problem+json"
    assert set(response.headers["allow"].replace(" ", "").split(",")) == {"GET", "POST"}
    assert response.json()["status"] == 405
