"""Limits on the size of a request's line and headers, applied by every dialect.

The HTTP parser accepts very large headers; these checks refuse them early, and raise an
HTTPException so that each dialect answers in its own vendor envelope.
"""

from __future__ import annotations

from typing import Final

from fastapi import HTTPException
from starlette.requests import Request

MAX_HEADER_BYTES: Final = 16 * 1024  # all header names and values together
MAX_URL_BYTES: Final = 8 * 1024  # path and query string


def enforce_request_limits(request: Request) -> None:
    header_bytes = sum(len(name) + len(value) for name, value in request.scope["headers"])
    if header_bytes > MAX_HEADER_BYTES:
        raise HTTPException(431, f"The request headers exceed {MAX_HEADER_BYTES} bytes")
    url_bytes = len(request.scope.get("raw_path") or b"") + len(request.scope["query_string"])
    if url_bytes > MAX_URL_BYTES:
        raise HTTPException(414, f"The request URL exceeds {MAX_URL_BYTES} bytes")
