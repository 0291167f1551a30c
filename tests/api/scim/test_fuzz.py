"""Whatever a client sends, rosterd answers with a SCIM response or a SCIM error, never a 500."""

from __future__ import annotations

import json
from collections.abc import Iterator
from typing import Any

import httpx
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from tests.api.scim.conftest import ERROR, PATCH_OP, USER, Provisioning, create_user, scim_client
from tests.support.server import LiveServer

FUZZ = settings(
    max_examples=60,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
ATTRIBUTES = [
    "userName",
    "displayName",
    "title",
    "active",
    "emails",
    "emails.value",
    "emails.type",
    "name.givenName",
    "meta.created",
    "id",
    "externalId",
    "members",
    "groups.display",
    "urn:ietf:params:scim:schemas:extension:enterprise:2.0:User:department",
    "nope",
]
OPERATORS = ["eq", "ne", "co", "sw", "ew", "gt", "ge", "lt", "le"]
VALUES = st.one_of(
    st.text(max_size=12).map(json.dumps),
    st.sampled_from(["true", "false", "null", "12", "-1.5", '"2024-01-01T00:00:00Z"']),
)


@st.composite
def filters(draw: st.DrawFn, depth: int = 0) -> str:
    kind = draw(
        st.sampled_from(["cmp", "pr", "and", "or", "not", "value", "junk"][: 7 if depth < 2 else 3])
    )
    attribute = draw(st.sampled_from(ATTRIBUTES))
    if kind == "cmp":
        return f"{attribute} {draw(st.sampled_from(OPERATORS))} {draw(VALUES)}"
    if kind == "pr":
        return f"{attribute} pr"
    if kind in ("and", "or"):
        return f"({draw(filters(depth + 1))}) {kind} {draw(filters(depth + 1))}"
    if kind == "not":
        return f"not ({draw(filters(depth + 1))})"
    if kind == "value":
        return f"emails[{draw(filters(depth + 1))}]"
    return draw(st.text(max_size=30))


JSON_VALUES = st.recursive(
    st.none()
    | st.booleans()
    | st.integers()
    | st.floats(allow_nan=False, allow_infinity=False)
    | st.text(max_size=20),
    lambda children: (
        st.lists(children, max_size=3)
        | st.dictionaries(
            st.sampled_from([*ATTRIBUTES, "value", "type", "primary"]), children, max_size=4
        )
    ),
    max_leaves=10,
)


@pytest.fixture
def scim(unlimited_server: LiveServer, provisioning: Provisioning) -> Iterator[httpx.Client]:
    """The integration's client, on a server without rate limits: a 429 would hide an answer."""
    with scim_client(unlimited_server, provisioning.token) as c:
        yield c


def assert_scim_answer(response: httpx.Response) -> None:
    assert response.status_code < 500, response.text
    if response.status_code >= 400:
        body = response.json()
        assert body["schemas"] == [ERROR]
        assert body["status"] == str(response.status_code)


@FUZZ
@given(
    expression=filters(),
    params=st.dictionaries(
        st.sampled_from(
            ["sortBy", "sortOrder", "startIndex", "count", "attributes", "excludedAttributes"]
        ),
        st.one_of(st.sampled_from(ATTRIBUTES), st.text(max_size=8), st.integers().map(str)),
        max_size=3,
    ),
)
def test_any_search(scim: httpx.Client, expression: str, params: dict[str, str]) -> None:
    for path in ("/Users", "/Groups", "/"):
        assert_scim_answer(scim.get(path, params={"filter": expression, **params}))


@FUZZ
@given(body=st.dictionaries(st.sampled_from([*ATTRIBUTES, "schemas", "password"]), JSON_VALUES))
def test_any_user_body(scim: httpx.Client, body: dict[str, Any]) -> None:
    created = scim.post("/Users", json={"schemas": [USER]} | body)
    assert_scim_answer(created)
    if created.status_code == 201:
        replaced = scim.put(f"/Users/{created.json()['id']}", json=body)
        assert_scim_answer(replaced)
    assert_scim_answer(scim.post("/Groups", json=body))


@FUZZ
@given(
    operations=st.lists(
        st.fixed_dictionaries(
            {"op": st.sampled_from(["add", "replace", "remove", "Add", "bogus"])},
            optional={
                "path": st.one_of(
                    st.sampled_from(ATTRIBUTES), filters().map(lambda f: f"emails[{f}]")
                ),
                "value": JSON_VALUES,
            },
        ),
        max_size=3,
    )
)
def test_any_patch(scim: httpx.Client, operations: list[dict[str, Any]]) -> None:
    user = create_user(scim)
    response = scim.patch(
        f"/Users/{user['id']}", json={"schemas": [PATCH_OP], "Operations": operations}
    )
    assert_scim_answer(response)
    group = scim.post("/Groups", json={"displayName": "G", "members": [{"value": user["id"]}]})
    response = scim.patch(
        f"/Groups/{group.json()['id']}", json={"schemas": [PATCH_OP], "Operations": operations}
    )
    assert_scim_answer(response)
