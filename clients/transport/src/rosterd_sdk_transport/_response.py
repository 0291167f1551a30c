"""What a request got back: status, reason, headers and the body as bytes."""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass

_CHARSET = re.compile(r"charset=([a-zA-Z\-\d_]+)", re.IGNORECASE)


def charset_of(content_type: str | None, default: str = "utf-8") -> str:
    """The `charset=` of a Content-Type header, or `default`."""
    match = _CHARSET.search(content_type or "")
    return match.group(1) if match else default


@dataclass(frozen=True, slots=True)
class Response:
    """An HTTP response read to the end (the SDKs never stream)."""

    method: str
    url: str
    status: int
    reason: str
    headers: Mapping[str, str]  # case-insensitive (an `httpx.Headers`)
    body: bytes

    def header(self, name: str, default: str | None = None) -> str | None:
        return self.headers.get(name, default)

    @property
    def content_type(self) -> str | None:
        return self.headers.get("content-type")

    @property
    def text(self) -> str:
        """The body decoded with the Content-Type's charset (UTF-8 when none is given)."""
        return self.body.decode(charset_of(self.content_type), errors="replace")
