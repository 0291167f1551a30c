"""PostgreSQL connections are pinged before use only when they sat idle (storage/engine.py): a
connection whose server process went away while it was idle is replaced before anyone uses it,
as `pool_pre_ping` did, and one in steady use costs no round trip."""

from __future__ import annotations

import time
from collections.abc import Iterator
from typing import Any

import pytest
from sqlalchemy import Engine, text

from rosterd.storage import engine as engine_module
from rosterd.storage.engine import make_engine
from tests.conftest import new_postgres_database


@pytest.fixture
def engine() -> Iterator[Engine]:
    with new_postgres_database() as url:
        made = make_engine(url)
        yield made
        made.dispose()


@pytest.fixture
def pings(engine: Engine, monkeypatch: pytest.MonkeyPatch) -> list[Any]:
    """Each ping the pool makes, recorded."""
    made: list[Any] = []
    ping = engine.dialect.do_ping

    def recorded(dbapi_connection: Any) -> bool:
        made.append(dbapi_connection)
        return ping(dbapi_connection)

    monkeypatch.setattr(engine.dialect, "do_ping", recorded)
    return made


def _backend_pid(engine: Engine) -> int:
    with engine.connect() as conn:
        return int(conn.execute(text("SELECT pg_backend_pid()")).scalar_one())


def test_a_connection_in_steady_use_is_not_pinged(engine: Engine, pings: list[Any]) -> None:
    first = _backend_pid(engine)  # a new connection: pinged once, as it was never checked in
    assert len(pings) == 1
    for _ in range(20):
        assert _backend_pid(engine) == first
    assert len(pings) == 1


def test_an_idle_connection_whose_server_went_away_is_replaced(
    engine: Engine, pings: list[Any], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(engine_module, "PING_IDLE_AFTER_S", 0.05)
    gone = _backend_pid(engine)
    with make_engine(str(engine.url.render_as_string(hide_password=False))).connect() as admin:
        admin.execute(text("SELECT pg_terminate_backend(:pid)"), {"pid": gone})
        admin.commit()
    time.sleep(0.1)
    pinged = len(pings)

    # The request that comes next gets a working connection, to a new server process.
    replaced = _backend_pid(engine)
    assert replaced != gone
    assert len(pings) > pinged


def test_a_connection_idle_for_a_while_is_pinged(
    engine: Engine, pings: list[Any], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(engine_module, "PING_IDLE_AFTER_S", 0.05)
    first = _backend_pid(engine)
    time.sleep(0.1)
    pinged = len(pings)
    assert _backend_pid(engine) == first  # alive: kept
    assert len(pings) == pinged + 1
