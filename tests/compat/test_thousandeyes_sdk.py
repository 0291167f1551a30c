"""The official `thousandeyes-sdk-administrative` 6.0.0, unmodified, against a live rosterd.

The SDK runs in a virtual environment of its own (see conftest.py) through `te_scenario.py`,
which reports what every call returned or raised as the SDK parsed it; the assertions are here.
"""

from __future__ import annotations

import json
import logging
import os
import subprocess
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import httpx
import pytest

from tests.api.thousandeyes.test_user_events import fill_activity_log
from tests.compat.thousandeyes_seed_examples import EXAMPLES
from tests.support.orgs import OrgFactory, TestOrg
from tests.support.server import LiveServer

pytestmark = pytest.mark.compat

SCENARIO = Path(__file__).with_name("te_scenario.py")
RATE_LIMIT = 3
REGULAR_USER = {
    "roleId": "3",
    "name": "Regular User",
    "isBuiltin": True,
    "hasManagementPermissions": False,
}
ACCOUNT_ADMIN = {
    "roleId": "2",
    "name": "Account Admin",
    "isBuiltin": True,
    "hasManagementPermissions": True,
}


def unique_email(local: str) -> str:
    return f"{local}.{os.urandom(6).hex()}@example.com"


def run(python: Path, mode: str, given: dict[str, Any], **env: str) -> Any:
    result = subprocess.run(
        [str(python), str(SCENARIO), mode],
        input=json.dumps(given),
        capture_output=True,
        text=True,
        timeout=120,
        env={**os.environ, **env},
        check=False,
    )
    assert result.returncode == 0, f"{SCENARIO.name} {mode} failed:\n{result.stderr}"
    return json.loads(result.stdout)


def group(aid: str, name: str) -> dict[str, str]:
    return {"aid": aid, "accountGroupName": name}


def problem(status: int, title: str, detail: str, instance: str) -> dict[str, Any]:
    return {
        "type": "about:blank",
        "title": title,
        "status": status,
        "detail": detail,
        "instance": instance,
    }


class _Statuses(logging.Handler):
    """Collects the status of every request in rosterd's access log."""

    def __init__(self) -> None:
        super().__init__(logging.INFO)
        self.seen: list[int] = []

    def emit(self, record: logging.LogRecord) -> None:
        self.seen.append(json.loads(record.getMessage())["status"])


@contextmanager
def access_log() -> Iterator[_Statuses]:
    logger, handler = logging.getLogger("rosterd.access"), _Statuses()
    level = logger.level
    logger.setLevel(logging.INFO)
    logger.addHandler(handler)
    try:
        yield handler
    finally:
        logger.removeHandler(handler)
        logger.setLevel(level)


@pytest.fixture(scope="module")
def report(thousandeyes_python: Path, live_server: LiveServer) -> dict[str, Any]:
    """The whole scenario, run once per database; each test below checks one part of it."""
    orgs = OrgFactory(live_server.store)
    org = orgs.create()
    second = org.add_account_group("Second")
    regular = httpx.post(
        f"{live_server.thousandeyes_url}/users",
        json={"name": "Regular", "email": unique_email("regular")},
        headers={"Authorization": f"Bearer {org.token}"},
    )
    assert regular.status_code == 201, regular.text
    limited = orgs.create(rate_limit_per_minute=RATE_LIMIT)
    fill_activity_log(live_server.store, org, 150)  # more than a page of activity
    with access_log() as log:
        out: dict[str, Any] = run(
            thousandeyes_python,
            "scenario",
            {
                "host": live_server.thousandeyes_url,
                "admin_token": org.token,
                "aid": org.aid,
                "second_aid": str(second.aid),
                "new_email": unique_email("jane"),
                "regular_token": org.token_for(regular.json()["email"]),
                "limited_token": limited.token,
                "limit": RATE_LIMIT,
            },
        )
    # What the server saw of the 429 step.
    out["server_429s"] = log.seen.count(429)
    out["org"], out["second_aid"] = org, str(second.aid)
    return out


