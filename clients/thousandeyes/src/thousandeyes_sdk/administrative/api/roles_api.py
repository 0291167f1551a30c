"""`RolesApi`: the five operations of `/roles`, each in three variants, as `UsersApi`'s are.

`op(...)` returns the parsed result, `op_with_http_info(...)` an `ApiResponse`,
`op_without_preload_content(...)` the `RESTResponse` unparsed.
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
from thousandeyes_sdk.administrative.models import RoleDetail, RoleRequestBody, Roles
from thousandeyes_sdk.core.api_response import ApiResponse
from typing_extensions import Unpack

RoleId = Annotated[StrictStr, Field(description="Unique ID representing the role.")]


class RolesApi(ApiBase):
    """List, create, read, replace and delete the roles of an organization (`/roles`)."""

    # --- create_role: POST /roles -> 201 RoleDetail (+ Location) --------------------------

    @validate_call
    def create_role(
        self,
        role_request_body: RoleRequestBody,
        aid: Aid = None,
        **options: Unpack[RequestOptions],
    ) -> RoleDetail:
        """Create role. Returns the new role; its URL is the `Location` header."""
        response = self._create_role(role_request_body, aid, options)
        return self._result(response, "201", RoleDetail).data

    @validate_call
    def create_role_with_http_info(
        self,
        role_request_body: RoleRequestBody,
        aid: Aid = None,
        **options: Unpack[RequestOptions],
    ) -> ApiResponse[RoleDetail]:
        return self._result(self._create_role(role_request_body, aid, options), "201", RoleDetail)

    @validate_call
    def create_role_without_preload_content(
        self,
        role_request_body: RoleRequestBody,
        aid: Aid = None,
        **options: Unpack[RequestOptions],
    ) -> RESTResponse:
        return self._create_role(role_request_body, aid, options)

    def _create_role(
        self, body: RoleRequestBody, aid: str | None, options: RequestOptions
    ) -> RESTResponse:
        return self._send("POST", "/roles", options, query=aid_query(aid), body=body)

    # --- delete_role: DELETE /roles/{id} -> 204 ------------------------------------------

    @validate_call
    def delete_role(self, id: RoleId, aid: Aid = None, **options: Unpack[RequestOptions]) -> None:
        """Delete role. A role that users hold is refused (400) until removed from them."""
        self._no_content(self._delete_role(id, aid, options))

    @validate_call
    def delete_role_with_http_info(
        self, id: RoleId, aid: Aid = None, **options: Unpack[RequestOptions]
    ) -> ApiResponse[None]:
        return self._no_content(self._delete_role(id, aid, options))

    @validate_call
    def delete_role_without_preload_content(
        self, id: RoleId, aid: Aid = None, **options: Unpack[RequestOptions]
    ) -> RESTResponse:
        return self._delete_role(id, aid, options)

    def _delete_role(self, id: str, aid: str | None, options: RequestOptions) -> RESTResponse:
        return self._send(
            "DELETE",
            "/roles/{id}",
            options,
            path_params={"id": id},
            query=aid_query(aid),
            accepts=JSON,
        )

    # --- get_role: GET /roles/{id} -> 200 RoleDetail -------------------------------------

    @validate_call
    def get_role(
        self, id: RoleId, aid: Aid = None, **options: Unpack[RequestOptions]
    ) -> RoleDetail:
        """Retrieve role, with its permissions."""
        return self._result(self._get_role(id, aid, options), "200", RoleDetail).data

    @validate_call
    def get_role_with_http_info(
        self, id: RoleId, aid: Aid = None, **options: Unpack[RequestOptions]
    ) -> ApiResponse[RoleDetail]:
        return self._result(self._get_role(id, aid, options), "200", RoleDetail)

    @validate_call
    def get_role_without_preload_content(
        self, id: RoleId, aid: Aid = None, **options: Unpack[RequestOptions]
    ) -> RESTResponse:
        return self._get_role(id, aid, options)

    def _get_role(self, id: str, aid: str | None, options: RequestOptions) -> RESTResponse:
        query = aid_query(aid)
        return self._send("GET", "/roles/{id}", options, path_params={"id": id}, query=query)

    # --- get_roles: GET /roles -> 200 Roles ----------------------------------------------

    @validate_call
    def get_roles(self, aid: Aid = None, **options: Unpack[RequestOptions]) -> Roles:
        """List the roles the organization can assign: the built-in ones and its own."""
        return self._result(self._get_roles(aid, options), "200", Roles).data

    @validate_call
    def get_roles_with_http_info(
        self, aid: Aid = None, **options: Unpack[RequestOptions]
    ) -> ApiResponse[Roles]:
        return self._result(self._get_roles(aid, options), "200", Roles)

    @validate_call
    def get_roles_without_preload_content(
        self, aid: Aid = None, **options: Unpack[RequestOptions]
    ) -> RESTResponse:
        return self._get_roles(aid, options)

    def _get_roles(self, aid: str | None, options: RequestOptions) -> RESTResponse:
        return self._send("GET", "/roles", options, query=aid_query(aid))

    # --- update_role: PUT /roles/{id} -> 200 RoleDetail ----------------------------------

    @validate_call
    def update_role(
        self,
        id: RoleId,
        role_request_body: RoleRequestBody,
        aid: Aid = None,
        **options: Unpack[RequestOptions],
    ) -> RoleDetail:
        """Update role: `permissions` replaces the role's, in full; `name` is kept if unset."""
        response = self._update_role(id, role_request_body, aid, options)
        return self._result(response, "200", RoleDetail).data

    @validate_call
    def update_role_with_http_info(
        self,
        id: RoleId,
        role_request_body: RoleRequestBody,
        aid: Aid = None,
        **options: Unpack[RequestOptions],
    ) -> ApiResponse[RoleDetail]:
        response = self._update_role(id, role_request_body, aid, options)
        return self._result(response, "200", RoleDetail)

    @validate_call
    def update_role_without_preload_content(
        self,
        id: RoleId,
        role_request_body: RoleRequestBody,
        aid: Aid = None,
        **options: Unpack[RequestOptions],
    ) -> RESTResponse:
        return self._update_role(id, role_request_body, aid, options)

    def _update_role(
        self, id: str, body: RoleRequestBody, aid: str | None, options: RequestOptions
    ) -> RESTResponse:
        return self._send(
            "PUT", "/roles/{id}", options, path_params={"id": id}, query=aid_query(aid), body=body
        )
