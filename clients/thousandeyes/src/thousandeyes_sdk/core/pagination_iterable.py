"""`PaginationIterable`: what the official SDK's `*_paginated` operations return.

ThousandEyes pages with an opaque cursor: each page's `_links.next.href` carries the next
page's `cursor` query parameter. The iterable calls the operation again with that cursor (and
every other argument as first given) until a page has no `next` link.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator, Mapping
from typing import Any, Generic, ParamSpec, TypeVar
from urllib.parse import parse_qs, urlsplit

P = ParamSpec("P")
R = TypeVar("R")
I = TypeVar("I")  # noqa: E741  (the official SDK's name for the item type)


class PaginationIterable(Generic[P, R, I]):
    """Iterate over the items of every page, fetching one page per step, lazily.

    `method` is the operation (it returns one page), `items_getter` picks a page's items, and
    `params` are the operation's arguments, by keyword; `cursor_param` names the parameter the
    next cursor is passed in. Iterating twice starts over from the first page.

    Iteration ends when a page has no next link, its link has no cursor, or the server hands
    back a cursor it already gave (the official SDK checks only the one before; a longer loop
    would never end there).
    """

    def __init__(
        self,
        method: Callable[P, R],
        items_getter: Callable[[R], Iterable[I]],
        *,
        cursor_param: str = "cursor",
        **params: Any,
    ) -> None:
        self._method: Callable[..., R] = method
        self._items_getter = items_getter
        self._cursor_param = cursor_param
        self._params: dict[str, Any] = dict(params)

    def __iter__(self) -> Iterator[I]:
        params = dict(self._params)
        seen = {params.get(self._cursor_param)}
        while True:
            page = self._method(**params)
            yield from self._items_getter(page) or ()
            cursor = self._next_cursor(page)
            if cursor is None or cursor in seen:
                return
            seen.add(cursor)
            params[self._cursor_param] = cursor

    def _next_cursor(self, page: Any) -> str | None:
        """The cursor in the page's `links.next` (an attribute or a key, as the official SDK
        reads it; the link a URL string, a mapping or a `Link`)."""
        links = _member(page, "links")
        if links is None:
            links = _member(page, "_links")
        next_link = _member(links, "next")
        href = next_link if isinstance(next_link, str) else _member(next_link, "href")
        if not isinstance(href, str) or not href:
            return None
        values = parse_qs(urlsplit(href).query).get(self._cursor_param)
        return values[0] if values else None


def _member(value: Any, name: str) -> Any:
    if value is None:
        return None
    if isinstance(value, Mapping):
        return value.get(name)
    return getattr(value, name, None)
