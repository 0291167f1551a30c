"""The Kandji (Iru) Users API, with devices and the audit log, served under /api/v1.

Only the prefix lives here: the app (`_app.py`) and everything it imports load when the dialect
is first needed, so that `rosterd serve` starts without them.
"""

from typing import Final

PREFIX: Final = "/api/v1"

__all__ = ["PREFIX"]
