"""docs/kandji.md's table of audit actions names exactly what the core records, as do the
core's catalogue of them and the ThousandEyes activity log's words for them."""

from __future__ import annotations

import re
from pathlib import Path

from rosterd.core.audit import ACTIONS
from rosterd.dialects.thousandeyes._render import _EVENTS as ACTIVITY_EVENTS

ROOT = Path(__file__).parent.parent.parent
CORE = ROOT / "src" / "rosterd" / "core"
KANDJI_DOC = ROOT / "docs" / "kandji.md"
SCIM_DOC = ROOT / "docs" / "scim.md"
# An audit action is a string literal "<target>.<verb>" naming one of these targets.
_TARGETS = "account_group|device|group|integration|organization|role|token|user"
_RECORDED = re.compile(rf'"((?:{_TARGETS})\.[a-z_.]+)"')
_ROW = re.compile(r"^\| `([a-z_.]+)` \| `([a-z_]+)` \|", re.MULTILINE)


def _recorded() -> set[str]:
    return {name for path in CORE.glob("*.py") for name in _RECORDED.findall(path.read_text())}


def _documented() -> dict[str, str]:
    return dict(_ROW.findall(KANDJI_DOC.read_text()))


def test_the_table_lists_every_recorded_action_and_no_other() -> None:
    assert len(_recorded()) >= 20
    assert set(_documented()) == _recorded()


def test_the_kandji_action_is_the_recorded_name_s_verb() -> None:
    for recorded, shown in _documented().items():
        assert shown == recorded.rpartition(".")[2], recorded


def test_the_scim_page_names_only_recorded_actions() -> None:
    named = set(re.findall(rf"`((?:{_TARGETS})\.[a-z_.]+)`", SCIM_DOC.read_text()))
    assert named
    assert named <= _recorded()


def test_the_catalogue_of_actions_is_every_recorded_one() -> None:
    """core/audit.py's ACTIONS (the console's action filter) is what the services record, and
    the ThousandEyes activity log words each of them."""
    recorded = {
        name
        for path in CORE.glob("*.py")
        if path.name != "audit.py"
        for name in _RECORDED.findall(path.read_text())
    }
    assert len(ACTIONS) == len(set(ACTIONS))
    assert set(ACTIONS) == recorded
    assert set(ACTIVITY_EVENTS) == recorded
