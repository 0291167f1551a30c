"""What the SDKs send, and how they read bodies a live rosterd never sends (HTML pages, other
content types, unmapped statuses), checked against an in-process `httpx.MockTransport`."""

from __future__ import annotations

import json
from collections.abc import Callable, Iterator

import httpx
import kandji
import pydantic
import pytest
from kandji.exceptions import (
    ApiException,
    ConflictException,
    NotFoundException,
    ServiceException,
    TooManyRequestsException,
    UnprocessableEntityException,
)
from kandji.models.prism_request_category_export400_response import (
    PrismRequestCategoryExport400Response,
)
from kandji.models.users_get_user200_response import UsersGetUser200Response
from rosterd_sdk_transport import Transport
from thousandeyes_sdk.administrative import UserAccountGroupRole, UserRequest, UsersApi
from thousandeyes_sdk.core import ApiClient, Configuration
from thousandeyes_sdk.core.exceptions import ServiceException as TeServiceException

# Kandji's own Get User example (Postman collection), key order and types as Kandji sends them.
KANDJI_USER = {
    "active": True,
    "archived": False,
    "created_at": "2024-09-06T21:00:04.304248Z",
    "department": None,
    "deprecated_user_id": "29360",
    "email": "test_user_01@accuhive.io",
    "id": "69c009ca-1f78-4bdf-bb93-08d6d39041db",
    "integration": {
        "id": 634,
        "name": "accuhive",
        "uuid": "f7461096-4ef9-43aa-88e9-ca1967ba0b38",
        "type": "office365",
    },
    "job_title": None,
    "name": "test_user_01",
    "device_count": 2,
    "updated_at": "2024-09-06T21:00:04.304280Z",
}
HTML_404 = (
    '<!doctype html><html lang="en"><head><title>Not Found</title></head><body><h1>Not Found'
    "</h1><p>The requested resource was not found on this server.</p></body></html>"
)
Handler = Callable[[httpx.Request], httpx.Response]


class Recorder:
    def __init__(self) -> None:
        self.requests: list[httpx.Request] = []
        self.responses: list[httpx.Response] = []

    def __call__(self, request: httpx.Request) -> httpx.Response:
        self.requests.append(request)
        return self.responses.pop(0)

    def answer(self, status: int, body: object = None, **headers: str) -> None:
        if isinstance(body, str):
            content = body.encode()
        elif body is None:
            content = b""
        else:
            content = json.dumps(body).encode()
            headers.setdefault("content-type", "application/json")
        self.responses.append(httpx.Response(status, content=content, headers=headers))


@pytest.fixture
def wire() -> Recorder:
    return Recorder()


@pytest.fixture
def kandji_api(wire: Recorder) -> Iterator[kandji.UsersApi]:
    configuration = kandji.Configuration(
        host="https://accuhive.api.kandji.io", access_token="tok123", retries=0
    )
    with kandji.ApiClient(configuration) as client:
        client.transport.close()
        client.transport = Transport(httpx_transport=httpx.MockTransport(wire))
        yield kandji.UsersApi(client)


@pytest.fixture
def te_api(wire: Recorder) -> Iterator[UsersApi]:
    configuration = Configuration(host="https://api.example/v7", access_token="tok123", retries=0)
    with ApiClient(configuration) as client:
        client.transport.close()
        client.transport = Transport(httpx_transport=httpx.MockTransport(wire))
        yield UsersApi(client)


# --- Kandji: requests --------------------------------------------------------------------


