"""Bounds on what one request may ask rosterd to evaluate: a filter's length and comparisons, a
PATCH's path filters, `attributes` / `excludedAttributes` and `sortBy`; each refused with a SCIM
400, and a request just inside each bound served."""

from __future__ import annotations

import uuid
from typing import Any

import httpx
import pytest

from tests.api.scim.conftest import ENTERPRISE, GROUP, LIST, create_user, error, patch_op

SEARCH = "urn:ietf:params:scim:api:messages:2.0:SearchRequest"
# Every way to search: the filter in the query of a GET, or in the body of a POST /.search.
SEARCHES = [
    ("GET", "/Users"),
    ("GET", "/Groups"),
    ("GET", "/"),
    ("POST", "/Users/.search"),
    ("POST", "/Groups/.search"),
    ("POST", "/.search"),
]


def search(scim: httpx.Client, method: str, path: str, **parameters: Any) -> httpx.Response:
    if method == "GET":
        return scim.get(path, params=parameters)
    return scim.post(path, json={"schemas": [SEARCH]} | parameters)


def comparisons(count: int, length: int, wanted: str = "none") -> str:
    """`count` comparisons of externalId (an attribute of users and groups alike) joined by
    `or`, the first for `wanted`, the last padded so that the filter is `length` long."""
    values = [wanted] + [f"ext-{i}" for i in range(1, count)]
    expression = " or ".join(f'externalId eq "{v}"' for v in values)
    return expression[:-1] + "x" * (length - len(expression)) + '"'


# filters

REFUSED_FILTERS = {
    "too long": (
        comparisons(1, 4097),
        "The filter is 4097 characters long; at most 4096 are accepted",
    ),
    "too many comparisons": (
        comparisons(21, 1000),
        "The filter holds 21 comparisons; at most 20 are accepted",
    ),
}


@pytest.mark.parametrize(("method", "path"), SEARCHES)
@pytest.mark.parametrize("refused", REFUSED_FILTERS)
def test_a_filter_past_a_bound_is_400_invalid_filter(
    scim: httpx.Client, method: str, path: str, refused: str
) -> None:
    expression, detail = REFUSED_FILTERS[refused]

    response = search(scim, method, path, filter=expression)

    assert response.status_code == 400
    assert response.json() == error(400, detail, "invalidFilter")


@pytest.mark.parametrize(("method", "path"), SEARCHES)
def test_a_filter_at_both_bounds_is_served(scim: httpx.Client, method: str, path: str) -> None:
    """20 comparisons in 4096 characters: the most a filter may hold."""
    wanted = create_user(scim, externalId=f"ext-{uuid.uuid4()}")

    response = search(scim, method, path, filter=comparisons(20, 4096, wanted["externalId"]))

    assert response.status_code == 200, response.text
    found = [r["id"] for r in response.json()["Resources"]]
    assert found == ([] if "Groups" in path else [wanted["id"]])


def test_every_kind_of_comparison_counts(scim: httpx.Client) -> None:
    """`pr`, the comparisons under `not` and those inside a value filter count alike."""
    five = 'title pr and not (userName eq "x") and emails[type eq "work" or value co "@"] and id pr'
    twenty = " and ".join([five] * 4)

    assert scim.get("/Users", params={"filter": twenty}).status_code == 200
    response = scim.get("/Users", params={"filter": twenty + " and nickName pr"})
    assert response.json() == error(
        400, "The filter holds 21 comparisons; at most 20 are accepted", "invalidFilter"
    )


def test_the_855_kb_filter_of_the_review_is_refused(scim: httpx.Client) -> None:
    huge = " or ".join(f'userName eq "u{i:06d}@example.com"' for i in range(23_000))

    response = scim.post("/Users/.search", json={"schemas": [SEARCH], "filter": huge})

    assert response.status_code == 400
    assert response.json() == error(
        400,
        f"The filter is {len(huge)} characters long; at most 4096 are accepted",
        "invalidFilter",
    )


def test_the_bounds_hold_whatever_the_case_of_the_body_s_keys(scim: httpx.Client) -> None:
    """SCIM compares attribute names without case, so "Filter" is read as the filter."""
    response = scim.post("/.search", json={"schemas": [SEARCH], "Filter": comparisons(1, 4097)})

    assert response.json() == error(
        400, "The filter is 4097 characters long; at most 4096 are accepted", "invalidFilter"
    )


# attributes, excludedAttributes and sortBy


def names(count: int) -> list[str]:
    every = ["userName", "displayName", "title", "emails.value", "name.givenName", "active"]
    return [every[i % len(every)] for i in range(count)]


@pytest.mark.parametrize("parameter", ["attributes", "excludedAttributes"])
def test_more_than_20_attributes_are_400_invalid_value(scim: httpx.Client, parameter: str) -> None:
    user = create_user(scim)
    expected = error(
        400, f"{parameter} names 21 attributes; at most 20 are accepted", "invalidValue"
    )

    for method, path in SEARCHES:
        listed = names(21) if method == "POST" else ",".join(names(21))
        response = search(scim, method, path, **{parameter: listed})
        assert (response.status_code, response.json()) == (400, expected), path
    for path in (f"/Users/{user['id']}", "/Groups"):
        response = scim.get(path, params={parameter: ",".join(names(21))})
        assert (response.status_code, response.json()) == (400, expected), path


