"""`PermissionsApi`: `/permissions`, in three variants, as `UsersApi`'s operations are."""

from __future__ import annotations

from pydantic import validate_call
from rosterd_sdk_transport import RESTResponse
from thousandeyes_sdk.administrative.api._base import Aid, ApiBase, RequestOptions, aid_query
from thousandeyes_sdk.administrative.models import Permissions
from thousandeyes_sdk.core.api_response import ApiResponse
from typing_extensions import Unpack


class PermissionsApi(ApiBase):
    """The permission catalogue (`/permissions`): what a role can hold."""

    @validate_call
    def get_permissions(self, aid: Aid = None, **options: Unpack[RequestOptions]) -> Permissions:
        """List every assignable permission; needs a role with a management permission."""
        return self._result(self._get_permissions(aid, options), "200", Permissions).data

    @validate_call
    def get_permissions_with_http_info(
        self, aid: Aid = None, **options: Unpack[RequestOptions]
    ) -> ApiResponse[Permissions]:
        return self._result(self._get_permissions(aid, options), "200", Permissions)

    @validate_call
    def get_permissions_without_preload_content(
        self, aid: Aid = None, **options: Unpack[RequestOptions]
    ) -> RESTResponse:
        return self._get_permissions(aid, options)

    def _get_permissions(self, aid: str | None, options: RequestOptions) -> RESTResponse:
        return self._send("GET", "/permissions", options, query=aid_query(aid))
