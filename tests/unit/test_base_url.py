"""Links are built from the same scheme and host Starlette's `request.url` names, whatever the
Host header holds: `base_url_of` computes them once per distinct request origin."""

from __future__ import annotations

from typing import Any

from hypothesis import given
from hypothesis import strategies as st
from starlette.requests import Request

from rosterd.server.hosts import base_url_of
from rosterd.server.settings import Settings

SETTINGS = Settings(database_url="sqlite:///unused.db")
hosts = st.one_of(
    st.none(),
    st.sampled_from(
        [b"rosterd.example.com", b"127.0.0.1:8000", b"[::1]:8443", b"h:99999", b"a/b?c#d", b""]
    ),
    st.binary(max_size=40),
)
servers = st.one_of(
    st.none(),
    st.tuples(st.sampled_from(["127.0.0.1", "::1", "rosterd.local"]), st.integers(1, 65535)),
)
paths = st.sampled_from(["/v7/users/1", "//double", "/api/v1/scim/Users", "/"])


def request(scheme: str, host: bytes | None, server: Any, path: str) -> Request:
    headers = [(b"accept", b"*/*")] + ([(b"host", host)] if host is not None else [])
    return Request(
        {"type": "http", "scheme": scheme, "server": server, "path": path, "headers": headers}
    )


@given(st.sampled_from(["http", "https"]), hosts, servers, paths)
def test_the_base_url_is_starlette_s_scheme_and_netloc(
    scheme: str, host: bytes | None, server: Any, path: str
) -> None:
    expected = request(scheme, host, server, path).url
    assert base_url_of(request(scheme, host, server, path), SETTINGS) == (
        f"{expected.scheme}://{expected.netloc}"
    )


def test_a_public_base_url_wins() -> None:
    settings = Settings(database_url="sqlite:///unused.db", public_base_url="https://r.example/")
    assert base_url_of(request("http", b"evil.example", None, "/"), settings) == "https://r.example"
