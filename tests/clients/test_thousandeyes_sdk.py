"""The ThousandEyes SDK against a live rosterd: every operation, every variant, every error
status the SDK maps, and the 429 handling."""

from __future__ import annotations

import json
import socket
from collections.abc import Iterator
from pathlib import Path

import pydantic
import pytest
from thousandeyes_sdk.administrative import (
    AccountGroup,
    CreatedUser,
    Error,
    ExtendedUser,
    Role,
    UnauthorizedError,
    UserAccountGroupRole,
    UserDetail,
    UserRequest,
    Users,
    UsersApi,
    ValidationError,
    ValidationErrorItem,
)
from thousandeyes_sdk.core import ApiClient, Configuration, ThousandEyesRetry
from thousandeyes_sdk.core.exceptions import (
    ApiException,
    BadRequestException,
    ForbiddenException,
    NotFoundException,
    ServiceException,
    TooManyRequestsException,
    UnauthorizedException,
)

from rosterd.storage import SqlDirectoryStore, make_engine, upgrade
from tests.clients.conftest import create_member, unique_email
from tests.support.orgs import OrgFactory, TestOrg
from tests.support.server import LiveServer, start_server

REGULAR_USER = Role(
    role_id="3", name="Regular User", is_builtin=True, has_management_permissions=False
)
ORG_ADMIN = Role(
    role_id="1", name="Organization Admin", is_builtin=True, has_management_permissions=True
)


def group_of(org: TestOrg) -> AccountGroup:
    return AccountGroup(aid=org.aid, account_group_name=org.account_group.name)


@pytest.fixture
def users_for(live_server: LiveServer) -> Iterator[object]:
    """Opens a UsersApi for any token; every client is closed at the end of the test."""
    clients: list[ApiClient] = []

    def open_api(token: str, **settings: object) -> UsersApi:
        configuration = Configuration(
            host=live_server.thousandeyes_url,
            access_token=token,
            **settings,  # type: ignore[arg-type]
        )
        clients.append(ApiClient(configuration))
        return UsersApi(clients[-1])

    yield open_api
    for client in clients:
        client.close()


# --- create_user ---------------------------------------------------------------------------


def test_create_user_answers_201_with_location_and_the_created_user(
    te_users: UsersApi, org: TestOrg, live_server: LiveServer
) -> None:
    email = unique_email()
    response = te_users.create_user_with_http_info(UserRequest(name="Jane Doe", email=email))

    assert response.status_code == 201
    user = response.data
    assert isinstance(user, CreatedUser)
    href = f"{live_server.thousandeyes_url}/users/{user.uid}"
    assert response.headers is not None
    assert response.headers["Location"] == href  # headers are case-insensitive
    assert response.headers["content-type"] == "application/hal+json"
    assert json.loads(response.raw_data) == user.to_dict() | {
        "dateRegistered": json.loads(response.raw_data)["dateRegistered"]
    }
    assert user.name == "Jane Doe"
    assert user.email == email
    assert user.uid is not None
    assert user.uid.isdigit()
    assert user.date_registered is not None
    assert user.date_registered.tzinfo is not None
    assert user.login_account_group == group_of(org)
    assert user.account_group_roles is not None
    assert [(r.account_group, r.roles) for r in user.account_group_roles] == [
        (group_of(org), [REGULAR_USER])
    ]
    assert user.all_account_group_roles == []
    assert user.links is not None
    assert user.links.var_self is not None
    assert user.links.var_self.href == href


def test_create_user_with_roles_in_a_group_and_in_all_groups(
    te_users: UsersApi, org: TestOrg
) -> None:
    request = UserRequest(
        name="Admin Two",
        email=unique_email(),
        login_account_group_id=org.aid,
        account_group_roles=[UserAccountGroupRole(account_group_id=org.aid, role_ids=["3"])],
        all_account_group_role_ids=["1"],
    )
    user = te_users.create_user(request, aid=org.aid)

    assert user.account_group_roles is not None
    assert [(r.account_group, r.roles) for r in user.account_group_roles] == [
        (group_of(org), [REGULAR_USER])
    ]
    assert user.all_account_group_roles == [ORG_ADMIN]


