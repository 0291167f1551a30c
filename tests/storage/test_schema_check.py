"""The check every start makes, that the schema is current: answered without Alembic when it is,
by Alembic (as before) when it is not, on SQLite and PostgreSQL."""

from __future__ import annotations

import ast
import subprocess
import sys
from pathlib import Path

import pytest
from alembic.script import ScriptDirectory
from sqlalchemy import text
from sqlalchemy.engine import make_url

from rosterd.storage import is_current, make_engine, upgrade
from rosterd.storage.migrate import alembic_config, at_head, file_head
from rosterd.storage.startup import DatabaseUnusable, open_database


def where(url: str) -> str:
    """How the startup errors name the database."""
    parsed = make_url(url)
    if parsed.get_backend_name() == "sqlite":
        return f"the SQLite database {parsed.database}"
    return f"the PostgreSQL database {parsed.render_as_string(hide_password=True)}"


def test_the_head_of_the_migration_files_is_alembics() -> None:
    assert file_head() == ScriptDirectory.from_config(alembic_config()).get_current_head()


def migration(revision: str, down: str) -> str:
    return f'"""A migration."""\n\nrevision: str = {revision}\ndown_revision: str | None = {down}\n'


@pytest.mark.parametrize(
    ("files", "head"),
    [
        ({"a.py": migration('"a"', "None"), "b.py": migration('"b"', '"a"')}, "b"),
        (  # a merge of two branches
            {
                "a.py": migration('"a"', "None"),
                "b.py": migration('"b"', '"a"'),
                "c.py": migration('"c"', '"a"'),
                "m.py": migration('"m"', '("b", "c")'),
            },
            "m",
        ),
        ({"a.py": migration('"a"', "None"), "__init__.py": ""}, "a"),
        # Not plain enough to read without Alembic, which is asked instead:
        ({"a.py": migration('"a"', "None"), "b.py": migration('"b"', '"a"'), "c.py": ""}, None),
        ({"a.py": migration('"a"', "None"), "b.py": migration("REVISION", '"a"')}, None),
        ({"a.py": migration('"a"', "None"), "b.py": migration("1", '"a"')}, None),
        ({"a.py": migration('"a"', "None"), "b.py": migration('"b"', '"a" +')}, None),
        ({"a.py": migration('"a"', "None"), "b.py": migration('"b"', "7")}, None),
        ({"a.py": migration('"a"', "None"), "b.py": migration('"b"', '("a"]')}, None),
        ({"a.py": migration('"a"', "None"), "b.py": migration('"b"', '"a\\"b"')}, None),
        ({"a.py": migration("'a'", "None"), "b.py": migration('"b"', "['a']")}, "b"),
        ({"a.py": migration('"a"', "None"), "b.py": migration('"b"', "None")}, None),  # two heads
        ({}, None),
    ],
)
def test_the_head_is_read_only_from_plain_revision_lines(
    files: dict[str, str], head: str | None, tmp_path: Path
) -> None:
    for name, content in files.items():
        (tmp_path / name).write_text(content)
    assert file_head(tmp_path) == head


def test_the_head_is_read_without_the_python_parser(monkeypatch: pytest.MonkeyPatch) -> None:
    """CPython 3.11's parser keeps its recursion count across threads: `ast.literal_eval` of a
    revision line failed with "AST constructor recursion depth mismatch" while another thread
    compiled a module (a test run under load). The lines are read by patterns instead."""

    def refused(*_: object, **__: object) -> None:
        raise AssertionError("the parser was used")

    expected = file_head()
    monkeypatch.setattr(ast, "parse", refused)
    monkeypatch.setattr(ast, "literal_eval", refused)
    assert file_head() == expected is not None


def test_a_current_schema_is_opened_without_loading_alembic(own_database_url: str) -> None:
    engine = make_engine(own_database_url)
    upgrade(engine)
    assert at_head(engine)
    engine.dispose()
    probe = (
        "import sys\n"
        "from rosterd.storage.startup import open_database\n"
        "open_database(sys.argv[1], migrate=True).dispose()\n"
        "open_database(sys.argv[1], migrate=False).dispose()\n"
        "print(sorted(m for m in sys.modules if m.split('.')[0] in ('alembic', 'mako')))\n"
    )
    result = subprocess.run(
        [sys.executable, "-c", probe, own_database_url],
        capture_output=True,
        text=True,
        timeout=120,
        check=True,
    )
    assert result.stdout == "[]\n"


def test_an_older_schema_is_refused_or_upgraded(own_database_url: str) -> None:
    engine = make_engine(own_database_url)
    upgrade(engine, "0003")
    assert not at_head(engine)
    assert not is_current(engine)
    with pytest.raises(DatabaseUnusable) as refused:
        open_database(own_database_url, migrate=False)
    assert str(refused.value) == (
        f"the schema of {where(own_database_url)} is not up to date: run `rosterd db upgrade`"
    )

    open_database(own_database_url, migrate=True).dispose()

    assert at_head(engine)
    assert is_current(engine)
    engine.dispose()


def test_a_database_without_a_schema_is_not_at_head(own_database_url: str) -> None:
    engine = make_engine(own_database_url)
    assert not at_head(engine)
    assert not is_current(engine)
    engine.dispose()


def test_an_unknown_revision_is_refused_as_alembic_words_it(own_database_url: str) -> None:
    """A database migrated by a newer rosterd: Alembic names the revision it cannot find."""
    engine = make_engine(own_database_url)
    upgrade(engine)
    with engine.begin() as conn:
        conn.execute(text("UPDATE alembic_version SET version_num = '9999'"))
    assert not at_head(engine)
    engine.dispose()

    with pytest.raises(DatabaseUnusable) as refused:
        open_database(own_database_url, migrate=True)
    assert str(refused.value) == (
        f"cannot migrate {where(own_database_url)}: Can't locate revision identified by '9999'"
    )
