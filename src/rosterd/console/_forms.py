"""Reading the console's forms (URL-encoded, small) without a multipart parser."""

from __future__ import annotations

from typing import Final
from urllib.parse import parse_qs

from starlette.requests import Request

MAX_FORM_BYTES: Final = 64 * 1024


class FormTooLarge(Exception):
    pass


async def read_form(request: Request) -> dict[str, str]:
    """The form's fields, the first value of each."""
    body = b""
    async for chunk in request.stream():
        body += chunk
        if len(body) > MAX_FORM_BYTES:
            raise FormTooLarge
    fields = parse_qs(body.decode("utf-8", errors="replace"), keep_blank_values=True)
    return {name: values[0] for name, values in fields.items()}
