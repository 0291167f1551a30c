"""List Users searched by email, page after page: the pages, links and cursors of a common, a
rare and a one- or two-character term are those of the unfiltered listing, filtered. The walk
that hands over to the index is made short (50 users), so that these pages cross it."""

from __future__ import annotations

import base64
from itertools import pairwise
from typing import Any
from urllib.parse import parse_qs, urlsplit

import httpx
import pytest

from rosterd.storage import _directory
from tests.api.kandji.conftest import Directory

USERS = 650


def _email(i: int) -> str:
    half = ".half" if i % 2 else ""  # every other user
    rare = ".zq" if i % 200 == 7 else ""  # four users, the only `q`s
    return f"user{i:03d}{half}{rare}@example.com"


@pytest.fixture
def short_walk(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(_directory, "_WALK", 50)
    monkeypatch.setattr(_directory, "_WALK_SQLITE", 50)


def _pages(client: httpx.Client, params: dict[str, str]) -> list[dict[str, Any]]:
    """Every page, following `next` links from the first."""
    pages = []
    response = client.get("/users", params=params)
    while True:
        assert response.status_code == 200, response.text
        pages.append(response.json())
        if pages[-1]["next"] is None:
            return pages
        response = client.get(pages[-1]["next"])


def _cursor(link: str) -> str:
    return base64.b64decode(parse_qs(urlsplit(link).query)["cursor"][0]).decode()


@pytest.mark.parametrize(
    ("term", "sizes"),
    [
        ("example", [300, 300, 51]),  # everyone, the admin too
        ("ex", [300, 300, 51]),
        ("HALF", [300, 25]),
        ("h", [300, 25]),
        ("zq", [4]),
        ("q", [4]),
        ("nobody", [0]),
    ],
)
def test_search_pages_are_the_listings_filtered(
    client: httpx.Client, directory: Directory, short_walk: None, term: str, sizes: list[int]
) -> None:
    directory.import_users(directory.integration(), [{"email": _email(i)} for i in range(USERS)])
    everyone = [u for page in _pages(client, {}) for u in page["results"]]
    expected = [u for u in everyone if term.lower() in u["email"]]

    pages = _pages(client, {"email": term})

    assert [len(p["results"]) for p in pages] == sizes
    assert [u for p in pages for u in p["results"]] == expected
    assert pages[0]["previous"] is None
    for before, after in pairwise(pages):
        last = before["results"][-1]["deprecated_user_id"]
        assert _cursor(before["next"]) == f"p={last}"
        assert parse_qs(urlsplit(before["next"]).query)["email"] == [term]
        first = after["results"][0]["deprecated_user_id"]
        assert _cursor(after["previous"]) == f"r=1&p={first}"
        assert client.get(after["previous"]).json() == before
