"""A client of the control plane (`/_rosterd`, docs/testing.md), on the standard library only:
a test suite needs nothing installed beside rosterd to reset it or inject faults."""

from __future__ import annotations

import json
import urllib.error
import urllib.request
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

Rule = dict[str, Any]


class ControlError(RuntimeError):
    """The control plane refused a call; `status` and `detail` say why."""

    def __init__(self, status: int, detail: str) -> None:
        super().__init__(f"{status}: {detail}")
        self.status = status
        self.detail = detail


class ControlClient:
    def __init__(self, base_url: str, token: str) -> None:
        self._base = base_url.rstrip("/") + "/_rosterd"
        self._token = token

    def reset(self) -> None:
        """Back to the state the server started with; fault rules and rate limits cleared."""
        self._call("POST", "/reset")

    def snapshot(self, name: str) -> None:
        self._call("POST", "/snapshots", {"name": name})

    def restore(self, name: str) -> None:
        self._call("POST", f"/snapshots/{name}/restore")

    def delete_snapshot(self, name: str) -> None:
        self._call("DELETE", f"/snapshots/{name}")

    def snapshots(self) -> list[str]:
        found: list[str] = self._call("GET", "/snapshots")["snapshots"]
        return found

    def faults(self) -> list[Rule]:
        """The rules in force, each with how often it fired (`fired`)."""
        found: list[Rule] = self._call("GET", "/faults")["faults"]
        return found

    def set_faults(self, rules: list[Rule]) -> None:
        self._call("PUT", "/faults", rules)

    def clear_faults(self) -> None:
        self._call("DELETE", "/faults")

    @contextmanager
    def fault(self, **rule: Any) -> Iterator[None]:
        """One more rule while the block runs (first among the rules); the others stay."""
        others = [{k: v for k, v in r.items() if k != "fired"} for r in self.faults()]
        self.set_faults([rule, *others])
        try:
            yield
        finally:
            self.set_faults(others)

    def seed(self, document: str | Path) -> list[str]:
        """Add a seed (YAML or JSON text, or a file) to the running server; the subdomains of
        the organizations it made. A refused seed raises ControlError with every problem."""
        text = document.read_text(encoding="utf-8") if isinstance(document, Path) else document
        made: list[str] = self._call("POST", "/seed", raw=text.encode())["organizations"]
        return made

    def freeze_clock(self, at: str | None) -> None:
        """Stop rosterd's clock at `at` (ISO 8601, e.g. "2026-01-01T00:00:00Z"), or let it
        run again (None). A reset lets it run again too."""
        self._call("PUT", "/clock", {"now": at})

    @contextmanager
    def frozen_clock(self, at: str) -> Iterator[None]:
        """The clock stopped at `at` while the block runs."""
        self.freeze_clock(at)
        try:
            yield
        finally:
            self.freeze_clock(None)

    def _call(self, method: str, path: str, body: Any = None, *, raw: bytes | None = None) -> Any:
        data = raw if raw is not None else None if body is None else json.dumps(body).encode()
        request = urllib.request.Request(  # noqa: S310 - the server's own loopback URL
            self._base + path,
            data=data,
            method=method,
            headers={"Authorization": f"Bearer {self._token}", "Content-Type": "application/json"},
        )
        try:
            with urllib.request.urlopen(request, timeout=60) as response:  # noqa: S310
                payload = response.read()
        except urllib.error.HTTPError as error:
            raise ControlError(error.code, _detail(error.read())) from None
        return json.loads(payload) if payload else None


def _detail(payload: bytes) -> str:
    try:
        found = json.loads(payload)
    except ValueError:
        return payload.decode(errors="replace")
    return str(found.get("detail", found)) if isinstance(found, dict) else str(found)
