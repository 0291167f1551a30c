"""rosterd's JSON responses are byte for byte what Starlette's JSONResponse wrote before them."""

from __future__ import annotations

import json
from typing import Any

from hypothesis import given
from hypothesis import strategies as st
from starlette.responses import JSONResponse as StarletteJSONResponse

from rosterd.server.responses import JSONResponse, encode_json

# Every kind of value rosterd renders; text from the whole of Unicode but lone surrogates (which
# no request can bring in: the dialects refuse them), integers past 64 bits too.
_TEXT = st.text(st.characters(exclude_categories=("Cs",)))
_VALUES = st.recursive(
    st.none() | st.booleans() | st.integers() | _TEXT,
    lambda inner: st.lists(inner, max_size=5) | st.dictionaries(_TEXT, inner, max_size=5),
    max_leaves=30,
)


def _starlette(content: Any) -> bytes:
    return StarletteJSONResponse(content).body


@given(_VALUES)
def test_every_value_is_encoded_as_starlette_encodes_it(content: Any) -> None:
    assert encode_json(content) == _starlette(content)


def test_what_orjson_refuses_is_encoded_by_the_standard_library() -> None:
    for content in [{1: "a", "b": [2**70]}, {"big": -(2**64)}, {None: True}]:
        assert encode_json(content) == _starlette(content)


def test_escapes_are_the_standard_librarys() -> None:
    content = {"control": "\x00\x08\t\n\x0c\r\x1f\x7f", "quote": '"\\/', "separators": "\u2028"}
    assert encode_json(content) == _starlette(content)
    assert json.loads(encode_json(content)) == content


def test_a_response_carries_the_encoded_body_and_its_length() -> None:
    response = JSONResponse({"name": "Zoë"}, status_code=201, headers={"Location": "/x"})
    assert response.body == '{"name":"Zoë"}'.encode()
    assert response.status_code == 201
    assert response.headers["content-length"] == str(len(response.body))
    assert response.headers["content-type"] == "application/json"
