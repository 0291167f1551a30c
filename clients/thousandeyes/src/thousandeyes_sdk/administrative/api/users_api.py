"""`UsersApi`: the six operations of `/users`, each in three variants.

`op(...)` returns the parsed result, `op_with_http_info(...)` an `ApiResponse` (status code,
headers, data, raw body), `op_without_preload_content(...)` the `RESTResponse` unparsed (an
error status is not raised there). Every variant takes the generated SDK's per-call options:
`_request_timeout`, `_request_auth`, `_content_type`, `_headers`, `_host_index`.
"""

from __future__ import annotations

from typing import Annotated

from pydantic import Field, StrictStr, validate_call
from rosterd_sdk_transport import RESTResponse
from thousandeyes_sdk.administrative.api._base import (
    JSON,
    Aid,
    ApiBase,
    RequestOptions,
    aid_query,
)
from thousandeyes_sdk.administrative.models import CreatedUser, UserDetail, UserRequest, Users
from thousandeyes_sdk.core.api_response import ApiResponse
from typing_extensions import Unpack

UserId = Annotated[StrictStr, Field(description="Identifier for the user.")]


class UsersApi(ApiBase):
    """Create, read, update and delete the users of an organization (`/users`)."""

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
        return self._send("POST", "/users", options, query=aid_query(aid), body=user_request)

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
            "DELETE",
            "/users/{id}",
            options,
            path_params={"id": id},
            query=aid_query(aid),
            accepts=JSON,
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
        query = aid_query(aid)
        return self._send("GET", "/users/{id}", options, path_params={"id": id}, query=query)

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
        return self._send("GET", "/users", options, query=aid_query(aid))

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
            query=aid_query(aid),
            body=user_request,
        )
