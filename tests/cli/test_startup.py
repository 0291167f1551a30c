"""Bad settings and unusable databases: `rosterd serve` and every command that opens the database
refuse to start with one line on stderr naming the setting, file or server, exit with status 2,
print no traceback and leave no empty database file behind.

Read-only databases are made as an operator meets them: files and directories of another user
(the commands run as `nobody`, allowed to read everything but to write only what `nobody` may;
root would write anyway), SQLite's `mode=ro`, and a PostgreSQL database that refuses writes.
"""

from __future__ import annotations

import os
import re
import resource
import shutil
import subprocess
from collections.abc import Callable
from pathlib import Path

import pytest
from sqlalchemy import text
from sqlalchemy.engine import make_url

from rosterd.storage import make_engine, upgrade
from tests.support.process import ROSTERD, free_port

NOBODY = 65534
READ_ONLY = (
    "is read-only: rosterd must be able to write it, and to create its -wal and -shm files in "
    "its directory"
)
ORG = ("--name", "Acme", "--subdomain", "acme", "--admin-email", "admin@acme.example.com")
COMMANDS = {
    "serve": ("serve", "--port", str(free_port())),
    "db upgrade": ("db", "upgrade"),
    "orgs create": ("orgs", "create", *ORG),
}
# The server, and a command that does not migrate: they open the database each their own way.
OPENING = {name: COMMANDS[name] for name in ("serve", "orgs create")}
# What `rosterd serve` logs before it opens the database (alembic's set-up), if anything.
LOG_RECORD = re.compile(r"^\d{4}-\d\d-\d\d [\d:,]+ INFO alembic\.")


def run(
    *args: str,
    env: dict[str, str],
    as_nobody: bool = False,
    preexec_fn: Callable[[], None] | None = None,
) -> subprocess.CompletedProcess[str]:
    assert ROSTERD, "the rosterd command is not installed in this environment"
    command = [ROSTERD, *args]
    if as_nobody:
        command = [*NOBODY_PREFIX, *command]
    return subprocess.run(
        command,
        env=os.environ | env,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
        preexec_fn=preexec_fn,
    )


def refusal(result: subprocess.CompletedProcess[str]) -> str:
    """The one line a refused start printed (after any log records), once its status is 2."""
    assert result.returncode == 2, result.stderr
    assert "Traceback" not in result.stderr
    *records, line = result.stderr.splitlines()
    assert all(LOG_RECORD.match(record) for record in records), result.stderr
    return line


# bad settings


def refused_setting(command: tuple[str, ...], directory: Path, **settings: str) -> list[str]:
    """The lines a command printed, refusing `settings`; the database was not touched."""
    env = {"ROSTERD_DATABASE_URL": f"sqlite:///{directory}/rosterd.db"} | settings
    result = run(*command, env=env)
    assert result.returncode == 2, result.stderr
    assert os.listdir(directory) == []
    return result.stderr.splitlines()


@pytest.mark.parametrize("command", COMMANDS.values(), ids=COMMANDS.keys())
def test_a_bad_setting_is_one_line(command: tuple[str, ...], tmp_path: Path) -> None:
    assert refused_setting(command, tmp_path, ROSTERD_LOG_LEVEL="verbose") == [
        "error: invalid setting ROSTERD_LOG_LEVEL: must be one of DEBUG, INFO, WARNING, ERROR, "
        "CRITICAL"
    ]


@pytest.mark.parametrize(
    ("setting", "value", "expected"),
    [
        (
            "ROSTERD_MAX_BODY_BYTES",
            "abc",
            "error: invalid setting ROSTERD_MAX_BODY_BYTES: Input should be a valid integer, "
            "unable to parse string as an integer",
        ),
        (
            "ROSTERD_DATABASE_URL",
            "mysql://rosterd:s3cret@localhost/rosterd",
            "error: unsupported database 'mysql' in ROSTERD_DATABASE_URL (or --database-url): "
            "use sqlite:///path or postgresql://user:password@host/database",
        ),
    ],
)
def test_a_bad_value_is_named(setting: str, value: str, expected: str, tmp_path: Path) -> None:
    assert refused_setting(COMMANDS["serve"], tmp_path, **{setting: value}) == [expected]


