"""The exception classes both SDKs share; each SDK subclasses `ResponseError` as ApiException."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any, ClassVar, NoReturn

from rosterd_sdk_transport._rest import RESTResponse


class OpenApiException(Exception):
    """The base of every exception the SDKs raise on purpose."""


class ApiTypeError(OpenApiException, TypeError):
    pass


class ApiValueError(OpenApiException, ValueError):
    pass


class ApiAttributeError(OpenApiException, AttributeError):
    pass


class ApiKeyError(OpenApiException, KeyError):
    pass


class ResponseError(OpenApiException):
    """An error response, with the attributes and `str()` of the generated SDKs' ApiException.

    `status` is 0 when there was no response at all (connection failure). Each SDK subclasses
    it as its `ApiException` and fills `by_status` / `server_error` with its own subclasses.
    """

    by_status: ClassVar[Mapping[int, type[ResponseError]]] = {}
    server_error: ClassVar[type[ResponseError] | None] = None

    def __init__(
        self,
        status: int | None = None,
        reason: str | None = None,
        http_resp: RESTResponse | None = None,
        *,
        body: str | None = None,
        data: Any = None,
    ) -> None:
        self.status = status
        self.reason = reason
        self.body = body
        self.data = data
        self.headers: Mapping[str, str] | None = None
        if http_resp is not None:
            if self.status is None:
                self.status = http_resp.status
            if self.reason is None:
                self.reason = http_resp.reason
            if self.body is None:
                self.body = http_resp.data.decode("utf-8", errors="replace")
            self.headers = http_resp.getheaders()
        super().__init__(self.status, self.reason)

    @classmethod
    def exception_class(cls, status: int) -> type[ResponseError]:
        """The subclass for a status (5xx share one); any other status is this class."""
        if 500 <= status <= 599 and cls.server_error is not None:
            return cls.server_error
        return cls.by_status.get(status, cls)

    @classmethod
    def from_response(cls, *, http_resp: RESTResponse, body: str | None, data: Any) -> NoReturn:
        raise cls.exception_class(http_resp.status)(http_resp=http_resp, body=body, data=data)

    def __str__(self) -> str:
        message = f"({self.status})\nReason: {self.reason}\n"
        if self.headers:
            message += f"HTTP response headers: {self.headers}\n"
        if self.data or self.body:
            message += f"HTTP response body: {self.data or self.body}\n"
        return message