def test_kandji_list_users_sends_the_generated_sdks_query(
    kandji_api: kandji.UsersApi, wire: Recorder
) -> None:
    wire.answer(200, {"next": None, "previous": None, "results": []})
    wire.answer(200, {"next": None, "previous": None, "results": []})

    kandji_api.list_users(email="a.b+c@x.io", id="69c0", archived="false", cursor="cD0yOTE0Mw==")
    kandji_api.list_users(
        cursor="https://accuhive.kandji.io/api/v1/users?cursor=cD0yOTE0Mw%3D%3D&email=x"
    )

    first, second = wire.requests
    assert first.method == "GET"
    assert str(first.url) == (
        "https://accuhive.api.kandji.io/api/v1/users"
        "?email=a.b%2Bc%40x.io&id=69c0&archived=false&cursor=cD0yOTE0Mw%3D%3D"
    )
    assert first.headers["accept"] == "application/json"
    assert first.headers["authorization"] == "Bearer tok123"
    assert first.headers["user-agent"].startswith("OpenAPI-Generator/1.0.0/python")
    assert "content-type" not in first.headers
    assert first.content == b""
    # A whole `next` URL is reduced to its cursor.
    assert second.url.query == b"cursor=cD0yOTE0Mw%3D%3D"


def test_kandji_path_ids_are_fully_escaped(kandji_api: kandji.UsersApi, wire: Recorder) -> None:
    wire.answer(204)
    kandji_api.delete_user("a/b c")
    assert wire.requests[0].method == "DELETE"
    assert wire.requests[0].url.raw_path == b"/api/v1/users/a%2Fb%20c"


def test_kandji_default_host_uses_the_sub_domain_variable() -> None:
    assert kandji.Configuration().host == "https://<sub_domain>.api.kandji.io"
    configured = kandji.Configuration(server_variables={"sub_domain": "accuhive"})
    assert configured.host == "https://accuhive.api.kandji.io"
    assert configured.auth_settings() == {}
    assert kandji.Configuration(access_token="t").auth_settings() == {
        "bearer": {
            "type": "bearer",
            "in": "header",
            "key": "Authorization",
            "format": "API Token",
            "value": "Bearer t",
        }
    }


# --- Kandji: responses ---------------------------------------------------------------------


def test_kandji_parses_kandjis_own_example_which_the_generated_sdk_rejects(
    kandji_api: kandji.UsersApi, wire: Recorder
) -> None:
    wire.answer(200, KANDJI_USER, **{"content-type": "application/json; charset=utf-8"})

    user = kandji_api.get_user(KANDJI_USER["id"])  # type: ignore[arg-type]

    assert user.active is True
    assert user.archived is False
    assert user.integration is not None
    assert user.integration.id == 634
    assert user.to_dict() == KANDJI_USER
    assert UsersGetUser200Response.from_json(json.dumps(KANDJI_USER)) == user
    with pytest.raises(pydantic.ValidationError):
        UsersGetUser200Response(active=1)  # type: ignore[arg-type]  # booleans only


def test_kandji_keeps_unknown_keys_in_additional_properties() -> None:
    user = UsersGetUser200Response.from_dict(KANDJI_USER | {"new_field": [1]})
    assert user is not None
    assert user.additional_properties == {"new_field": [1]}
    assert user.to_dict()["new_field"] == [1]


@pytest.mark.parametrize(
    ("status", "exception"),
    [
        (404, NotFoundException),
        (409, ConflictException),
        (422, UnprocessableEntityException),
        (429, TooManyRequestsException),
        (503, ServiceException),
        (418, ApiException),
    ],
)
def test_kandji_maps_each_status_to_its_exception(
    kandji_api: kandji.UsersApi, wire: Recorder, status: int, exception: type[ApiException]
) -> None:
    wire.answer(status, {"detail": "Nope."})
    with pytest.raises(exception) as caught:
        kandji_api.get_user("x")
    assert type(caught.value) is exception
    assert caught.value.status == status
    assert caught.value.data == PrismRequestCategoryExport400Response(detail="Nope.")


def test_kandji_error_bodies_that_are_not_objects_leave_data_empty(
    kandji_api: kandji.UsersApi, wire: Recorder
) -> None:
    wire.answer(404, HTML_404, **{"content-type": "text/html; charset=utf-8"})
    wire.answer(400, ["Blueprint type does not match"])
    wire.answer(429, {"message": "API rate limit exceeded"})

    with pytest.raises(NotFoundException) as html:
        kandji_api.get_user("x")
    with pytest.raises(ApiException) as bare_list:
        kandji_api.delete_user("x")
    with pytest.raises(TooManyRequestsException) as kong:
        kandji_api.list_users()

    assert html.value.data is None
    assert html.value.body == HTML_404
    assert bare_list.value.data is None
    assert kong.value.data is not None
    assert kong.value.data.additional_properties == {"message": "API rate limit exceeded"}


