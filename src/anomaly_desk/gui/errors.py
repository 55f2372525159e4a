"""The one place where errors meet the user.

Every worker's ``errored`` signal, ``sys.excepthook`` and ``threading.excepthook`` end in
``NotificationManager.report``. Known exceptions become plain sentences (``describe_error`` is
pure and tested alone); anything else is a bug, shown with its traceback so it can be reported.
Dialogs are non-modal (``show()``, never ``exec()``) so nothing here blocks the event loop.
"""

from __future__ import annotations

import logging
import sys
import threading
import traceback
from dataclasses import dataclass
from types import TracebackType
from typing import Literal

from PySide6.QtCore import QObject, Qt, Signal, Slot
from PySide6.QtWidgets import QMessageBox, QStatusBar, QWidget

from anomaly_desk.errors import BadInputError, Cancelled, NewerWorkspaceError, WorkspaceError

log = logging.getLogger(__name__)

Level = Literal["info", "warning", "error"]
STATUS_TIMEOUT_MS = 15_000


@dataclass(frozen=True)
class Notice:
    level: Level
    title: str
    text: str
    details: str = ""

    @property
    def headline(self) -> str:
        return self.text.splitlines()[0] if self.text else self.title


def describe_error(exc: BaseException, context: str = "") -> Notice:
    """A plain message for ``exc``; ``context`` names what was being done ("Import file")."""
    doing = context or "The operation"
    if isinstance(exc, Cancelled):
        return Notice("info", "Cancelled", f"{doing} cancelled; nothing was changed.")
    if isinstance(exc, BadInputError):
        return Notice("warning", "The input cannot be used", str(exc))
    if isinstance(exc, NewerWorkspaceError):
        return Notice(
            "error",
            "Workspace from a newer version",
            f"{exc}\nUpdate Anomaly Desk to open it; it was left untouched.",
        )
    if isinstance(exc, WorkspaceError):
        return Notice("error", "Workspace problem", str(exc))
    if isinstance(exc, MemoryError):
        return Notice(
            "error",
            "Out of memory",
            f"{doing} ran out of memory; nothing was changed. "
            "Close other programs or work on a smaller file.",
        )
    if isinstance(exc, OSError):
        where = f" ({exc.filename})" if exc.filename else ""
        return Notice("error", "File problem", f"{doing} failed: {exc.strerror or exc}{where}")
    details = "".join(traceback.format_exception(type(exc), exc, exc.__traceback__))
    return Notice(
        "error",
        "Unexpected error",
        f"{doing} failed with an unexpected error ({type(exc).__name__}: {exc}). "
        "This is a bug in Anomaly Desk; the details below help to fix it.",
        details,
    )


class NotificationManager(QObject):
    """Shows notices in the status bar and, for what needs attention, a non-modal dialog."""

    notified = Signal(object)  # Notice
    _thread_error = Signal(object, str)  # from threading.excepthook, queued to the GUI thread

    def __init__(self, window: QWidget | None = None, status_bar: QStatusBar | None = None) -> None:
        super().__init__(window)
        self._window = window
        self._status_bar = status_bar
        self.history: list[Notice] = []
        self.dialog: QMessageBox | None = None
        self._saved_hooks: tuple[object, object] | None = None
        self._thread_error.connect(self._on_thread_error)

    def report(self, exc: BaseException, context: str = "", quiet: bool = False) -> Notice:
        """Tell the user about ``exc``. ``quiet``: the caller shows details, only a status line."""
        notice = describe_error(exc, context)
        if notice.details:
            log.error("%s", notice.text, exc_info=(type(exc), exc, exc.__traceback__))
        self.show(notice, dialog=not quiet and notice.level != "info")
        return notice

    def info(self, text: str) -> None:
        self.show(Notice("info", "", text), dialog=False)

    def show(self, notice: Notice, dialog: bool) -> None:
        self.history.append(notice)
        if self._status_bar is not None:
            self._status_bar.showMessage(notice.headline, STATUS_TIMEOUT_MS)
        if dialog:
            self._open_dialog(notice)
        self.notified.emit(notice)

    def _open_dialog(self, notice: Notice) -> None:
        icon = QMessageBox.Icon.Warning if notice.level == "warning" else QMessageBox.Icon.Critical
        box = QMessageBox(icon, notice.title, notice.text, QMessageBox.StandardButton.Ok)
        if self._window is not None:
            box.setParent(self._window, box.windowFlags())
        if notice.details:
            box.setDetailedText(notice.details)
        box.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        box.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        box.setWindowModality(Qt.WindowModality.NonModal)
        if self.dialog is not None:
            self.dialog.close()
        self.dialog = box
        box.destroyed.connect(self._forget_dialog)
        box.show()

    @Slot()
    def _forget_dialog(self) -> None:
        self.dialog = None

    # -- interpreter hooks ----------------------------------------------------------------

    def install_hooks(self) -> None:
        """Route uncaught exceptions (GUI thread and any other thread) here."""
        if self._saved_hooks is None:
            self._saved_hooks = (sys.excepthook, threading.excepthook)
            sys.excepthook = self._excepthook
            threading.excepthook = self._threading_excepthook

    def uninstall_hooks(self) -> None:
        if self._saved_hooks is not None:
            sys.excepthook, threading.excepthook = self._saved_hooks  # type: ignore[assignment]
            self._saved_hooks = None

    def _excepthook(
        self,
        exc_type: type[BaseException],
        exc: BaseException,
        tb: TracebackType | None,
    ) -> None:
        if isinstance(exc, KeyboardInterrupt):
            return
        self.report(exc.with_traceback(tb))

    def _threading_excepthook(self, args: threading.ExceptHookArgs) -> None:
        if args.exc_value is not None:
            name = args.thread.name if args.thread is not None else "a worker"
            self._thread_error.emit(args.exc_value, f"Background work in {name}")

    @Slot(object, str)
    def _on_thread_error(self, exc: object, context: str) -> None:
        assert isinstance(exc, BaseException)
        self.report(exc, context)
