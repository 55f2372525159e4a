"""Triage in the real window on a detected workspace: keys, menus, dialogs, the suppression
offer, comments with links, history, and the audit log dock. Every change is checked in the
store (a fresh connection) and in the table, which must keep its selection and scroll."""

from __future__ import annotations

from pathlib import Path

import pytest
from PySide6.QtCore import QItemSelectionModel, Qt
from PySide6.QtWidgets import QApplication
from pytestqt.qtbot import QtBot

from anomaly_desk.gui.anomaly_model import AnomalyIdRole
from anomaly_desk.gui.audit_view import AuditDock
from anomaly_desk.gui.detail_pane import DetailPane
from anomaly_desk.gui.main_window import MainWindow
from anomaly_desk.gui.suppression_panel import SuppressionPanel
from anomaly_desk.gui.triage_dialogs import AssignDialog, SeverityDialog, TagDialog
from anomaly_desk.model import AnomalyRow, FilterSpec, RuleKind, Severity, Status
from anomaly_desk.store import Workspace
from tests.gui.conftest import WAIT_MS, open_workspace

STATUS_COLUMN, ASSIGNEE_COLUMN, TAGS_COLUMN = 6, 7, 8


@pytest.fixture
def detected(qtbot: QtBot, window: MainWindow, detected_ws: Path) -> MainWindow:
    model = window.investigation.model
    with qtbot.waitSignals([model.page_loaded, window.investigation.counts_shown], timeout=WAIT_MS):
        open_workspace(qtbot, window, detected_ws)
    window.activateWindow()
    return window


def stored(path: Path, anomaly_id: int) -> AnomalyRow:
    with Workspace.open(path, create=False) as ws:
        return ws.anomaly(anomaly_id)[0]


def history(path: Path, anomaly_id: int) -> list[str]:
    from anomaly_desk.gui.audit_tasks import describe

    with Workspace.open(path, create=False) as ws:
        return [describe(r) for r in ws.history(anomaly_id)]


def select(window: MainWindow, rows: list[int]) -> list[int]:
    """Select ``rows`` as Ctrl+click would; the first one is the current row."""
    table = window.anomaly_pane.table
    model = window.investigation.model
    table.select_row(rows[0])
    flags = QItemSelectionModel.SelectionFlag.Select | QItemSelectionModel.SelectionFlag.Rows
    for row in rows[1:]:
        table.selectionModel().select(model.index(row, 0), flags)
    return [int(model.index(r, 0).data(AnomalyIdRole)) for r in rows]


def press(qtbot: QtBot, window: MainWindow, key: Qt.Key) -> None:
    """A key on the table, as typed: after a dialog closed, a window manager gives the main
    window focus back; offscreen nobody does, so the test does it."""
    window.activateWindow()
    qtbot.waitUntil(lambda: QApplication.activeWindow() is window, timeout=WAIT_MS)
    qtbot.keyClick(window.anomaly_pane.table, key)


def recurring_row(window: MainWindow) -> int:
    """The row whose series and type recur most often: a false alarm a suppression would
    catch again (the detectors evolve, so the row is found, not hard-coded)."""
    model = window.investigation.model
    rows = [model.anomaly(r) for r in range(model.rowCount())]
    keys = [(r.series_id, r.type) for r in rows]
    return max(range(len(rows)), key=lambda r: (keys.count(keys[r]), -r))


def cell(window: MainWindow, row: int, column: int) -> str:
    return str(window.investigation.model.index(row, column).data())