# --- get_user, get_current_user, get_users ------------------------------------------------


def test_get_user_returns_the_user_detail(te_users: UsersApi, org: TestOrg) -> None:
    created = create_member(te_users, org)
    assert created.uid is not None

    detail = te_users.get_user(created.uid, aid=org.aid)

    assert isinstance(detail, UserDetail)
    assert detail.uid == created.uid
    assert detail.email == created.email
    assert detail.name == created.name
    assert detail.date_registered == created.date_registered
    assert detail.last_login is None
    assert detail.account_group_roles == created.account_group_roles
    assert detail.all_account_group_roles == []
    assert detail.links == created.links


def test_get_user_with_http_info(te_users: UsersApi, org: TestOrg) -> None:
    response = te_users.get_user_with_http_info(str(org.admin.uid))

    assert response.status_code == 200
    assert response.data.email == org.admin.email
    assert json.loads(response.raw_data)["uid"] == str(org.admin.uid)


def test_get_current_user_is_the_tokens_owner(te_users: UsersApi, org: TestOrg) -> None:
    current = te_users.get_current_user()

    assert isinstance(current, UserDetail)
    assert current.uid == str(org.admin.uid)
    assert current.email == org.admin.email
    assert current.all_account_group_roles == [ORG_ADMIN]
    assert te_users.get_current_user_with_http_info().status_code == 200


def test_get_users_lists_every_user_of_the_organization(
    te_users: UsersApi, org: TestOrg, live_server: LiveServer
) -> None:
    member = create_member(te_users, org)

    listing = te_users.get_users(aid=org.aid)

    assert isinstance(listing, Users)
    assert listing.users is not None
    assert all(isinstance(u, ExtendedUser) for u in listing.users)
    assert {u.uid for u in listing.users} == {str(org.admin.uid), member.uid}
    mine = next(u for u in listing.users if u.uid == member.uid)
    assert mine.email == member.email
    assert mine.login_account_group == group_of(org)
    assert listing.links is not None
    assert listing.links.var_self is not None
    assert listing.links.var_self.href == f"{live_server.thousandeyes_url}/users"
    assert te_users.get_users_with_http_info().status_code == 200


# --- update_user ----------------------------------------------------------------------------


def test_update_user_changes_only_the_fields_given(te_users: UsersApi, org: TestOrg) -> None:
    member = create_member(te_users, org)
    assert member.uid is not None

    updated = te_users.update_user(member.uid, UserRequest(name="Renamed"), aid=org.aid)

    assert isinstance(updated, UserDetail)
    assert updated.name == "Renamed"
    assert updated.email == member.email
    assert updated.account_group_roles == member.account_group_roles
    assert te_users.get_user(member.uid).name == "Renamed"


def test_update_user_replaces_the_roles(te_users: UsersApi, org: TestOrg) -> None:
    member = create_member(te_users, org)
    assert member.uid is not None

    response = te_users.update_user_with_http_info(
        member.uid, UserRequest(account_group_roles=[], all_account_group_role_ids=["1"])
    )

    assert response.status_code == 200
    assert response.data.account_group_roles == []
    assert response.data.all_account_group_roles == [ORG_ADMIN]


# --- delete_user ----------------------------------------------------------------------------


def test_delete_user_answers_204_and_the_user_is_gone(te_users: UsersApi, org: TestOrg) -> None:
    first, second = create_member(te_users, org), create_member(te_users, org)
    assert first.uid is not None
    assert second.uid is not None

    assert te_users.delete_user(first.uid, aid=org.aid) is None
    response = te_users.delete_user_with_http_info(second.uid)

    assert response.status_code == 204
    assert response.data is None
    assert response.raw_data == b""
    for uid in (first.uid, second.uid):
        with pytest.raises(NotFoundException):
            te_users.get_user(uid)


# --- the unparsed variant -----------------------------------------------------------------


