"""Listing and searching: filters, sorting, pages and attribute selection, on Users, Groups and
the root. Each filter's answer is held against scim2-models evaluating it on every user, so that
the database's narrowing never loses a match."""

from __future__ import annotations

import threading
import time
from typing import Any

import httpx
import pytest
from scim2_models import EnterpriseUser, ScimFilter, User

from tests.api.scim.conftest import (
    ENTERPRISE,
    GROUP,
    LIST,
    USER,
    Provisioning,
    create_user,
    error,
    patch_op,
    scim_client,
)
from tests.support.server import LiveServer

Users = dict[str, dict[str, Any]]


@pytest.fixture
def people(scim: httpx.Client) -> Users:
    """Five users with varied attributes, by nickname; created in this order."""
    specs: dict[str, dict[str, Any]] = {
        "alpha": {
            "userName": "alpha@example.org",
            "displayName": "Alpha Jensen",
            "name": {"familyName": "Jensen", "givenName": "Alpha"},
            "title": "Guide",
            "externalId": "ext-1",
            "active": True,
            "emails": [{"value": "alpha@work.example", "type": "work", "primary": True}],
            ENTERPRISE: {"department": "Sales"},
        },
        "beta": {
            "userName": "Beta@example.com",
            "displayName": "Beta",
            "title": "Driver",
            "active": False,
            "emails": [
                {"value": "beta@home.example", "type": "home"},
                {"value": "beta@work.example", "type": "work"},
            ],
        },
        "gamma": {
            "userName": "gamma.user@example.com",
            "displayName": "Gamma Ray",
            "name": {"familyName": "Ray"},
            "externalId": "ext-3",
            "emails": [{"value": "gamma@home.example", "type": "home"}],
            ENTERPRISE: {"department": "sales"},
        },
        "delta": {
            "userName": "delta",
            "displayName": "Mu Delta",
            "title": "Guide",
            "active": True,
        },
        "epsilon": {"userName": "epsilon@example.org", "displayName": "Zed"},
    }
    return {nick: create_user(scim, **spec) for nick, spec in specs.items()}


def ids(body: dict[str, Any]) -> list[str]:
    return [r["id"] for r in body["Resources"]]


def oracle(everyone: list[dict[str, Any]], expression: str) -> list[str]:
    """The users scim2-models itself says match, in creation order."""
    scim_filter = ScimFilter[User[EnterpriseUser]](expression)
    return [u["id"] for u in everyone if scim_filter.match(User[EnterpriseUser].model_validate(u))]


def test_filters_answer_what_scim2_models_evaluates(scim: httpx.Client, people: Users) -> None:
    everyone = scim.get("/Users").json()["Resources"]
    assert [u["id"] for u in everyone] == [u["id"] for u in people.values()]
    alpha, gamma = people["alpha"], people["gamma"]
    expressions = {
        f'userName eq "{alpha["userName"]}"': ["alpha"],
        'userName eq "BETA@EXAMPLE.COM"': ["beta"],
        'userName co "example.com"': ["beta", "gamma"],
        'userName sw "ALPHA"': ["alpha"],
        'userName ew ".org"': ["alpha", "epsilon"],
        "title pr": ["alpha", "beta", "delta"],
        "not (title pr)": ["gamma", "epsilon"],
        'title ne "Guide"': ["beta", "gamma", "epsilon"],
        "active eq false": ["beta"],
        "active eq true": ["alpha", "delta"],
        'emails[type eq "work" and value co "beta"]': ["beta"],
        'emails.value co "home"': ["beta", "gamma"],
        'name.familyName eq "jensen"': ["alpha"],
        f'meta.created gt "{gamma["meta"]["created"]}"': ["delta", "epsilon"],
        f'meta.lastModified le "{alpha["meta"]["lastModified"]}"': ["alpha"],
        f'{ENTERPRISE}:department eq "SALES"': ["alpha", "gamma"],
        'userName eq "delta" or userName eq "alpha@example.org"': ["alpha", "delta"],
        'externalId eq "ext-1" and active eq true': ["alpha"],
        'externalId eq "EXT-1"': [],  # externalId is case-exact
        f'id eq "{gamma["id"]}"': ["gamma"],
        f'id eq "{gamma["id"]}" and userName eq "delta"': [],
        'id eq "not-an-id"': [],
        'displayName lt "M"': ["alpha", "beta", "gamma"],
        'displayName ge "M"': ["delta", "epsilon"],
        '(title eq "Guide" or title eq "Driver") and not (active eq false)': ["alpha", "delta"],
        'userName eq "delta" and userName eq "alpha@example.org"': [],
    }
    for expression, expected in expressions.items():
        response = scim.get("/Users", params={"filter": expression})
        assert response.status_code == 200, (expression, response.text)
        body = response.json()
        found = ids(body)
        assert found == [people[n]["id"] for n in expected], expression
        assert found == oracle(everyone, expression), expression
        assert body["totalResults"] == len(expected)


