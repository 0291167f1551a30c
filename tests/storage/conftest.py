"""What the storage tests of the directory's searches share."""

from __future__ import annotations

import pytest

from rosterd.storage import _directory


@pytest.fixture(params=[1, 5, 10_000], ids=lambda n: f"walk{n}")
def walk(request: pytest.FixtureRequest, monkeypatch: pytest.MonkeyPatch) -> int:
    """Where a search's walk hands over to the index (`_directory._WALK`, made small so that
    small data crosses it): 1 or 5 uids on from the position, or never."""
    monkeypatch.setattr(_directory, "_WALK", request.param)
    monkeypatch.setattr(_directory, "_WALK_SQLITE", request.param)
    walked: int = request.param
    return walked
