"""Where workspaces live by default. Light on purpose: the window asks before loading anything."""

from __future__ import annotations

import os
from pathlib import Path

import platformdirs

WORKSPACE_SUFFIX = ".sqlite"


def data_dir() -> Path:
    return platformdirs.user_data_path("anomaly-desk")


def default_workspace_path() -> Path:
    """The workspace used when none is named: in the platform's user data directory."""
    override = os.environ.get("ANOMALY_DESK_WORKSPACE")
    if override:
        return Path(override)
    return data_dir() / f"workspace{WORKSPACE_SUFFIX}"


def default_demo_path() -> Path:
    return data_dir() / f"demo{WORKSPACE_SUFFIX}"
