"""`rosterd users import` of N generated users, timed as an operator runs it.

    uv run python -m bench.import_users --users 1000000 --database sqlite|postgresql

Writes a JSON-lines (or `--format csv`) file of N users, creates a fresh database (a SQLite file
in a temporary directory, or a new PostgreSQL database next to `ROSTERD_TEST_POSTGRES_URL`,
dropped afterwards) with an organization and an office365 integration, and runs the real CLI
command in a subprocess under `/usr/bin/time -v`, once for each step:

    create     every user is new
    unchanged  the same file again (nothing changes)
    update     every user with a new job title
    full       `--full` of that file with every tenth user left out (they are archived)

For each step it prints users/s, wall seconds, CPU seconds (user + system), peak RSS and the
megabytes the command wrote to disk (SQLite's database and journal; PostgreSQL's server writes
its own), and checks the counts the command printed. The machines are shared and noisy:
`--repeat` runs the whole sequence again on a fresh database; compare ranges, and CPU seconds
as well as wall ones.
"""

from __future__ import annotations

import argparse
import csv
import json
import os
import random
import re
import shutil
import subprocess
import sys
import tempfile
import time
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from rosterd.core.audit import CLI_ACTOR
from rosterd.core.integrations import IntegrationsService
from rosterd.core.organizations import OrganizationsService
from rosterd.storage import SqlDirectoryStore, make_engine, upgrade
from tests.support.postgres import scratch_database

ROSTERD = shutil.which("rosterd", path=str(Path(sys.executable).parent)) or shutil.which("rosterd")
TIME = "/usr/bin/time"
ORG = "bench"
STEPS = ("create", "unchanged", "update", "full")
_FIRST = ("ana", "bo", "cy", "dee", "eli", "fay", "gus", "hal", "ivy", "jo", "kai", "lu", "mo")
_LAST = ("lima", "berg", "chen", "diaz", "eng", "fox", "gray", "hill", "ito", "jones", "khan")
_DEPARTMENTS = ("IT", "Sales", "Finance", "Legal", "Support", "Engineering", "")
_TITLES = ("Engineer", "Manager", "Analyst", "Clerk", "Director", "")


@dataclass(frozen=True)
class Measured:
    step: str
    users: int  # records in the file
    wall: float
    cpu: float
    peak_rss_mb: float
    written_mb: float  # by the command itself (SQLite's file and journal; not PostgreSQL's)
    counts: dict[str, int]


def people(count: int, seed: int) -> Iterator[dict[str, Any]]:
    """Directory records in no particular order, as a real export lists them."""
    rng = random.Random(seed)
    for i in range(count):
        first, last = rng.choice(_FIRST), rng.choice(_LAST)
        yield {
            "email": f"{first}.{last}.{rng.getrandbits(40):010x}.{i}@example.com",
            "name": f"{first.title()} {last.title()}",
            "department": rng.choice(_DEPARTMENTS),
            "job_title": rng.choice(_TITLES),
            "external_id": str(uuid.UUID(int=rng.getrandbits(128), version=4)),
            "active": rng.random() > 0.05,
        }


def write_file(path: Path, count: int, *, skip_every: int = 0, moved: bool = False) -> int:
    """Writes the users file (every `skip_every`th person left out; with `moved`, everyone with
    another job title); returns records written."""
    written = 0
    with path.open("w", newline="", encoding="utf-8") as handle:
        writer = None
        if path.suffix == ".csv":
            writer = csv.DictWriter(handle, fieldnames=list(next(people(1, 0))))
            writer.writeheader()
        for i, person in enumerate(people(count, seed=1)):
            if skip_every and i % skip_every == 0:
                continue
            if moved:
                person["job_title"] = "Relocated"
            if writer is None:
                handle.write(json.dumps(person) + "\n")
            else:
                writer.writerow(person | {"active": str(person["active"]).lower()})
            written += 1
    return written


@contextmanager
def fresh_database(kind: str, workdir: Path) -> Iterator[str]:
    """The URL of a new, empty database of `kind`; a PostgreSQL one is dropped afterwards."""
    if kind == "sqlite":
        path = workdir / f"bench-{uuid.uuid4().hex[:8]}.db"
        yield f"sqlite:///{path}"
        return
    admin_url = os.environ.get("ROSTERD_TEST_POSTGRES_URL")
    if not admin_url:
        sys.exit(
            "--database postgresql needs ROSTERD_TEST_POSTGRES_URL (a role that may create dbs)"
        )
    with scratch_database(admin_url, "rosterd_bench") as url:
        yield url


