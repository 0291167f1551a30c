"""The REST layer (pooled HTTP over httpx); re-exports `ApiException` as the docs import it."""

from __future__ import annotations

from rosterd_sdk_transport import RESTResponse

from kandji.exceptions import (
    ApiException,
    ApiValueError,
    BadRequestException,
    ConflictException,
    ForbiddenException,
    NotFoundException,
    ServiceException,
    TooManyRequestsException,
    UnauthorizedException,
    UnprocessableEntityException,
)

RESTResponseType = RESTResponse

__all__ = [
    "ApiException",
    "ApiValueError",
    "BadRequestException",
    "ConflictException",
    "ForbiddenException",
    "NotFoundException",
    "RESTResponse",
    "RESTResponseType",
    "ServiceException",
    "TooManyRequestsException",
    "UnauthorizedException",
    "UnprocessableEntityException",
]
