"""List Users pages: keyset cursors that never skip or repeat a user, whatever else changes."""

from __future__ import annotations

import base64
import threading
import time
from collections import Counter
from collections.abc import Iterator
from typing import Any
from urllib.parse import parse_qs, urlsplit

import httpx
import pytest

from rosterd.storage import SqlDirectoryStore
from tests.api.kandji.conftest import Directory
from tests.support.orgs import TestOrg
from tests.support.server import start_server


def walk(client: httpx.Client, url: str, params: dict[str, str] | None = None) -> Iterator[Any]:
    """Every page, following `next` links from the first."""
    response = client.get(url, params=params)
    while True:
        assert response.status_code == 200, response.text
        body = response.json()
        yield body
        if body["next"] is None:
            return
        response = client.get(body["next"])


def test_paging_by_next_links_returns_each_user_once(
    client: httpx.Client, directory: Directory
) -> None:
    integration = directory.integration()
    users = directory.add_users(integration, 1050)

    pages = list(walk(client, "/users"))

    assert [len(p["results"]) for p in pages] == [300, 300, 300, 151]  # 1050 and the admin
    seen = [u["id"] for p in pages for u in p["results"]]
    assert len(seen) == len(set(seen)) == 1051
    assert {str(u.id) for u in users} <= set(seen)
    uids = [int(u["deprecated_user_id"]) for p in pages for u in p["results"]]
    assert uids == sorted(uids, reverse=True)  # newest first
    assert pages[0]["previous"] is None
    assert all(p["previous"] is not None for p in pages[1:])


def test_paging_while_users_are_created_and_deleted_skips_and_repeats_none(
    client: httpx.Client, directory: Directory, org: TestOrg
) -> None:
    integration = directory.integration()
    steady = directory.add_users(integration, 1000, prefix="steady")
    doomed = directory.add_users(integration, 200, prefix="doomed")
    stop = threading.Event()
    churned = {"created": 0, "deleted": 0}

    def churn() -> None:
        with httpx.Client(
            base_url=str(client.base_url), headers={"Authorization": f"Bearer {org.token}"}
        ) as other:
            while not stop.is_set():
                directory.add_users(integration, 5, prefix="newcomer")
                churned["created"] += 5
                if doomed:
                    assert other.delete(f"/users/{doomed.pop().id}").status_code == 204
                    churned["deleted"] += 1

    worker = threading.Thread(target=churn)
    worker.start()
    try:
        seen: list[str] = []
        for page in walk(client, "/users"):
            seen += [u["id"] for u in page["results"]]
            time.sleep(0.05)  # let the churn land between pages
    finally:
        stop.set()
        worker.join(timeout=30)

    assert churned["created"] > 0
    assert churned["deleted"] > 0
    duplicates = [uid for uid, n in Counter(seen).items() if n > 1]
    assert duplicates == []
    assert {str(u.id) for u in steady} <= set(seen)


def test_previous_links_lead_back_page_by_page(client: httpx.Client, directory: Directory) -> None:
    directory.add_users(directory.integration(), 700)
    first = client.get("/users").json()
    second = client.get(first["next"]).json()
    third = client.get(second["next"]).json()

    back_to_second = client.get(third["previous"]).json()
    back_to_first = client.get(back_to_second["previous"]).json()

    assert back_to_second["results"] == second["results"]
    assert back_to_first["results"] == first["results"]
    assert back_to_first["previous"] is None
    cursor = parse_qs(urlsplit(third["previous"]).query)["cursor"][0]
    assert base64.b64decode(cursor).decode().startswith("r=1&p=")
    # and forward again from a page reached backwards
    assert client.get(back_to_first["next"]).json()["results"] == second["results"]


def test_next_links_keep_the_filters(client: httpx.Client, directory: Directory) -> None:
    integration = directory.integration()
    directory.add_users(integration, 320, prefix="match")
    directory.add_users(integration, 50, prefix="other")

    params = {"email": "match", "archived": "false", "integration_id": str(integration.uuid)}
    pages = list(walk(client, "/users", params))

    assert [len(p["results"]) for p in pages] == [300, 20]
    query = parse_qs(urlsplit(pages[0]["next"]).query)
    assert query["email"] == ["match"]
    assert query["archived"] == ["false"]
    assert query["integration_id"] == [str(integration.uuid)]
    # DRF puts the parameters in order, the cursor among them.
    assert list(parse_qs(urlsplit(pages[0]["next"]).query)) == sorted(query)


def test_a_whole_next_url_is_accepted_as_the_cursor(
    client: httpx.Client, directory: Directory
) -> None:
    directory.add_users(directory.integration(), 310)
    first = client.get("/users").json()

    by_url = client.get("/users", params={"cursor": first["next"]})

    assert by_url.status_code == 200
    assert by_url.json()["results"] == client.get(first["next"]).json()["results"]


def test_links_use_the_public_base_url(
    store: SqlDirectoryStore, database_url: str, directory: Directory, org: TestOrg
) -> None:
    directory.add_users(directory.integration(), 301)
    with (
        start_server(database_url, store, public_base_url="https://acme.kandji.example/") as server,
        httpx.Client(
            base_url=server.kandji_url, headers={"Authorization": f"Bearer {org.token}"}
        ) as c,
    ):
        body = c.get("/users").json()

    assert body["next"].startswith("https://acme.kandji.example/api/v1/users?cursor=")


@pytest.mark.parametrize("filters", [{"archived": "true"}, {"email": "nobody-matches-this"}])
def test_an_empty_listing_has_no_links(client: httpx.Client, filters: dict[str, str]) -> None:
    body = client.get("/users", params=filters).json()

    assert body == {"next": None, "previous": None, "results": []}