def test_sorting(scim: httpx.Client, people: Users) -> None:
    def order(**params: str) -> list[str]:
        found = ids(scim.get("/Users", params=params).json())
        by_id = {u["id"]: nick for nick, u in people.items()}
        return [by_id[i] for i in found]

    assert order(sortBy="userName") == ["alpha", "beta", "delta", "epsilon", "gamma"]
    assert order(sortBy="userName", sortOrder="descending") == [
        "gamma",
        "epsilon",
        "delta",
        "beta",
        "alpha",
    ]
    # Users without a value sort last (ascending), first (descending).
    assert order(sortBy="name.familyName") == ["alpha", "gamma", "beta", "delta", "epsilon"]
    assert order(sortBy="meta.created", sortOrder="descending", filter="title pr") == [
        "delta",
        "beta",
        "alpha",
    ]


def test_pages(scim: httpx.Client, people: Users) -> None:
    created = [u["id"] for u in people.values()]
    # The database pages a plain listing; a filter pages in Python: both the same way.
    for extra in ({}, {"filter": "userName pr"}):
        page = scim.get("/Users", params={"startIndex": "2", "count": "2", **extra}).json()
        assert (page["schemas"], page["totalResults"], page["startIndex"]) == ([LIST], 5, 2)
        assert (page["itemsPerPage"], ids(page)) == (2, created[1:3])
        last = scim.get("/Users", params={"startIndex": "5", "count": "10", **extra}).json()
        assert ids(last) == created[4:]
        beyond = scim.get("/Users", params={"startIndex": "9", **extra}).json()
        assert (beyond["totalResults"], beyond["Resources"]) == (5, [])
        counted = scim.get("/Users", params={"count": "0", **extra}).json()
        assert counted == {
            "schemas": [LIST],
            "totalResults": 5,
            "startIndex": 1,
            "itemsPerPage": 0,
            "Resources": [],
        }
        # startIndex below 1 is 1, and a negative count is 0 (RFC 7644 §3.4.2.4).
        clamped = scim.get("/Users", params={"startIndex": "-3", "count": "-1", **extra}).json()
        assert (clamped["startIndex"], clamped["itemsPerPage"]) == (1, 0)
        far = scim.get("/Users", params={"startIndex": str(10**20), **extra}).json()
        assert (far["totalResults"], far["startIndex"], far["Resources"]) == (5, 10**20, [])


def test_attributes_and_excluded_attributes(scim: httpx.Client, people: Users) -> None:
    alpha = people["alpha"]
    only = scim.get(f"/Users/{alpha['id']}", params={"attributes": "userName,name.givenName"})
    without = scim.get(
        f"/Users/{alpha['id']}", params={"excludedAttributes": f"emails,meta,{ENTERPRISE}"}
    )
    listed = scim.get(
        "/Users", params={"attributes": "displayName", "filter": 'userName sw "alpha"'}
    )

    assert only.json() == {
        "schemas": [USER],
        "id": alpha["id"],
        "userName": alpha["userName"],
        "name": {"givenName": "Alpha"},
    }
    expected = {k: v for k, v in alpha.items() if k not in ("emails", "meta", ENTERPRISE)}
    assert without.json() == expected | {"schemas": [USER]}
    assert listed.json()["Resources"] == [
        {"schemas": [USER], "id": alpha["id"], "displayName": "Alpha Jensen"}
    ]


def test_search_with_post(scim: httpx.Client, people: Users) -> None:
    response = scim.post(
        "/Users/.search",
        json={
            "schemas": ["urn:ietf:params:scim:api:messages:2.0:SearchRequest"],
            "filter": 'title eq "guide"',
            "sortBy": "displayName",
            "sortOrder": "descending",
            "attributes": ["displayName"],
            "startIndex": 1,
            "count": 10,
        },
    )

    assert response.status_code == 200, response.text
    assert response.json()["Resources"] == [
        {"schemas": [USER], "id": people["delta"]["id"], "displayName": "Mu Delta"},
        {"schemas": [USER], "id": people["alpha"]["id"], "displayName": "Alpha Jensen"},
    ]


