"""The Kandji SDK against a live rosterd: every operation, every variant, pagination, and
every error status the SDK maps. Skipped (with the reason) while rosterd does not serve
/api/v1/users."""

from __future__ import annotations

import json
import re
import socket
from pathlib import Path

import kandji
import pydantic
import pytest
from kandji.exceptions import (
    ApiException,
    BadRequestException,
    ForbiddenException,
    NotFoundException,
    ServiceException,
    TooManyRequestsException,
    UnauthorizedException,
)
from kandji.models.audit_log_list_audit_events200_response import (
    AuditLogListAuditEvents200Response,
)
from kandji.models.prism_request_category_export400_response import (
    PrismRequestCategoryExport400Response,
)
from kandji.models.users_get_user200_response import UsersGetUser200Response
from kandji.models.users_get_user200_response_integration import (
    UsersGetUser200ResponseIntegration,
)
from rosterd_sdk_transport import RateLimitRetry

from rosterd.storage import SqlDirectoryStore, make_engine, upgrade
from tests.clients.conftest import KANDJI_MISSING, KandjiDirectory, kandji_served, unique_email
from tests.support.orgs import OrgFactory
from tests.support.server import LiveServer, start_server

TIMESTAMP = re.compile(r"^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{6}Z$")
STILL_ASSIGNED = "User still assigned to one or more devices."


@pytest.fixture
def people(directory: KandjiDirectory) -> dict[str, str]:
    """Two directory users of one integration; returns email -> user id, plus "integration"."""
    integration = directory.integration("accuhive", "office365")
    emails = [unique_email("alice"), unique_email("bob")]
    directory.import_users(
        integration,
        [
            {"email": emails[0], "name": "Alice", "department": "IT", "job_title": "Admin"},
            {"email": emails[1], "name": "Bob"},
        ],
    )
    found = {email: directory.user_id(email) for email in emails}
    return found | {"integration": str(integration.uuid)}


def open_client(host: str, token: str, **settings: object) -> kandji.ApiClient:
    configuration = kandji.Configuration(host=host, access_token=token, **settings)  # type: ignore[arg-type]
    return kandji.ApiClient(configuration)


# --- get_user -------------------------------------------------------------------------------


def test_get_user_returns_the_user_with_booleans_and_its_integration(
    kandji_users: kandji.UsersApi, people: dict[str, str]
) -> None:
    alice_email = next(e for e in people if e.startswith("alice"))

    user = kandji_users.get_user(people[alice_email])

    assert isinstance(user, UsersGetUser200Response)
    assert user.id == people[alice_email]
    assert user.email == alice_email
    assert user.name == "Alice"
    assert user.active is True  # JSON booleans, which the generated SDK cannot parse
    assert user.archived is False
    assert (user.department, user.job_title) == ("IT", "Admin")
    assert user.device_count == 0
    assert user.deprecated_user_id is not None
    assert user.deprecated_user_id.isdigit()
    assert user.created_at is not None
    assert TIMESTAMP.match(user.created_at)
    assert user.updated_at is not None
    assert TIMESTAMP.match(user.updated_at)
    assert isinstance(user.integration, UsersGetUser200ResponseIntegration)
    assert user.integration.uuid == people["integration"]
    assert (user.integration.name, user.integration.type) == ("accuhive", "office365")
    assert isinstance(user.integration.id, int)


def test_get_user_with_http_info(kandji_users: kandji.UsersApi, people: dict[str, str]) -> None:
    bob_email = next(e for e in people if e.startswith("bob"))

    response = kandji_users.get_user_with_http_info(people[bob_email])

    assert response.status_code == 200
    assert response.headers is not None
    assert response.headers["Content-Type"].startswith("application/json")
    raw = json.loads(response.raw_data)
    assert raw["active"] is True
    assert response.data.to_dict() == raw
    assert (raw["department"], raw["job_title"]) == (None, None)  # nullable fields sent as null
    assert (response.data.department, response.data.job_title) == (None, None)


def test_get_user_without_preload_content(
    kandji_users: kandji.UsersApi, people: dict[str, str]
) -> None:
    bob_email = next(e for e in people if e.startswith("bob"))
    raw = kandji_users.get_user_without_preload_content(people[bob_email])
    missing = kandji_users.get_user_without_preload_content("00000000-0000-4000-8000-000000000000")

    assert raw.status == 200
    assert json.loads(raw.read())["email"] == bob_email
    assert missing.status == 404  # not raised in this variant


# --- list_users -----------------------------------------------------------------------------


