"""rosterd's ThousandEyes SDK `AccountGroupsApi` (all five operations) and `UserEventsApi`.

First what they send, offline against an `httpx.MockTransport`: the URLs, bodies and headers
the official SDK 6.0.0 sends for the same calls (taken from it), argument validation, the
models and the paginated iterable. Then every operation and variant against a live rosterd on
both databases: the results as models, the refusals as the SDK's exceptions, the activity log
of changes made through the SDK, its pages and its time ranges.
"""

from __future__ import annotations

import importlib
import json
import re
import time
import uuid
from collections.abc import Callable, Iterator
from datetime import UTC, datetime, timedelta, timezone
from typing import Any
from urllib.parse import parse_qs, urlsplit

import httpx
import pydantic
import pytest
from rosterd_sdk_transport import Transport
from thousandeyes_sdk import administrative
from thousandeyes_sdk.administrative import (
    AccountGroupDetail,
    AccountGroupInfo,
    AccountGroupRequest,
    AccountGroupsApi,
    AuditUserEvents,
    CreatedAccountGroup,
    EnterpriseAgent,
    ExpandAccountGroupOptions,
    Link,
    PaginationLinks,
    Resource,
    Role,
    RoleRequestBody,
    RolesApi,
    SelfLinks,
    UserAccountGroup,
    UserAccountGroupRole,
    UserEvent,
    UserEventsApi,
    UserRequest,
    UsersApi,
)
from thousandeyes_sdk.administrative import models as models_package
from thousandeyes_sdk.core import ApiClient, Configuration, PaginationIterable
from thousandeyes_sdk.core.exceptions import (
    BadRequestException,
    ForbiddenException,
    NotFoundException,
)

from rosterd.core import permissions as perm
from tests.clients.conftest import create_member, unique_email
from tests.support.orgs import OrgFactory, TestOrg
from tests.support.server import LiveServer

USER = ExpandAccountGroupOptions.USER
AGENT = ExpandAccountGroupOptions.AGENT
ORG_ADMIN = Role(
    role_id="1", name="Organization Admin", is_builtin=True, has_management_permissions=True
)
REGULAR_USER = Role(
    role_id="3", name="Regular User", is_builtin=True, has_management_permissions=False
)
HOST = "https://api.example/v7"


# --- offline: what the SDK sends -----------------------------------------------------------


class Wire:
    """The requests sent, and the responses to answer them with, in order."""

    def __init__(self) -> None:
        self.requests: list[httpx.Request] = []
        self.responses: list[httpx.Response] = []

    def __call__(self, request: httpx.Request) -> httpx.Response:
        self.requests.append(request)
        return self.responses.pop(0)

    def answer(self, status: int, body: object = None, **headers: str) -> None:
        content = b"" if body is None else json.dumps(body).encode()
        if body is not None:
            headers.setdefault("content-type", "application/hal+json")
        self.responses.append(httpx.Response(status, content=content, headers=headers))

    def urls(self) -> list[str]:
        return [f"{r.method} {r.url}" for r in self.requests]


@pytest.fixture
def wire() -> Wire:
    return Wire()


@pytest.fixture
def mock_client(wire: Wire) -> Iterator[ApiClient]:
    configuration = Configuration(host=HOST, access_token="tok123", retries=0)
    with ApiClient(configuration) as client:
        client.transport.close()
        client.transport = Transport(httpx_transport=httpx.MockTransport(wire))
        yield client


GROUP_BODY = {
    "aid": "12",
    "accountGroupName": "Branch",
    "isCurrentAccountGroup": False,
    "isDefaultAccountGroup": False,
    "organizationName": "Acme",
    "orgId": "3",
    "_links": {"self": {"href": f"{HOST}/account-groups/12"}},
}


def test_account_group_requests_are_the_official_sdks(mock_client: ApiClient, wire: Wire) -> None:
    groups = AccountGroupsApi(mock_client)
    wire.answer(201, GROUP_BODY, location=f"{HOST}/account-groups/12")
    wire.answer(200, {**GROUP_BODY, "accountToken": "abc123"})
    wire.answer(200, {**GROUP_BODY, "accountToken": "abc123"})
    wire.answer(204)
    wire.answer(200, {**GROUP_BODY, "accountToken": "abc123"})

    groups.create_account_group(
        AccountGroupRequest(account_group_name="Branch", agents=[]), expand=[USER, AGENT]
    )
    groups.get_account_group("1/2", expand=[USER])
    groups.update_account_group("12", AccountGroupRequest(account_group_name="New"))
    groups.delete_account_group("12")
    groups.get_account_group("12", expand=[])

    assert wire.urls() == [
        f"POST {HOST}/account-groups?expand=user,agent",
        f"GET {HOST}/account-groups/1%2F2?expand=user",
        f"PUT {HOST}/account-groups/12",
        f"DELETE {HOST}/account-groups/12",
        f"GET {HOST}/account-groups/12?expand=",
    ]
    create, get, update, delete, _ = wire.requests
    assert json.loads(create.content) == {"accountGroupName": "Branch", "agents": []}
    assert json.loads(update.content) == {"accountGroupName": "New"}
    assert [r.headers["accept"] for r in wire.requests] == [
        "application/hal+json",
        "application/hal+json",
        "application/hal+json",
        "application/json",
        "application/hal+json",
    ]
    assert create.headers["content-type"] == update.headers["content-type"] == "application/json"
    assert "content-type" not in get.headers
    assert "content-type" not in delete.headers
    assert delete.content == get.content == b""
    assert {r.headers["authorization"] for r in wire.requests} == {"Bearer tok123"}
    assert create.headers["user-agent"].startswith("ThousandEyesSDK-Python/")