def test_without_preload_content_returns_the_response_unparsed_and_unraised(
    te_users: UsersApi, org: TestOrg
) -> None:
    ok = te_users.get_user_without_preload_content(str(org.admin.uid))
    missing = te_users.get_user_without_preload_content("999999999")
    listing = te_users.get_users_without_preload_content(aid=org.aid)
    current = te_users.get_current_user_without_preload_content()
    created = te_users.create_user_without_preload_content(
        UserRequest(name="Raw", email=unique_email())
    )
    uid = json.loads(created.read())["uid"]
    updated = te_users.update_user_without_preload_content(uid, UserRequest(name="Raw 2"))
    deleted = te_users.delete_user_without_preload_content(uid)

    assert (ok.status, ok.reason) == (200, "OK")
    assert json.loads(ok.read())["email"] == org.admin.email
    assert ok.getheader("content-type") == "application/hal+json"
    assert missing.status == 404
    assert json.loads(missing.data)["title"] == "URI Resource Not Found"
    assert [listing.status, current.status, created.status, updated.status] == [200, 200, 201, 200]
    assert created.getheader("location", "").endswith(f"/users/{uid}")
    assert (deleted.status, deleted.data) == (204, b"")


# --- what the SDK checks before sending -----------------------------------------------------


def test_ids_must_be_strings_and_unknown_keywords_are_refused(te_users: UsersApi) -> None:
    with pytest.raises(pydantic.ValidationError):
        te_users.get_user(245)  # type: ignore[arg-type]
    with pytest.raises(pydantic.ValidationError):
        te_users.get_current_user(aid="1234")  # type: ignore[call-arg]
    with pytest.raises(pydantic.ValidationError):
        UserRequest(email=123)  # type: ignore[arg-type]


def test_requests_are_serialized_as_the_official_sdk_sends_them(te_client: ApiClient) -> None:
    method, url, headers, body = te_client.param_serialize(
        "GET",
        "/users/{id}",
        path_params={"id": "a/b c"},
        query_params=[("aid", "12 34&x")],
        header_params={"Accept": "application/hal+json"},
        auth_settings=["BearerAuth"],
    )
    UsersApi(te_client)  # sets the User-Agent on the shared client
    assert url.endswith("/v7/users/a%2Fb%20c?aid=12%2034%26x")
    assert headers["Authorization"] == f"Bearer {te_client.configuration.access_token}"
    assert te_client.user_agent is not None
    assert te_client.user_agent.startswith("ThousandEyesSDK-Python/")
    assert body is None
    assert method == "GET"
    assert UserRequest(name="n", foo="bar").to_dict() == {"name": "n", "foo": "bar"}
    assert UserRequest().to_dict() == {}


def test_a_trailing_slash_on_the_host_is_harmless(live_server: LiveServer, org: TestOrg) -> None:
    configuration = Configuration(host=live_server.thousandeyes_url + "/", access_token=org.token)
    with ApiClient(configuration) as client:
        assert UsersApi(client).get_current_user().uid == str(org.admin.uid)


# --- error statuses -> exceptions ---------------------------------------------------------


def test_400_is_bad_request_with_the_validation_errors(te_users: UsersApi) -> None:
    with pytest.raises(BadRequestException) as caught:
        te_users.create_user(UserRequest())

    error = caught.value
    assert error.status == 400
    assert error.reason == "Bad Request"
    assert error.headers is not None
    assert error.headers["content-type"] == "application/problem+json"
    assert error.body is not None
    assert json.loads(error.body)["status"] == 400
    assert error.data == ValidationError(
        type="about:blank",
        title="Request validation failed. There are invalid or missing fields",
        status=400,
        detail="Your request object contains invalid fields.",
        instance="/v7/users",
        errors=[
            ValidationErrorItem(code="REQUIRED", var_field="email", message="email is required"),
            ValidationErrorItem(code="REQUIRED", var_field="name", message="name is required"),
        ],
    )
    assert str(error).startswith("(400)\nReason: Bad Request\nHTTP response headers: ")
    assert "HTTP response body: type='about:blank'" in str(error)


