"""What the schemathesis suites of every dialect share: the document, its configuration, the
credentials a case may carry, calling and validating a case, and stateful runs."""

from __future__ import annotations

import os
import zlib
from collections.abc import Callable
from typing import Any, Protocol, TypeVar

import hypothesis
import schemathesis
from schemathesis import GenerationMode
from schemathesis.specs.openapi.schemas import OpenApiSchema

from rosterd.server import Settings, create_app
from rosterd.storage import SqlDirectoryStore, make_engine
from tests.support.dialects import dialect_apps

MAX_EXAMPLES = int(os.environ.get("ROSTERD_FUZZ_EXAMPLES", "50"))  # raise it for a deep run
SCENARIOS = int(os.environ.get("ROSTERD_FUZZ_SCENARIOS", "40"))  # stateful runs of up to 6 calls


class Target(Protocol):
    """Where a suite sends its cases: a dialect's base URL and a valid token's headers."""

    @property
    def base_url(self) -> str: ...
    @property
    def headers(self) -> dict[str, str]: ...


T = TypeVar("T", bound=Target)
# The checks a dialect does not hold against a response (rules no schema can state).
ChecksToSkip = Callable[[schemathesis.Case, schemathesis.Response], list[Any]]


def openapi_document(mount_path: str) -> dict[str, Any]:
    """The document of the sub-application the server mounts at `mount_path`.

    It is built at import time, because schemathesis' lazy `from_fixture` loader does not work
    with this pytest; the engine is never connected, as the document needs no database.
    """
    settings = Settings(database_url="sqlite:///openapi-only.db")
    app = create_app(settings, SqlDirectoryStore(make_engine(settings.database_url)))
    document: dict[str, Any] = dialect_apps(app)[mount_path].openapi()
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


def _validate(
    case: schemathesis.Case,
    response: schemathesis.Response,
    target: Target,
    headers: dict[str, str],
    skip: ChecksToSkip,
) -> None:
    case.validate_response(
        response,
        headers=headers,
        excluded_checks=skip(case, response),
        transport_kwargs={"base_url": target.base_url, "headers": headers},
    )


def call_and_validate(case: schemathesis.Case, target: Target, skip: ChecksToSkip) -> None:
    headers = credentials(case, target.headers)
    response = case.call(base_url=target.base_url, headers=headers)
    _validate(case, response, target, headers, skip)


def run_chains(
    schema: OpenApiSchema,
    populate: Callable[[], T],
    prepare: Callable[[schemathesis.Case, T], None],
    skip: ChecksToSkip,
) -> None:
    """Stateful chains along the document's links. Each scenario starts from a fresh
    organization (`populate`), so the same choices meet the same state (Hypothesis requires
    it); `prepare` adjusts each case before it is sent."""
    target = populate()

    class Chains(schema.as_state_machine()):  # type: ignore[misc]
        def setup(self) -> None:
            nonlocal target
            target = populate()

        def get_call_kwargs(self, case: schemathesis.Case) -> dict[str, Any]:
            prepare(case, target)
            return {"base_url": target.base_url, "headers": credentials(case, target.headers)}

        def validate_response(
            self,
            response: schemathesis.Response,
            case: schemathesis.Case,
            additional_checks: Any = None,
            **kwargs: Any,
        ) -> None:
            _validate(case, response, target, credentials(case, target.headers), skip)

    Chains.run(settings=_stateful_settings())


def _stateful_settings() -> hypothesis.settings:
    return hypothesis.settings(
        max_examples=SCENARIOS,
        stateful_step_count=6,
        deadline=None,
        database=None,
        # The server's state outlives a scenario, so a replay is not the same run: no shrinking.
        phases=[hypothesis.Phase.generate],
        suppress_health_check=list(hypothesis.HealthCheck),
    )