def test_user_events_requests_are_the_official_sdks(mock_client: ApiClient, wire: Wire) -> None:
    events = UserEventsApi(mock_client)
    for _ in range(4):
        wire.answer(200, {"auditEvents": []})

    events.get_user_events(
        aid="12",
        use_all_permitted_aids=True,
        window="12h",
        start_date=datetime(2026, 12, 1, tzinfo=UTC),
        end_date=datetime(2026, 12, 2, 3, 4, 5, 600, tzinfo=timezone(timedelta(hours=2))),
        cursor="a b",
    )
    events.get_user_events(use_all_permitted_aids=False, start_date=datetime(2026, 12, 1))
    events.get_user_events()
    # A string is parsed as a datetime first, as pydantic's validate_call does for the official.
    events.get_user_events(start_date="2026-12-01T00:00:00Z")  # type: ignore[arg-type]

    assert wire.urls() == [
        f"GET {HOST}/audit-user-events?aid=12&useAllPermittedAids=true&window=12h"
        "&startDate=2026-12-01T00%3A00%3A00.000000%2B0000"
        "&endDate=2026-12-02T03%3A04%3A05.000600%2B0200&cursor=a%20b",
        f"GET {HOST}/audit-user-events?useAllPermittedAids=false"
        "&startDate=2026-12-01T00%3A00%3A00.000000",
        f"GET {HOST}/audit-user-events",
        f"GET {HOST}/audit-user-events?startDate=2026-12-01T00%3A00%3A00.000000%2B0000",
    ]
    assert {r.headers["accept"] for r in wire.requests} == {"application/hal+json"}


def test_the_datetime_format_is_the_configurations(mock_client: ApiClient, wire: Wire) -> None:
    mock_client.configuration.datetime_format = "%Y-%m-%dT%H:%M:%SZ"
    wire.answer(200, {"auditEvents": []})
    UserEventsApi(mock_client).get_user_events(start_date=datetime(2026, 12, 1, tzinfo=UTC))
    assert wire.requests[0].url.query == b"startDate=2026-12-01T00%3A00%3A00Z"
    assert Configuration().datetime_format == "%Y-%m-%dT%H:%M:%S.%f%z"
    assert Configuration().date_format == "%Y-%m-%d"


def test_an_unknown_expand_option_is_sent_as_unknown(mock_client: ApiClient, wire: Wire) -> None:
    """As in the official SDK, whose enums read any value they do not know as UNKNOWN."""
    wire.answer(200, {**GROUP_BODY, "accountToken": "abc123"})
    AccountGroupsApi(mock_client).get_account_group("12", expand=["users"])  # type: ignore[list-item]
    assert wire.requests[0].url.query == b"expand=unknown"
    assert ExpandAccountGroupOptions("users") is ExpandAccountGroupOptions.UNKNOWN
    assert ExpandAccountGroupOptions.from_json('"agent"') is AGENT
    assert USER == "user"
    assert [o.value for o in ExpandAccountGroupOptions] == ["user", "agent", "unknown"]


def test_arguments_are_validated_before_anything_is_sent(
    mock_client: ApiClient, wire: Wire
) -> None:
    groups, events = AccountGroupsApi(mock_client), UserEventsApi(mock_client)
    request = AccountGroupRequest(account_group_name="Branch")
    refused: list[Callable[[], object]] = [
        lambda: groups.get_account_group(12),  # type: ignore[arg-type]
        lambda: groups.get_account_group("12", expand="user"),  # type: ignore[arg-type]
        lambda: groups.get_account_group("12", aid="12"),  # type: ignore[call-arg]
        lambda: groups.delete_account_group("12", expand=[USER]),  # type: ignore[call-arg]
        lambda: groups.create_account_group(request, "user"),  # type: ignore[arg-type]
        lambda: groups.create_account_group(request, aid="12"),  # type: ignore[call-arg]
        lambda: groups.update_account_group("12", {"name": "x"}),  # type: ignore[arg-type]
        lambda: groups.update_account_group(12, request),  # type: ignore[arg-type]
        lambda: groups.get_account_groups(expand=[USER]),  # type: ignore[call-arg]
        lambda: groups.get_account_group("12", _host_index=1),
        lambda: groups.get_account_group("12", _request_timeout=0),
        lambda: events.get_user_events(aid=12),  # type: ignore[arg-type]
        lambda: events.get_user_events(use_all_permitted_aids="true"),  # type: ignore[arg-type]
        lambda: events.get_user_events(use_all_permitted_aids=1),  # type: ignore[arg-type]
        lambda: events.get_user_events(window=12),  # type: ignore[arg-type]
        lambda: events.get_user_events(start_date="yesterday"),  # type: ignore[arg-type]
        lambda: events.get_user_events(end_date=[]),  # type: ignore[arg-type]
        lambda: events.get_user_events(cursor=1),  # type: ignore[arg-type]
        lambda: events.get_user_events(page=2),  # type: ignore[call-arg]
        lambda: events.get_user_events_with_http_info(window=12),  # type: ignore[arg-type]
        lambda: events.get_user_events_without_preload_content(cursor=1),  # type: ignore[arg-type]
        lambda: events.get_user_events_paginated(window=12),  # type: ignore[arg-type]
        lambda: events.get_user_events_paginated(limit=10),  # type: ignore[call-arg]
    ]
    for call in refused:
        with pytest.raises(pydantic.ValidationError):
            call()
    assert wire.requests == []


