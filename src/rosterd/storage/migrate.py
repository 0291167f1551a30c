"""Schema migrations: the only way the schema is created or changed.

Alembic (with Mako and Pygments) takes about half a second to import. Every start checks that the
schema is current, and it almost always is: that is answered from the version table and the
revision lines of the migration files (`at_head`), and Alembic is loaded only when it is not.
"""

from __future__ import annotations

import re
from pathlib import Path
from typing import TYPE_CHECKING, Final

from sqlalchemy import Engine, inspect, text

if TYPE_CHECKING:
    from alembic.config import Config

MIGRATIONS = Path(__file__).parent / "migrations"
VERSION_TABLE = "alembic_version"  # Alembic's default, which rosterd keeps
# `revision: str = "0004"` and `down_revision: str | None = "0003"`, as `script.py.mako` writes them
_ASSIGNMENT = re.compile(r"^(revision|down_revision)(?:\s*:[^=\n]*)?\s*=\s*(.+?)\s*$", re.MULTILINE)


def alembic_config(url: str | None = None) -> Config:
    from alembic.config import Config

    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS))
    if url:
        config.set_main_option("sqlalchemy.url", url.replace("%", "%%"))
    return config


def upgrade(engine: Engine, revision: str = "head") -> None:
    from alembic import command

    config = alembic_config()
    with engine.begin() as conn:
        config.attributes["connection"] = conn
        command.upgrade(config, revision)


def is_current(engine: Engine) -> bool:
    """Whether the schema is at the newest migration (Alembic answers when `at_head` cannot)."""
    return at_head(engine) or _alembic_is_current(engine)


def at_head(engine: Engine) -> bool:
    """True when the version table holds exactly the one head of the migration files; False when
    it does not, or when the files are not plain enough to read without Alembic (ask it then)."""
    head = file_head()
    if head is None:
        return False
    with engine.connect() as conn:
        if not inspect(conn).has_table(VERSION_TABLE):
            return False
        stored = conn.execute(text("SELECT version_num FROM alembic_version")).scalars().all()
    return stored == [head]


def file_head(versions: Path = MIGRATIONS / "versions") -> str | None:
    """The one revision no migration file names as its `down_revision`; None unless every file
    states both as literals and there is exactly one such head."""
    revisions: set[str] = set()
    parents: set[str] = set()
    for path in versions.glob("*.py"):
        if path.name == "__init__.py":  # as Alembic, which skips it
            continue
        try:
            found = dict(_ASSIGNMENT.findall(path.read_text(encoding="utf-8")))
            revision = _plain_literal(found["revision"])
            down = _plain_literal(found["down_revision"])
        except (OSError, KeyError):
            return None
        if not isinstance(revision, str) or isinstance(down, _NotPlain):
            return None
        revisions.add(revision)
        if isinstance(down, str):
            parents.add(down)
        elif down is not None:
            parents.update(down)
    heads = revisions - parents
    return heads.pop() if len(heads) == 1 else None


class _NotPlain:
    """A value the patterns below do not read."""


_NOT_PLAIN: Final = _NotPlain()
_QUOTED = r"""(?:"[^"\\\n]*"|'[^'\\\n]*')"""
_STRING = re.compile(_QUOTED)
_ITEMS = rf"\s*(?:{_QUOTED}\s*(?:,\s*{_QUOTED}\s*)*,?\s*)?"
_SEQUENCE = re.compile(rf"\({_ITEMS}\)|\[{_ITEMS}\]")


def _plain_literal(text: str) -> str | tuple[str, ...] | _NotPlain | None:
    """A revision line's value: a quoted string without escapes, a tuple or list of them, or
    None; anything else is `_NOT_PLAIN` (Alembic is asked then). Read with two patterns, not
    `ast`: CPython 3.11's parser state is shared by threads, and `ast.literal_eval` here failed
    with "AST constructor recursion depth mismatch" while another thread compiled a module."""
    if text == "None":
        return None
    if _STRING.fullmatch(text):
        return text[1:-1]
    if _SEQUENCE.fullmatch(text):
        return tuple(quoted[1:-1] for quoted in _STRING.findall(text))
    return _NOT_PLAIN


def _alembic_is_current(engine: Engine) -> bool:
    from alembic.runtime.migration import MigrationContext
    from alembic.script import ScriptDirectory

    head = ScriptDirectory.from_config(alembic_config()).get_current_head()
    with engine.connect() as conn:
        return MigrationContext.configure(conn).get_current_revision() == head
