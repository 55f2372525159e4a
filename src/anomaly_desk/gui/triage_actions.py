"""Triage from the keyboard, the Anomaly menu and the table's context menu.

``TriageActions`` connects the triage ``QAction``s built by ``menus`` (one set: menu, shortcut
and context menu agree), enables them for the table's selection, and turns each into a job
(``triage_tasks``): the selection is changed in one ``Workspace.triage`` call, so a bulk change
is all or nothing. When the job lands, the touched rows are replaced in place (selection and
scroll stay), the counts, markers and detail are refreshed. Refusals and errors travel the
job runner's one path to the ``NotificationManager``; nothing here opens a blocking dialog.

It also wires the other triage parts: comments from the detail pane, the suppression offer
after a false positive, the audit log dock, and the workspace's saved views.
"""

from __future__ import annotations

import getpass
from collections.abc import Callable
from typing import TYPE_CHECKING, Any

from PySide6.QtCore import QObject, QPoint, Qt, Signal, Slot
from PySide6.QtGui import QAction
from PySide6.QtWidgets import QMenu

from anomaly_desk.gui.anomaly_model import RowRole
from anomaly_desk.gui.audit_view import AuditDock
from anomaly_desk.gui.menus import TRIAGE_IDLE_TIP, TRIAGE_TIPS
from anomaly_desk.gui.suppression_panel import SuppressionPanel
from anomaly_desk.gui.triage_dialogs import AssignDialog, ChangeDialog, SeverityDialog, TagDialog
from anomaly_desk.gui.triage_tasks import (
    Applied,
    TriageInfo,
    accept_suppression,
    add_comment,
    apply_change,
    confirm,
    false_positive,
    load_triage_info,
)
from anomaly_desk.gui.workers import Job
from anomaly_desk.model import AnomalyRow, Status, Suppression, TriageChange
from anomaly_desk.triage.workflow import TRANSITIONS

if TYPE_CHECKING:
    from anomaly_desk.gui.main_window import MainWindow

TAG_SCAN_ROWS = 2000
EDITS = ("confirm", "false_positive", "assign", "status", "tag", "star", "severity")


def _plural(n: int) -> str:
    return f"{n} anomal{'y' if n == 1 else 'ies'}"


