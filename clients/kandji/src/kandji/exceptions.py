"""The exceptions of `kandji`: the generated SDK's class per status, plus 429.

400 `BadRequestException`, 401 `UnauthorizedException`, 403 `ForbiddenException`, 404
`NotFoundException`, 409 `ConflictException`, 422 `UnprocessableEntityException`, 429
`TooManyRequestsException` (the generated SDK raises a plain ApiException there), 5xx
`ServiceException`; any other status (and no response at all, `status == 0`) is
`ApiException` itself.
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


class ServiceException(ApiException):
    pass


class ConflictException(ApiException):
    """Exception for HTTP 409 Conflict."""


class UnprocessableEntityException(ApiException):
    """Exception for HTTP 422 Unprocessable Entity."""


class TooManyRequestsException(ApiException):
    """Exception for HTTP 429 Too Many Requests."""


ApiException.by_status = {
    400: BadRequestException,
    401: UnauthorizedException,
    403: ForbiddenException,
    404: NotFoundException,
    409: ConflictException,
    422: UnprocessableEntityException,
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
    "ConflictException",
    "ForbiddenException",
    "NotFoundException",
    "OpenApiException",
    "ServiceException",
    "TooManyRequestsException",
    "UnauthorizedException",
    "UnprocessableEntityException",
]
