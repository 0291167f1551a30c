"""The kinds of directory integration, apart from their service: the command line's help names
them without loading the core."""

from __future__ import annotations

from typing import Final

INTEGRATION_TYPES: Final = ("office365", "gsuite", "scim")
