"""schemathesis against /v7/openapi.json: the document describes exactly what the server does.

Every operation is fuzzed with positive and negative data, and every response must pass all of
schemathesis' checks: no 5xx; documented status, content type, headers and body schema; input
that breaks the schema refused; input that fits it accepted; auth enforced; undocumented methods
answered with 405 and a truthful `Allow`.

Two choices, both about what a schema can say:
- Unknown query parameters and body keys are ignored (as the reference allows), so the fuzzer
  does not count adding them as a broken request (`allow_extra_parameters=False`).
- A schema-valid create or update may still break a rule no JSON Schema can state: uniqueness,
  references to roles and account groups that must exist, cross-field rules, printable names.
  Such a 400 is accepted only when every error it names is one of `RULES_BEYOND_THE_SCHEMA`.

The schema is built from the same FastAPI sub-application the server mounts at /v7; a test
checks that the live server serves exactly that document, so the fuzzing covers what clients
download. A case that itself removes or breaks the token is sent without one.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

import httpx
import pytest
import schemathesis
from schemathesis.checks import CheckFunction
from schemathesis.specs.openapi.checks import negative_data_rejection, positive_data_acceptance

from tests.api.thousandeyes.test_users import unique_email
from tests.support.fuzzing import (
    aim,
    call_and_validate,
    every_phase_is_on,
    fuzzing_schema,
    is_positive,
    openapi_document,
    run_chains,
)
from tests.support.orgs import OrgFactory
from tests.support.server import LiveServer, start_server

# (error code, field or None for any field) → why a schema-valid request may break it.
RULES_BEYOND_THE_SCHEMA: dict[tuple[str, str | None], str] = {
    ("DUPLICATE", "email"): "an email is unique within the organization",
    ("UNKNOWN_ROLE", None): "role ids must name roles of the organization",
    ("UNKNOWN_ACCOUNT_GROUP", None): "account group ids must name groups of the organization",
    ("NOT_ASSIGNED", "loginAccountGroupId"): "the login group must be one the user has roles in",
    ("NOT_ALLOWED", "loginAccountGroupId"): "a person from another org sets their own login group",
    ("REQUIRED", "accountGroupRoles"): "an update may not leave a user without any role",
    ("INVALID_NAME", "name"): "names must be printable (JSON Schema has no portable way to say so)",
    ("DUPLICATE", "name"): "a role name is unique among the roles the organization can use",
    ("UNKNOWN_PERMISSION", None): "permission ids must name permissions of the catalogue",
    ("ROLE_IN_USE", "id"): "a role that users hold is not deleted",
    ("DUPLICATE", "accountGroupName"): "an account group name is unique in the organization",
    ("INVALID_NAME", "accountGroupName"): "names must be printable",
    ("UNKNOWN_AGENT", None): "rosterd keeps no Enterprise Agents: agent ids name none",
    ("DEFAULT_ACCOUNT_GROUP", "id"): "the organization's default account group is kept",
    ("CURRENT_ACCOUNT_GROUP", "id"): "the account group a call acts in is kept",
    ("ACCOUNT_GROUP_IN_USE", "id"): "a group some user has their only roles in is kept",
    ("CONFLICT", "window"): "a window is not combined with startDate or endDate",
    ("INVALID", "startDate"): "a range starts no later than it ends",
    ("INVALID", "cursor"): "a cursor is opaque: only those the server gave are valid",
}


DOCUMENT = openapi_document("/v7")
schema = fuzzing_schema(DOCUMENT)


@dataclass(frozen=True)
class Target:
    base_url: str
    headers: dict[str, str]
    aids: list[str]  # the admin's account groups
    user_ids: list[str]  # users the fuzzer may read, update and delete (never the admin)
    admin_uid: str
    spare_aids: list[str]  # account groups nobody has roles in: the fuzzer may rename, delete


@pytest.fixture(scope="module")
def server(database_url: str, live_server: LiveServer) -> Iterator[LiveServer]:
    """A server without rate limits: the fuzzer's volume must never meet a 429."""
    with start_server(database_url, live_server.store, rate_limits=False) as server:
        yield server


