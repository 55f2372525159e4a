"""Everything that imports Qt: the app, main window, item models, widgets, workers.

This package's ``__init__`` stays Qt-free so the command line can ask ``display_available()``
without loading Qt; the window itself is ``anomaly_desk.gui.app.run_app``.
"""

from __future__ import annotations

import os
import sys


def display_available() -> bool:
    """Whether a window can be shown to a person: a display server, or a real Qt platform.

    ``offscreen`` and ``minimal`` render nowhere (tests and CI set them): a command run there
    must print its headless view instead of opening a window nobody can see or close.
    """
    platform = os.environ.get("QT_QPA_PLATFORM", "")
    if platform.split(":")[0] in ("offscreen", "minimal"):
        return False
    if platform:
        return True
    if sys.platform in ("win32", "darwin"):
        return True
    return bool(os.environ.get("DISPLAY") or os.environ.get("WAYLAND_DISPLAY"))