def test_the_pinned_sdk_is_the_one_driven(report: dict[str, Any]) -> None:
    assert report["versions"] == {
        "thousandeyes-sdk-administrative": "6.0.0",
        "thousandeyes-sdk-core": "6.0.0",
    }
    assert report["user_agent"] == "ThousandEyesSDK-Python/6.0.0"


def test_every_response_parses_into_the_sdks_models_without_unknown_fields(
    report: dict[str, Any],
) -> None:
    expected = {
        "current": "UserDetail",
        "list": "Users",
        "account_groups": "AccountGroups",
        "roles": "Roles",
        "permissions": "Permissions",
        "get": "UserDetail",
        "update_replace": "UserDetail",
        "update_partial": "UserDetail",
        "after_updates": "UserDetail",
        "role_get": "RoleDetail",
        "role_update": "RoleDetail",
        "group_get": "AccountGroupDetail",
        "group_update": "AccountGroupDetail",
        "group_list": "AccountGroups",
        "events": "AuditUserEvents",
        "events_all_groups": "AuditUserEvents",
    }
    for step, model in expected.items():
        assert report[step]["class"] == model, step
        assert report[step]["unknown_fields"] == [], step
    assert report["create"]["data"]["class"] == "CreatedUser"
    assert report["create"]["data"]["unknown_fields"] == []
    assert report["role_create"]["data"]["class"] == "RoleDetail"
    assert report["role_create"]["data"]["unknown_fields"] == []
    assert report["group_create"]["data"]["class"] == "CreatedAccountGroup"
    assert report["group_create"]["data"]["unknown_fields"] == []
    assert {e["class"] for e in report["events_paginated"]} == {"UserEvent"}
    assert [e for e in report["events_paginated"] if e["unknown_fields"]] == []


def test_account_groups_are_created_read_renamed_and_deleted(
    report: dict[str, Any], live_server: LiveServer
) -> None:
    org: TestOrg = report["org"]
    create = report["group_create"]
    created = create["data"]["json"]
    href = f"{live_server.thousandeyes_url}/account-groups/{created['aid']}"
    assert create["status"] == 201
    assert create["headers"]["Location"] == href
    assert created == {
        "aid": created["aid"],
        "accountGroupName": "Compat Team",
        "isCurrentAccountGroup": False,
        "isDefaultAccountGroup": False,
        "organizationName": org.name,
        "orgId": str(org.admin.org_id),
        "users": [
            {
                "name": org.admin.name,
                "email": org.admin.email,
                "uid": str(org.admin.uid),
                "dateRegistered": created["users"][0]["dateRegistered"],
                "roles": [
                    {
                        "roleId": "1",
                        "name": "Organization Admin",
                        "isBuiltin": True,
                        "hasManagementPermissions": True,
                    }
                ],
            }
        ],
        "_links": {"self": {"href": href}},
    }
    detail = report["group_get"]["json"]
    assert detail == created | {"agents": [], "accountToken": detail["accountToken"]}
    assert len(detail["accountToken"]) == 19
    renamed = report["group_update"]["json"]
    assert renamed["accountGroupName"] == "Compat Squad"
    assert "users" not in renamed  # nothing expanded
    listed = report["group_list"]["json"]["accountGroups"]
    assert "Compat Squad" in {g["accountGroupName"] for g in listed}
    assert report["group_delete"] == {"status": 204, "data": None}
    gone = report["group_get_deleted"]
    assert (gone["exception"], gone["status"]) == ("NotFoundException", 404)
    default = report["group_delete_default"]
    assert (default["exception"], default["status"]) == ("BadRequestException", 400)
    assert default["data"]["json"]["errors"][0]["code"] == "DEFAULT_ACCOUNT_GROUP"
    for step, permission in (
        ("group_create_regular", "Edit all account groups"),
        ("group_get_regular", "View all account groups settings"),
    ):
        refused = report[step]
        assert (refused["exception"], refused["status"]) == ("ForbiddenException", 403)
        assert refused["data"]["json"]["detail"] == (
            f"This operation requires the '{permission}' permission"
        )
    agent = report["group_unknown_agent"]
    assert (agent["exception"], agent["status"]) == ("BadRequestException", 400)
    assert agent["data"]["json"]["errors"] == [
        {
            "code": "UNKNOWN_AGENT",
            "field": "agents[0]",
            "message": "no enterprise agent with id 105",
        }
    ]


