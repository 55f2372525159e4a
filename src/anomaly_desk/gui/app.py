"""Starting the application: QApplication, identity for QSettings, icon, theme, first start."""

from __future__ import annotations

import sys
from pathlib import Path

from PySide6.QtCore import Qt
from PySide6.QtGui import QGuiApplication, QIcon
from PySide6.QtWidgets import QApplication

from anomaly_desk import __version__
from anomaly_desk.gui.main_window import MainWindow
from anomaly_desk.gui.settings import APPLICATION, ORGANIZATION, Preferences

ICON = Path(__file__).resolve().parent / "icons" / "anomaly-desk.svg"


def app_icon() -> QIcon:
    return QIcon(str(ICON))


def make_application(argv: list[str] | None = None) -> QApplication:
    """The QApplication, created once with the app's identity (QSettings uses it)."""
    existing = QApplication.instance()
    if isinstance(existing, QApplication):
        app = existing
    else:
        # Fractional scale factors (150 %) as the system asks, instead of rounding to 1x / 2x.
        QGuiApplication.setHighDpiScaleFactorRoundingPolicy(
            Qt.HighDpiScaleFactorRoundingPolicy.PassThrough
        )
        app = QApplication(argv if argv is not None else sys.argv[:1])
    app.setApplicationName(APPLICATION)
    app.setOrganizationName(ORGANIZATION)
    app.setApplicationVersion(__version__)
    app.setDesktopFileName("anomaly-desk")
    app.setWindowIcon(app_icon())
    return app


def create_window(workspace_path: Path | None, demo: bool) -> MainWindow:
    """The main window, opening what was asked: the demo, a workspace, or the last one used.

    With nothing asked and nothing recent (a first start) the window shows the welcome panel,
    which offers the demo workspace.
    """
    preferences = Preferences()
    window = MainWindow(preferences, demo_path=workspace_path if demo else None)
    window.setWindowIcon(app_icon())
    if demo:
        window.open_demo()
    elif workspace_path is not None:
        window.open_workspace(workspace_path, create=True)
    else:
        recent = preferences.recent_workspaces()
        if recent:
            window.open_workspace(recent[0])
    return window


def run_app(workspace_path: Path | None = None, demo: bool = False) -> int:
    """Open the window and run the event loop; the exit code of the application."""
    app = make_application()
    window = create_window(workspace_path, demo)
    window.notifications.install_hooks()
    window.show()
    try:
        return int(app.exec())
    finally:
        window.notifications.uninstall_hooks()
