"""What the schemathesis suites of every dialect share: the document, its configuration, the
credentials a case may carry and the settings of stateful runs."""

from __future__ import annotations

import os
import zlib
from typing import Any

import hypothesis
import schemathesis
from schemathesis import GenerationMode
from schemathesis.specs.openapi.schemas import OpenApiSchema
from starlette.routing import Mount

from rosterd.server import Settings, create_app
from rosterd.storage import SqlDirectoryStore, make_engine

MAX_EXAMPLES = int(os.environ.get("ROSTERD_FUZZ_EXAMPLES", "50"))  # raise it for a deep run
SCENARIOS = int(os.environ.get("ROSTERD_FUZZ_SCENARIOS", "40"))  # stateful runs of up to 6 calls


def openapi_document(mount_path: str) -> dict[str, Any]:
    """The document of the sub-application the server mounts at `mount_path`.

    It is built at import time, because schemathesis' lazy `from_fixture` loader does not work
    with this pytest; the engine is never connected, as the document needs no database.
    """
    settings = Settings(database_url="sqlite:///openapi-only.db")
    app = create_app(settings, SqlDirectoryStore(make_engine(settings.database_url)))
    mount = next(r for r in app.routes if isinstance(r, Mount) and r.path == mount_path)
    document: dict[str, Any] = mount.app.openapi()  # type: ignore[attr-defined]
    return document


def fuzzing_schema(document: dict[str, Any]) -> OpenApiSchema:
    schema = schemathesis.openapi.from_dict(document)
    schema.config.generation.update(
        modes=[GenerationMode.POSITIVE, GenerationMode.NEGATIVE],
        max_examples=MAX_EXAMPLES,
        # Unknown query parameters and body keys are ignored, as the vendors' servers do.
        allow_extra_parameters=False,
        database="none",
    )
    schema.config.checks.update(included_check_names=["all"])
    # Every phase, explicitly: examples from the document, coverage (boundary and near-miss
    # values, unexpected methods), random fuzzing, and stateful chains along the document's own
    # links only (inferred links may guess wrong, and would test the guess, not the server).
    schema.config.phases.update(phases=["examples", "coverage", "fuzzing", "stateful"])
    schema.config.phases.stateful.inference.algorithms = []
    return schema


def every_phase_is_on(schema: OpenApiSchema) -> bool:
    phases = schema.config.phases_for(operation=None)
    return all(
        phase.enabled
        for phase in (phases.examples, phases.coverage, phases.fuzzing, phases.stateful)
    )


def credentials(case: schemathesis.Case, headers: dict[str, str]) -> dict[str, str]:
    """The headers to send with `case`: none when the case itself takes the token away or
    breaks it, so that the server, not the harness, decides about a request without one."""
    if case.operation.schema.is_security_param_negated(case):
        return {}
    return headers


def is_positive(case: schemathesis.Case) -> bool:
    return case.meta is not None and case.meta.generation.mode is GenerationMode.POSITIVE


def aim(values: dict[str, Any] | None, name: str, pool: list[str]) -> None:
    """Point `values[name]` at one of `pool` (or leave it as generated, one time in len+1).

    Random ids would nearly always meet a 404 and leave the update and delete paths untested.
    The choice is a function of the generated value, so shrinking stays stable.
    """
    if values and isinstance(values.get(name), str):
        choices = [*pool, values[name]]
        values[name] = choices[zlib.crc32(values[name].encode()) % len(choices)]


def stateful_settings() -> hypothesis.settings:
    return hypothesis.settings(
        max_examples=SCENARIOS,
        stateful_step_count=6,
        deadline=None,
        database=None,
        # The server's state outlives a scenario, so a replay is not the same run: no shrinking.
        phases=[hypothesis.Phase.generate],
        suppress_health_check=list(hypothesis.HealthCheck),
    )
