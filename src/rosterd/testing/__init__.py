"""rosterd in a test suite: a server on a loopback port and a client of its control plane.

The pytest plugin (`rosterd.pytest_plugin`, installed with rosterd) builds its fixtures on
these; any other runner can use them directly (docs/testing.md).
"""

from rosterd.testing._control import ControlClient, ControlError
from rosterd.testing._server import DialectUrls, RosterdServer, running_rosterd, serving

__all__ = [
    "ControlClient",
    "ControlError",
    "DialectUrls",
    "RosterdServer",
    "running_rosterd",
    "serving",
]
