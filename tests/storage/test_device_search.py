"""The devices' "contains" filters answered from trigram indexes (storage/_device_search.py,
migration 0014) find exactly what the plain LIKE finds, in the same order: over generated
names, serial numbers, emails and terms (letters whose case only Unicode folds, `%`, `_`, the
LIKE's escape character, quotes, terms shorter than a trigram), with other filters, offsets and
keyset pages both ways, a walk short enough that its index part runs, on both databases. And
a rare term reads its matches, not every device."""

from __future__ import annotations

import itertools
import uuid
from collections.abc import Iterator
from dataclasses import replace
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from sqlalchemy import Connection, Engine, insert, select, text

from bench.console_seed import device_row
from bench.email_search import user_rows
from rosterd.core.ports import DeviceQuery
from rosterd.core.validation import email_key
from rosterd.storage import _device_search, _devices, make_engine, upgrade
from rosterd.storage import tables as t
from tests.conftest import BACKENDS, new_database

# Letters whose case ASCII folding and Unicode folding see differently, LIKE's wildcards and
# its escape character, FTS5's quote, a space.
ALPHABET = 'aAéÉİiKk%_/" '
# And values that share pieces, so that a term matches several devices.
WORDS = [
    "Device 1",
    "device 10",
    "DÉVICE 2",
    "dévice",
    "Ka%_b/",
    "ka%_B/",
    "İiİ",
    "\u212aelvin",
    "kelvin",
]
VALUES = st.sampled_from(WORDS) | st.text(st.sampled_from(ALPHABET), min_size=0, max_size=6)
MANY = 20_000
FIELDS = ("name", "serial", "email", "user_name")
_serials = itertools.count()


def _fresh(request: pytest.FixtureRequest, directory: Path) -> Iterator[Engine]:
    with new_database(request.param, directory) as url:
        made = make_engine(url)
        upgrade(made)
        yield made
        made.dispose()