def _populate(server: LiveServer, users: bool = True) -> Target:
    """A fresh organization: an admin and users in two account groups with built-in roles."""
    org = OrgFactory(server.store).create()
    second = org.add_account_group("Second")
    aids = [org.aid, str(second.aid)]
    spares = [str(org.add_account_group(f"Spare {i}").aid) for i in range(3)]
    headers = {"Authorization": f"Bearer {org.token}"}
    with httpx.Client(base_url=server.thousandeyes_url, headers=headers) as client:
        roles = [
            {"accountGroupRoles": [{"accountGroupId": aid, "roleIds": [role]}]}
            for aid in aids
            for role in ("2", "3")  # Account Admin, Regular User
        ] + [{"allAccountGroupRoleIds": ["3"]}]
        created = [
            client.post("/users", json={"name": f"Fuzz {i}", "email": unique_email()} | r)
            for i, r in enumerate(roles if users else [])
        ]
        admin_uid = client.get("/users/current").json()["uid"]
    assert all(c.status_code == 201 for c in created), [c.text for c in created]
    uids = [c.json()["uid"] for c in created]
    return Target(server.thousandeyes_url, headers, aids, uids, admin_uid, spares)


@pytest.fixture(scope="module")
def target(server: LiveServer) -> Target:
    return _populate(server)


def test_the_server_serves_the_fuzzed_document(target: Target) -> None:
    response = httpx.get(f"{target.base_url}/openapi.json")
    assert response.status_code == 200
    assert response.json() == DOCUMENT


def test_errors_are_problem_json_with_the_vendors_schemas() -> None:
    operations = [op for item in DOCUMENT["paths"].values() for op in item.values()]
    for operation in operations:
        responses = operation["responses"]
        assert "422" not in responses  # bad input is a 400 under /v7
        for status, response in responses.items():
            content = set(response.get("content", {}))
            if status >= "400":
                assert content == {"application/problem+json"}, (operation["operationId"], status)
            elif status != "204":
                assert content == {"application/hal+json", "application/json"}
    # FastAPI's own `ValidationError` (loc/msg/type) must not replace the vendor's.
    validation_error = DOCUMENT["components"]["schemas"]["ValidationError"]
    assert set(validation_error["properties"]) == {
        "type",
        "title",
        "status",
        "detail",
        "instance",
        "errors",
    }
    assert "HTTPValidationError" not in DOCUMENT["components"]["schemas"]


@pytest.mark.parametrize("name", ["\x1c", " \t", "\u3000", "\x85", "a", " a ", "\ufeff"])
def test_the_documented_name_pattern_is_the_servers_blank_rule(name: str) -> None:
    schemas = DOCUMENT["components"]["schemas"]
    string = next(
        s for s in schemas["UserRequest"]["properties"]["name"]["anyOf"] if "pattern" in s
    )
    assert bool(re.search(string["pattern"], name)) == bool(name.strip())


def test_current_is_not_a_user_id(target: Target) -> None:
    with httpx.Client(base_url=target.base_url, headers=target.headers) as client:
        for method in ("PUT", "DELETE"):
            response = client.request(method, "/users/current", json={})
            assert response.status_code == 405
            assert response.headers["allow"] == "GET"
            assert response.headers["content-type"] == "application/problem+json"
        assert client.get("/users/currently").status_code == 404


def test_a_newline_in_the_path_still_gets_the_vendor_envelope(target: Target) -> None:
    with httpx.Client(base_url=target.base_url, headers=target.headers) as client:
        response = client.get("/users/a%0Ab")
    assert response.status_code == 404
    assert response.headers["content-type"] == "application/problem+json"
    assert response.json()["title"] == "URI Resource Not Found"


def _broken_rules(response: schemathesis.Response) -> set[tuple[str, str]] | None:
    """The (code, field) pairs of a 400, or None when the response is something else."""
    if response.status_code != 400:
        return None
    return {(e["code"], e["field"]) for e in response.json().get("errors", [])}