def test_400_on_update_and_duplicate_email(te_users: UsersApi, org: TestOrg) -> None:
    member = create_member(te_users, org)
    assert member.uid is not None
    assert member.email is not None

    with pytest.raises(BadRequestException) as duplicate:
        te_users.create_user(UserRequest(name="Twin", email=member.email))
    with pytest.raises(BadRequestException) as bad_email:
        te_users.update_user(member.uid, UserRequest(email="not-an-email"))

    assert isinstance(duplicate.value.data, ValidationError)
    assert duplicate.value.data.errors is not None
    assert [e.var_field for e in duplicate.value.data.errors] == ["email"]
    assert isinstance(bad_email.value.data, ValidationError)
    assert bad_email.value.data.errors is not None
    assert [e.var_field for e in bad_email.value.data.errors] == ["email"]


def test_401_is_unauthorized_with_the_oauth_error(users_for: object) -> None:
    users = users_for("rst_not-a-real-token-at-all-0000000000")  # type: ignore[operator]
    calls = [
        users.get_users,
        users.get_current_user,
        lambda: users.get_user("1"),
        lambda: users.create_user(UserRequest(name="x", email=unique_email())),
        lambda: users.update_user("1", UserRequest(name="x")),
        lambda: users.delete_user("1"),
    ]
    for call in calls:
        with pytest.raises(UnauthorizedException) as caught:
            call()
        assert caught.value.status == 401
        assert caught.value.data == UnauthorizedError(
            error="invalid_token", error_description="Invalid access token"
        )
        assert caught.value.headers is not None
        assert caught.value.headers["www-authenticate"] == 'Bearer error="invalid_token"'


def test_no_token_at_all_is_unauthorized(live_server: LiveServer) -> None:
    with (
        ApiClient(Configuration(host=live_server.thousandeyes_url)) as client,
        pytest.raises(UnauthorizedException) as caught,
    ):
        UsersApi(client).get_current_user()
    assert caught.value.data == UnauthorizedError(
        error="invalid_token", error_description="Missing access token"
    )


def test_403_is_forbidden_with_the_problem(
    te_users: UsersApi, org: TestOrg, users_for: object, orgs: OrgFactory
) -> None:
    member = create_member(te_users, org)
    assert member.email is not None
    regular = users_for(org.token_for(member.email))  # type: ignore[operator]
    other_org = orgs.create()

    calls = [
        regular.get_users,
        lambda: regular.get_user(str(org.admin.uid)),
        lambda: regular.create_user(UserRequest(name="x", email=unique_email())),
        lambda: regular.update_user(str(org.admin.uid), UserRequest(name="x")),
        lambda: regular.delete_user(str(org.admin.uid)),
        lambda: te_users.get_users(aid=other_org.aid),  # not assigned to that group
    ]
    for call in calls:
        with pytest.raises(ForbiddenException) as caught:
            call()
        assert caught.value.status == 403
        assert isinstance(caught.value.data, Error)
        assert (caught.value.data.status, caught.value.data.title) == (403, "Forbidden")
    assert regular.get_current_user().email == member.email


def test_404_is_not_found_with_the_problem(te_users: UsersApi) -> None:
    calls = [
        lambda: te_users.get_user("999999999"),
        lambda: te_users.update_user("999999999", UserRequest(name="x")),
        lambda: te_users.delete_user("999999999"),
    ]
    for call in calls:
        with pytest.raises(NotFoundException) as caught:
            call()
        assert caught.value.status == 404
        assert caught.value.reason == "Not Found"
        assert isinstance(caught.value.data, Error)
        assert caught.value.data.status == 404
        assert caught.value.data.title == "URI Resource Not Found"
        assert caught.value.data.instance == "/v7/users/999999999"


def test_429_is_too_many_requests_with_the_problem(users_for: object, orgs: OrgFactory) -> None:
    small = orgs.create(rate_limit_per_minute=1)
    users = users_for(small.token, retries=0)  # type: ignore[operator]
    users.get_current_user()

    with pytest.raises(TooManyRequestsException) as caught:
        users.get_users()

    error = caught.value
    assert error.status == 429
    assert error.data == Error(
        type="about:blank",
        title="Too Many Requests",
        status=429,
        detail="Exhausted rate limit for the organization",
        instance="/v7/users",
    )
    assert error.headers is not None
    assert 1 <= int(error.headers["retry-after"]) <= 60
    assert error.headers["x-organization-rate-limit-remaining"] == "0"