def test_list_users_returns_a_page_with_every_filter(
    kandji_users: kandji.UsersApi, people: dict[str, str]
) -> None:
    alice_email = next(e for e in people if e.startswith("alice"))
    alice = people[alice_email]

    everyone = kandji_users.list_users()
    by_email = kandji_users.list_users(email=alice_email.split("@")[0].upper())
    by_all = kandji_users.list_users(
        email=alice_email,
        id=alice,
        integration_id=people["integration"],
        archived="false",
        cursor="",  # an empty cursor is the first page, as in the seed example
    )
    archived = kandji_users.list_users(archived="true")

    assert isinstance(everyone, AuditLogListAuditEvents200Response)
    assert (everyone.next, everyone.previous) == (None, None)
    assert everyone.results is not None
    assert {u["email"] for u in everyone.results} >= {e for e in people if "@" in e}
    assert by_email.results is not None
    assert [u["id"] for u in by_email.results] == [alice]
    assert by_all.results is not None
    assert [u["id"] for u in by_all.results] == [alice]
    assert archived.results == []


def test_list_users_with_http_info_and_without_preload_content(
    kandji_users: kandji.UsersApi, people: dict[str, str]
) -> None:
    response = kandji_users.list_users_with_http_info(integration_id=people["integration"])
    raw = kandji_users.list_users_without_preload_content(integration_id=people["integration"])

    assert response.status_code == 200
    assert response.data.results is not None
    assert len(response.data.results) == 2
    assert raw.status == 200
    assert json.loads(raw.read())["results"] == response.data.results


def test_pages_are_followed_by_cursor_by_url_and_by_the_iterators(
    kandji_users: kandji.UsersApi, directory: KandjiDirectory
) -> None:
    integration = directory.integration("bulk", "scim")
    rows = [{"email": unique_email(f"bulk{i:03d}")} for i in range(301)]
    directory.import_users(integration, rows)
    uuid = str(integration.uuid)

    first = kandji_users.list_users(integration_id=uuid)
    assert first.results is not None
    assert len(first.results) == 300
    assert first.next is not None
    assert first.previous is None
    by_url = kandji_users.list_users(integration_id=uuid, cursor=first.next)
    assert by_url.results is not None
    assert len(by_url.results) == 1
    assert by_url.next is None
    assert by_url.previous is not None

    pages = list(kandji_users.iter_user_pages(integration_id=uuid))
    users = list(kandji_users.iter_users(integration_id=uuid))

    assert [len(p.results or []) for p in pages] == [300, 1]
    assert all(isinstance(u, UsersGetUser200Response) for u in users)
    assert sorted(u.email or "" for u in users) == sorted(r["email"] for r in rows)
    assert len({u.id for u in users}) == 301


# --- delete_user ----------------------------------------------------------------------------


def test_delete_user_answers_204_and_the_user_is_gone(
    kandji_users: kandji.UsersApi, people: dict[str, str]
) -> None:
    alice, bob = (people[e] for e in people if "@" in e)

    assert kandji_users.delete_user(alice) is None
    response = kandji_users.delete_user_with_http_info(bob)
    third = kandji_users.delete_user_without_preload_content(bob)

    assert response.status_code == 204
    assert response.data is None
    assert response.raw_data == b""
    assert third.status == 404
    for user_id in (alice, bob):
        with pytest.raises(NotFoundException):
            kandji_users.get_user(user_id)


def test_400_when_the_user_still_has_devices(
    kandji_users: kandji.UsersApi, people: dict[str, str], directory: KandjiDirectory
) -> None:
    alice_email = next(e for e in people if e.startswith("alice"))
    directory.add_device(alice_email)

    with pytest.raises(BadRequestException) as caught:
        kandji_users.delete_user(people[alice_email])

    error = caught.value
    assert error.status == 400
    assert error.reason == "Bad Request"
    assert error.data == PrismRequestCategoryExport400Response(detail=STILL_ASSIGNED)
    assert error.body is not None
    assert json.loads(error.body) == {"detail": STILL_ASSIGNED}
    assert error.headers is not None
    assert error.headers["content-type"].startswith("application/json")
    assert str(error).startswith("(400)\nReason: Bad Request\nHTTP response headers: ")
    assert kandji_users.get_user(people[alice_email]).device_count == 1


# --- the other error statuses -----------------------------------------------------------------


def test_401_for_a_bad_token(live_server: LiveServer, require_kandji: None) -> None:
    with open_client(live_server.base_url, "rst_not-a-real-token-at-all-0000000000") as client:
        users = kandji.UsersApi(client)
        for call in (users.list_users, lambda: users.get_user("x"), lambda: users.delete_user("x")):
            with pytest.raises(UnauthorizedException) as caught:
                call()
            assert caught.value.status == 401
            assert isinstance(caught.value.data, PrismRequestCategoryExport400Response)
            assert caught.value.data.detail