def test_kandji_refuses_a_success_in_an_unknown_content_type(
    kandji_api: kandji.UsersApi, wire: Recorder
) -> None:
    wire.answer(200, "<xml/>", **{"content-type": "application/xml"})
    with pytest.raises(ApiException) as caught:
        kandji_api.get_user("x")
    assert caught.value.status == 0
    assert caught.value.reason == "Unsupported content type: application/xml"


def test_kandji_iterator_stops_on_a_cursor_loop(
    kandji_api: kandji.UsersApi, wire: Recorder
) -> None:
    page = {"next": "https://h/api/v1/users?cursor=abc", "previous": None, "results": []}
    for _ in range(2):
        wire.answer(200, page)
    with pytest.raises(kandji.ApiValueError):
        list(kandji_api.iter_user_pages())
    assert [r.url.query for r in wire.requests] == [b"", b"cursor=abc"]


# --- ThousandEyes: requests ----------------------------------------------------------------


def test_thousandeyes_requests_match_the_official_sdk(te_api: UsersApi, wire: Recorder) -> None:
    wire.answer(201, {"uid": "245"}, location="https://api.example/v7/users/245")
    wire.answer(204)
    request = UserRequest(
        name="Jane Doe",
        email="jane@example.com",
        login_account_group_id="1234",
        account_group_roles=[UserAccountGroupRole(account_group_id="1234", role_ids=["1", "2"])],
        all_account_group_role_ids=["3"],
    )

    te_api.create_user(request, aid="1234")
    te_api.delete_user("245", aid="1234")

    create, delete = wire.requests
    assert (create.method, str(create.url)) == ("POST", "https://api.example/v7/users?aid=1234")
    assert create.headers["accept"] == "application/hal+json"
    assert create.headers["content-type"] == "application/json"
    assert create.headers["authorization"] == "Bearer tok123"
    assert create.headers["user-agent"].startswith("ThousandEyesSDK-Python/")
    assert json.loads(create.content) == {
        "name": "Jane Doe",
        "email": "jane@example.com",
        "loginAccountGroupId": "1234",
        "accountGroupRoles": [{"accountGroupId": "1234", "roleIds": ["1", "2"]}],
        "allAccountGroupRoleIds": ["3"],
    }
    assert (delete.method, str(delete.url)) == (
        "DELETE",
        "https://api.example/v7/users/245?aid=1234",
    )
    assert delete.headers["accept"] == "application/json"
    assert "content-type" not in delete.headers


def test_thousandeyes_per_call_options(te_api: UsersApi, wire: Recorder) -> None:
    wire.answer(200, {"uid": "1"})
    te_api.get_current_user(
        _headers={"X-Trace": "abc", "Accept": "text/plain"},
        _request_auth={"in": "header", "type": "bearer", "key": "Authorization", "value": "B x"},
        _request_timeout=(1.5, 3),
    )
    sent = wire.requests[0]
    assert sent.headers["x-trace"] == "abc"
    assert sent.headers["accept"] == "application/hal+json"  # always set by the operation
    assert sent.headers["authorization"] == "B x"
    assert sent.extensions["timeout"] == {"connect": 1.5, "read": 3.0, "write": 3.0, "pool": 3.0}


def test_thousandeyes_unlisted_statuses(te_api: UsersApi, wire: Recorder) -> None:
    wire.answer(200, {"uid": "9", "name": "n"})  # a 200 where 201 is documented still parses
    wire.answer(502, HTML_404, **{"content-type": "text/html"})

    assert te_api.create_user(UserRequest(name="n", email="e@x.io")).uid == "9"
    with pytest.raises(TeServiceException) as caught:
        te_api.get_users()
    assert caught.value.status == 502
    assert caught.value.data is None
    assert caught.value.body == HTML_404
