"""`AccountGroupsApi`: the five operations of `/account-groups`, each in three variants, as
`UsersApi`'s are.

`op(...)` returns the parsed result, `op_with_http_info(...)` an `ApiResponse`,
`op_without_preload_content(...)` the `RESTResponse` unparsed. Unlike the other API classes
these take no `aid`: the id in the path names the account group (as in the official SDK).
"""

from __future__ import annotations

from typing import Annotated

from pydantic import Field, StrictStr, validate_call
from rosterd_sdk_transport import RESTResponse
from thousandeyes_sdk.administrative.api._base import JSON, ApiBase, QueryValue, RequestOptions
from thousandeyes_sdk.administrative.models import (
    AccountGroupDetail,
    AccountGroupRequest,
    AccountGroups,
    CreatedAccountGroup,
    ExpandAccountGroupOptions,
)
from thousandeyes_sdk.core.api_response import ApiResponse
from typing_extensions import Unpack

AccountGroupId = Annotated[StrictStr, Field(description="Identifier for the account group.")]
Expand = Annotated[
    list[ExpandAccountGroupOptions] | None,
    Field(
        description="The related resources to add to the answer: `user` adds `users` (each "
        "with their roles in the group), `agent` adds `agents`. None adds neither."
    ),
]


def expand_query(expand: list[ExpandAccountGroupOptions] | None) -> list[tuple[str, QueryValue]]:
    """`expand=user,agent` (the `csv` format); nothing at all for None."""
    return [] if expand is None else [("expand", [option.value for option in expand])]