def test_the_activity_log_pages_through_every_event(report: dict[str, Any]) -> None:
    org: TestOrg = report["org"]
    first = report["events"]["json"]
    assert len(first["auditEvents"]) == 100
    assert first["_links"]["next"]["href"].startswith(first["_links"]["self"]["href"][:40])
    assert {"startDate", "endDate"} <= set(first)
    every = [e["json"] for e in report["events_paginated"]]
    assert every[:100] == first["auditEvents"]
    assert len(every) > 150
    # Across the pages, each of the filled events once, in order.
    filled = [e["resources"][0]["name"] for e in every if e["event"] == "Role updated."]
    assert [n for n in filled if n.startswith("Role ")] == [f"Role {i}" for i in range(150)]
    # What the scenario did through the SDK is in the log, by the admin.
    made = [e for e in every if e["event"] == "Account group created."]
    # "Second" by the CLI (nobody), "Compat Team" by the admin through the SDK.
    assert [(e["resources"], e.get("user")) for e in made] == [
        ([{"type": "accountGroupName", "name": "Second"}], None),
        (
            [{"type": "accountGroupName", "name": "Compat Team"}],
            f"{org.admin.name} ({org.admin.email})",
        ),
    ]
    assert report["events_all_groups"]["json"]["auditEvents"]
    regular = report["events_regular"]
    assert (regular["exception"], regular["status"]) == ("ForbiddenException", 403)


def test_roles_are_created_read_replaced_and_deleted(
    report: dict[str, Any], live_server: LiveServer
) -> None:
    create = report["role_create"]
    created = create["data"]["json"]
    href = f"{live_server.thousandeyes_url}/roles/{created['roleId']}"
    assert create["status"] == 201
    assert create["headers"]["Location"] == href
    assert created["name"] == "Compat Helpdesk"
    assert created["isBuiltin"] is False
    assert [p["label"] for p in created["permissions"]] == ["API Access", "View all users"]
    assert created["_links"] == {"self": {"href": href}}
    assert report["role_get"]["json"] == created
    updated = report["role_update"]["json"]
    assert updated["name"] == "Compat Helpdesk"  # left out of the request: kept
    assert [p["label"] for p in updated["permissions"]] == ["API Access"]
    assert report["role_delete"] == {"status": 204, "data": None}
    gone = report["role_get_deleted"]
    assert (gone["exception"], gone["status"]) == ("NotFoundException", 404)
    builtin = report["role_builtin_update"]
    assert (builtin["exception"], builtin["status"]) == ("ForbiddenException", 403)
    duplicate = report["role_duplicate"]
    assert (duplicate["exception"], duplicate["status"]) == ("BadRequestException", 400)
    message = "a role named 'Regular User' already exists"
    assert duplicate["data"]["json"]["errors"] == [
        {"code": "DUPLICATE", "field": "name", "message": message}
    ]


def test_current_user_and_list(report: dict[str, Any], live_server: LiveServer) -> None:
    org: TestOrg = report["org"]
    current = report["current"]["json"]
    assert current["uid"] == str(org.admin.uid)
    assert current["email"] == org.admin.email
    assert current["loginAccountGroup"] == group(org.aid, org.name)
    assert current["accountGroupRoles"] == []
    assert [r["name"] for r in current["allAccountGroupRoles"]] == ["Organization Admin"]
    assert (
        current["_links"]["self"]["href"] == f"{live_server.thousandeyes_url}/users/{org.admin.uid}"
    )

    listing = report["list"]["json"]
    assert listing["_links"]["self"]["href"] == f"{live_server.thousandeyes_url}/users"
    assert org.admin.email in {u["email"] for u in listing["users"]}
    assert len(listing["users"]) == 2  # the admin and the Regular User made for the 403 step


