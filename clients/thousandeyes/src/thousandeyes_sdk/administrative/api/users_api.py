"""`UsersApi`: the six operations of `/users`, each in three variants.

`op(...)` returns the parsed result, `op_with_http_info(...)` an `ApiResponse` (status code,
headers, data, raw body), `op_without_preload_content(...)` the `RESTResponse` unparsed (an
error status is not raised there). Every variant takes the generated SDK's per-call options:
`_request_timeout`, `_request_auth`, `_content_type`, `_headers`, `_host_index`.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Annotated, Any, TypeVar, cast

from pydantic import ConfigDict, Field, StrictStr, validate_call, with_config
from rosterd_sdk_transport import ModelClass, RESTResponse
from thousandeyes_sdk.administrative.models import (
    CreatedUser,
    Error,
    UnauthorizedError,
    UserDetail,
    UserRequest,
    Users,
    ValidationError,
)
from thousandeyes_sdk.administrative.models._base import ApiModel
from thousandeyes_sdk.core.api_client import ApiClient
from thousandeyes_sdk.core.api_response import ApiResponse
from thousandeyes_sdk.core.exceptions import ApiException
from thousandeyes_sdk.core.version import __version__
from typing_extensions import TypedDict, Unpack

M = TypeVar("M", bound=ApiModel)

USER_AGENT = f"ThousandEyesSDK-Python/{__version__} (rosterd)"
AID_DESCRIPTION = (
    "A unique identifier associated with your account group. You can retrieve your "
    "`AccountGroupId` from the `/account-groups` endpoint. Note that you must be assigned to "
    "the target account group. Specifying this parameter without being assigned to the target "
    "account group will result in an error response."
)
Aid = Annotated[StrictStr | None, Field(description=AID_DESCRIPTION)]
UserId = Annotated[StrictStr, Field(description="Identifier for the user.")]
Timeout = Annotated[float, Field(gt=0)]

# The model the API documents for each error status (any other error status is parsed as Error).
_ERRORS: dict[str, ModelClass[Any] | None] = {
    "400": ValidationError,
    "401": UnauthorizedError,
    "403": Error,
    "404": Error,
    "429": Error,
    "500": Error,
}
_HAL = ("application/hal+json", "application/json", "application/problem+json")
_JSON = ("application/json", "application/problem+json")


@with_config(ConfigDict(extra="forbid"))  # an unknown keyword is an error, as in the generated SDK
class RequestOptions(TypedDict, total=False):
    _request_timeout: Timeout | tuple[Timeout, Timeout] | None
    _request_auth: dict[str, Any] | None
    _content_type: str | None
    _headers: dict[str, Any] | None
    _host_index: Annotated[int, Field(ge=0, le=0)]


class UsersApi:
    """Create, read, update and delete the users of an organization (`/users`)."""

    def __init__(self, api_client: ApiClient | None = None) -> None:
        if api_client is None:
            api_client = ApiClient.get_default()
        api_client.user_agent = USER_AGENT
        self.api_client = api_client

    # --- create_user: POST /users -> 201 CreatedUser (+ Location) -------------------------

    @validate_call
    def create_user(
        self, user_request: UserRequest, aid: Aid = None, **options: Unpack[RequestOptions]
    ) -> CreatedUser:
        """Create user. Returns the new user; its URL is the `Location` header."""
        return self._result(self._create_user(user_request, aid, options), "201", CreatedUser).data

    @validate_call
    def create_user_with_http_info(
        self, user_request: UserRequest, aid: Aid = None, **options: Unpack[RequestOptions]
    ) -> ApiResponse[CreatedUser]:
        return self._result(self._create_user(user_request, aid, options), "201", CreatedUser)

    @validate_call
    def create_user_without_preload_content(
        self, user_request: UserRequest, aid: Aid = None, **options: Unpack[RequestOptions]
    ) -> RESTResponse:
        return self._create_user(user_request, aid, options)

    def _create_user(
        self, user_request: UserRequest, aid: str | None, options: RequestOptions
    ) -> RESTResponse:
        return self._send("POST", "/users", options, query=_aid(aid), body=user_request)

    # --- delete_user: DELETE /users/{id} -> 204 ------------------------------------------

    @validate_call
    def delete_user(self, id: UserId, aid: Aid = None, **options: Unpack[RequestOptions]) -> None:
        """Delete user."""
        self._no_content(self._delete_user(id, aid, options))

    @validate_call
    def delete_user_with_http_info(
        self, id: UserId, aid: Aid = None, **options: Unpack[RequestOptions]
    ) -> ApiResponse[None]:
        return self._no_content(self._delete_user(id, aid, options))

    @validate_call
    def delete_user_without_preload_content(
        self, id: UserId, aid: Aid = None, **options: Unpack[RequestOptions]
    ) -> RESTResponse:
        return self._delete_user(id, aid, options)

    def _delete_user(self, id: str, aid: str | None, options: RequestOptions) -> RESTResponse:
        return self._send(
            "DELETE", "/users/{id}", options, path_params={"id": id}, query=_aid(aid), accepts=_JSON
        )

    # --- get_current_user: GET /users/current -> 200 UserDetail ---------------------------

    @validate_call
    def get_current_user(self, **options: Unpack[RequestOptions]) -> UserDetail:
        """Retrieve current user: the owner of the token."""
        return self._result(self._get_current_user(options), "200", UserDetail).data

    @validate_call
    def get_current_user_with_http_info(
        self, **options: Unpack[RequestOptions]
    ) -> ApiResponse[UserDetail]:
        return self._result(self._get_current_user(options), "200", UserDetail)

    @validate_call
    def get_current_user_without_preload_content(
        self, **options: Unpack[RequestOptions]
    ) -> RESTResponse:
        return self._get_current_user(options)

    def _get_current_user(self, options: RequestOptions) -> RESTResponse:
        return self._send("GET", "/users/current", options)

    # --- get_user: GET /users/{id} -> 200 UserDetail -------------------------------------

    @validate_call
    def get_user(
        self, id: UserId, aid: Aid = None, **options: Unpack[RequestOptions]
    ) -> UserDetail:
        """Retrieve user."""
        return self._result(self._get_user(id, aid, options), "200", UserDetail).data

    @validate_call
    def get_user_with_http_info(
        self, id: UserId, aid: Aid = None, **options: Unpack[RequestOptions]
    ) -> ApiResponse[UserDetail]:
        return self._result(self._get_user(id, aid, options), "200", UserDetail)

    @validate_call
    def get_user_without_preload_content(
        self, id: UserId, aid: Aid = None, **options: Unpack[RequestOptions]
    ) -> RESTResponse:
        return self._get_user(id, aid, options)

    def _get_user(self, id: str, aid: str | None, options: RequestOptions) -> RESTResponse:
        return self._send("GET", "/users/{id}", options, path_params={"id": id}, query=_aid(aid))

    # --- get_users: GET /users -> 200 Users ----------------------------------------------

    @validate_call
    def get_users(self, aid: Aid = None, **options: Unpack[RequestOptions]) -> Users:
        """List users of the organization the account group belongs to."""
        return self._result(self._get_users(aid, options), "200", Users).data

    @validate_call
    def get_users_with_http_info(
        self, aid: Aid = None, **options: Unpack[RequestOptions]
    ) -> ApiResponse[Users]:
        return self._result(self._get_users(aid, options), "200", Users)

    @validate_call
    def get_users_without_preload_content(
        self, aid: Aid = None, **options: Unpack[RequestOptions]
    ) -> RESTResponse:
        return self._get_users(aid, options)

    def _get_users(self, aid: str | None, options: RequestOptions) -> RESTResponse:
        return self._send("GET", "/users", options, query=_aid(aid))

    # --- update_user: PUT /users/{id} -> 200 UserDetail ----------------------------------

    @validate_call
    def update_user(
        self,
        id: UserId,
        user_request: UserRequest,
        aid: Aid = None,
        **options: Unpack[RequestOptions],
    ) -> UserDetail:
        """Update user; only the fields set in `user_request` change."""
        response = self._update_user(id, user_request, aid, options)
        return self._result(response, "200", UserDetail).data

    @validate_call
    def update_user_with_http_info(
        self,
        id: UserId,
        user_request: UserRequest,
        aid: Aid = None,
        **options: Unpack[RequestOptions],
    ) -> ApiResponse[UserDetail]:
        return self._result(self._update_user(id, user_request, aid, options), "200", UserDetail)

    @validate_call
    def update_user_without_preload_content(
        self,
        id: UserId,
        user_request: UserRequest,
        aid: Aid = None,
        **options: Unpack[RequestOptions],
    ) -> RESTResponse:
        return self._update_user(id, user_request, aid, options)

    def _update_user(
        self, id: str, user_request: UserRequest, aid: str | None, options: RequestOptions
    ) -> RESTResponse:
        return self._send(
            "PUT",
            "/users/{id}",
            options,
            path_params={"id": id},
            query=_aid(aid),
            body=user_request,
        )

    # --- shared -----------------------------------------------------------------------------

    def _send(
        self,
        method: str,
        resource_path: str,
        options: RequestOptions,
        *,
        path_params: Mapping[str, str] | None = None,
        query: Sequence[tuple[str, str]] = (),
        body: UserRequest | None = None,
        accepts: Sequence[str] = _HAL,
    ) -> RESTResponse:
        return self.api_client.send(
            method,
            resource_path,
            options=options,
            auth_settings=["BearerAuth"],
            path_params=path_params,
            query=query,
            body=body,
            accepts=accepts,
        )

    def _result(self, response: RESTResponse, status: str, model: type[M]) -> ApiResponse[M]:
        result = self.api_client.response_deserialize(response, {status: model, **_ERRORS}, Error)
        if not isinstance(result.data, model):
            raise ApiException(http_resp=response, reason="The response has no JSON body")
        return cast(ApiResponse[M], result)

    def _no_content(self, response: RESTResponse) -> ApiResponse[None]:
        result = self.api_client.response_deserialize(response, {"204": None, **_ERRORS}, Error)
        return cast(ApiResponse[None], result)


def _aid(aid: str | None) -> list[tuple[str, str]]:
    return [] if aid is None else [("aid", aid)]
