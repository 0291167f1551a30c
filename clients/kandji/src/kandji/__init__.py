"""Kandji (Iru) Users API, with the interface of the openapi-generator `kandji` SDK.

configuration = kandji.Configuration(host="https://acme.api.kandji.io", access_token="…")
with kandji.ApiClient(configuration) as api_client:
    users = kandji.UsersApi(api_client)
    for user in users.iter_users(archived="false"):
        print(user.email)
"""

from kandji._version import __version__
from kandji.api.users_api import UsersApi
from kandji.api_client import ApiClient
from kandji.api_response import ApiResponse
from kandji.configuration import Configuration
from kandji.exceptions import (
    ApiAttributeError,
    ApiException,
    ApiKeyError,
    ApiTypeError,
    ApiValueError,
    OpenApiException,
)
from kandji.models import (
    AuditLogListAuditEvents200Response,
    PrismRequestCategoryExport400Response,
    UsersGetUser200Response,
    UsersGetUser200ResponseIntegration,
)

__all__ = [
    "ApiAttributeError",
    "ApiClient",
    "ApiException",
    "ApiKeyError",
    "ApiResponse",
    "ApiTypeError",
    "ApiValueError",
    "AuditLogListAuditEvents200Response",
    "Configuration",
    "OpenApiException",
    "PrismRequestCategoryExport400Response",
    "UsersApi",
    "UsersGetUser200Response",
    "UsersGetUser200ResponseIntegration",
    "__version__",
]