def test_create_answers_201_with_a_location_the_body_links_to(
    report: dict[str, Any], live_server: LiveServer
) -> None:
    org: TestOrg = report["org"]
    create = report["create"]
    created = create["data"]["json"]
    href = f"{live_server.thousandeyes_url}/users/{created['uid']}"
    assert create["status"] == 201
    # `ApiResponse.headers` is a plain, case-sensitive dict (not urllib3's HTTPHeaderDict), so
    # scripts read `headers["Location"]` exactly as the vendor writes it; rosterd does too.
    assert create["headers_type"] == "dict"
    assert create["headers"]["Location"] == href
    assert "location" not in create["headers"]
    assert created["_links"] == {"self": {"href": href}}
    assert created["name"] == "Jane Compat"
    assert created["loginAccountGroup"] == group(org.aid, org.name)
    assert created["accountGroupRoles"] == [
        {"accountGroup": group(org.aid, org.name), "roles": [REGULAR_USER]}
    ]
    assert created["allAccountGroupRoles"] == []
    assert created["dateRegistered"].endswith("Z")
    assert report["get"]["json"] == created  # lastLogin is null: the user never logged in


def test_update_replaces_roles_and_leaves_omitted_fields(report: dict[str, Any]) -> None:
    org: TestOrg = report["org"]
    second = group(report["second_aid"], "Second")
    replaced = report["update_replace"]["json"]
    assert replaced["name"] == "Jane Renamed"
    # The roles in the first group are gone, not merged with the new ones.
    assert replaced["accountGroupRoles"] == [{"accountGroup": second, "roles": [ACCOUNT_ADMIN]}]
    assert replaced["allAccountGroupRoles"] == []
    # The login account group moved with the roles: the user has none left in the old one.
    assert replaced["loginAccountGroup"] == second

    partial = report["update_partial"]["json"]
    assert partial["name"] == "Jane Renamed"
    assert partial["accountGroupRoles"] == replaced["accountGroupRoles"]
    assert partial["allAccountGroupRoles"] == [REGULAR_USER]
    assert report["after_updates"]["json"] == partial
    assert org.aid not in json.dumps(partial["accountGroupRoles"])


def test_delete_answers_204_and_the_user_is_gone(report: dict[str, Any]) -> None:
    uid = report["create"]["data"]["json"]["uid"]
    assert report["delete"] == {"status": 204, "data": None}
    gone = report["get_deleted"]
    assert gone["exception"] == "NotFoundException"
    assert gone["status"] == 404
    assert gone["data"]["class"] == "Error"
    assert gone["data"]["json"] == problem(
        404, "URI Resource Not Found", f"No user with id '{uid}'", f"/v7/users/{uid}"
    )


def test_duplicate_email_is_a_bad_request_naming_the_field(report: dict[str, Any]) -> None:
    bad = report["duplicate_email"]
    assert bad["exception"] == "BadRequestException"
    assert bad["status"] == 400
    assert bad["headers"]["content-type"] == "application/problem+json"
    assert bad["data"]["class"] == "ValidationError"
    body = bad["data"]["json"]
    assert body["title"] == "Request validation failed. There are invalid or missing fields"
    assert body["status"] == 400
    assert [e["field"] for e in body["errors"]] == ["email"]
    assert body["errors"][0]["code"] == "DUPLICATE"


def test_a_bad_token_is_unauthorized_in_the_oauth_shape(report: dict[str, Any]) -> None:
    bad = report["bad_token"]
    assert bad["exception"] == "UnauthorizedException"
    assert bad["status"] == 401
    assert bad["headers"]["www-authenticate"] == 'Bearer error="invalid_token"'
    assert bad["data"] == {
        "class": "UnauthorizedError",
        "json": {"error": "invalid_token", "error_description": "Invalid access token"},
        "unknown_fields": [],
    }


def test_a_regular_user_may_not_list_users(report: dict[str, Any]) -> None:
    forbidden = report["regular_lists_users"]
    assert forbidden["exception"] == "ForbiddenException"
    assert forbidden["status"] == 403
    assert forbidden["data"]["class"] == "Error"
    assert forbidden["data"]["json"] == problem(
        403,
        "Forbidden",
        "This operation requires the 'View all users' permission",
        "/v7/users",
    )


def test_an_unknown_user_is_not_found(report: dict[str, Any]) -> None:
    missing = report["unknown_user"]
    assert missing["exception"] == "NotFoundException"
    assert missing["data"]["json"]["status"] == 404
    assert missing["data"]["json"]["instance"] == "/v7/users/999999999999"


