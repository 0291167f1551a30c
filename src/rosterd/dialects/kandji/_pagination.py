"""Kandji's cursors and page links.

Users pages use Django REST Framework's `CursorPagination` encoding, as Kandji's own `next`
links show (`cD0yOTE0Mw==` is base64 of `p=29143`): `o` offset, `r=1` for the way back, `p`
the position, here the `deprecated_user_id` (uid) of the last user seen. Audit pages use
Kandji's other format, base64 of `>dt:<occurred_at>` (here with the event id after `|`, so that
events of the same microsecond are never skipped), `>` forwards and `<` backwards.
"""

from __future__ import annotations

import base64
import binascii
from collections.abc import Sequence
from datetime import datetime
from typing import Final
from urllib.parse import parse_qs, parse_qsl, urlencode, urlsplit

from rosterd.core.errors import NotFound
from rosterd.core.ports import Keyset

INVALID_CURSOR: Final = "Invalid cursor"
OFFSET_CUTOFF: Final = 1000  # DRF's CursorPagination.offset_cutoff
_MAX_POSITION: Final = 2**63 - 1


def cursor_value(raw: str) -> str:
    """The cursor itself, also when a client passes a whole `next`/`previous` URL."""
    if raw.startswith(("http://", "https://")):
        found = parse_qs(urlsplit(raw).query).get("cursor")
        return found[0] if found else ""
    return raw


def _decoded(raw: str) -> str:
    try:
        return base64.b64decode(raw.encode("ascii"), validate=True).decode("ascii")
    except (UnicodeError, binascii.Error, ValueError) as exc:
        raise NotFound(INVALID_CURSOR) from exc


def decode_user_cursor(raw: str | None, page_size: int) -> Keyset:
    if not raw:
        return Keyset(limit=page_size)
    tokens = parse_qs(_decoded(cursor_value(raw)), keep_blank_values=True)
    try:
        offset = min(max(int(tokens.get("o", ["0"])[0]), 0), OFFSET_CUTOFF)
        reverse = bool(int(tokens.get("r", ["0"])[0]))
        position_text = tokens.get("p", [None])[0]
        position = int(position_text) if position_text is not None else None
    except ValueError as exc:
        raise NotFound(INVALID_CURSOR) from exc
    if position is not None and not 0 <= position <= _MAX_POSITION:
        raise NotFound(INVALID_CURSOR)
    return Keyset(position=position, reverse=reverse, offset=offset, limit=page_size)


def encode_user_cursor(position: int, *, reverse: bool) -> str:
    tokens = {"r": "1"} if reverse else {}
    tokens["p"] = str(position)
    return base64.b64encode(urlencode(tokens).encode("ascii")).decode("ascii")


def decode_audit_cursor(raw: str | None) -> tuple[tuple[datetime, str], bool] | None:
    """(position, backwards) from an audit cursor; None for the first page."""
    if not raw:
        return None
    text = _decoded(cursor_value(raw))
    direction, _, rest = text.partition("dt:")
    when, _, event_id = rest.partition("|")
    if direction not in (">", "<") or not when:
        raise NotFound(INVALID_CURSOR)
    try:
        occurred_at = datetime.fromisoformat(when)
    except ValueError as exc:
        raise NotFound(INVALID_CURSOR) from exc
    if occurred_at.tzinfo is None or len(event_id) > 26:
        raise NotFound(INVALID_CURSOR)
    return (occurred_at, event_id), direction == "<"


def encode_audit_cursor(occurred_at: datetime, event_id: str, *, backwards: bool) -> str:
    text = f"{'<' if backwards else '>'}dt:{occurred_at.isoformat(sep=' ')}|{event_id}"
    return base64.b64encode(text.encode("ascii")).decode("ascii")


def page_link(
    base: str, query: Sequence[tuple[str, str]], cursor: str, *, sort_params: bool
) -> str:
    """`base` with the request's query and `cursor` put in; DRF sorts the parameters."""
    params = [(k, v) for k, v in query if k != "cursor"] + [("cursor", cursor)]
    if sort_params:
        params.sort(key=lambda item: item[0])
    return f"{base}?{urlencode(params)}"


def query_items(raw_query: str) -> list[tuple[str, str]]:
    return parse_qsl(raw_query, keep_blank_values=True)
