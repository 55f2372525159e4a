"""What the screenshot drivers share: grabbing a widget into a PNG and stopping on an error."""

from __future__ import annotations

from pathlib import Path

from PySide6.QtCore import QObject, Slot
from PySide6.QtWidgets import QApplication, QWidget

from anomaly_desk.gui.main_window import MainWindow


class ShotBase(QObject):
    """Drives the real window to a state and saves what it shows; an error notice the window
    raises on the way ends the run (a screenshot of an error dialog is no screenshot)."""

    def __init__(self, window: MainWindow, out: Path) -> None:
        super().__init__(window)
        self.window = window
        self.out = out
        self.saved: list[Path] = []
        self.failed: str | None = None
        window.notifications.notified.connect(self._on_notice)

    def save(self, widget: QWidget, name: str) -> None:
        path = self.out / name
        if not widget.grab().save(str(path)):
            raise OSError(f"could not write {path}")
        self.saved.append(path)
        print(f"saved {path}", flush=True)

    @Slot(object)
    def _on_notice(self, notice: object) -> None:
        if getattr(notice, "level", "") == "error":
            self.failed = str(getattr(notice, "text", notice))
            QApplication.exit(1)