def test_over_the_limit_the_sdk_retries_once_after_retry_after_then_raises(
    report: dict[str, Any],
) -> None:
    assert report["within_limit"] == [200] * RATE_LIMIT
    limited = report["over_limit"]
    assert limited["exception"] == "TooManyRequestsException"
    assert limited["status"] == 429
    assert limited["data"]["class"] == "Error"
    assert limited["data"]["json"] == problem(
        429,
        "Too Many Requests",
        "Exhausted rate limit for the organization",
        "/v7/users/current",
    )
    headers = limited["headers"]
    assert headers["x-organization-rate-limit-limit"] == str(RATE_LIMIT)
    assert headers["x-organization-rate-limit-remaining"] == "0"
    retry_after = int(headers["retry-after"])
    assert 1 <= retry_after <= 60
    assert int(headers["x-organization-rate-limit-reset"]) <= time.time() + 61
    # One retry, after waiting what Retry-After asked for; then the second 429 is raised.
    assert len(limited["retry_sleeps"]) == 1
    assert abs(limited["retry_sleeps"][0] - retry_after) <= 1
    assert report["server_429s"] == 2


def test_the_seeds_examples_run_unchanged_but_for_host_and_ids(
    thousandeyes_python: Path, live_server: LiveServer, orgs: OrgFactory
) -> None:
    """Every UsersApi example of the seed, with only these edits:

    - `from thousandeyes_sdk.administrative.rest import ApiException` is dropped: that module
      does not exist in 6.0.0 (rosterd's own SDK will provide it);
    - `import os` is added: the examples use `os.environ` without importing it;
    - the second `Configuration(...)`, which replaces the first and so loses its `host`, is
      given the host of rosterd;
    - the placeholder ids `'1234'` become a real user and account group;
    - the create example's empty `UserRequest()` gets a name and an email, which a create
      needs (the update example keeps its empty request: a valid update that changes nothing).
    """
    org = orgs.create()
    target = httpx.post(
        f"{live_server.thousandeyes_url}/users",
        json={"name": "Example Target", "email": unique_email("target")},
        headers={"Authorization": f"Bearer {org.token}"},
    )
    assert target.status_code == 201, target.text
    new_email = unique_email("example")
    edits = [
        ("from thousandeyes_sdk.administrative.rest import ApiException\n", ""),
        (
            '    access_token = os.environ["BEARER_TOKEN"]\n',
            '    host = os.environ["TE_HOST"],\n    access_token = os.environ["BEARER_TOKEN"]\n',
        ),
        ("aid = '1234'", 'aid = os.environ["TE_AID"]'),
        ("id = '1234'", 'id = os.environ["TE_USER_ID"]'),
    ]
    named = (
        "UserRequest()",
        'UserRequest(name="Example User", email=os.environ["TE_NEW_EMAIL"])',
    )
    order = ["get_current_user", "get_users", "create_user", "get_user", "update_user"]
    examples = {name: "import os\n" + EXAMPLES[name] for name in [*order, "delete_user"]}
    for old, new in edits:
        assert any(old in code for code in examples.values()), f"the examples changed: {old!r}"
        examples = {name: code.replace(old, new) for name, code in examples.items()}
    assert named[0] in examples["create_user"]
    examples["create_user"] = examples["create_user"].replace(*named)

    printed = run(
        thousandeyes_python,
        "examples",
        {"examples": examples},
        BEARER_TOKEN=org.token,
        TE_HOST=live_server.thousandeyes_url,
        TE_USER_ID=target.json()["uid"],
        TE_AID=org.aid,
        TE_NEW_EMAIL=new_email,
    )

    for name in order:
        assert printed[name].startswith(f"The response of UsersApi->{name}:\n"), printed[name]
    assert org.admin.email in printed["get_current_user"]
    assert new_email in printed["create_user"]
    assert "Example Target" in printed["get_user"]
    assert "Example Target" in printed["update_user"]
    assert printed["delete_user"] == ""
    gone = httpx.get(
        f"{live_server.thousandeyes_url}/users/{target.json()['uid']}",
        headers={"Authorization": f"Bearer {org.token}"},
    )
    assert gone.status_code == 404
