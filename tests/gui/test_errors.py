"""Known errors become plain messages; unknown ones are bugs with a traceback; hooks route."""

from __future__ import annotations

import sys
import threading

from pytestqt.qtbot import QtBot

from anomaly_desk.errors import (
    BadInputError,
    Cancelled,
    NewerWorkspaceError,
    Problem,
    WorkspaceError,
)
from anomaly_desk.gui.errors import NotificationManager, describe_error
from anomaly_desk.gui.problems_panel import for_the_window
from tests.gui.conftest import WAIT_MS


def test_known_errors_read_as_plain_sentences() -> None:
    cancelled = describe_error(Cancelled("cancelled"), "Import")
    assert (cancelled.level, cancelled.text) == ("info", "Import cancelled; nothing was changed.")
    bad = describe_error(BadInputError("a.csv", [Problem("not a number", 3, "cpu", "x")]))
    assert bad.level == "warning" and "row 3, column 'cpu'" in bad.text
    newer = describe_error(NewerWorkspaceError("written by 9.0"))
    assert newer.level == "error" and "Update Anomaly Desk" in newer.text
    assert describe_error(WorkspaceError("x is not a file")).text == "x is not a file"
    memory = describe_error(MemoryError(), "Import")
    assert "ran out of memory; nothing was changed" in memory.text
    missing = describe_error(FileNotFoundError(2, "No such file", "/x.csv"), "Open")
    assert missing.text == "Open failed: No such file (/x.csv)"


def test_an_unexpected_error_is_reported_as_a_bug_with_its_traceback() -> None:
    try:
        raise KeyError("boom")
    except KeyError as exc:
        notice = describe_error(exc, "Loading")
    assert notice.level == "error" and "bug in Anomaly Desk" in notice.text
    assert "Traceback" in notice.details and "KeyError" in notice.details


def test_hooks_route_uncaught_exceptions_here_and_uninstall_cleanly(qtbot: QtBot) -> None:
    notes = NotificationManager()
    old_sys, old_thread = sys.excepthook, threading.excepthook
    notes.install_hooks()
    try:
        with qtbot.waitSignal(notes.notified, timeout=WAIT_MS) as blocker:
            thread = threading.Thread(target=_raise, args=(WorkspaceError("locked"),))
            thread.start()
            thread.join()
        assert blocker.args[0].text == "locked"
        sys.excepthook(MemoryError, MemoryError(), None)
        assert notes.history[-1].title == "Out of memory"
    finally:
        notes.uninstall_hooks()
        if notes.dialog is not None:
            notes.dialog.close()
    assert (sys.excepthook, threading.excepthook) == (old_sys, old_thread)


def test_core_messages_name_controls_not_command_line_flags() -> None:
    assert for_the_window("read as local time in Etc/UTC (--timezone)") == (
        "read as local time in Etc/UTC"
    )
    assert for_the_window("import under another name with --name, or delete it") == (
        "import under another name (the dataset name on the mapping page), or delete it"
    )


def _raise(exc: BaseException) -> None:
    raise exc
