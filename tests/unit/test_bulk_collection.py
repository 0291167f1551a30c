"""A bulk command's collector settings: in force inside, undone after, even on an error."""

from __future__ import annotations

import gc

import pytest

from rosterd.cli._common import BULK_GC_THRESHOLD, bulk_collection


def test_inside_the_threshold_is_raised_and_the_live_objects_frozen() -> None:
    before = gc.get_threshold()
    with bulk_collection():
        assert gc.get_threshold() == BULK_GC_THRESHOLD
        assert gc.get_freeze_count() > 0
    assert gc.get_threshold() == before
    assert gc.get_freeze_count() == 0


def test_an_error_inside_undoes_both() -> None:
    before = gc.get_threshold()
    with pytest.raises(RuntimeError), bulk_collection():
        raise RuntimeError("the import failed")
    assert gc.get_threshold() == before
    assert gc.get_freeze_count() == 0