@pytest.mark.parametrize("parameter", ["attributes", "excludedAttributes"])
def test_20_attributes_are_served(scim: httpx.Client, parameter: str) -> None:
    user = create_user(scim, title="Guide")

    listed = scim.post(
        "/Users/.search",
        json={"schemas": [SEARCH], parameter: names(20), "filter": f'id eq "{user["id"]}"'},
    )
    single = scim.get(f"/Users/{user['id']}", params={parameter: ",".join(names(20))})

    assert listed.status_code == single.status_code == 200, listed.text + single.text
    [found] = listed.json()["Resources"]
    assert found == single.json()
    assert ("title" in found) is (parameter == "attributes")


def test_a_sort_by_over_256_characters_is_400_invalid_value(scim: httpx.Client) -> None:
    expected = error(400, "sortBy is 257 characters long; at most 256 are accepted", "invalidValue")

    for method, path in SEARCHES:
        response = search(scim, method, path, sortBy="name." + "x" * 252)
        assert (response.status_code, response.json()) == (400, expected), path


def test_the_longest_attribute_path_sorts(scim: httpx.Client) -> None:
    boss = f"{ENTERPRISE}:manager.displayName"
    first, second = create_user(scim), create_user(scim)

    response = scim.get("/Users", params={"sortBy": boss, "sortOrder": "descending"})

    assert response.status_code == 200, response.text
    assert response.json()["schemas"] == [LIST]
    assert {r["id"] for r in response.json()["Resources"]} == {first["id"], second["id"]}


# PATCH paths


def work_email_user(scim: httpx.Client) -> dict[str, Any]:
    return create_user(scim, emails=[{"value": "w@work.example", "type": "work"}])


def display_of(count: int, length: int = 0) -> dict[str, Any]:
    """A replace of the display of the emails whose type is one of `count` types ("work" first),
    the path padded to `length` characters."""
    prefix, suffix = "emails[", "].display"
    chosen = " or ".join(f'type eq "{t}"' for t in ["work"] + [f"t{i}" for i in range(1, count)])
    pad = "x" * max(0, length - len(prefix + chosen + suffix))
    return {"op": "replace", "path": f'{prefix}{chosen[:-1]}{pad}"{suffix}', "value": "Work"}


REFUSED_PATHS = {
    "too long": (
        [display_of(1), display_of(1, 4097)],
        "The path of operation 2 is 4097 characters long; at most 4096 are accepted",
        "invalidPath",
    ),
    "too many comparisons": (
        [display_of(21)],
        "The path of operation 1 holds 21 comparisons; at most 20 are accepted",
        "invalidFilter",
    ),
    "too many in one PATCH": (
        [display_of(20), display_of(20), display_of(11)],
        "The paths of this PATCH hold 51 comparisons; at most 50 are accepted in one PATCH",
        "invalidFilter",
    ),
}


@pytest.mark.parametrize("refused", REFUSED_PATHS)
def test_a_patch_path_past_a_bound_is_400(scim: httpx.Client, refused: str) -> None:
    operations, detail, scim_type = REFUSED_PATHS[refused]
    user = work_email_user(scim)

    response = scim.patch(f"/Users/{user['id']}", json=patch_op(*operations))

    assert response.status_code == 400
    assert response.json() == error(400, detail, scim_type)


def test_patch_paths_at_every_bound_are_served(scim: httpx.Client) -> None:
    """Paths of 4096 characters and 20 comparisons each, 50 comparisons in all."""
    user = work_email_user(scim)
    operations = [display_of(20, 4096), display_of(20, 4096), display_of(10, 4096)]
    assert [len(o["path"]) for o in operations] == [4096] * 3

    response = scim.patch(f"/Users/{user['id']}", json=patch_op(*operations))

    assert response.status_code == 200, response.text
    assert response.json()["emails"] == [
        {"value": "w@work.example", "type": "work", "display": "Work"}
    ]


def test_removing_members_by_id_is_not_bounded_but_other_group_patches_are(
    scim: httpx.Client,
) -> None:
    """Members removed by id are removed by id: nothing is evaluated, whatever their number. A
    PATCH that also changes something else is applied to the whole group, filters and all."""
    users = [create_user(scim) for _ in range(3)]
    created = scim.post(
        "/Groups",
        json={
            "schemas": [GROUP],
            "displayName": "Many",
            "members": [{"value": u["id"]} for u in users],
        },
    )
    group = created.json()["id"]
    others = [str(uuid.uuid4()) for _ in range(57)]
    removals = [
        {"op": "remove", "path": f'members[value eq "{member}"]'}
        for member in [users[0]["id"], *others, users[1]["id"]]
    ]
    rename = {"op": "replace", "path": "displayName", "value": "Fewer"}

    refused = scim.patch(f"/Groups/{group}", json=patch_op(rename, *removals))
    removed = scim.patch(f"/Groups/{group}", json=patch_op(*removals))

    assert refused.status_code == 400
    assert refused.json() == error(
        400,
        "The paths of this PATCH hold 59 comparisons; at most 50 are accepted in one PATCH",
        "invalidFilter",
    )
    assert removed.status_code == 204, removed.text
    after = scim.get(f"/Groups/{group}").json()
    assert after["displayName"] == "Many"
    assert [m["value"] for m in after["members"]] == [users[2]["id"]]