def test_account_group_request_requires_its_name() -> None:
    with pytest.raises(pydantic.ValidationError) as missing:
        AccountGroupRequest()  # type: ignore[call-arg]
    assert [e["loc"] for e in missing.value.errors()] == [("accountGroupName",)]
    with pytest.raises(pydantic.ValidationError):
        AccountGroupRequest(account_group_name=1)
    with pytest.raises(pydantic.ValidationError):
        AccountGroupRequest(account_group_name="x", agents=[1])
    by_alias = AccountGroupRequest(accountGroupName="x")  # type: ignore[call-arg]
    assert by_alias.to_dict() == {"accountGroupName": "x"}
    assert AccountGroupRequest(account_group_name="x", agents=["7"]).to_json() == (
        '{"accountGroupName":"x","agents":["7"]}'
    )


def test_the_models_read_the_contracts_bodies() -> None:
    user = {
        "name": "Jane",
        "email": "jane@example.com",
        "uid": "5",
        "dateRegistered": "2026-12-01T00:00:00Z",
        "roles": [
            {
                "roleId": "3",
                "name": "Regular User",
                "isBuiltin": True,
                "hasManagementPermissions": False,
            }
        ],
    }
    body = {**GROUP_BODY, "users": [user], "agents": [], "accountToken": "abc123"}

    detail = AccountGroupDetail.from_dict(body)

    assert detail == AccountGroupDetail(
        aid="12",
        account_group_name="Branch",
        is_current_account_group=False,
        is_default_account_group=False,
        organization_name="Acme",
        org_id="3",
        users=[
            UserAccountGroup(
                name="Jane",
                email="jane@example.com",
                uid="5",
                date_registered=datetime(2026, 12, 1, tzinfo=UTC),
                roles=[REGULAR_USER],
            )
        ],
        links=SelfLinks(var_self=Link(href=f"{HOST}/account-groups/12")),
        agents=[],
        account_token="abc123",
    )
    assert AccountGroupDetail.from_dict(detail.to_dict()) == detail
    assert AccountGroupDetail.from_json(detail.to_json()) == detail
    assert detail.to_dict()["_links"] == {"self": {"href": f"{HOST}/account-groups/12"}}
    created = CreatedAccountGroup.from_dict(GROUP_BODY)
    assert created is not None
    assert (created.users, created.model_extra) == (None, {})
    agent = EnterpriseAgent.from_dict(
        {
            "agentId": "9",
            "agentType": "enterprise-cluster",
            "agentState": "rebooting",
            "coordinates": {},
        }
    )
    assert agent is not None
    assert (agent.agent_id, agent.agent_type, agent.agent_state) == (
        "9",
        models_package.CloudEnterpriseAgentType.ENTERPRISE_MINUS_CLUSTER,
        models_package.EnterpriseAgentState.UNKNOWN,
    )
    assert agent.model_extra == {"coordinates": {}}

    events = AuditUserEvents.from_dict(
        {
            "auditEvents": [
                {
                    "aid": "12",
                    "accountGroupName": "Branch",
                    "date": "2026-12-02T04:00:00Z",
                    "event": "User created.",
                    "uid": "5",
                    "user": "Name (email)",
                    "resources": [{"type": "userDisplayName", "name": "Jane (jane@example.com)"}],
                }
            ],
            "startDate": "2026-12-01T00:00:00Z",
            "endDate": "2026-12-03T00:00:00Z",
            "_links": {"self": {"href": "s"}, "next": {"href": "n?cursor=XYZ"}},
        }
    )
    assert events == AuditUserEvents(
        audit_events=[
            UserEvent(
                aid="12",
                account_group_name="Branch",
                var_date=datetime(2026, 12, 2, 4, tzinfo=UTC),
                event="User created.",
                uid="5",
                user="Name (email)",
                resources=[Resource(type="userDisplayName", name="Jane (jane@example.com)")],
            )
        ],
        start_date=datetime(2026, 12, 1, tzinfo=UTC),
        end_date=datetime(2026, 12, 3, tzinfo=UTC),
        links=PaginationLinks(var_self=Link(href="s"), next=Link(href="n?cursor=XYZ")),
    )


