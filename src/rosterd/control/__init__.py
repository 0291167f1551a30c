"""The control plane: rosterd as a test double (reset, snapshots, injected faults), served at
`/_rosterd` only when asked for (`rosterd serve --control`)."""

from rosterd.control._api import ControlPlane, control_app
from rosterd.control._faults import FaultRule, Faults
from rosterd.control._middleware import (
    CONTROL_PREFIX,
    DialectPrefix,
    FaultMiddleware,
    RawSendMiddleware,
)
from rosterd.control._snapshots import Snapshots

__all__ = [
    "CONTROL_PREFIX",
    "ControlPlane",
    "DialectPrefix",
    "FaultMiddleware",
    "FaultRule",
    "Faults",
    "RawSendMiddleware",
    "Snapshots",
    "control_app",
]