def test_c_confirms_the_selection_in_place(
    qtbot: QtBot, detected: MainWindow, detected_ws: Path, qtmodeltester: object
) -> None:
    window = detected
    table = window.anomaly_pane.table
    table.scrollTo(window.investigation.model.index(24, 0))
    ids = select(window, [24, 25, 27])
    scroll = table.verticalScrollBar().value()
    assert scroll > 0
    with qtbot.waitSignal(window.triage.applied, timeout=WAIT_MS) as done:
        qtbot.keyClick(table, Qt.Key.Key_C)  # the real shortcut, as the user presses it
    assert done.args[0].result.changed == tuple(ids)  # one triage call for the three
    for anomaly_id in ids:
        assert stored(detected_ws, anomaly_id).status is Status.TRIAGED
        assert "verdict: — → confirmed" in history(detected_ws, anomaly_id)
    assert [cell(window, r, STATUS_COLUMN) for r in (24, 25, 26, 27)] == [
        "triaged", "triaged", "new", "triaged",
    ]  # fmt: skip
    assert table.selected_ids() == sorted(ids) and table.currentIndex().row() == 24
    assert table.verticalScrollBar().value() == scroll  # refreshed in place, not reset
    qtmodeltester.check(window.investigation.model)  # type: ignore[attr-defined]


def test_a_refused_transition_changes_nothing_and_says_why(
    qtbot: QtBot, detected: MainWindow, detected_ws: Path
) -> None:
    window = detected
    [triaged] = select(window, [1])
    with qtbot.waitSignal(window.triage.applied, timeout=WAIT_MS):
        window.menu_actions.triage["confirm"].trigger()
    ids = select(window, [1, 0])  # the current row is triaged, row 0 is still new
    menu = window.triage.ask_status()
    offered = {a.text(): a for a in menu.actions()}
    assert set(offered) == {"investigating", "resolved", "false positive"}
    with qtbot.waitSignal(window.triage.failed, timeout=WAIT_MS) as failed:
        offered["investigating"].trigger()
    menu.close()
    assert "from new to investigating" in str(failed.args[0])
    notice = window.notifications.history[-1]
    assert notice.level == "warning" and "from new to investigating" in notice.text
    assert window.statusBar().currentMessage().startswith("anomaly")
    assert [stored(detected_ws, i).status for i in ids] == [Status.TRIAGED, Status.NEW]
    assert [cell(window, r, STATUS_COLUMN) for r in (1, 0)] == ["triaged", "new"]
    assert history(detected_ws, ids[1]) == []  # nothing at all was written for row 0
    assert triaged == ids[0]


def test_f_offers_suppressions_accept_mutes_refuse_does_nothing(
    qtbot: QtBot, detected: MainWindow, detected_ws: Path
) -> None:
    window = detected
    row = recurring_row(window)
    [anomaly_id] = select(window, [row])
    with Workspace.open(detected_ws, create=False) as ws:
        before = ws.count_anomalies()
    with qtbot.waitSignal(window.triage.proposals_shown, timeout=WAIT_MS) as shown:
        qtbot.keyClick(window.anomaly_pane.table, Qt.Key.Key_F)
    assert stored(detected_ws, anomaly_id).status is Status.FALSE_POSITIVE
    assert "verdict: — → false_positive" in history(detected_ws, anomaly_id)
    assert cell(window, row, STATUS_COLUMN) == "false positive"
    panel: SuppressionPanel = shown.args[0]
    assert panel.isVisible() and not panel.isModal() and len(panel.rows) == 2
    for row in panel.rows:
        count = row.proposal.would_hide
        assert row.count.text() == f"would hide {count:,} anomal{'y' if count == 1 else 'ies'}"
    refused, accepted = panel.rows
    qtbot.mouseClick(refused.refuse, Qt.MouseButton.LeftButton)
    assert not refused.accept.isEnabled() and "nothing changed" in refused.count.text()
    with Workspace.open(detected_ws, create=False) as ws:
        assert ws.rules() == [] and ws.count_anomalies() == before
    qtbot.mouseClick(accepted.edit, Qt.MouseButton.LeftButton)
    accepted.name.clear()
    qtbot.keyClicks(accepted.name, "quiet db")
    with qtbot.waitSignal(window.triage.suppressed, timeout=WAIT_MS):
        qtbot.mouseClick(accepted.accept, Qt.MouseButton.LeftButton)
    muted = accepted.proposal.would_hide
    assert muted > 0 and accepted.count.text() == f"muted {muted:,}"
    with Workspace.open(detected_ws, create=False) as ws:
        assert ws.count_anomalies() == before - muted
        assert [r.name for r in ws.rules(RuleKind.SUPPRESSION)] == ["quiet db"]
    investigation = window.investigation
    qtbot.waitUntil(
        lambda: investigation.counts is not None and investigation.counts.total == before - muted,
        timeout=WAIT_MS,
    )  # the status bar and the table re-query: muted rows are gone
    panel.close()