def test_every_bad_setting_is_named_on_the_one_line(tmp_path: Path) -> None:
    settings = {"ROSTERD_RATE_LIMITS": "maybe", "ROSTERD_MAX_BODY_BYTES": "10"}
    assert refused_setting(COMMANDS["db upgrade"], tmp_path, **settings) == [
        "error: invalid settings ROSTERD_RATE_LIMITS: Input should be a valid boolean, unable to "
        "interpret input; ROSTERD_MAX_BODY_BYTES: Input should be greater than or equal to 1024"
    ]


# databases that cannot be opened


@pytest.mark.parametrize("command", OPENING.values(), ids=OPENING.keys())
def test_a_sqlite_file_in_a_missing_directory_is_one_line(
    command: tuple[str, ...], tmp_path: Path
) -> None:
    path = tmp_path / "missing" / "rosterd.db"
    result = run(*command, env={"ROSTERD_DATABASE_URL": f"sqlite:///{path}"})
    assert refusal(result) == (
        f"error: the directory {path.parent} of the SQLite database {path} does not exist"
    )


@pytest.mark.parametrize("command", OPENING.values(), ids=OPENING.keys())
def test_an_unreachable_postgresql_is_one_line(command: tuple[str, ...]) -> None:
    port = free_port()  # nothing listens there
    url = f"postgresql://rosterd:s3cret@127.0.0.1:{port}/rosterd"
    line = refusal(run(*command, env={"ROSTERD_DATABASE_URL": url}))
    assert line.startswith(
        f"error: cannot connect to the PostgreSQL database postgresql://rosterd:***@127.0.0.1:"
        f'{port}/rosterd: connection failed: connection to server at "127.0.0.1", port {port} '
        "failed: Connection refused"
    ), line
    assert "s3cret" not in line


# no empty database left behind


@pytest.mark.parametrize(
    "command",
    [("serve", "--no-migrate", "--port", str(free_port())), COMMANDS["orgs create"]],
    ids=["serve --no-migrate", "orgs create"],
)
def test_a_missing_sqlite_file_is_not_created_without_migrating(
    command: tuple[str, ...], tmp_path: Path
) -> None:
    path = tmp_path / "rosterd.db"
    result = run(*command, env={"ROSTERD_DATABASE_URL": f"sqlite:///{path}"})
    assert refusal(result) == (
        f"error: there is no SQLite database at {path}: create it with `rosterd db upgrade`"
    )
    assert os.listdir(tmp_path) == []


def test_a_database_whose_migration_fails_is_removed(tmp_path: Path) -> None:
    """The disk fills up (here: a file-size limit) while the new database is migrated."""

    def small_files() -> None:
        resource.setrlimit(resource.RLIMIT_FSIZE, (64 * 1024, 64 * 1024))

    path = tmp_path / "rosterd.db"
    result = run(
        "db", "upgrade", env={"ROSTERD_DATABASE_URL": f"sqlite:///{path}"}, preexec_fn=small_files
    )
    assert refusal(result).startswith(f"error: cannot write the SQLite database {path}: ")
    assert os.listdir(tmp_path) == []


# read-only databases


def _nobody_prefix() -> list[str]:
    setpriv = shutil.which("setpriv")
    # CAP_DAC_READ_SEARCH lets nobody read rosterd's installation wherever it is (e.g. /root).
    return [
        setpriv or "setpriv",
        f"--reuid={NOBODY}",
        f"--regid={NOBODY}",
        "--clear-groups",
        "--inh-caps=+dac_read_search",
        "--ambient-caps=+dac_read_search",
    ]


NOBODY_PREFIX = _nobody_prefix()


