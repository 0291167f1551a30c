"""Seed files: a starting state declared in YAML or JSON (docs/testing.md)."""

from rosterd.seeds._document import SeedDocument, seed_schema
from rosterd.seeds._loader import (
    MAX_SEED_BYTES,
    ParsedSeed,
    SeedError,
    known_endpoints,
    load_seed,
    parse_seed,
    read_seed,
)

__all__ = [
    "MAX_SEED_BYTES",
    "ParsedSeed",
    "SeedDocument",
    "SeedError",
    "known_endpoints",
    "load_seed",
    "parse_seed",
    "read_seed",
    "seed_schema",
]
