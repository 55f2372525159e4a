"""Anomaly Desk: find, understand, triage and report anomalies.

The public surface is listed in ``__all__``; everything else is internal.
"""

from anomaly_desk.errors import (
    AnomalyDeskError,
    BadInputError,
    Cancelled,
    NewerWorkspaceError,
    WorkspaceError,
)

__version__ = "0.1.0"

__all__ = [
    "AnomalyDeskError",
    "BadInputError",
    "Cancelled",
    "NewerWorkspaceError",
    "WorkspaceError",
    "__version__",
]