@pytest.fixture
def as_nobody() -> None:
    """Commands may run as nobody (needs root and setpriv, as in CI)."""
    if os.geteuid() != 0 or not shutil.which("setpriv"):
        pytest.skip("running a command as nobody needs root and setpriv")
    probe = subprocess.run([*NOBODY_PREFIX, "true"], capture_output=True, check=False)
    if probe.returncode != 0:
        pytest.skip(f"setpriv cannot run commands as nobody here: {probe.stderr!r}")


@pytest.fixture
def sqlite_database(tmp_path: Path) -> Path:
    """A migrated SQLite database in a directory of its own, everything owned by root."""
    directory = tmp_path / "data"
    directory.mkdir()
    path = directory / "rosterd.db"
    engine = make_engine(f"sqlite:///{path}")
    upgrade(engine)
    engine.dispose()
    return path


READ_ONLY_COMMANDS = {
    "serve": COMMANDS["serve"],
    "serve --no-migrate": ("serve", "--no-migrate", "--port", str(free_port())),
    "orgs create": COMMANDS["orgs create"],
}


@pytest.mark.usefixtures("as_nobody")
@pytest.mark.parametrize("command", READ_ONLY_COMMANDS.values(), ids=READ_ONLY_COMMANDS.keys())
@pytest.mark.parametrize("read_only", ["file", "directory"])
def test_a_read_only_sqlite_database_is_refused(
    command: tuple[str, ...], read_only: str, sqlite_database: Path
) -> None:
    # nobody may write the directory but not the file, or the file but not the directory
    # (where SQLite must create the -wal and -shm files).
    owned = sqlite_database.parent if read_only == "file" else sqlite_database
    os.chown(owned, NOBODY, NOBODY)
    url = f"sqlite:///{sqlite_database}"
    result = run(*command, env={"ROSTERD_DATABASE_URL": url}, as_nobody=True)
    assert refusal(result) == f"error: the SQLite database {sqlite_database} {READ_ONLY}"


@pytest.mark.usefixtures("as_nobody")
def test_nobody_may_serve_a_database_of_its_own(sqlite_database: Path) -> None:
    """The control for the test above: nobody can run rosterd, on files it may write."""
    os.chown(sqlite_database.parent, NOBODY, NOBODY)
    os.chown(sqlite_database, NOBODY, NOBODY)
    url = f"sqlite:///{sqlite_database}"
    result = run(
        *COMMANDS["orgs create"], "--json", env={"ROSTERD_DATABASE_URL": url}, as_nobody=True
    )
    assert result.returncode == 0, result.stderr


def test_a_sqlite_database_opened_read_only_is_refused(sqlite_database: Path) -> None:
    url = f"sqlite:///file:{sqlite_database}?mode=ro&uri=true"
    result = run(*COMMANDS["serve"], env={"ROSTERD_DATABASE_URL": url})
    assert refusal(result) == f"error: the SQLite database file:{sqlite_database} {READ_ONLY}"


@pytest.mark.parametrize("own_database_url", ["postgresql"], indirect=True)
@pytest.mark.parametrize("command", OPENING.values(), ids=OPENING.keys())
def test_a_read_only_postgresql_database_is_refused(
    command: tuple[str, ...], own_database_url: str
) -> None:
    """A database that refuses writes, as a hot standby does."""
    engine = make_engine(own_database_url)
    upgrade(engine)
    name = make_url(own_database_url).database
    with engine.connect().execution_options(isolation_level="AUTOCOMMIT") as conn:
        conn.execute(text(f'ALTER DATABASE "{name}" SET default_transaction_read_only = on'))
    engine.dispose()

    result = run(*command, env={"ROSTERD_DATABASE_URL": own_database_url})
    shown = make_url(own_database_url).render_as_string(hide_password=True)
    assert refusal(result) == (
        f"error: the PostgreSQL database {shown} is read-only: cannot execute UPDATE in a "
        "read-only transaction"
    )
