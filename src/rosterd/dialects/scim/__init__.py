"""SCIM 2.0 provisioning (RFC 7643 / RFC 7644) for directory integrations, under /api/v1/scim.

Only the prefix lives here: the app (`_app.py`) and everything it imports load when the dialect
is first needed, so that `rosterd serve` starts without them.
"""

from typing import Final

PREFIX: Final = "/api/v1/scim"

__all__ = ["PREFIX"]
