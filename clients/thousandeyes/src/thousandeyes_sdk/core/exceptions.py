"""The exceptions of `thousandeyes_sdk.core`, one class per error status the API documents.

400 `BadRequestException`, 401 `UnauthorizedException`, 403 `ForbiddenException`, 404
`NotFoundException`, 429 `TooManyRequestsException`, 5xx `ServiceException`; any other status
(and no response at all, `status == 0`) is `ApiException` itself.
"""

from __future__ import annotations

from rosterd_sdk_transport import (
    ApiAttributeError,
    ApiKeyError,
    ApiTypeError,
    ApiValueError,
    OpenApiException,
    ResponseError,
)


class ApiException(ResponseError):
    """A non-2xx response: `status`, `reason`, `body` (text), `headers`, parsed `data`."""


class BadRequestException(ApiException):
    pass


class NotFoundException(ApiException):
    pass


class UnauthorizedException(ApiException):
    pass


class ForbiddenException(ApiException):
    pass


class TooManyRequestsException(ApiException):
    pass


class ServiceException(ApiException):
    pass


ApiException.by_status = {
    400: BadRequestException,
    401: UnauthorizedException,
    403: ForbiddenException,
    404: NotFoundException,
    429: TooManyRequestsException,
}
ApiException.server_error = ServiceException

__all__ = [
    "ApiAttributeError",
    "ApiException",
    "ApiKeyError",
    "ApiTypeError",
    "ApiValueError",
    "BadRequestException",
    "ForbiddenException",
    "NotFoundException",
    "OpenApiException",
    "ServiceException",
    "TooManyRequestsException",
    "UnauthorizedException",
]
