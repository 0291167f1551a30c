"""The ThousandEyes v7 administrative Users API, served under /v7.

Only the prefix lives here: the app (`_app.py`) and everything it imports load when the dialect
is first needed, so that `rosterd serve` starts without them.
"""

from typing import Final

PREFIX: Final = "/v7"

__all__ = ["PREFIX"]
