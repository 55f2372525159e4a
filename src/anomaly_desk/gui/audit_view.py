"""View > Audit log: the hash-chained audit records in a dock, filtered, and the chain checked.

Reading and verifying run in workers (``audit_tasks``); a new filter supersedes a running read
through its job key. The model is a plain read-only table model, reset per query.
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

from PySide6.QtCore import (
    QModelIndex,
    QPersistentModelIndex,
    Qt,
    Signal,
    Slot,
)
from PySide6.QtGui import QIntValidator
from PySide6.QtWidgets import (
    QAbstractItemView,
    QComboBox,
    QDockWidget,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QPushButton,
    QTableView,
    QVBoxLayout,
    QWidget,
)

from anomaly_desk.gui.audit_tasks import AuditPage, AuditQuery, AuditRow, load_audit, verify_chain
from anomaly_desk.gui.table_models import RecordsModel
from anomaly_desk.gui.workers import Job, JobRunner

AnyIndex = QModelIndex | QPersistentModelIndex
ROOT = QModelIndex()
HEADERS = ("Seq", "When (UTC)", "Actor", "Action", "Object", "What changed")
PERIODS = (
    ("All time", None),
    ("Last hour", timedelta(hours=1)),
    ("Last 24 h", timedelta(days=1)),
    ("Last 7 days", timedelta(days=7)),
    ("Last 30 days", timedelta(days=30)),
)
RecordRole = Qt.ItemDataRole.UserRole + 1  # the AuditRow itself


class AuditModel(RecordsModel[AuditRow]):
    HEADERS = HEADERS
    RECORD_ROLE = RecordRole

    def row_of(self, seq: int) -> int:
        return next((i for i, r in enumerate(self._rows) if r.seq == seq), -1)

    def cells(self, record: AuditRow) -> tuple[str, ...]:
        return (
            str(record.seq),
            record.at,
            record.actor,
            record.action,
            f"{record.object_type} {record.object_uid[:8]}",
            record.change,
        )


class AuditDock(QDockWidget):
    loaded = Signal(object)  # AuditPage
    verified = Signal(object)  # audit.Verification

    def __init__(self, runner: JobRunner, parent: QWidget | None = None) -> None:
        super().__init__("Audit log", parent)
        self.setObjectName("audit-log")
        self._runner = runner
        self.workspace: Path | None = None
        body = QWidget(self)
        self.anomaly = QLineEdit(body)
        self.anomaly.setPlaceholderText("Anomaly id")
        self.anomaly.setValidator(QIntValidator(1, 2_000_000_000, self.anomaly))
        self.anomaly.setMaximumWidth(110)
        self.actor = QLineEdit(body)
        self.actor.setPlaceholderText("Actor")
        self.actor.setMaximumWidth(140)
        self.period = QComboBox(body)
        for label, span in PERIODS:
            self.period.addItem(label, span)
        self.verify_button = QPushButton("Verify chain", body)
        self.verify_button.setToolTip("Recompute every record's hash and check the links")
        self.verify_button.clicked.connect(self.verify)
        self.result = QLabel("", body)
        self.result.setVisible(False)  # until there is a verification to show
        self.result.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self.caption = QLabel("", body)
        self.model = AuditModel(self)
        self.table = QTableView(body)
        self.table.setModel(self.model)
        self.table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.table.setWordWrap(False)
        self.table.verticalHeader().setVisible(False)
        self.table.verticalHeader().setDefaultSectionSize(self.table.fontMetrics().height() + 8)
        self.table.horizontalHeader().setStretchLastSection(True)
        for column, width in enumerate((60, 150, 100, 70, 130)):
            self.table.setColumnWidth(column, width)
        for edit in (self.anomaly, self.actor):
            edit.returnPressed.connect(self.reload)
        self.period.activated.connect(self.reload)
        filters = QHBoxLayout()
        for widget in (self.anomaly, self.actor, self.period):
            filters.addWidget(widget)
        filters.addStretch(1)
        filters.addWidget(self.verify_button)
        rows = QVBoxLayout(body)
        rows.setContentsMargins(6, 4, 6, 4)
        rows.addLayout(filters)
        rows.addWidget(self.result)
        rows.addWidget(self.table, 1)
        rows.addWidget(self.caption)
        self.setWidget(body)
        self.visibilityChanged.connect(self._on_visible)

    def set_workspace(self, path: Path) -> None:
        self.workspace = path
        self.result.setText("")
        self.result.setVisible(False)
        if self.isVisible():
            self.reload()

    def query(self) -> AuditQuery:
        text = self.anomaly.text().strip()
        span = self.period.currentData()
        since = datetime.now(UTC) - span if isinstance(span, timedelta) else None
        return AuditQuery(int(text) if text else None, self.actor.text().strip(), since)

    @Slot()
    def reload(self) -> Job | None:
        if self.workspace is None or self._runner.closed:
            return None
        job = self._runner.submit(
            load_audit, self.query(), label="Reading the audit log",
            workspace=self.workspace, key="audit-log", quiet=True,
        )  # fmt: skip
        job.finished.connect(self._on_loaded)
        return job

    @Slot(object)
    def _on_loaded(self, page: object) -> None:
        assert isinstance(page, AuditPage)
        self.model.set_rows(page.rows)
        shown = len(page.rows)
        more = f" (the newest {shown:,} shown)" if page.matched > shown else ""
        self.caption.setText(f"{page.matched:,} records{more}")
        self.loaded.emit(page)

    @Slot()
    def verify(self) -> Job | None:
        if self.workspace is None or self._runner.closed:
            return None
        self.verify_button.setEnabled(False)
        self.result.setText("Verifying…")
        self.result.setVisible(True)
        job = self._runner.submit(
            verify_chain, label="Verifying the audit chain", workspace=self.workspace
        )
        job.finished.connect(self._on_verified)
        job.done.connect(lambda: self.verify_button.setEnabled(True))
        return job

    @Slot(object)
    def _on_verified(self, verification: Any) -> None:
        bad = verification.first_bad
        if bad is None:
            head = verification.head
            where = f", head {head.seq}:{head.hash[:12]}…" if head is not None else ""
            self.result.setText(f"✔ Chain intact: {verification.records:,} records{where}")
        else:
            self.result.setText(f"✘ Chain broken at {bad.describe()}")
            row = self.model.row_of(bad.seq)
            if row >= 0:
                self.table.selectRow(row)
                self.table.scrollTo(self.model.index(row, 0))
        self.verified.emit(verification)

    @Slot(bool)
    def _on_visible(self, visible: bool) -> None:
        if visible:
            self.reload()
