"""`UsersApi`: delete_user, get_user, list_users (each in three variants), and iterators over
every page of list_users.

`op(...)` returns the parsed result, `op_with_http_info(...)` an `ApiResponse` (status code,
headers, data, raw body), `op_without_preload_content(...)` the `RESTResponse` unparsed (an
error status is not raised there). Every variant takes the generated SDK's per-call options:
`_request_timeout`, `_request_auth`, `_content_type`, `_headers`, `_host_index`.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping, Sequence
from typing import Annotated, Any, TypeVar, cast
from urllib.parse import parse_qs, urlsplit

from pydantic import ConfigDict, Field, StrictStr, validate_call, with_config
from rosterd_sdk_transport import ModelClass, RESTResponse
from typing_extensions import TypedDict, Unpack

from kandji.api_client import ApiClient
from kandji.api_response import ApiResponse
from kandji.exceptions import ApiException, ApiValueError
from kandji.models import (
    AuditLogListAuditEvents200Response,
    PrismRequestCategoryExport400Response,
    UsersGetUser200Response,
)
from kandji.models._base import KandjiModel

M = TypeVar("M", bound=KandjiModel)
Timeout = Annotated[float, Field(gt=0)]
Email = Annotated[
    StrictStr | None,
    Field(description="Returns users with email addresses containing the provided string."),
]
Id = Annotated[
    StrictStr | None, Field(description="Search for a user matching the provided UUID value.")
]
IntegrationId = Annotated[
    StrictStr | None,
    Field(description="Search for a integration matching the provided UUID value."),
]
Archived = Annotated[
    StrictStr | None,
    Field(
        description="Return only users that are either archived (true) or not archived "
        "(false). Archived users are users that appear in the Users module under the "
        "Archived tab."
    ),
]
Cursor = Annotated[
    StrictStr | None,
    Field(
        description="Cursor for the next or previous page of results. Can also store the URL "
        "in the next and previous fields in the response."
    ),
]


@with_config(ConfigDict(extra="forbid"))  # an unknown keyword is an error, as in the generated SDK
class RequestOptions(TypedDict, total=False):
    _request_timeout: Timeout | tuple[Timeout, Timeout] | None
    _request_auth: dict[str, Any] | None
    _content_type: str | None
    _headers: dict[str, Any] | None
    _host_index: Annotated[int, Field(ge=0, le=0)]


class UsersApi:
    """The users of the tenant's directory integrations (`/api/v1/users`)."""

    def __init__(self, api_client: ApiClient | None = None) -> None:
        self.api_client = api_client if api_client is not None else ApiClient.get_default()

    # --- delete_user: DELETE /api/v1/users/{user_id} -> 204 ------------------------------

    @validate_call
    def delete_user(self, user_id: StrictStr, **options: Unpack[RequestOptions]) -> None:
        """Delete User. A user still assigned to devices gives `BadRequestException` (400,
        `data.detail == "User still assigned to one or more devices."`)."""
        self._no_content(self._delete_user(user_id, options))

    @validate_call
    def delete_user_with_http_info(
        self, user_id: StrictStr, **options: Unpack[RequestOptions]
    ) -> ApiResponse[None]:
        return self._no_content(self._delete_user(user_id, options))

    @validate_call
    def delete_user_without_preload_content(
        self, user_id: StrictStr, **options: Unpack[RequestOptions]
    ) -> RESTResponse:
        return self._delete_user(user_id, options)

    def _delete_user(self, user_id: str, options: RequestOptions) -> RESTResponse:
        return self._send("DELETE", "/api/v1/users/{user_id}", options, {"user_id": user_id})

    # --- get_user: GET /api/v1/users/{user_id} -> 200 UsersGetUser200Response ------------

    @validate_call
    def get_user(
        self, user_id: StrictStr, **options: Unpack[RequestOptions]
    ) -> UsersGetUser200Response:
        """Get User."""
        return self._result(self._get_user(user_id, options), UsersGetUser200Response).data

    @validate_call
    def get_user_with_http_info(
        self, user_id: StrictStr, **options: Unpack[RequestOptions]
    ) -> ApiResponse[UsersGetUser200Response]:
        return self._result(self._get_user(user_id, options), UsersGetUser200Response)

    @validate_call
    def get_user_without_preload_content(
        self, user_id: StrictStr, **options: Unpack[RequestOptions]
    ) -> RESTResponse:
        return self._get_user(user_id, options)

    def _get_user(self, user_id: str, options: RequestOptions) -> RESTResponse:
        return self._send("GET", "/api/v1/users/{user_id}", options, {"user_id": user_id})

    # --- list_users: GET /api/v1/users -> 200 AuditLogListAuditEvents200Response ---------

    @validate_call
    def list_users(
        self,
        email: Email = None,
        id: Id = None,
        integration_id: IntegrationId = None,
        archived: Archived = None,
        cursor: Cursor = None,
        **options: Unpack[RequestOptions],
    ) -> AuditLogListAuditEvents200Response:
        """List Users: one page of at most 300; follow `next` with `cursor=` (the whole
        `next` URL is accepted too), or use `iter_users()`."""
        response = self._list_users(email, id, integration_id, archived, cursor, options)
        return self._result(response, AuditLogListAuditEvents200Response).data

    @validate_call
    def list_users_with_http_info(
        self,
        email: Email = None,
        id: Id = None,
        integration_id: IntegrationId = None,
        archived: Archived = None,
        cursor: Cursor = None,
        **options: Unpack[RequestOptions],
    ) -> ApiResponse[AuditLogListAuditEvents200Response]:
        response = self._list_users(email, id, integration_id, archived, cursor, options)
        return self._result(response, AuditLogListAuditEvents200Response)

    @validate_call
    def list_users_without_preload_content(
        self,
        email: Email = None,
        id: Id = None,
        integration_id: IntegrationId = None,
        archived: Archived = None,
        cursor: Cursor = None,
        **options: Unpack[RequestOptions],
    ) -> RESTResponse:
        return self._list_users(email, id, integration_id, archived, cursor, options)

    def _list_users(
        self,
        email: str | None,
        id: str | None,
        integration_id: str | None,
        archived: str | None,
        cursor: str | None,
        options: RequestOptions,
    ) -> RESTResponse:
        given = {
            "email": email,
            "id": id,
            "integration_id": integration_id,
            "archived": archived,
            "cursor": None if cursor is None else cursor_of(cursor),
        }
        query = [(name, value) for name, value in given.items() if value is not None]
        return self._send("GET", "/api/v1/users", options, query=query)

    # --- every page ---------------------------------------------------------------------

    @validate_call
    def iter_user_pages(
        self,
        email: Email = None,
        id: Id = None,
        integration_id: IntegrationId = None,
        archived: Archived = None,
        cursor: Cursor = None,
        **options: Unpack[RequestOptions],
    ) -> Iterator[AuditLogListAuditEvents200Response]:
        """Every page of `list_users` from `cursor` (or the first page) on, following `next`.

        Pages are fetched lazily, one request per page. A server that hands back a cursor
        it already gave raises `ApiValueError` instead of looping forever.
        """
        seen: set[str] = set()
        while True:
            page = self.list_users(email, id, integration_id, archived, cursor, **options)
            yield page
            if not page.next:
                return
            cursor = cursor_of(page.next)
            if cursor in seen:
                raise ApiValueError(f"list_users returned the cursor {cursor!r} twice")
            seen.add(cursor)

    @validate_call
    def iter_users(
        self,
        email: Email = None,
        id: Id = None,
        integration_id: IntegrationId = None,
        archived: Archived = None,
        **options: Unpack[RequestOptions],
    ) -> Iterator[UsersGetUser200Response]:
        """Every user matching the filters, across all pages, as `UsersGetUser200Response`."""
        pages = self.iter_user_pages(email, id, integration_id, archived, None, **options)
        for page in pages:
            for item in page.results or ():
                user = UsersGetUser200Response.from_dict(item)
                if user is not None:
                    yield user

    # --- shared -------------------------------------------------------------------------

    def _send(
        self,
        method: str,
        resource_path: str,
        options: RequestOptions,
        path_params: Mapping[str, str] | None = None,
        *,
        query: Sequence[tuple[str, str]] = (),
    ) -> RESTResponse:
        return self.api_client.send(
            method,
            resource_path,
            options=options,
            auth_settings=["bearer"],
            path_params=path_params,
            query=query,
        )

    def _result(self, response: RESTResponse, model: type[M]) -> ApiResponse[M]:
        types: dict[str, ModelClass[Any] | None] = {"200": model}
        result = self.api_client.response_deserialize(
            response, types, PrismRequestCategoryExport400Response
        )
        if not isinstance(result.data, model):
            raise ApiException(http_resp=response, reason="The response has no JSON object")
        return cast(ApiResponse[M], result)

    def _no_content(self, response: RESTResponse) -> ApiResponse[None]:
        types: dict[str, ModelClass[Any] | None] = {
            "204": None,
            "400": PrismRequestCategoryExport400Response,
        }
        result = self.api_client.response_deserialize(
            response, types, PrismRequestCategoryExport400Response
        )
        return cast(ApiResponse[None], result)


def cursor_of(cursor_or_url: str) -> str:
    """The cursor itself, given a cursor or a whole `next`/`previous` URL."""
    if not cursor_or_url.startswith(("http://", "https://")):
        return cursor_or_url
    values = parse_qs(urlsplit(cursor_or_url).query).get("cursor")
    if not values:
        raise ApiValueError(f"{cursor_or_url!r} has no cursor parameter")
    return values[0]