def test_assign_tag_star_and_severity_override(
    qtbot: QtBot, detected: MainWindow, detected_ws: Path
) -> None:
    window = detected
    table = window.anomaly_pane.table
    ids = select(window, [2, 3])
    window.triage.ask_assign()
    dialog = window.triage.dialog
    assert isinstance(dialog, AssignDialog) and dialog.isVisible() and not dialog.isModal()
    qtbot.keyClicks(dialog.name, "alice")
    with qtbot.waitSignal(window.triage.applied, timeout=WAIT_MS):
        qtbot.mouseClick(dialog.assign, Qt.MouseButton.LeftButton)
    assert [stored(detected_ws, i).assignee for i in ids] == ["alice", "alice"]
    assert [cell(window, r, ASSIGNEE_COLUMN) for r in (2, 3)] == ["alice", "alice"]
    assert window.preferences.recent_assignees() == ["alice"]

    press(qtbot, window, Qt.Key.Key_T)
    tags = window.triage.dialog
    assert isinstance(tags, TagDialog)
    qtbot.keyClicks(tags.tag, "network")
    with qtbot.waitSignal(window.triage.applied, timeout=WAIT_MS):
        qtbot.mouseClick(tags.add, Qt.MouseButton.LeftButton)
    assert stored(detected_ws, ids[0]).tags == ("network",)
    assert cell(window, 3, TAGS_COLUMN) == "network"

    with qtbot.waitSignal(window.triage.applied, timeout=WAIT_MS):
        press(qtbot, window, Qt.Key.Key_M)
    assert all(stored(detected_ws, i).starred for i in ids)

    press(qtbot, window, Qt.Key.Key_O)
    override = window.triage.dialog
    assert isinstance(override, SeverityDialog)
    override.severity.setCurrentIndex(override.severity.findData("low"))
    assert not override.ok.isEnabled()  # a reason is required
    qtbot.keyClicks(override.reason, "known batch job")
    with qtbot.waitSignal(window.triage.applied, timeout=WAIT_MS):
        qtbot.mouseClick(override.ok, Qt.MouseButton.LeftButton)
    assert stored(detected_ws, ids[0]).severity is Severity.LOW
    assert cell(window, 2, 0) == "low"
    assert "reason: known batch job" in history(detected_ws, ids[0])[-1]
    assert table.selected_ids() == sorted(ids)


def test_the_context_menu_holds_the_same_actions(
    qtbot: QtBot, detected: MainWindow, detected_ws: Path
) -> None:
    window = detected
    table = window.anomaly_pane.table
    select(window, [0])
    rect = table.visualRect(window.investigation.model.index(4, 2))
    menu = window.triage.show_context_menu(rect.center())  # right-click on another row
    assert table.currentIndex().row() == 4  # acts on the row under the mouse
    texts = [a.text() for a in menu.actions()]
    assert texts[:3] == ["Confirm", "Mark false positive", "Assign…"]
    assert "Set status" in texts and "Override severity…" in texts
    status = next(a.menu() for a in menu.actions() if a.text() == "Set status")
    assert [a.text() for a in status.actions()] == ["triaged"]  # from new, per the workflow
    anomaly_id = int(table.currentIndex().data(AnomalyIdRole))
    with qtbot.waitSignal(window.triage.applied, timeout=WAIT_MS):
        status.actions()[0].trigger()
    menu.close()
    assert stored(detected_ws, anomaly_id).status is Status.TRIAGED