def test_every_model_is_at_its_official_module_path() -> None:
    for module, name in (
        ("account_group_request", "AccountGroupRequest"),
        ("created_account_group", "CreatedAccountGroup"),
        ("account_group_detail", "AccountGroupDetail"),
        ("user_account_group", "UserAccountGroup"),
        ("expand_account_group_options", "ExpandAccountGroupOptions"),
        ("enterprise_agent", "EnterpriseAgent"),
        ("cloud_enterprise_agent_type", "CloudEnterpriseAgentType"),
        ("enterprise_agent_state", "EnterpriseAgentState"),
        ("enterprise_agent_ipv6_policy", "EnterpriseAgentIpv6Policy"),
        ("audit_user_events", "AuditUserEvents"),
        ("user_event", "UserEvent"),
        ("resource", "Resource"),
        ("pagination_links", "PaginationLinks"),
    ):
        found = importlib.import_module(f"thousandeyes_sdk.administrative.models.{module}")
        assert getattr(found, name) is getattr(models_package, name)
        assert getattr(administrative, name) is getattr(models_package, name)
    assert administrative.UserEventsApi is UserEventsApi
    assert importlib.import_module("thousandeyes_sdk.administrative.api.user_events_api")


def page(events: list[str], next_cursor: str | None = None) -> dict[str, Any]:
    links: dict[str, Any] = {"self": {"href": f"{HOST}/audit-user-events"}}
    if next_cursor is not None:
        links["next"] = {"href": f"{HOST}/audit-user-events?window=1d&cursor={next_cursor}"}
    return {"auditEvents": [{"event": e} for e in events], "_links": links}


def test_paginated_follows_next_with_the_same_arguments(mock_client: ApiClient, wire: Wire) -> None:
    events = UserEventsApi(mock_client)
    wire.answer(200, page(["a", "b"], "c%2B2"))
    wire.answer(200, page(["c"], "c3"))
    wire.answer(200, page([]))

    iterable = events.get_user_events_paginated(window="1d", _headers={"X-Trace": "t1"})

    assert isinstance(iterable, PaginationIterable)
    assert wire.requests == []  # nothing is sent before iterating
    assert [e.event for e in iterable] == ["a", "b", "c"]
    assert [r.url.query for r in wire.requests] == [
        b"window=1d",
        b"window=1d&cursor=c%2B2",
        b"window=1d&cursor=c3",
    ]
    assert {r.headers["x-trace"] for r in wire.requests} == {"t1"}


def test_paginated_starts_at_the_cursor_and_stops_on_a_cursor_loop(
    mock_client: ApiClient, wire: Wire
) -> None:
    events = UserEventsApi(mock_client)
    wire.answer(200, page(["b"], "c2"))
    wire.answer(200, page(["c"], "c1"))  # back to where it started

    assert [e.event for e in events.get_user_events_paginated(cursor="c1")] == ["b", "c"]
    assert [parse_qs(r.url.query.decode())["cursor"] for r in wire.requests] == [["c1"], ["c2"]]


# --- live: account groups -------------------------------------------------------------------


def ids(*codes: str) -> list[str]:
    return [str(p.permission_id) for p in perm.CATALOGUE if p.code in codes]


@pytest.fixture
def te_groups(te_client: ApiClient) -> AccountGroupsApi:
    return AccountGroupsApi(te_client)


@pytest.fixture
def te_events(te_client: ApiClient) -> UserEventsApi:
    return UserEventsApi(te_client)


@pytest.fixture
def client_for(live_server: LiveServer) -> Iterator[Callable[[str], ApiClient]]:
    """Opens an ApiClient for any token; every one is closed at the end of the test."""
    clients: list[ApiClient] = []

    def open_client(token: str) -> ApiClient:
        configuration = Configuration(host=live_server.thousandeyes_url, access_token=token)
        clients.append(ApiClient(configuration))
        return clients[-1]

    yield open_client
    for client in clients:
        client.close()


@pytest.fixture
def member_client(
    te_client: ApiClient, org: TestOrg, client_for: Callable[[str], ApiClient]
) -> Callable[..., ApiClient]:
    """A client of a new user of `org` holding, in its account group, a role of exactly the
    given permissions (API Access added: without it no call is allowed)."""

    def open_member(*codes: str) -> ApiClient:
        role = RolesApi(te_client).create_role(
            RoleRequestBody(
                name=f"Role {uuid.uuid4().hex[:8]}", permissions=ids(perm.API_ACCESS, *codes)
            )
        )
        assert role.role_id is not None
        user = create_member(UsersApi(te_client), org, role_ids=[role.role_id])
        assert user.email is not None
        return client_for(org.token_for(user.email))

    return open_member


def admin_in_a_new_group(te_client: ApiClient, org: TestOrg) -> UserAccountGroup:
    """The admin as a new group lists them: they hold Organization Admin in all groups."""
    admin = UsersApi(te_client).get_user(str(org.admin.uid))
    return UserAccountGroup(
        name=admin.name,
        email=admin.email,
        uid=admin.uid,
        last_login=admin.last_login,
        date_registered=admin.date_registered,
        roles=[ORG_ADMIN],
    )


