"""`AccountGroupsApi`: of `/account-groups`, the list (in three variants, as `UsersApi`'s
operations are); creating, reading, changing and deleting account groups are not served yet."""

from __future__ import annotations

from pydantic import validate_call
from rosterd_sdk_transport import RESTResponse
from thousandeyes_sdk.administrative.api._base import ApiBase, RequestOptions
from thousandeyes_sdk.administrative.models import AccountGroups
from thousandeyes_sdk.core.api_response import ApiResponse
from typing_extensions import Unpack


class AccountGroupsApi(ApiBase):
    """The account groups of an organization (`/account-groups`)."""

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
