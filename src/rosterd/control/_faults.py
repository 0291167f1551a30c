"""Fault rules: which requests to answer with a status, delay or drop, and how often."""

from __future__ import annotations

import fnmatch
import random
import threading
from dataclasses import dataclass
from typing import Literal, Self

from pydantic import BaseModel, ConfigDict, Field, model_validator

Dialect = Literal["thousandeyes", "kandji", "scim"]


class FaultRule(BaseModel):
    """One rule, as `PUT /_rosterd/faults` takes it; what it leaves out matches anything."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    dialect: Dialect | None = None
    method: str | None = Field(default=None, pattern=r"^[A-Za-z]{1,16}$")
    path: str | None = Field(default=None, min_length=1, max_length=2048)  # a glob: /v7/users*
    status: int | None = Field(default=None, ge=400, le=599)
    latency_ms: int | None = Field(default=None, ge=0, le=60_000)
    probability: float = Field(default=1.0, ge=0.0, le=1.0)
    times: int | None = Field(default=None, ge=1)
    reset_connection: bool = False
    retry_after: int = Field(default=1, ge=1, le=3600)  # for a 429: Retry-After, in seconds

    @model_validator(mode="after")
    def _does_something(self) -> Self:
        if self.status is None and self.latency_ms is None and not self.reset_connection:
            raise ValueError("a rule needs a status, a latency_ms or reset_connection")
        if self.reset_connection and self.status is not None:
            raise ValueError("a dropped connection has no status")
        return self

    def matches(self, dialect: str | None, method: str, path: str) -> bool:
        return (
            (self.dialect is None or self.dialect == dialect)
            and (self.method is None or self.method.upper() == method)
            and (self.path is None or fnmatch.fnmatchcase(path, self.path))
        )


@dataclass
class _Armed:
    rule: FaultRule
    fired: int = 0

    @property
    def spent(self) -> bool:
        return self.rule.times is not None and self.fired >= self.rule.times


class Faults:
    """The rules in force, first match wins; each counts how often it fired."""

    def __init__(self, chance: random.Random | None = None) -> None:
        self._armed: list[_Armed] = []
        self._chance = chance or random.Random()  # noqa: S311 - not for secrets
        self._lock = threading.Lock()

    def replace(self, rules: list[FaultRule]) -> None:
        with self._lock:
            self._armed = [_Armed(rule) for rule in rules]

    def clear(self) -> None:
        self.replace([])

    def listing(self) -> list[tuple[FaultRule, int]]:
        with self._lock:
            return [(armed.rule, armed.fired) for armed in self._armed]

    def pick(self, dialect: str | None, method: str, path: str) -> FaultRule | None:
        """The rule that fires for this request, if any (counted as fired)."""
        if not self._armed:
            return None
        with self._lock:
            for armed in self._armed:
                if armed.spent or not armed.rule.matches(dialect, method, path):
                    continue
                if self._chance.random() >= armed.rule.probability:
                    continue
                armed.fired += 1
                return armed.rule
        return None
