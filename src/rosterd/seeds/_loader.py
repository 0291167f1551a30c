"""Reading a seed file (YAML, or JSON, which YAML reads too) and saying where its problems are:
every error names the file, the line and the field, and a seed with any writes nothing."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import yaml
from pydantic import ValidationError

from rosterd.core.audit import Actor
from rosterd.core.entities import EndpointPermission
from rosterd.core.errors import Invalid
from rosterd.core.ports import DirectoryStore
from rosterd.core.seeding import EndpointParser, Seed, SeedResult, SeedService
from rosterd.seeds._document import SeedDocument

MAX_SEED_BYTES = 16 * 1024 * 1024


class SeedError(Exception):
    """A seed that cannot be loaded; `problems` are lines `file:line: field: message`."""

    def __init__(self, problems: Sequence[str]) -> None:
        super().__init__("\n".join(problems))
        self.problems = list(problems)


@dataclass(frozen=True)
class ParsedSeed:
    seed: Seed
    source: str
    root: yaml.Node

    def where(self, path: Sequence[str | int]) -> str:
        """`file:line: field` of the node at `path` (its nearest ancestor when it is missing)."""
        return f"{self.source}:{_line(self.root, path)}: {_field(path)}"


def parse_seed(text: str, source: str) -> ParsedSeed:
    if len(text.encode()) > MAX_SEED_BYTES:
        raise SeedError([f"{source}: larger than {MAX_SEED_BYTES} bytes"])
    try:
        loader = yaml.SafeLoader(text)
        try:
            root = loader.get_single_node()
            data = loader.construct_document(root) if root is not None else None
        finally:
            loader.dispose()
    except yaml.MarkedYAMLError as exc:
        mark = exc.problem_mark or exc.context_mark
        line = f":{mark.line + 1}" if mark is not None else ""
        raise SeedError([f"{source}{line}: {exc.problem or exc.context}"]) from None
    except yaml.YAMLError as exc:
        raise SeedError([f"{source}: {exc}"]) from None
    if root is None:
        raise SeedError([f"{source}: the seed is empty"])
    try:
        document = SeedDocument.model_validate(data)
    except ValidationError as exc:
        parsed = ParsedSeed(Seed(()), source, root)
        raise SeedError(
            [f"{parsed.where(e['loc'])}: {_message(e)}" for e in exc.errors()]
        ) from None
    return ParsedSeed(document.to_seed(), source, root)


def read_seed(path: Path) -> ParsedSeed:
    try:
        text = path.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as exc:
        raise SeedError([f"{path}: cannot be read ({exc.__class__.__name__}: {exc})"]) from None
    return parse_seed(text, str(path))


def known_endpoints(values: Sequence[str]) -> list[EndpointPermission]:
    """`"GET /v7/users"` → the endpoint permission, if either API documents it."""
    if not values:
        return []
    from rosterd.core.endpoints import parse_endpoint_permissions
    from rosterd.dialects.kandji._routes import ENDPOINTS as KANDJI
    from rosterd.dialects.thousandeyes._routes import ENDPOINTS as THOUSANDEYES

    return parse_endpoint_permissions(values, KANDJI + THOUSANDEYES)


def load_seed(
    store: DirectoryStore,
    parsed: ParsedSeed,
    *,
    actor: Actor,
    parse_endpoints: EndpointParser = known_endpoints,
) -> SeedResult:
    """Write the seed, or nothing: its problems as SeedError lines."""
    try:
        return SeedService(store, parse_endpoints).load(parsed.seed, actor=actor)
    except Invalid as exc:
        if not exc.errors:
            raise SeedError([f"{parsed.source}: {exc.message}"]) from None
        raise SeedError(
            [f"{parsed.where(_pointer(e.field))}: {e.message}" for e in exc.errors]
        ) from None


def _message(error: Any) -> str:
    message: str = error["msg"]
    return message


def _pointer(pointer: str) -> list[str | int]:
    parts: list[str | int] = []
    for raw in pointer.split("/")[1:]:
        part = raw.replace("~1", "/").replace("~0", "~")
        parts.append(int(part) if part.isdigit() else part)
    return parts


def _line(root: yaml.Node, path: Sequence[str | int]) -> int:
    node = root
    for key in path:
        found = _child(node, key)
        if found is None:
            break
        node = found
    return node.start_mark.line + 1


def _child(node: yaml.Node, key: str | int) -> yaml.Node | None:
    if isinstance(node, yaml.SequenceNode) and isinstance(key, int):
        items: list[yaml.Node] = node.value
        return items[key] if 0 <= key < len(items) else None
    if isinstance(node, yaml.MappingNode):
        pairs: list[tuple[yaml.Node, yaml.Node]] = node.value
        return next((value for name, value in pairs if str(name.value) == str(key)), None)
    return None


def _field(path: Sequence[str | int]) -> str:
    text = ""
    for key in path:
        text += f"[{key}]" if isinstance(key, int) else (f".{key}" if text else str(key))
    return text or "(the document)"