class AccountGroupsApi(ApiBase):
    """List, create, read, rename and delete the account groups of an organization
    (`/account-groups`)."""

    # --- create_account_group: POST /account-groups -> 201 CreatedAccountGroup (+ Location)

    @validate_call
    def create_account_group(
        self,
        account_group_request: AccountGroupRequest,
        expand: Expand = None,
        **options: Unpack[RequestOptions],
    ) -> CreatedAccountGroup:
        """Create account group. Returns the new group; its URL is the `Location` header."""
        response = self._create_account_group(account_group_request, expand, options)
        return self._result(response, "201", CreatedAccountGroup).data

    @validate_call
    def create_account_group_with_http_info(
        self,
        account_group_request: AccountGroupRequest,
        expand: Expand = None,
        **options: Unpack[RequestOptions],
    ) -> ApiResponse[CreatedAccountGroup]:
        response = self._create_account_group(account_group_request, expand, options)
        return self._result(response, "201", CreatedAccountGroup)

    @validate_call
    def create_account_group_without_preload_content(
        self,
        account_group_request: AccountGroupRequest,
        expand: Expand = None,
        **options: Unpack[RequestOptions],
    ) -> RESTResponse:
        return self._create_account_group(account_group_request, expand, options)

    def _create_account_group(
        self,
        body: AccountGroupRequest,
        expand: list[ExpandAccountGroupOptions] | None,
        options: RequestOptions,
    ) -> RESTResponse:
        query = expand_query(expand)
        return self._send("POST", "/account-groups", options, query=query, body=body)

    # --- delete_account_group: DELETE /account-groups/{id} -> 204 ------------------------

    @validate_call
    def delete_account_group(self, id: AccountGroupId, **options: Unpack[RequestOptions]) -> None:
        """Delete account group. A group that is in use (the organization's default, the one
        the call acts in, the only one where some user holds roles) is refused (400)."""
        self._no_content(self._delete_account_group(id, options))

    @validate_call
    def delete_account_group_with_http_info(
        self, id: AccountGroupId, **options: Unpack[RequestOptions]
    ) -> ApiResponse[None]:
        return self._no_content(self._delete_account_group(id, options))

    @validate_call
    def delete_account_group_without_preload_content(
        self, id: AccountGroupId, **options: Unpack[RequestOptions]
    ) -> RESTResponse:
        return self._delete_account_group(id, options)

    def _delete_account_group(self, id: str, options: RequestOptions) -> RESTResponse:
        path_params = {"id": id}
        return self._send(
            "DELETE", "/account-groups/{id}", options, path_params=path_params, accepts=JSON
        )

    # --- get_account_group: GET /account-groups/{id} -> 200 AccountGroupDetail -----------

    @validate_call
    def get_account_group(
        self, id: AccountGroupId, expand: Expand = None, **options: Unpack[RequestOptions]
    ) -> AccountGroupDetail:
        """Retrieve account group, with its account token."""
        response = self._get_account_group(id, expand, options)
        return self._result(response, "200", AccountGroupDetail).data

    @validate_call
    def get_account_group_with_http_info(
        self, id: AccountGroupId, expand: Expand = None, **options: Unpack[RequestOptions]
    ) -> ApiResponse[AccountGroupDetail]:
        response = self._get_account_group(id, expand, options)
        return self._result(response, "200", AccountGroupDetail)

    @validate_call
    def get_account_group_without_preload_content(
        self, id: AccountGroupId, expand: Expand = None, **options: Unpack[RequestOptions]
    ) -> RESTResponse:
        return self._get_account_group(id, expand, options)

    def _get_account_group(
        self, id: str, expand: list[ExpandAccountGroupOptions] | None, options: RequestOptions
    ) -> RESTResponse:
        return self._send(
            "GET",
            "/account-groups/{id}",
            options,
            path_params={"id": id},
            query=expand_query(expand),
        )

    # --- get_account_groups: GET /account-groups -> 200 AccountGroups --------------------

    @validate_call
    def get_account_groups(self, **options: Unpack[RequestOptions]) -> AccountGroups:
        """List the account groups available to the caller."""
        return self._result(self._get_account_groups(options), "200", AccountGroups).data

    @validate_call
    def get_account_groups_with_http_info(
        self, **options: Unpack[RequestOptions]
    ) -> ApiResponse[AccountGroups]:
        return self._result(self._get_account_groups(options), "200", AccountGroups)

    @validate_call
    def get_account_groups_without_preload_content(
        self, **options: Unpack[RequestOptions]
    ) -> RESTResponse:
        return self._get_account_groups(options)

    def _get_account_groups(self, options: RequestOptions) -> RESTResponse:
        return self._send("GET", "/account-groups", options)

    # --- update_account_group: PUT /account-groups/{id} -> 200 AccountGroupDetail --------

    @validate_call
    def update_account_group(
        self,
        id: AccountGroupId,
        account_group_request: AccountGroupRequest,
        expand: Expand = None,
        **options: Unpack[RequestOptions],
    ) -> AccountGroupDetail:
        """Update account group: its name, and its agents (the full list) when given."""
        response = self._update_account_group(id, account_group_request, expand, options)
        return self._result(response, "200", AccountGroupDetail).data

    @validate_call
    def update_account_group_with_http_info(
        self,
        id: AccountGroupId,
        account_group_request: AccountGroupRequest,
        expand: Expand = None,
        **options: Unpack[RequestOptions],
    ) -> ApiResponse[AccountGroupDetail]:
        response = self._update_account_group(id, account_group_request, expand, options)
        return self._result(response, "200", AccountGroupDetail)

    @validate_call
    def update_account_group_without_preload_content(
        self,
        id: AccountGroupId,
        account_group_request: AccountGroupRequest,
        expand: Expand = None,
        **options: Unpack[RequestOptions],
    ) -> RESTResponse:
        return self._update_account_group(id, account_group_request, expand, options)

    def _update_account_group(
        self,
        id: str,
        body: AccountGroupRequest,
        expand: list[ExpandAccountGroupOptions] | None,
        options: RequestOptions,
    ) -> RESTResponse:
        return self._send(
            "PUT",
            "/account-groups/{id}",
            options,
            path_params={"id": id},
            query=expand_query(expand),
            body=body,
        )