def new_group(org: TestOrg, live_server: LiveServer, aid: str, name: str) -> dict[str, Any]:
    """The fields every answer about a new (not current, not default) group has."""
    return {
        "aid": aid,
        "account_group_name": name,
        "is_current_account_group": False,
        "is_default_account_group": False,
        "organization_name": org.name,
        "org_id": str(org.account_group.org_id),
        "links": SelfLinks(
            var_self=Link(href=f"{live_server.thousandeyes_url}/account-groups/{aid}")
        ),
    }


def error_items(
    error: pytest.ExceptionInfo[BadRequestException],
) -> list[tuple[str | None, str | None]]:
    assert error.value.data is not None
    return [(item.var_field, item.code) for item in error.value.data.errors or []]


def test_create_account_group_answers_201_with_its_location(
    te_groups: AccountGroupsApi, org: TestOrg, live_server: LiveServer
) -> None:
    created = te_groups.create_account_group_with_http_info(
        AccountGroupRequest(account_group_name="Branch North", agents=[])
    )

    assert created.status_code == 201
    group = created.data
    assert group.aid is not None
    assert group.aid.isdigit()
    assert created.headers is not None
    assert (
        created.headers["Location"] == f"{live_server.thousandeyes_url}/account-groups/{group.aid}"
    )
    assert group == CreatedAccountGroup(**new_group(org, live_server, group.aid, "Branch North"))

    plain = te_groups.create_account_group(AccountGroupRequest(account_group_name="Branch South"))
    assert isinstance(plain, CreatedAccountGroup)
    assert plain.aid is not None
    assert plain == CreatedAccountGroup(**new_group(org, live_server, plain.aid, "Branch South"))

    raw = te_groups.create_account_group_without_preload_content(
        AccountGroupRequest(account_group_name="Branch East")
    )
    assert raw.status == 201
    body = json.loads(raw.data)
    assert (
        raw.getheader("location") == f"{live_server.thousandeyes_url}/account-groups/{body['aid']}"
    )
    assert sorted(body) == sorted(
        [
            "aid",
            "accountGroupName",
            "isCurrentAccountGroup",
            "isDefaultAccountGroup",
            "organizationName",
            "orgId",
            "_links",
        ]
    )


def test_create_with_expand_user_lists_the_groups_users(
    te_groups: AccountGroupsApi, te_client: ApiClient, org: TestOrg, live_server: LiveServer
) -> None:
    # A user with roles in the current group only is not in a new group; the admin, who holds
    # a role in all account groups, is.
    create_member(UsersApi(te_client), org)
    admin = admin_in_a_new_group(te_client, org)

    for expand in ([USER], [USER, AGENT]):
        name = f"Branch {uuid.uuid4().hex[:6]}"
        group = te_groups.create_account_group(AccountGroupRequest(account_group_name=name), expand)
        assert group.aid is not None
        assert group == CreatedAccountGroup(
            **new_group(org, live_server, group.aid, name), users=[admin]
        )

    raw = te_groups.create_account_group_without_preload_content(
        AccountGroupRequest(account_group_name="Branch Raw"), expand=[USER]
    )
    [user] = json.loads(raw.data)["users"]
    assert sorted(user) == sorted(
        ["name", "email", "uid", "dateRegistered", "roles"]
        + (["lastLogin"] if admin.last_login else [])
    )


def test_get_account_group_with_each_expand(
    te_groups: AccountGroupsApi, te_client: ApiClient, org: TestOrg, live_server: LiveServer
) -> None:
    aid = te_groups.create_account_group(AccountGroupRequest(account_group_name="Branch")).aid
    assert aid is not None
    admin = admin_in_a_new_group(te_client, org)

    plain = te_groups.get_account_group(aid)

    assert isinstance(plain, AccountGroupDetail)
    assert plain.account_token is not None
    assert re.fullmatch(r"[A-Za-z0-9]+", plain.account_token)
    fields = new_group(org, live_server, aid, "Branch")
    assert plain == AccountGroupDetail(**fields, account_token=plain.account_token)
    token = plain.account_token
    assert te_groups.get_account_group(aid, expand=[AGENT]) == AccountGroupDetail(
        **fields, agents=[], account_token=token
    )
    assert te_groups.get_account_group(aid, [USER]) == AccountGroupDetail(
        **fields, users=[admin], account_token=token
    )
    both = te_groups.get_account_group_with_http_info(aid, expand=[USER, AGENT])
    assert both.status_code == 200
    assert both.data == AccountGroupDetail(**fields, users=[admin], agents=[], account_token=token)

    raw = te_groups.get_account_group_without_preload_content(aid, expand=[AGENT])
    assert raw.status == 200
    assert json.loads(raw.data)["agents"] == []
    assert "users" not in json.loads(raw.data)
    missing = te_groups.get_account_group_without_preload_content("999999999")
    assert missing.status == 404  # not raised


def test_get_the_default_group_the_call_acts_in(
    te_groups: AccountGroupsApi, org: TestOrg, live_server: LiveServer
) -> None:
    group = te_groups.get_account_group(org.aid)

    assert group.account_token is not None
    other = te_groups.create_account_group(AccountGroupRequest(account_group_name="Other")).aid
    assert other is not None
    assert te_groups.get_account_group(other).account_token != group.account_token
    assert group == AccountGroupDetail(
        **{
            **new_group(org, live_server, org.aid, org.account_group.name),
            "is_current_account_group": True,
            "is_default_account_group": True,
        },
        account_token=group.account_token,
    )


