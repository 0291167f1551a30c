"""The response object the generated SDKs hand around."""

from __future__ import annotations

from collections.abc import Mapping

from rosterd_sdk_transport._response import Response


class RESTResponse:
    """A response in the shape the generated SDKs hand around (urllib3-like accessors)."""

    def __init__(self, response: Response) -> None:
        self.response = response
        self.status = response.status
        self.reason = response.reason
        self.data: bytes = response.body

    def read(self) -> bytes:
        return self.data

    def getheaders(self) -> Mapping[str, str]:
        return self.response.headers

    def getheader(self, name: str, default: str | None = None) -> str | None:
        return self.response.headers.get(name, default)