@pytest.fixture(scope="module", params=BACKENDS)
def engine(
    request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[Engine]:
    yield from _fresh(request, tmp_path_factory.mktemp("device-search"))


@pytest.fixture(scope="module", params=BACKENDS)
def own_engine(
    request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[Engine]:
    """A database of one organization (whose bounds are then the devices' own)."""
    yield from _fresh(request, tmp_path_factory.mktemp("device-search-one"))


def _organization(conn: Connection, devices: list[dict[str, Any]]) -> int:
    """A new organization with these devices (and a user each, but for those without)."""
    now = datetime.now(UTC)
    org_id = conn.execute(
        insert(t.organizations)
        .values(name="Search", subdomain=f"s{uuid.uuid4().hex[:12]}", created_at=now)
        .returning(t.organizations.c.id)
    ).scalar_one()
    for n, wanted in enumerate(devices):
        uid = None
        if wanted["email"] is not None:
            uid = conn.execute(
                insert(t.users)
                .values(
                    id=uuid.uuid4(),
                    org_id=org_id,
                    email=wanted["email"] + f"{n}@x.test",
                    email_key=email_key(wanted["email"] + f"{n}@x.test"),
                    email_confirmed=True,
                    name=wanted["user_name"],
                    active=True,
                    archived=False,
                    department="",
                    job_title="",
                    created_at=now,
                    updated_at=now,
                )
                .returning(t.users.c.uid)
            ).scalar_one()
        row = device_row(n, org_id, uid, now) | {  # type: ignore[arg-type]
            "name": wanted["name"],
            "serial_number": wanted["serial"] + f"#{next(_serials)}",
            "platform": wanted["platform"],
        }
        conn.execute(insert(t.devices).values(row))
    return org_id


DEVICES = st.lists(
    st.fixed_dictionaries(
        {
            "name": VALUES,
            "serial": VALUES,
            "email": st.none() | VALUES,
            "user_name": VALUES,
            "platform": st.sampled_from(["Mac", "iPad"]),
        }
    ),
    min_size=0,
    max_size=12,
)


def _query(field: str, term: str, platform: str | None) -> DeviceQuery:
    return replace(
        DeviceQuery(platform=platform),
        **{
            {
                "name": "device_name_contains",
                "serial": "serial_number_contains",
                "email": "user_email_contains",
                "user_name": "user_name_contains",
            }[field]: term
        },
    )


def _names(conn: Connection, org_id: int, query: DeviceQuery, **page: Any) -> list[str]:
    found = _devices.list_devices(conn, org_id, query, **page)
    return [d.device.serial_number for d in found]


@settings(
    max_examples=150,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(
    devices=DEVICES,
    field=st.sampled_from(FIELDS),
    data=st.data(),
    platform=st.none() | st.just("Mac"),
    page=st.sampled_from(
        [
            {"limit": 3, "offset": 0},
            {"limit": 2, "offset": 3},
            {"limit": 50, "offset": 0},
            {"limit": 2, "offset": 0, "after": 2},
            {"limit": 2, "offset": 0, "before": 6},
        ]
    ),
    walk=st.sampled_from([2, 5, 10_000]),
)
def test_the_indexed_filters_find_what_the_plain_like_finds(
    engine: Engine,
    monkeypatch: pytest.MonkeyPatch,
    devices: list[dict[str, Any]],
    field: str,
    data: st.DataObject,
    platform: str | None,
    page: dict[str, Any],
    walk: int,
) -> None:
    term = data.draw(VALUES | _part_of(devices, field), label="term")
    monkeypatch.setattr(_device_search, "WALK", walk)
    with engine.begin() as conn:
        org_id = _organization(conn, devices)
        first = conn.execute(
            select(t.devices.c.id).where(t.devices.c.org_id == org_id).order_by(t.devices.c.id)
        ).first()
        base = first[0] if first else 0
        for key in ("after", "before"):
            if key in page:
                page = page | {key: base + page[key]}
        query = _query(field, term, platform)
        indexed = _names(conn, org_id, query, **page)
        with monkeypatch.context() as plain:
            plain.setattr(_devices, "indexed_ids", lambda *_, **__: None)
            assert indexed == _names(conn, org_id, query, **page)


def _part_of(devices: list[dict[str, Any]], field: str) -> st.SearchStrategy[str]:
    """A piece of one device's value of `field`, its letters' case changed or not."""
    values = [d[field] for d in devices if d[field]]
    if not values:
        return st.just("")
    return st.tuples(st.sampled_from(values), st.integers(0, 3), st.integers(3, 6)).flatmap(
        lambda v: st.sampled_from(
            [
                v[0][v[1] : v[1] + v[2]],
                v[0][v[1] : v[1] + v[2]].upper(),
                v[0][v[1] : v[1] + v[2]].lower(),
            ]
        )
    )


@pytest.fixture(scope="module")
def many(own_engine: Engine) -> int:
    """An organization of 20,000 devices named `Device N`, serial `SN` and N, each with a user
    (`User N`, bench.email_search's emails); the rare ones (`Rare device`, `RARE-SN`, assigned
    to `rare.user@x.test`, `Rare Person`) are the newest three, whom a walk in enrolment order
    meets last."""
    now = datetime.now(UTC)
    engine = own_engine
    with engine.begin() as conn:
        org_id = _organization(conn, [])
        users = [u for batch in user_rows(MANY, org_id, None) for u in batch]  # type: ignore[arg-type]
        for n, user in enumerate(users[-3:]):
            email = f"rare.user{n}@x.test"
            user.update(email=email, email_key=email_key(email), name="Rare Person")
        conn.execute(insert(t.users), users)
        uids = conn.execute(
            select(t.users.c.uid).where(t.users.c.org_id == org_id).order_by(t.users.c.uid)
        ).scalars()
        devices = [device_row(n, org_id, uid, now) for n, uid in enumerate(uids)]
        for n, device in enumerate(devices[-3:]):
            device.update(name="Rare device", serial_number=f"RARE-SN{n}")
        conn.execute(insert(t.devices), devices)
        if engine.dialect.name == "postgresql":
            conn.execute(text("ANALYZE"))
    return org_id


RARE_TERMS = {
    "name": DeviceQuery(device_name_contains="rare dev"),
    "serial": DeviceQuery(serial_number_contains="rare-s"),
    "email": DeviceQuery(user_email_contains="RARE.us"),
    "user name": DeviceQuery(user_name_contains="rare pers"),
}
WALKED = 100  # the walk's length here: the rest comes from the index


def _work(engine: Engine, listing: Any) -> int:
    """What a listing costs: on PostgreSQL the devices' rows it fetched (by scans and through
    indexes, `pg_stat_xact_user_tables`), on SQLite the virtual machine's steps (in
    thousands): both grow with the rows read, whatever the plan."""
    with engine.connect() as conn:
        listing(conn)  # once to warm the caches: the second run is the one counted
        if engine.dialect.name == "postgresql":
            counted = text(
                "SELECT coalesce(seq_tup_read, 0) + coalesce(idx_tup_fetch, 0)"
                " FROM pg_stat_xact_user_tables WHERE relname = 'devices'"
            )
            before = conn.execute(counted).scalar_one()
            listing(conn)
            return int(conn.execute(counted).scalar_one() - before)
        steps = [0]

        def step() -> int:
            steps[0] += 1
            return 0

        driver = conn.connection.driver_connection
        driver.set_progress_handler(step, 1000)
        listing(conn)
        driver.set_progress_handler(None, 0)
        return steps[0]


@pytest.mark.parametrize("which", RARE_TERMS)
def test_a_rare_term_reads_its_matches_not_every_device(
    own_engine: Engine, many: int, which: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    org_id, engine = many, own_engine
    monkeypatch.setattr(_device_search, "WALK", WALKED)
    query = RARE_TERMS[which]

    def listing(conn: Connection) -> list[str]:
        return [
            d.device.name for d in _devices.list_devices(conn, org_id, query, limit=51, offset=0)
        ]

    with engine.connect() as conn:
        assert listing(conn) == ["Rare device"] * 3
    indexed = _work(engine, listing)
    with monkeypatch.context() as plain:
        plain.setattr(_devices, "indexed_ids", lambda *_, **__: None)
        walked = _work(engine, listing)
    if engine.dialect.name == "postgresql":
        # The walk's 100, the three read three times (found, the page's ids, its rows) and the
        # bounds (without 0014's indexes, all 20,000).
        # (The plain LIKE's plan is the planner's guess of the term, a walk of every device
        # for one it takes to be common.)
        assert indexed <= WALKED + 30
    else:
        assert indexed * 20 < walked  # SQLite's plain LIKE reads every device