def test_update_account_group_renames_it(
    te_groups: AccountGroupsApi, te_client: ApiClient, org: TestOrg, live_server: LiveServer
) -> None:
    aid = te_groups.create_account_group(AccountGroupRequest(account_group_name="Old")).aid
    assert aid is not None
    token = te_groups.get_account_group(aid).account_token

    updated = te_groups.update_account_group(aid, AccountGroupRequest(account_group_name="New"))

    assert updated == AccountGroupDetail(
        **new_group(org, live_server, aid, "New"), account_token=token
    )
    assert te_groups.get_account_group(aid) == updated
    assert AccountGroupInfo(
        **{k: v for k, v in new_group(org, live_server, aid, "New").items() if k != "links"}
    ) in (te_groups.get_account_groups().account_groups or [])

    expanded = te_groups.update_account_group_with_http_info(
        aid, AccountGroupRequest(account_group_name="Newer", agents=[]), expand=[USER, AGENT]
    )
    assert expanded.status_code == 200
    assert expanded.data == AccountGroupDetail(
        **new_group(org, live_server, aid, "Newer"),
        users=[admin_in_a_new_group(te_client, org)],
        agents=[],
        account_token=token,
    )
    # Its own name in other letters is not a duplicate.
    raw = te_groups.update_account_group_without_preload_content(
        aid, AccountGroupRequest(account_group_name="NEWER")
    )
    assert raw.status == 200
    assert json.loads(raw.data)["accountGroupName"] == "NEWER"


def test_delete_account_group_answers_204_and_it_is_gone(
    te_groups: AccountGroupsApi, org: TestOrg
) -> None:
    aids = [
        te_groups.create_account_group(AccountGroupRequest(account_group_name=f"Gone {i}")).aid
        for i in range(3)
    ]
    first, second, third = (aid or "" for aid in aids)

    assert te_groups.delete_account_group(first) is None
    response = te_groups.delete_account_group_with_http_info(second)
    assert (response.status_code, response.data, response.raw_data) == (204, None, b"")
    raw = te_groups.delete_account_group_without_preload_content(third)
    assert (raw.status, raw.data) == (204, b"")

    for aid in (first, second, third):
        with pytest.raises(NotFoundException):
            te_groups.get_account_group(aid)
        with pytest.raises(NotFoundException):
            te_groups.delete_account_group(aid)
    listed = {g.aid for g in te_groups.get_account_groups().account_groups or []}
    assert listed == {org.aid}


def test_refusals_are_the_sdks_exceptions(
    te_groups: AccountGroupsApi, org: TestOrg, orgs: OrgFactory
) -> None:
    with pytest.raises(BadRequestException) as duplicate:
        te_groups.create_account_group(
            AccountGroupRequest(account_group_name=org.account_group.name.upper())
        )
    assert error_items(duplicate) == [("accountGroupName", "DUPLICATE")]
    with pytest.raises(BadRequestException) as agents:
        te_groups.create_account_group(AccountGroupRequest(account_group_name="A", agents=["1"]))
    assert error_items(agents) == [("agents[0]", "UNKNOWN_AGENT")]

    aid = te_groups.create_account_group(AccountGroupRequest(account_group_name="Second")).aid
    assert aid is not None
    with pytest.raises(BadRequestException) as renamed:
        te_groups.update_account_group(
            aid, AccountGroupRequest(account_group_name=org.account_group.name.lower())
        )
    assert error_items(renamed) == [("accountGroupName", "DUPLICATE")]
    with pytest.raises(BadRequestException) as agents_on_update:
        te_groups.update_account_group(
            aid, AccountGroupRequest(account_group_name="S", agents=["9"])
        )
    assert error_items(agents_on_update) == [("agents[0]", "UNKNOWN_AGENT")]

    other = orgs.create()
    request = AccountGroupRequest(account_group_name="Mine now")
    for unknown in ("999999999", other.aid):
        with pytest.raises(NotFoundException) as missing:
            te_groups.get_account_group(unknown)
        assert missing.value.status == 404
        with pytest.raises(NotFoundException):
            te_groups.update_account_group(unknown, request)
        with pytest.raises(NotFoundException):
            te_groups.delete_account_group(unknown)

    with pytest.raises(BadRequestException):
        te_groups.delete_account_group(org.aid)  # the default group, and the current one