def _beyond_the_schema(code: str, field: str) -> bool:
    if (code, field) in RULES_BEYOND_THE_SCHEMA:
        return True
    # Role and account-group references are reported at their position: `accountGroupRoles[0]…`.
    return (code, None) in RULES_BEYOND_THE_SCHEMA


def _sends_an_empty_expand(case: schemathesis.Case) -> bool:
    """`expand=`: schemathesis reads it as the text "" (not an array, so negative data), but it
    is what the SDKs send for `expand=[]` (tests/api/thousandeyes/test_account_groups.py), and
    the server takes it as nothing to expand. A negative `[""]` or `""` is sent as exactly that."""
    value = (case.query or {}).get("expand")
    return value == "" or value == [""]


def _checks_to_skip(case: schemathesis.Case, response: schemathesis.Response) -> list[Any]:
    skip: list[CheckFunction] = []
    broken = _broken_rules(response)
    if is_positive(case) and broken and all(_beyond_the_schema(*rule) for rule in broken):
        skip.append(positive_data_acceptance)
    if not is_positive(case) and _sends_an_empty_expand(case):
        skip.append(negative_data_rejection)
    return skip


def _aim_at_real_records(case: schemathesis.Case, target: Target, ids: bool = True) -> None:
    """Point most positive cases at the fixture's users and account groups."""
    if is_positive(case):
        records = target.spare_aids if "account-groups" in case.path else target.user_ids
        aim(case.path_parameters if ids else None, "id", records)
        aim(case.query, "aid", target.aids)


@schema.parametrize()
def test_v7_conforms_to_its_openapi_document(case: schemathesis.Case, target: Target) -> None:
    _aim_at_real_records(case, target)
    call_and_validate(case, target, _checks_to_skip)


def test_every_phase_is_on_and_the_document_links_users() -> None:
    assert every_phase_is_on(schema)
    machine = schema.as_state_machine()
    rules = {name for name in dir(machine) if "_201_" in name or "_200_" in name}
    assert rules == {
        f"{source}___{status}_{verb}User__{method}_users_id_"
        for source, status in (("POST_users", "201"), ("GET_users", "200"))
        for verb, method in (("Get", "GET"), ("Update", "PUT"), ("Delete", "DELETE"))
    } | {
        "GET_account_groups___200_CreateUser__POST_users",
        "GET_account_groups___200_ListUsers__GET_users",
        "GET_account_groups___200_ListUserEvents__GET_audit_user_events",
    } | {
        f"{source}___{status}_{verb}AccountGroup__{method}_account_groups_id_"
        for source, status in (("POST_account_groups", "201"), ("GET_account_groups", "200"))
        for verb, method in (("Get", "GET"), ("Update", "PUT"), ("Delete", "DELETE"))
    }


def _stand_in(target: Target) -> str:
    """A fresh Regular User, for a chain to update or delete in the admin's place."""
    body = {"name": "Stand-in", "email": unique_email(), "allAccountGroupRoleIds": ["3"]}
    response = httpx.post(f"{target.base_url}/users", json=body, headers=target.headers)
    assert response.status_code == 201, response.text
    uid: str = response.json()["uid"]
    return uid


def test_v7_chains_of_calls_conform_to_its_openapi_document(server: LiveServer) -> None:
    """Stateful: create or list users, then read, update and delete them by the ids returned.
    Each scenario starts in a fresh organization of the same shape."""

    def prepare(case: schemathesis.Case, target: Target) -> None:
        # The chain follows ids from responses; only the account group is aimed. The admin
        # (listed first) stays the caller: its update or delete goes to a stand-in instead.
        _aim_at_real_records(case, target, ids=False)
        path = case.path_parameters or {}
        if path.get("id") == target.admin_uid and case.method != "GET":
            path["id"] = _stand_in(target)

    run_chains(schema, lambda: _populate(server, users=False), prepare, _checks_to_skip)
