"""The health checks, outside every dialect: GET and HEAD, and FastAPI's JSON for the rest."""

from __future__ import annotations

import httpx
import pytest

from tests.support.server import LiveServer


@pytest.mark.parametrize(
    ("path", "body"),
    [("/healthz", b'{"status":"ok"}'), ("/readyz", b'{"status":"ok","database":"ok"}')],
)
def test_health_checks_answer_get_and_head(live_server: LiveServer, path: str, body: bytes) -> None:
    got = httpx.get(live_server.base_url + path)
    head = httpx.head(live_server.base_url + path)

    assert (got.status_code, got.content, got.headers["content-type"]) == (
        200,
        body,
        "application/json",
    )
    assert (head.status_code, head.content, head.headers["content-length"]) == (
        200,
        b"",
        str(len(body)),
    )


def test_other_methods_and_paths_get_json_errors(live_server: LiveServer) -> None:
    post = httpx.post(live_server.base_url + "/healthz")
    missing = httpx.get(live_server.base_url + "/no-such-path")

    assert (post.status_code, post.json()) == (405, {"detail": "Method Not Allowed"})
    assert sorted(post.headers["allow"].split(", ")) == ["GET", "HEAD"]  # a set's order
    assert (missing.status_code, missing.json()) == (404, {"detail": "Not Found"})