def test_a_group_in_use_or_acted_in_is_not_deleted(
    te_groups: AccountGroupsApi,
    te_client: ApiClient,
    org: TestOrg,
    client_for: Callable[[str], ApiClient],
) -> None:
    users = UsersApi(te_client)
    held = te_groups.create_account_group(AccountGroupRequest(account_group_name="Held")).aid
    assert held is not None
    users.create_user(
        UserRequest(
            name="Only There",
            email=unique_email(),
            login_account_group_id=held,
            account_group_roles=[UserAccountGroupRole(account_group_id=held, role_ids=["3"])],
        )
    )
    with pytest.raises(BadRequestException) as in_use:
        te_groups.delete_account_group(held)
    assert [code for _, code in error_items(in_use)] == ["ACCOUNT_GROUP_IN_USE"]

    # An admin of two groups, whose calls act in the second: that one is not deleted by them.
    acting = te_groups.create_account_group(AccountGroupRequest(account_group_name="Acting")).aid
    assert acting is not None
    email = unique_email()
    users.create_user(
        UserRequest(
            name="Second Admin",
            email=email,
            login_account_group_id=acting,
            account_group_roles=[
                UserAccountGroupRole(account_group_id=org.aid, role_ids=["1"]),
                UserAccountGroupRole(account_group_id=acting, role_ids=["1"]),
            ],
        )
    )
    theirs = AccountGroupsApi(client_for(org.token_for(email)))
    assert theirs.get_account_group(acting).is_current_account_group is True
    with pytest.raises(BadRequestException):
        theirs.delete_account_group(acting)
    te_groups.delete_account_group(acting)  # not the admin's current group


def test_account_group_permissions(
    te_groups: AccountGroupsApi, org: TestOrg, member_client: Callable[..., ApiClient]
) -> None:
    aid = te_groups.create_account_group(AccountGroupRequest(account_group_name="Guarded")).aid
    assert aid is not None
    request = AccountGroupRequest(account_group_name="Taken over")

    nothing = AccountGroupsApi(member_client(perm.VIEW_ALL_USERS))
    for call in (
        lambda: nothing.create_account_group(request),
        lambda: nothing.get_account_group(aid),
        lambda: nothing.update_account_group(aid, request),
        lambda: nothing.delete_account_group(aid),
    ):
        with pytest.raises(ForbiddenException) as refused:
            call()
        assert refused.value.status == 403

    viewer = AccountGroupsApi(member_client(perm.VIEW_ACCOUNT_GROUPS))
    assert viewer.get_account_group(aid).account_group_name == "Guarded"
    with pytest.raises(ForbiddenException):
        viewer.create_account_group(request)
    with pytest.raises(ForbiddenException):
        viewer.update_account_group(aid, request)

    editor = AccountGroupsApi(member_client(perm.VIEW_ACCOUNT_GROUPS, perm.EDIT_ACCOUNT_GROUPS))
    assert editor.update_account_group(aid, request).account_group_name == "Taken over"
    created = editor.create_account_group(AccountGroupRequest(account_group_name="By editor"))
    assert created.aid is not None
    with pytest.raises(ForbiddenException):
        editor.delete_account_group(created.aid)  # lacks two of the three permissions

    deleter = AccountGroupsApi(
        member_client(
            perm.EDIT_ACCOUNT_GROUPS, perm.ASSIGN_MANAGEMENT_PERMISSIONS, perm.DELETE_ACCOUNT
        )
    )
    deleter.delete_account_group(created.aid)
    with pytest.raises(NotFoundException):
        te_groups.get_account_group(created.aid)


# --- live: the activity log -----------------------------------------------------------------


def whole_second(moment: datetime) -> datetime:
    return moment.replace(microsecond=0)


def actor(org: TestOrg) -> str:
    return f"{org.admin.name} ({org.admin.email})"


def test_events_of_changes_made_through_the_sdk(
    te_events: UserEventsApi, te_client: ApiClient, org: TestOrg, live_server: LiveServer
) -> None:
    before = whole_second(datetime.now(UTC))
    email = unique_email("jane")
    UsersApi(te_client).create_user(UserRequest(name="Jane", email=email))
    RolesApi(te_client).create_role(
        RoleRequestBody(name="Auditors", permissions=ids(perm.API_ACCESS))
    )
    AccountGroupsApi(te_client).create_account_group(
        AccountGroupRequest(account_group_name="Audited")
    )
    after = datetime.now(UTC)

    result = te_events.get_user_events()

    assert isinstance(result, AuditUserEvents)
    events = result.audit_events or []
    assert [e.var_date for e in events] == sorted(e.var_date for e in events if e.var_date)
    mine = events[-3:]
    for event in mine:
        assert event.var_date is not None
        assert before <= event.var_date <= after
    common = {
        "aid": org.aid,
        "account_group_name": org.account_group.name,
        "uid": str(org.admin.uid),
        "user": actor(org),
    }
    assert mine == [
        UserEvent(
            **common,
            var_date=mine[0].var_date,
            event="User created.",
            resources=[Resource(type="userDisplayName", name=f"Jane ({email})")],
        ),
        UserEvent(
            **common,
            var_date=mine[1].var_date,
            event="Role created.",
            resources=[Resource(type="roleName", name="Auditors")],
        ),
        UserEvent(
            **common,
            var_date=mine[2].var_date,
            event="Account group created.",
            resources=[Resource(type="accountGroupName", name="Audited")],
        ),
    ]
    assert (result.start_date, result.end_date) == (None, None)
    assert result.links is not None
    assert result.links.next is None
    assert result.links.var_self is not None
    assert result.links.var_self.href.startswith(
        f"{live_server.thousandeyes_url}/audit-user-events"
    )

    with_info = te_events.get_user_events_with_http_info(aid=org.aid)
    assert with_info.status_code == 200
    assert with_info.data.audit_events == events
    raw = te_events.get_user_events_without_preload_content()
    assert raw.status == 200
    assert json.loads(raw.data)["auditEvents"][-3]["event"] == "User created."