def test_search_every_resource_type_at_the_root(scim: httpx.Client, people: Users) -> None:
    group = scim.post(
        "/Groups",
        json={
            "schemas": [GROUP],
            "displayName": "Alpha Team",
            "members": [{"value": people["alpha"]["id"]}],
        },
    ).json()

    posted = scim.post(
        "/.search", json={"filter": 'displayName sw "alpha"', "attributes": ["displayName"]}
    )
    got = scim.get("/", params={"filter": 'displayName sw "alpha"', "attributes": "displayName"})
    everything = scim.get("/", params={"count": "100"}).json()

    assert posted.status_code == 200, posted.text
    assert posted.json() == got.json()
    assert posted.json()["Resources"] == [
        {"schemas": [USER], "id": people["alpha"]["id"], "displayName": "Alpha Jensen"},
        {"schemas": [GROUP], "id": group["id"], "displayName": "Alpha Team"},
    ]
    assert everything["totalResults"] == 6


def test_groups_of_a_user_can_be_filtered_on(scim: httpx.Client, people: Users) -> None:
    scim.post(
        "/Groups",
        json={
            "schemas": [GROUP],
            "displayName": "Drivers",
            "members": [{"value": people["beta"]["id"]}],
        },
    )
    scim.patch(
        f"/Users/{people['gamma']['id']}",
        json=patch_op({"op": "add", "path": "nickName", "value": "g"}),
    )

    found = scim.get("/Users", params={"filter": 'groups.display eq "drivers"'}).json()

    assert ids(found) == [people["beta"]["id"]]


@pytest.mark.parametrize(
    ("params", "status", "scim_type", "detail"),
    [
        ({"filter": "userName eq"}, 400, "invalidFilter", "invalid syntax at column 10"),
        ({"filter": 'shoeSize eq "9"'}, 400, "invalidFilter", "Field not found: shoeSize"),
        ({"filter": "title gt 3"}, 400, "invalidFilter", None),
        ({"sortBy": "shoeSize"}, 400, "invalidPath", "Cannot sort on 'shoeSize'"),
        ({"count": "many"}, 400, "invalidValue", None),
        ({"sortOrder": "sideways"}, 400, "invalidValue", None),
        (
            {"filter": 'userName eq "\\ud800"'},
            400,
            "invalidFilter",
            "The filter holds text that is not Unicode",
        ),
    ],
)
def test_bad_list_parameters(
    scim: httpx.Client,
    params: dict[str, str],
    status: int,
    scim_type: str,
    detail: str | None,
) -> None:
    response = scim.get("/Users", params=params)

    assert response.status_code == status
    body = response.json()
    assert body["scimType"] == scim_type
    if detail is not None:
        assert body == error(status, detail, scim_type)


def test_paging_while_users_are_created_skips_and_repeats_none(
    unlimited_server: LiveServer, provisioning: Provisioning
) -> None:
    # Without rate limits: a reader and an unpaced writer in one organization outrun Kandji's
    # 50 requests a second on a fast machine, and a 429 is not what this test is about.
    with scim_client(unlimited_server, provisioning.token) as scim:
        steady = {create_user(scim)["id"] for _ in range(40)}
        created, seen = page_through_while_creating(scim, unlimited_server, provisioning)

    assert created
    assert len(seen) == len(set(seen))
    assert steady <= set(seen)


def page_through_while_creating(
    scim: httpx.Client, server: LiveServer, provisioning: Provisioning
) -> tuple[list[str], list[str]]:
    """Pages through /Users while another client keeps creating; (created ids, seen ids)."""
    stop = threading.Event()
    created: list[str] = []

    def create_more() -> None:
        with scim_client(server, provisioning.token) as other:
            while not stop.is_set():
                created.append(create_user(other)["id"])

    writer = threading.Thread(target=create_more)
    writer.start()
    try:
        seen: list[str] = []
        start = 1
        while True:
            page = scim.get("/Users", params={"startIndex": start, "count": 7}).json()
            seen += [u["id"] for u in page["Resources"]]
            start += page["itemsPerPage"]
            if page["itemsPerPage"] == 0 or start > page["totalResults"]:
                break
            time.sleep(0.02)  # let creates land between pages
    finally:
        stop.set()
        writer.join(timeout=30)
    return created, seen
