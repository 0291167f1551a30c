"""`from thousandeyes_sdk.administrative.rest import ApiException`, as the API docs' examples do.

The official 6.0.0 SDK has no such module (its examples fail on this import); here it
re-exports the core's REST names and exceptions.
"""

from thousandeyes_sdk.core.exceptions import (
    ApiException,
    ApiValueError,
    BadRequestException,
    ForbiddenException,
    NotFoundException,
    ServiceException,
    TooManyRequestsException,
    UnauthorizedException,
)
from thousandeyes_sdk.core.rest import RESTResponse, RESTResponseType

__all__ = [
    "ApiException",
    "ApiValueError",
    "BadRequestException",
    "ForbiddenException",
    "NotFoundException",
    "RESTResponse",
    "RESTResponseType",
    "ServiceException",
    "TooManyRequestsException",
    "UnauthorizedException",
]
