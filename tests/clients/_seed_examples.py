"""The ```python examples of the seed documents, as runnable code.

The ThousandEyes seed reached us flattened onto one line (every newline collapsed to a space),
so its examples are rebuilt: each statement of openapi-generator's example template starts on
a new line, indented by the `with` / `try` / `except` block it is in. `unflatten` is checked
against the Kandji seed, whose examples kept their lines.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path

SEEDS = Path(__file__).with_name("seeds")
KANDJI_SEED = SEEDS / "kandji-users-api.md"
THOUSANDEYES_SEED = SEEDS / "thousandeyes-users-api.md"
# Where the seeds were handed to the project (not present in every checkout).
ORIGINAL_SEEDS = Path(__file__).resolve().parents[3] / "shared" / "seeds"

_SDK = r"(?:kandji|thousandeyes_sdk)"
# Where a statement of the example template begins (only ever after a space).
_STATEMENT = re.compile(
    r"(?<= )(?="
    + "|".join(
        [
            rf"import {_SDK}\b",
            rf"from (?:{_SDK}|pprint)\b",
            r"# ",
            r"configuration = ",
            rf"with {_SDK}\.",
            r"api_instance = ",
            r"(?<!= )api_instance\.",  # a call standing alone, not `api_response = api_…`
            r"api_response = ",
            r"(?<![\w.])(?:user_request|aid|id|user_id|email|integration_id|archived|cursor) = ",
            r"try:",
            r"except ",
            r"print\(",
            r"pprint\(",
        ]
    )
    + ")"
)

_TYPE_COMMENT = re.compile(r"# \w+ \|")


@dataclass(frozen=True)
class Example:
    sdk: str  # "kandji" or "thousandeyes"
    operation: str  # the UsersApi method the example calls
    code: str

    @property
    def id(self) -> str:
        return f"{self.sdk}-{self.operation}"


def unflatten(flat: str) -> str:
    """Python source with one statement per line, from its whitespace-collapsed form."""
    lines: list[str] = []
    depth = 0
    for piece in (p.strip() for p in _STATEMENT.split(flat)):
        if not piece:
            continue
        if _TYPE_COMMENT.match(piece):  # `# str | …` ends the assignment before it
            lines[-1] += " " + piece
            continue
        if piece.startswith(("try:", "except ")):
            depth = 1
        lines.append("    " * depth + piece)
        if piece.startswith("with "):
            depth = 1
        elif piece.startswith(("try:", "except ")):
            depth = 2
    return "\n".join(lines) + "\n"


def flatten(code: str) -> str:
    return " ".join(code.split())


def _operation(code: str) -> str:
    found = re.search(r"api_instance\.(\w+)\(", code)
    assert found, code
    return found.group(1)


def examples() -> list[Example]:
    kandji = re.findall(r"```python\n(.*?)```", KANDJI_SEED.read_text(), re.DOTALL)
    thousandeyes = [
        unflatten(flat)
        for flat in re.findall(r"```python (.*?)```", THOUSANDEYES_SEED.read_text(), re.DOTALL)
    ]
    return [Example("kandji", _operation(c), c) for c in kandji] + [
        Example("thousandeyes", _operation(c), c) for c in thousandeyes
    ]


def substitute(code: str, *, host: str, token: str, values: dict[str, str]) -> str:
    """The example with only the host, the token and placeholder values replaced.

    Each example builds a second `Configuration(access_token=...)` that drops the host the
    first one set (a quirk of openapi-generator's docs), so the host goes into both.
    """
    code = re.sub(r'host = "https://[^"]+"', f"host = {host!r}", code)
    code = code.replace(
        'access_token = os.environ["BEARER_TOKEN"]', f"host = {host!r}, access_token = {token!r}"
    )
    for name, value in values.items():
        code, count = re.subn(rf"^(\s*{name} = )'[^']*'", rf"\g<1>{value!r}", code, flags=re.M)
        assert count == 1, (name, code)
    return code