def test_403_for_a_token_without_the_endpoint(
    live_server: LiveServer, people: dict[str, str], directory: KandjiDirectory
) -> None:
    token = directory.limited_token(("/api/v1/users", "GET"))
    alice = next(people[e] for e in people if e.startswith("alice"))

    with open_client(live_server.base_url, token) as client:
        users = kandji.UsersApi(client)
        assert users.list_users().results is not None
        for call in (lambda: users.get_user(alice), lambda: users.delete_user(alice)):
            with pytest.raises(ForbiddenException) as caught:
                call()
            assert caught.value.status == 403
            assert caught.value.data == PrismRequestCategoryExport400Response(
                detail="You do not have permission to perform this action."
            )


def test_404_for_unknown_users_and_cursors(
    kandji_users: kandji.UsersApi, people: dict[str, str]
) -> None:
    calls = [
        lambda: kandji_users.get_user("00000000-0000-4000-8000-000000000000"),
        lambda: kandji_users.delete_user("00000000-0000-4000-8000-000000000000"),
        lambda: kandji_users.list_users(cursor="not-a-cursor!"),
    ]
    for call in calls:
        with pytest.raises(NotFoundException) as caught:
            call()
        assert caught.value.status == 404
        assert isinstance(caught.value.data, PrismRequestCategoryExport400Response)
        assert caught.value.data.detail


def test_429_is_too_many_requests_and_is_retried_as_the_server_says(
    database_url: str, live_server: LiveServer, orgs: OrgFactory, require_kandji: None
) -> None:
    org = orgs.create()
    waits: list[float] = []
    with start_server(database_url, live_server.store, kandji_requests_per_second=1) as server:
        with open_client(server.base_url, org.token, retries=0) as client:
            users = kandji.UsersApi(client)
            users.list_users()
            with pytest.raises(TooManyRequestsException) as caught:
                users.list_users()
        retry = RateLimitRetry(sleep_function=waits.append)
        with (
            open_client(server.base_url, org.token, retries=retry) as client,
            pytest.raises(TooManyRequestsException),
        ):
            kandji.UsersApi(client).list_users()

    error = caught.value
    assert error.status == 429
    assert isinstance(error.data, PrismRequestCategoryExport400Response)
    assert error.data.detail is not None
    assert error.data.detail.startswith("Request was throttled.")
    assert error.headers is not None
    assert int(error.headers["retry-after"]) >= 1
    assert len(waits) == 1
    assert 1 <= waits[0] <= 3600


def test_5xx_is_a_service_exception(tmp_path: Path, live_server: LiveServer) -> None:
    if not kandji_served(live_server):
        pytest.skip(KANDJI_MISSING)
    url = f"sqlite:///{tmp_path / 'broken.db'}"
    engine = make_engine(url)
    upgrade(engine)
    store = SqlDirectoryStore(engine)
    org = OrgFactory(store).create()
    with engine.begin() as conn:
        conn.exec_driver_sql("DROP TABLE users")

    with (
        start_server(url, store) as server,
        open_client(server.base_url, org.token) as client,
        pytest.raises(ServiceException) as caught,
    ):
        kandji.UsersApi(client).list_users()
    engine.dispose()

    assert caught.value.status == 500
    assert caught.value.data == PrismRequestCategoryExport400Response(
        detail="A server error occurred."
    )


def test_any_other_status_is_an_api_exception(kandji_client: kandji.ApiClient) -> None:
    _, url, headers, _ = kandji_client.param_serialize(
        "PATCH", "/api/v1/users", auth_settings=["bearer"]
    )
    response = kandji_client.call_api("PATCH", url, headers)

    with pytest.raises(ApiException) as caught:
        kandji_client.response_deserialize(
            response, {"200": None}, PrismRequestCategoryExport400Response
        )

    assert type(caught.value) is ApiException
    assert caught.value.status == 405
    assert caught.value.data == PrismRequestCategoryExport400Response(
        detail='Method "PATCH" not allowed.'
    )


def test_no_connection_is_an_api_exception_with_status_0() -> None:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    with (
        open_client(f"http://127.0.0.1:{port}", "x", retries=0) as client,
        pytest.raises(ApiException) as caught,
    ):
        kandji.UsersApi(client).list_users()
    assert type(caught.value) is ApiException
    assert caught.value.status == 0


def test_parameters_are_strings_as_in_the_generated_sdk(kandji_users: kandji.UsersApi) -> None:
    with pytest.raises(pydantic.ValidationError):
        kandji_users.list_users(archived=False)  # type: ignore[arg-type]
    with pytest.raises(pydantic.ValidationError):
        kandji_users.get_user(1234)  # type: ignore[arg-type]