def test_comments_link_to_anomalies_and_history_lists_changes(
    qtbot: QtBot, detected: MainWindow
) -> None:
    window = detected
    model = window.investigation.model
    other = int(model.index(7, 0).data(AnomalyIdRole))
    with qtbot.waitSignal(window.investigation.detail_shown, timeout=WAIT_MS):
        [anomaly_id] = select(window, [0])
    pane = window.detail_pane
    assert isinstance(pane, DetailPane)
    section = pane.triage
    assert section.history_texts() == ["No changes recorded yet."]
    with qtbot.waitSignal(window.triage.info_shown, timeout=WAIT_MS):  # the detail follows
        window.menu_actions.triage["confirm"].trigger()
    qtbot.keyClicks(section.comment_box, f"Same cause as #{other}, see there")
    with qtbot.waitSignal(window.triage.info_shown, timeout=WAIT_MS):
        qtbot.mouseClick(section.comment_button, Qt.MouseButton.LeftButton)
    assert f"Same cause as #{other}, see there" in section.comment_texts()
    assert f'href="anomaly:{other}"' in section.comments.toHtml()
    lines = section.history_texts()  # newest first, each with who and when
    assert "commented: Same cause as" in lines[0] and window.triage.actor in lines[0]
    assert any("status: new → triaged" in line for line in lines)
    assert any("verdict: — → confirmed" in line for line in lines)
    assert section.similar.count() >= 1
    # Keyboard to the link (Tab) and Enter: the table jumps to the linked anomaly.
    section.comments.setFocus()
    qtbot.keyClick(section.comments, Qt.Key.Key_Tab)
    with qtbot.waitSignal(window.investigation.detail_shown, timeout=WAIT_MS) as jumped:
        qtbot.keyClick(section.comments, Qt.Key.Key_Return)
    assert jumped.args[0].row.id == other
    assert window.anomaly_pane.table.currentIndex().row() == 7
    assert anomaly_id != other


def test_score_at_triage_shows_when_it_differs(qtbot: QtBot, detected: MainWindow) -> None:
    from dataclasses import replace

    pane = detected.detail_pane
    assert isinstance(pane, DetailPane)
    row = detected.investigation.model.anomaly(0)
    pane.show_row(replace(row, score=70.0, score_at_triage=91.0))
    assert "score at triage 91" in pane.header.text()
    pane.show_row(replace(row, score=70.2, score_at_triage=70.0))
    assert "score at triage" not in pane.header.text()


def test_the_audit_log_dock_filters_and_verifies(
    qtbot: QtBot, detected: MainWindow, qtmodeltester: object
) -> None:
    window = detected
    ids = select(window, [0, 1])
    with qtbot.waitSignal(window.triage.applied, timeout=WAIT_MS):
        window.menu_actions.triage["confirm"].trigger()
    dock = window.triage.audit
    assert isinstance(dock, AuditDock) and not dock.isVisible()
    toggle = next(
        a for a in window.menu_actions.menus["view"].actions() if a.text() == "&Audit log"
    )
    with qtbot.waitSignal(dock.loaded, timeout=WAIT_MS) as loaded:
        toggle.trigger()
    assert dock.isVisible()
    assert loaded.args[0].matched == 4 == dock.model.rowCount()  # 2 status changes, 2 verdicts
    qtmodeltester.check(dock.model)  # type: ignore[attr-defined]
    dock.anomaly.setText(str(ids[0]))
    with qtbot.waitSignal(dock.loaded, timeout=WAIT_MS):
        dock.anomaly.returnPressed.emit()
    assert dock.model.rowCount() == 2
    assert dock.model.index(0, 5).data() == "verdict: — → confirmed"  # newest first
    dock.actor.setText("nobody-here")
    with qtbot.waitSignal(dock.loaded, timeout=WAIT_MS):
        dock.actor.returnPressed.emit()
    assert dock.model.rowCount() == 0 and dock.caption.text() == "0 records"
    with qtbot.waitSignal(dock.verified, timeout=WAIT_MS) as verified:
        qtbot.mouseClick(dock.verify_button, Qt.MouseButton.LeftButton)
    assert verified.args[0].ok and dock.result.text().startswith("✔ Chain intact: 4 records")
    assert QApplication.focusWidget() is not None


def test_counts_come_from_one_grouped_query(detected: MainWindow, detected_ws: Path) -> None:
    counts = detected.investigation.counts
    assert counts is not None
    with Workspace.open(detected_ws, create=False) as ws:
        assert counts.by_severity == ws.count_by_severity(FilterSpec())
        assert counts.total == ws.count_anomalies()
