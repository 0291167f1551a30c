"""ThousandEyes SDK core: `Configuration`, `ApiClient`, `ApiResponse`, `PaginationIterable` and
the exceptions."""

from thousandeyes_sdk.core import exceptions
from thousandeyes_sdk.core.api_client import ApiClient
from thousandeyes_sdk.core.api_response import ApiResponse
from thousandeyes_sdk.core.configuration import Configuration
from thousandeyes_sdk.core.exceptions import (
    ApiException,
    BadRequestException,
    ForbiddenException,
    NotFoundException,
    OpenApiException,
    ServiceException,
    TooManyRequestsException,
    UnauthorizedException,
)
from thousandeyes_sdk.core.pagination_iterable import PaginationIterable
from thousandeyes_sdk.core.thousandeyes_retry import ThousandEyesRetry
from thousandeyes_sdk.core.version import __version__

__all__ = [
    "ApiClient",
    "ApiException",
    "ApiResponse",
    "BadRequestException",
    "Configuration",
    "ForbiddenException",
    "NotFoundException",
    "OpenApiException",
    "PaginationIterable",
    "ServiceException",
    "ThousandEyesRetry",
    "TooManyRequestsException",
    "UnauthorizedException",
    "__version__",
    "exceptions",
]