class TriageActions(QObject):
    applied = Signal(object)  # Applied: the table shows it by now
    failed = Signal(object)  # the exception (already reported)
    info_shown = Signal(object)  # TriageInfo refreshed in the detail pane
    suppressed = Signal(object, int)  # Suppression, anomalies muted
    proposals_shown = Signal(object)  # SuppressionPanel

    def __init__(self, window: MainWindow) -> None:
        super().__init__(window)
        self.window = window
        self.actor = getpass.getuser()
        self.table = window.anomaly_pane.table
        self.model = window.investigation.model
        self.actions = window.menu_actions.triage
        self.dialog: ChangeDialog | None = None
        self.panel: SuppressionPanel | None = None
        self.status_menu = QMenu("Set status", window)
        self.context_menu: QMenu | None = None
        self._pane_wired = False
        slots: dict[str, Callable[[], object]] = {
            "confirm": self.confirm,
            "false_positive": self.false_positive,
            "assign": self.ask_assign,
            "status": self.ask_status,
            "tag": self.ask_tag,
            "star": self.toggle_star,
            "severity": self.ask_severity,
        }
        for key, slot in slots.items():
            self.actions[key].triggered.connect(slot)
        self.model.modelReset.connect(self.update_enabled)
        self.model.rowsInserted.connect(self.update_enabled)
        self.table.selectionModel().selectionChanged.connect(self.update_enabled)
        self.table.setContextMenuPolicy(Qt.ContextMenuPolicy.CustomContextMenu)
        self.table.customContextMenuRequested.connect(self.show_context_menu)
        self.audit = AuditDock(window.runner, window)
        window.addDockWidget(Qt.DockWidgetArea.BottomDockWidgetArea, self.audit)
        self.audit.setVisible(False)
        toggle = self.audit.toggleViewAction()
        toggle.setText("&Audit log")
        window.menu_actions.menus["view"].addAction(toggle)
        window.workspace_opened.connect(self._on_workspace)
        self.update_enabled()

    # -- what is selected -----------------------------------------------------------------

    def selected_rows(self) -> list[AnomalyRow]:
        """Stored anomalies selected, the current row first (it decides defaults)."""
        indexes = self.table.selectionModel().selectedRows()
        rows = [i.data(RowRole) for i in indexes]
        current = self.table.currentIndex()
        first = current.data(RowRole) if current.isValid() else None
        stored = [r for r in rows if isinstance(r, AnomalyRow) and r.id > 0]
        if isinstance(first, AnomalyRow) and first in stored:
            stored.remove(first)
            stored.insert(0, first)
        return stored

    def _ids(self) -> tuple[int, ...]:
        return tuple(r.id for r in self.selected_rows())

    @Slot()
    def update_enabled(self) -> None:
        has_rows = self.model.rowCount() > 0
        for key in ("next", "previous"):
            self.actions[key].setEnabled(has_rows)
        selected = bool(self.selected_rows())
        for key in EDITS:
            action = self.actions[key]
            action.setEnabled(selected)
            tip = TRIAGE_TIPS[key] if selected else TRIAGE_IDLE_TIP
            action.setToolTip(tip)
            action.setStatusTip(tip)

    # -- the actions --------------------------------------------------------------------------

    @Slot()
    def confirm(self) -> Job | None:
        return self._run(confirm, "Confirmed")

    @Slot()
    def false_positive(self) -> Job | None:
        return self._run(false_positive, "Marked false positive")

    def change(self, change: TriageChange, what: str = "Changed") -> Job | None:
        return self._run(apply_change, what, change)

    @Slot()
    def toggle_star(self) -> Job | None:
        rows = self.selected_rows()
        starred = not all(r.starred for r in rows)
        return self.change(TriageChange(starred=starred), "Starred" if starred else "Unstarred")

    def set_status(self, status: Status) -> Job | None:
        return self.change(TriageChange(status=status), f"Status {status.value}")

    def status_choices(self) -> list[Status]:
        """The statuses the current row may move to (``triage.workflow.TRANSITIONS``)."""
        rows = self.selected_rows()
        return sorted(TRANSITIONS[rows[0].status], key=list(Status).index) if rows else []

    def fill_status_menu(self, menu: QMenu) -> None:
        menu.clear()
        for status in self.status_choices():
            act = menu.addAction(status.value.replace("_", " "))
            act.setData(status.value)
            act.triggered.connect(self._on_status_action)
        if menu.isEmpty():
            menu.addAction("(select an anomaly)").setEnabled(False)

    @Slot()
    def ask_status(self) -> QMenu:
        """S: a menu of the allowed statuses at the current row (non-blocking ``popup``)."""
        self.fill_status_menu(self.status_menu)
        self.status_menu.popup(self._popup_point())
        return self.status_menu

    @Slot()
    def _on_status_action(self) -> None:
        act = self.sender()
        if isinstance(act, QAction):
            self.set_status(Status(str(act.data())))

    @Slot()
    def ask_assign(self) -> ChangeDialog | None:
        rows = self.selected_rows()
        if not rows:
            return None
        recent = self.window.preferences.recent_assignees()
        if self.actor not in recent:
            recent.append(self.actor)  # assigning to oneself is the common case
        return self._open(AssignDialog(self._what(rows), rows[0].assignee or "", recent))

    @Slot()
    def ask_tag(self) -> ChangeDialog | None:
        rows = self.selected_rows()
        if not rows:
            return None
        present = sorted({t for r in rows for t in r.tags})
        # Tags on the rows loaded so far, for completion; capped so the key stays instant.
        loaded = min(self.model.rowCount(), TAG_SCAN_ROWS)
        known = sorted({t for i in range(loaded) for t in self.model.anomaly(i).tags})
        return self._open(TagDialog(self._what(rows), present, known))

    @Slot()
    def ask_severity(self) -> ChangeDialog | None:
        rows = self.selected_rows()
        if not rows:
            return None
        return self._open(SeverityDialog(self._what(rows), rows[0].severity))

    def _open(self, dialog: ChangeDialog) -> ChangeDialog:
        if self.dialog is not None:
            self.dialog.close()
        dialog.setParent(self.window, dialog.windowFlags())
        dialog.chosen.connect(self._on_chosen)
        dialog.destroyed.connect(self._forget_dialog)
        self.dialog = dialog
        dialog.show()
        return dialog

    @Slot()
    def _forget_dialog(self) -> None:
        self.dialog = None

    @Slot(object)
    def _on_chosen(self, change: object) -> None:
        assert isinstance(change, TriageChange)
        if change.assignee:
            self.window.preferences.add_assignee(change.assignee)
        self.change(change)

    @staticmethod
    def _what(rows: list[AnomalyRow]) -> str:
        return f"#{rows[0].id}" if len(rows) == 1 else f"{_plural(len(rows))} selected"

    # -- the context menu ----------------------------------------------------------------------

    @Slot(QPoint)
    def show_context_menu(self, pos: QPoint) -> QMenu:
        index = self.table.indexAt(pos)
        if index.isValid() and not self.table.selectionModel().isRowSelected(index.row()):
            self.table.select_row(index.row())  # right-click acts on the row under the mouse
        menu = QMenu(self.table)
        menu.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        for key in ("confirm", "false_positive", "assign"):
            menu.addAction(self.actions[key])
        status = menu.addMenu("Set status")
        self.fill_status_menu(status)
        for key in ("tag", "star", "severity"):
            menu.addAction(self.actions[key])
        self.context_menu = menu
        menu.popup(self.table.viewport().mapToGlobal(pos))
        return menu

    def _popup_point(self) -> QPoint:
        rect = self.table.visualRect(self.table.currentIndex())
        return self.table.viewport().mapToGlobal(rect.bottomLeft())

    # -- running changes ---------------------------------------------------------------------

    def _run(self, fn: Callable[..., Applied], what: str, *args: Any) -> Job | None:
        ids = self._ids()
        workspace = self.window.workspace_path
        if not ids or workspace is None or self.window.runner.closed:
            return None
        job = self.window.runner.submit(
            fn, ids, *args, self.actor, label=f"{what}: {_plural(len(ids))}", workspace=workspace
        )
        job.finished.connect(lambda applied: self._on_applied(what, applied))
        job.errored.connect(self.failed)
        return job

    def _on_applied(self, what: str, applied: object) -> None:
        assert isinstance(applied, Applied)
        self.model.update_rows(applied.rows)
        self.window.investigation.after_triage()
        self.window.notifications.info(f"{what}: {_plural(len(applied.ids))}.")
        pane = self.window.detail_pane
        shown = pane.triage.anomaly_id if pane is not None else None
        if pane is not None and shown in applied.ids:
            pane.show_row(next(r.row for r in applied.rows if r.id == shown))
            self.refresh_info(shown)
        if applied.proposals:
            self._offer(applied.ids[0], applied)
        if self.audit.isVisible():
            self.audit.reload()
        self.update_enabled()
        self.applied.emit(applied)

    def refresh_info(self, anomaly_id: int) -> Job | None:
        return self._info_job(load_triage_info, anomaly_id, label="Reading comments and history")

    @Slot(int, str)
    def add_comment(self, anomaly_id: int, body: str) -> Job | None:
        job = self._info_job(add_comment, anomaly_id, body, self.actor, label="Adding a comment")
        pane = self.window.detail_pane
        if job is not None and pane is not None:
            job.finished.connect(pane.triage.comment_stored)
            job.errored.connect(pane.triage.comment_failed)
        return job

    def _info_job(self, fn: Callable[..., TriageInfo], *args: Any, label: str) -> Job | None:
        workspace = self.window.workspace_path
        if workspace is None or self.window.runner.closed:
            return None
        job = self.window.runner.submit(fn, *args, label=label, workspace=workspace)
        job.finished.connect(self._on_info)
        job.errored.connect(self.failed)
        return job

    @Slot(object)
    def _on_info(self, info: object) -> None:
        assert isinstance(info, TriageInfo)
        pane = self.window.detail_pane
        if pane is not None and pane.triage.anomaly_id == info.anomaly_id:
            pane.triage.show_info(info)
        if self.audit.isVisible():
            self.audit.reload()
        self.info_shown.emit(info)

    # -- suppression after a false positive -------------------------------------------------

    def _offer(self, anomaly_id: int, applied: Applied) -> None:
        if self.panel is not None:
            self.panel.close()
        panel = SuppressionPanel(anomaly_id, applied.proposals, self.window)
        panel.accepted_rule.connect(self.accept_rule)
        panel.destroyed.connect(self._forget_panel)
        self.panel = panel
        panel.show()
        self.proposals_shown.emit(panel)

    @Slot()
    def _forget_panel(self) -> None:
        self.panel = None

    @Slot(object, str)
    def accept_rule(self, rule: object, name: str) -> Job | None:
        workspace = self.window.workspace_path
        if not isinstance(rule, Suppression) or workspace is None or self.window.runner.closed:
            return None
        job = self.window.runner.submit(
            accept_suppression, rule, name, self.actor,
            label=f"Suppressing {name!r}", workspace=workspace,
        )  # fmt: skip
        job.finished.connect(lambda result: self._on_suppressed(rule, result))
        job.errored.connect(lambda exc: self._on_suppress_failed(rule, exc))
        return job

    def _on_suppressed(self, rule: Suppression, result: object) -> None:
        assert isinstance(result, tuple)
        muted = int(result[1])
        if self.panel is not None:
            self.panel.show_result(rule, muted)
        self.window.notifications.info(f"Suppression stored; {_plural(muted)} muted.")
        self.window.investigation.invalidate()
        self.window.investigation.apply()  # muted rows leave the table: a new query
        self.suppressed.emit(rule, muted)

    def _on_suppress_failed(self, rule: Suppression, exc: object) -> None:
        if self.panel is not None:
            self.panel.show_result(rule, None)
        self.failed.emit(exc)

    # -- the workspace -------------------------------------------------------------------------

    @Slot(object)
    def _on_workspace(self, snapshot: Any) -> None:
        self.window.views.set_workspace(snapshot.path)
        self.audit.set_workspace(snapshot.path)
        pane = self.window.detail_pane  # created with the first workspace, never at start-up
        if pane is not None and not self._pane_wired:
            pane.triage.comment_submitted.connect(self.add_comment)
            self._pane_wired = True
