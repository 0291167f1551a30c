"""When a token was last used (migration 0011, storage/_token_use.py): recorded off the request,
at most once a minute per token and process, only ever moved forward, and a failed write
dropped without failing anything (SQLite and PostgreSQL)."""

from __future__ import annotations

import logging
from collections.abc import Iterator, Mapping
from datetime import datetime, timedelta

import pytest

from rosterd.core import clock
from rosterd.core.auth import AuthService
from rosterd.core.entities import ApiToken
from rosterd.storage import SqlDirectoryStore
from rosterd.storage._token_use import TokenUses
from tests.support.orgs import OrgFactory, TestOrg

START = datetime.fromisoformat("2026-12-03T09:00:00.250000+00:00")


@pytest.fixture
def frozen() -> Iterator[None]:
    clock.freeze(START)
    yield
    clock.freeze(None)  # the process's one clock


def admin_token(store: SqlDirectoryStore, org: TestOrg) -> ApiToken:
    with store.read() as tx:
        return tx.list_tokens(org.admin.org_id, org.admin.uid)[0]


def test_a_tokens_use_is_recorded_once_a_minute(
    store: SqlDirectoryStore, orgs: OrgFactory, frozen: None
) -> None:
    org = orgs.create()
    store.flush_token_uses()  # whatever other tests left pending
    assert admin_token(store, org).last_used_at is None
    AuthService(store).authenticate(org.token)
    store.flush_token_uses()
    assert admin_token(store, org).last_used_at == START

    clock.freeze(START + timedelta(seconds=59))
    AuthService(store).authenticate(org.token)  # within the minute: nothing to write
    store.flush_token_uses()
    assert admin_token(store, org).last_used_at == START

    later = START + timedelta(seconds=61)
    clock.freeze(later)
    AuthService(store).authenticate(org.token)
    store.flush_token_uses()
    assert admin_token(store, org).last_used_at == later

    # Another process's older write arriving late does not move it back.
    with store.write() as tx:
        tx.record_token_uses({admin_token(store, org).id: START})
    assert admin_token(store, org).last_used_at == later


def test_a_failed_write_is_dropped_and_logged_without_the_token(
    caplog: pytest.LogCaptureFixture,
) -> None:
    written: list[Mapping[int, datetime]] = []

    def unavailable(uses: Mapping[int, datetime]) -> None:
        written.append(dict(uses))
        raise OSError("database is locked")

    uses = TokenUses(unavailable)
    uses.used(4242)
    uses.close()  # writes what is pending, in this thread
    assert [set(w) for w in written] == [{4242}]
    assert "could not record when 1 API tokens were last used" in caplog.text
    assert "4242" not in caplog.text
    assert not [r for r in caplog.records if r.levelno >= logging.ERROR]
