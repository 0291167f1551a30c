"""A given SQLite database under xdist: each worker a file of its own beside it, removed after."""

from __future__ import annotations

from pathlib import Path

from rosterd.testing._databases import worker_database


def test_each_worker_gets_a_new_file_beside_the_given_one(tmp_path: Path) -> None:
    given = tmp_path / "suite.db"
    left = tmp_path / "suite_gw1.db"  # from an earlier run that was killed
    left.write_bytes(b"not empty")
    (tmp_path / "suite_gw1.db-wal").write_bytes(b"")

    with (
        worker_database(f"sqlite:///{given}", "gw0") as first,
        worker_database(f"sqlite:///{given}", "gw1") as second,
    ):
        assert (first, second) == (f"sqlite:///{tmp_path}/suite_gw0.db", f"sqlite:///{left}")
        assert not left.exists()
        left.write_bytes(b"the worker's database")

    assert sorted(p.name for p in tmp_path.iterdir()) == []