def test_more_than_a_page_of_events(
    te_events: UserEventsApi, te_client: ApiClient, org: TestOrg
) -> None:
    users = UsersApi(te_client)
    emails = [unique_email(f"bulk{i:03d}") for i in range(105)]
    for email in emails:
        users.create_user(UserRequest(name="Bulk", email=email))

    first = te_events.get_user_events()

    assert len(first.audit_events or []) == 100
    pages = [first]
    while pages[-1].links is not None and pages[-1].links.next is not None:
        [cursor] = parse_qs(urlsplit(pages[-1].links.next.href).query)["cursor"]
        pages.append(te_events.get_user_events(cursor=cursor))
    assert len(pages) >= 2
    assert all(len(p.audit_events or []) == 100 for p in pages[:-1])
    assert 0 < len(pages[-1].audit_events or []) <= 100
    by_cursor = [e for p in pages for e in p.audit_events or []]

    paginated = list(te_events.get_user_events_paginated())

    assert paginated == by_cursor
    created = [
        resource.name
        for e in paginated
        if e.event == "User created."
        for resource in e.resources or []
    ]
    assert created[-105:] == [f"Bulk ({email})" for email in emails]
    assert len(created) == len(set(created))  # no event twice across the pages
    dates = [e.var_date for e in paginated if e.var_date is not None]
    assert dates == sorted(dates)
    assert len(dates) == len(paginated)
    # The same pages again with the other arguments: a window spanning them all.
    assert list(te_events.get_user_events_paginated(window="1d")) == paginated


def test_time_ranges(te_events: UserEventsApi, te_client: ApiClient, org: TestOrg) -> None:
    time.sleep(1.1)  # past the second the organization was created in (its own events)
    start = whole_second(datetime.now(UTC))
    email = unique_email("ranged")
    UsersApi(te_client).create_user(UserRequest(name="Ranged", email=email))
    end = whole_second(datetime.now(UTC)) + timedelta(seconds=2)

    ranged = te_events.get_user_events(start_date=start, end_date=end)

    assert (ranged.start_date, ranged.end_date) == (start, end)
    assert [e.event for e in ranged.audit_events or []] == ["User created."]
    [event] = ranged.audit_events or []
    assert event.resources == [Resource(type="userDisplayName", name=f"Ranged ({email})")]

    windowed = te_events.get_user_events(window="1h")
    assert windowed.start_date is not None
    assert windowed.end_date is not None
    assert windowed.end_date - windowed.start_date == timedelta(hours=1)
    assert event in (windowed.audit_events or [])

    later = te_events.get_user_events(start_date=end, end_date=end + timedelta(hours=1))
    assert later.audit_events == []
    assert (later.start_date, later.end_date) == (end, end + timedelta(hours=1))
    earlier = te_events.get_user_events(start_date=start - timedelta(days=1), end_date=start)
    assert event not in (earlier.audit_events or [])

    with pytest.raises(BadRequestException) as both:
        te_events.get_user_events(window="1d", start_date=start)
    assert both.value.status == 400
    with pytest.raises(BadRequestException):
        te_events.get_user_events(window="1d", end_date=end)
    raw = te_events.get_user_events_without_preload_content(window="1d", start_date=start)
    assert raw.status == 400  # not raised


def test_events_per_account_group(
    te_events: UserEventsApi, te_client: ApiClient, org: TestOrg
) -> None:
    other = AccountGroupsApi(te_client).create_account_group(
        AccountGroupRequest(account_group_name="Elsewhere")
    )
    assert other.aid is not None
    email = unique_email("elsewhere")
    UsersApi(te_client).create_user(UserRequest(name="There", email=email), aid=other.aid)
    there = UserEvent(
        aid=other.aid,
        account_group_name="Elsewhere",
        event="User created.",
        uid=str(org.admin.uid),
        user=actor(org),
        resources=[Resource(type="userDisplayName", name=f"There ({email})")],
    )

    def without_date(events: list[UserEvent] | None) -> list[UserEvent]:
        return [e.model_copy(update={"var_date": None}) for e in events or []]

    here = without_date(te_events.get_user_events().audit_events)
    assert there not in here
    assert {e.aid for e in here} == {org.aid}
    assert without_date(te_events.get_user_events(aid=other.aid).audit_events) == [there]
    everywhere = without_date(te_events.get_user_events(use_all_permitted_aids=True).audit_events)
    assert everywhere == [*here, there]  # oldest first: the event in the other group is the last


def test_the_activity_log_needs_its_permission(
    member_client: Callable[..., ApiClient], org: TestOrg
) -> None:
    with pytest.raises(ForbiddenException) as refused:
        UserEventsApi(member_client(perm.VIEW_ALL_USERS)).get_user_events()
    assert refused.value.status == 403
    with pytest.raises(ForbiddenException):
        list(UserEventsApi(member_client()).get_user_events_paginated())

    reader = UserEventsApi(member_client(perm.VIEW_ACTIVITY_LOG))
    events = reader.get_user_events().audit_events or []
    assert events
    assert {e.aid for e in events} == {org.aid}