def prepare(url: str) -> str:
    """Migrates the database and creates the organization and integration; returns its UUID."""
    engine = make_engine(url)
    upgrade(engine)
    store = SqlDirectoryStore(engine)
    OrganizationsService(store).create_organization(
        name="Bench", subdomain=ORG, admin_email=f"admin@{ORG}.example.com", actor=CLI_ACTOR
    )
    created = IntegrationsService(store).create_integration(
        org_subdomain=ORG, name="Bench directory", type="office365", actor=CLI_ACTOR
    )
    engine.dispose()
    return str(created.integration.uuid)


def run_import(url: str, integration: str, step: str, path: Path, records: int) -> Measured:
    assert ROSTERD, "the rosterd command is not installed in this environment"
    command = [TIME, "-v", ROSTERD, "users", "import", "--org", ORG, "--integration", integration]
    command += [str(path), "--json", *(["--full", "--yes"] if step == "full" else [])]
    env = os.environ | {"ROSTERD_DATABASE_URL": url}
    started = time.perf_counter()
    done = subprocess.run(command, capture_output=True, text=True, env=env, check=False)
    wall = time.perf_counter() - started
    if done.returncode != 0:
        sys.exit(f"the import failed ({done.returncode}):\n{done.stderr[-4000:]}")
    cpu = _stat(done.stderr, "User time (seconds)") + _stat(done.stderr, "System time (seconds)")
    rss = _stat(done.stderr, "Maximum resident set size (kbytes)") / 1024
    written = _stat(done.stderr, "File system outputs") * 512 / 2**20  # in 512-byte blocks
    return Measured(step, records, wall, cpu, rss, written, json.loads(done.stdout))


def _stat(output: str, label: str) -> float:
    found = re.search(rf"{re.escape(label)}: ([\d.]+)", output)
    assert found, f"{label!r} missing from /usr/bin/time's output"
    return float(found.group(1))


def expected_counts(step: str, users: int, listed: int) -> dict[str, int]:
    if step == "create":
        return {"created": users, "updated": 0, "unchanged": 0, "archived": 0}
    if step == "unchanged":
        return {"created": 0, "updated": 0, "unchanged": users, "archived": 0}
    if step == "update":
        return {"created": 0, "updated": users, "unchanged": 0, "archived": 0}
    return {"created": 0, "updated": 0, "unchanged": listed, "archived": users - listed}


def bench_once(
    kind: str, users: int, files: dict[str, tuple[Path, int]], workdir: Path
) -> list[Measured]:
    results = []
    with fresh_database(kind, workdir) as url:
        integration = prepare(url)
        for step in STEPS:
            path, records = files[step]
            measured = run_import(url, integration, step, path, records)
            expected = expected_counts(step, users, files["full"][1])
            if measured.counts != expected:
                sys.exit(f"{step}: the import printed {measured.counts}, expected {expected}")
            results.append(measured)
            print(format_row(kind, measured), flush=True)
    return results


def format_row(kind: str, m: Measured) -> str:
    return (
        f"{kind:<10} {m.step:<9} {m.users:>9} users  {m.users / m.wall:>8.0f} users/s  "
        f"{m.wall:>7.1f} s wall  {m.cpu:>7.1f} s cpu  {m.peak_rss_mb:>6.0f} MB peak RSS  "
        f"{m.written_mb:>6.0f} MB written"
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--users", type=int, default=100_000)
    parser.add_argument("--database", choices=("sqlite", "postgresql"), default="sqlite")
    parser.add_argument("--format", choices=("jsonl", "csv"), default="jsonl")
    parser.add_argument("--repeat", type=int, default=1, help="Run the steps this many times.")
    parser.add_argument("--workdir", type=Path, help="Where the files (and SQLite) go.")
    args = parser.parse_args()
    if not Path(TIME).exists():
        sys.exit(f"{TIME} is needed for peak RSS: apt-get install time")
    with tempfile.TemporaryDirectory(dir=args.workdir) as tmp:
        workdir = Path(tmp)
        everyone = workdir / f"users.{args.format}"
        moved = workdir / f"users-moved.{args.format}"
        most = workdir / f"users-most.{args.format}"
        whole = (everyone, write_file(everyone, args.users))
        files = {
            "create": whole,
            "unchanged": whole,
            "update": (moved, write_file(moved, args.users, moved=True)),
            "full": (most, write_file(most, args.users, skip_every=10, moved=True)),
        }
        runs = [bench_once(args.database, args.users, files, workdir) for _ in range(args.repeat)]
    if args.repeat > 1:
        for step in STEPS:
            walls = [next(m for m in run if m.step == step).wall for run in runs]
            rss = [next(m for m in run if m.step == step).peak_rss_mb for run in runs]
            print(
                f"{args.database:<10} {step:<9} wall {min(walls):.1f}-{max(walls):.1f} s, "
                f"peak RSS {min(rss):.0f}-{max(rss):.0f} MB over {args.repeat} runs"
            )


if __name__ == "__main__":
    main()