def test_5xx_is_a_service_exception(tmp_path: Path) -> None:
    # A real rosterd whose database lost a table: reading users fails inside the server.
    url = f"sqlite:///{tmp_path / 'broken.db'}"
    engine = make_engine(url)
    upgrade(engine)
    store = SqlDirectoryStore(engine)
    org = OrgFactory(store).create()
    with engine.begin() as conn:
        conn.exec_driver_sql("DROP TABLE user_all_account_group_roles")

    with (
        start_server(url, store) as server,
        ApiClient(Configuration(host=server.thousandeyes_url, access_token=org.token)) as client,
        pytest.raises(ServiceException) as caught,
    ):
        UsersApi(client).get_users()
    engine.dispose()

    assert caught.value.status == 500
    assert caught.value.reason == "Internal Server Error"
    assert caught.value.data == Error(
        type="about:blank",
        title="Internal server error",
        status=500,
        detail="An unexpected error occurred; it has been logged.",
        instance="/v7/users",
    )


def test_any_other_error_status_is_an_api_exception(te_users: UsersApi) -> None:
    # 413: the body is over rosterd's 1 MiB limit; no subclass maps 413.
    with pytest.raises(ApiException) as caught:
        te_users.create_user(UserRequest(name="x" * (1024 * 1024 + 1), email=unique_email()))

    assert type(caught.value) is ApiException
    assert caught.value.status == 413
    assert isinstance(caught.value.data, Error)
    assert caught.value.data.status == 413


def test_no_connection_is_an_api_exception_with_status_0() -> None:
    with socket.socket() as sock:  # a port nobody listens on
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    configuration = Configuration(host=f"http://127.0.0.1:{port}/v7", access_token="x", retries=0)
    with ApiClient(configuration) as client, pytest.raises(ApiException) as caught:
        UsersApi(client).get_users()

    assert type(caught.value) is ApiException
    assert caught.value.status == 0
    assert "ConnectError" in str(caught.value.reason)


# --- 429 retries ----------------------------------------------------------------------------


def test_a_429_is_retried_once_after_the_servers_retry_after(
    users_for: object, orgs: OrgFactory
) -> None:
    small = orgs.create(rate_limit_per_minute=1)
    waits: list[float] = []
    users = users_for(  # type: ignore[operator]
        small.token, retries=ThousandEyesRetry(sleep_function=waits.append)
    )
    users.get_current_user()

    with pytest.raises(TooManyRequestsException) as caught:
        users.get_users()

    # One wait, as long as the server asked (the second 429 says the same, give or take 1 s).
    assert len(waits) == 1
    assert caught.value.headers is not None
    assert abs(waits[0] - int(caught.value.headers["retry-after"])) <= 1
    assert 1 <= waits[0] <= 60


def test_a_wait_beyond_max_wait_is_not_taken(users_for: object, orgs: OrgFactory) -> None:
    small = orgs.create(rate_limit_per_minute=1)
    waits: list[float] = []
    policy = ThousandEyesRetry(max_wait=0.5, sleep_function=waits.append)
    users = users_for(small.token, retries=policy)  # type: ignore[operator]
    users.get_current_user()

    with pytest.raises(TooManyRequestsException):
        users.get_users()
    assert waits == []


def test_default_configuration_retries_429_once() -> None:
    policy = Configuration().retries
    assert isinstance(policy, ThousandEyesRetry)
    assert (policy.total, policy.status) == (3, 1)
    assert policy.epoch_reset_headers == (
        "x-organization-rate-limit-reset",
        "x-instant-test-rate-limit-reset",
    )
    assert isinstance(Configuration(retries=0).retries, ThousandEyesRetry)
    assert Configuration(retries=0).retries.total == 0  # type: ignore[attr-defined]
