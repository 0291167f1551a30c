"""JSON responses, encoded by orjson.

Starlette's JSONResponse encodes with the standard library (`json.dumps`, compact separators, no
ASCII escaping): a 300-user Kandji page took ~0.9 ms of its ~5 ms there, orjson ~0.06 ms
(docs/performance.md). For what rosterd renders (objects, arrays, strings, integers, booleans,
null) orjson writes the same bytes (`tests/unit/test_json_encoding.py`); what it refuses (a key
that is not a string, an integer beyond 64 bits) is encoded as before. Floats, which no wire
format of rosterd's holds, would differ only in how an exponent is spelled (`1e16`, not
`1e+16`).
"""

from __future__ import annotations

import json
from typing import Any

import orjson
from starlette.responses import JSONResponse as StarletteJSONResponse


def encode_json(content: Any) -> bytes:
    """`content` as UTF-8 JSON, byte for byte as Starlette's JSONResponse renders it."""
    try:
        return orjson.dumps(content)
    except TypeError:  # orjson.JSONEncodeError is a TypeError
        return json.dumps(
            content, ensure_ascii=False, allow_nan=False, indent=None, separators=(",", ":")
        ).encode("utf-8")


class JSONResponse(StarletteJSONResponse):
    def render(self, content: Any) -> bytes:
        return encode_json(content)
