"""View > Incidents: the stored incidents and, below, the proposals with the reasons that join
their members. Accept a proposal; rename an incident, edit its summary, close or reopen it, add
the anomalies selected in the table to it; merge or dissolve incidents; open one in the
incident view.

Every read and write is a job (``incident_tasks``); after a write the lists are read again.
The incidents are a plain read-only table model, reset per read; the proposals a tree whose
children are the links' reasons.
"""

from __future__ import annotations

import getpass
from collections.abc import Callable
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from PySide6.QtCore import (
    QModelIndex,
    QPersistentModelIndex,
    Qt,
    Signal,
    Slot,
)
from PySide6.QtWidgets import (
    QAbstractItemView,
    QDockWidget,
    QHBoxLayout,
    QInputDialog,
    QLabel,
    QPushButton,
    QTableView,
    QTreeWidget,
    QTreeWidgetItem,
    QVBoxLayout,
    QWidget,
)

from anomaly_desk.gui import incident_tasks as tasks
from anomaly_desk.gui.table_models import RecordsModel
from anomaly_desk.gui.workers import Job, JobRunner
from anomaly_desk.model import IncidentInfo, IncidentProposal, IncidentStatus

AnyIndex = QModelIndex | QPersistentModelIndex
ROOT = QModelIndex()
HEADERS = ("#", "Title", "Status", "Anomalies", "From (UTC)")
IncidentRole = Qt.ItemDataRole.UserRole + 1
ProposalRole = Qt.ItemDataRole.UserRole + 2


def _when(ns: int | None) -> str:
    return "" if ns is None else f"{datetime.fromtimestamp(ns / 1e9, tz=UTC):%Y-%m-%d %H:%M}"


class IncidentsModel(RecordsModel[IncidentInfo]):
    HEADERS = HEADERS
    RECORD_ROLE = IncidentRole

    def cells(self, record: IncidentInfo) -> tuple[str, ...]:
        return (
            str(record.id),
            record.title,
            record.status.value,
            str(len(record.anomaly_ids)),
            _when(record.start_ns),
        )


class IncidentsDock(QDockWidget):
    loaded = Signal(object)  # IncidentsPage
    changed = Signal(object)  # IncidentInfo created, edited or merged, or the id dissolved
    open_requested = Signal(int)  # incident id

    def __init__(self, runner: JobRunner, parent: QWidget | None = None) -> None:
        super().__init__("Incidents", parent)
        self.setObjectName("incidents")
        self._runner = runner
        self.actor = getpass.getuser()
        self.workspace: Path | None = None
        # The anomalies "Add selected anomalies" adds: the window sets it to its table's.
        self.anomaly_selection: Callable[[], list[int]] = list
        body = QWidget(self)
        self.model = IncidentsModel(self)
        self.table = QTableView(body)
        self.table.setModel(self.model)
        self.table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.table.verticalHeader().setVisible(False)
        self.table.horizontalHeader().setStretchLastSection(True)
        self.table.doubleClicked.connect(self.open_selected)
        self.proposals = QTreeWidget(body)
        self.proposals.setHeaderLabels(("Proposal / reason", "Score", "Anomalies"))
        self.proposals.setColumnWidth(0, 360)
        self.proposals.itemDoubleClicked.connect(self.accept_selected)
        self.buttons: dict[str, QPushButton] = {}
        incident_row, edit_row, proposal_row = QHBoxLayout(), QHBoxLayout(), QHBoxLayout()
        for key, text, slot, row in (
            ("open", "Open", self.open_selected, incident_row),
            ("merge", "Merge selected", self.merge_selected, incident_row),
            ("dissolve", "Dissolve", self.dissolve_selected, incident_row),
            ("rename", "Rename…", self.ask_rename, edit_row),
            ("summary", "Summary…", self.ask_summary, edit_row),
            ("status", "Close / reopen", self.toggle_status, edit_row),
            ("add", "Add selected anomalies", self.add_selected_anomalies, edit_row),
            ("accept", "Create incident", self.accept_selected, proposal_row),
            ("refresh", "Refresh", self.reload, proposal_row),
        ):
            button = QPushButton(text, body)
            button.clicked.connect(slot)
            row.addWidget(button)
            self.buttons[key] = button
        incident_row.addStretch(1)
        edit_row.addStretch(1)
        proposal_row.addStretch(1)
        self.caption = QLabel("", body)
        rows = QVBoxLayout(body)
        rows.setContentsMargins(6, 4, 6, 4)
        rows.addWidget(QLabel("<b>Incidents</b>", body))
        rows.addWidget(self.table, 1)
        rows.addLayout(incident_row)
        rows.addLayout(edit_row)
        rows.addWidget(QLabel("<b>Proposals</b>", body))
        rows.addWidget(self.proposals, 1)
        rows.addLayout(proposal_row)
        rows.addWidget(self.caption)
        self.setWidget(body)
        self.visibilityChanged.connect(self._on_visible)

    # -- reading ----------------------------------------------------------------------------

    def set_workspace(self, path: Path) -> None:
        self.workspace = path
        if self.isVisible():
            self.reload()

    def _submit(self, fn: Any, *args: Any, label: str, key: str | None = None) -> Job | None:
        if self.workspace is None or self._runner.closed:
            return None
        return self._runner.submit(fn, *args, label=label, workspace=self.workspace, key=key)

    @Slot()
    def reload(self) -> Job | None:
        job = self._submit(tasks.load_incidents, label="Reading incidents", key="incidents")
        if job is not None:
            job.finished.connect(self._on_loaded)
        return job

    @Slot(object)
    def _on_loaded(self, page: object) -> None:
        assert isinstance(page, tasks.IncidentsPage)
        self.model.set_rows(page.incidents)
        self.proposals.clear()
        for proposal in page.proposals:
            item = QTreeWidgetItem(
                (proposal.title, f"{proposal.score:.0f}", str(len(proposal.anomaly_ids)))
            )
            item.setData(0, ProposalRole, proposal)
            item.setToolTip(0, ", ".join(proposal.series))
            for link in proposal.links:
                reason = f"#{link.a}–#{link.b}: {link.reason}"
                item.addChild(QTreeWidgetItem((reason, f"{link.strength:.2f}")))
            self.proposals.addTopLevelItem(item)
        self.caption.setText(f"{len(page.incidents)} incidents · {len(page.proposals)} proposals")
        self.loaded.emit(page)

    # -- what is selected -----------------------------------------------------------------

    def selected_incidents(self) -> list[IncidentInfo]:
        rows = sorted(i.row() for i in self.table.selectionModel().selectedRows())
        found = [self.model.index(r, 0).data(IncidentRole) for r in rows]
        return [f for f in found if isinstance(f, IncidentInfo)]

    def selected_proposal(self) -> IncidentProposal | None:
        item = self.proposals.currentItem()
        while item is not None and item.parent() is not None:
            item = item.parent()
        found = item.data(0, ProposalRole) if item is not None else None
        return found if isinstance(found, IncidentProposal) else None

    # -- changing ---------------------------------------------------------------------------

    @Slot()
    def accept_selected(self) -> Job | None:
        proposal = self.selected_proposal()
        if proposal is None:
            return None
        job = self._submit(tasks.accept_proposal, proposal, self.actor, label="Creating incident")
        if job is not None:
            job.finished.connect(self._on_changed)
        return job

    @Slot()
    def merge_selected(self) -> Job | None:
        chosen = self.selected_incidents()
        if len(chosen) < 2:
            return None
        ids = [c.id for c in chosen]
        job = self._submit(tasks.merge_incidents, ids, self.actor, label="Merging incidents")
        if job is not None:
            job.finished.connect(self._on_changed)
        return job

    @Slot()
    def dissolve_selected(self) -> Job | None:
        chosen = self.selected_incidents()
        if len(chosen) != 1:
            return None
        job = self._submit(
            tasks.dissolve_incident, chosen[0].id, self.actor, label="Dissolving incident"
        )
        if job is not None:
            job.finished.connect(self._on_changed)
        return job

    def _one(self) -> IncidentInfo | None:
        chosen = self.selected_incidents()
        return chosen[0] if len(chosen) == 1 else None

    def edit(
        self,
        incident_id: int,
        label: str,
        title: str | None = None,
        summary: str | None = None,
        status: IncidentStatus | None = None,
    ) -> Job | None:
        """Change the title, summary and/or status of an incident, in a job."""
        job = self._submit(
            tasks.update_incident, incident_id, self.actor, title, summary, status, label=label
        )
        if job is not None:
            job.finished.connect(self._on_changed)
        return job

    @Slot()
    def ask_rename(self) -> Job | None:
        info = self._one()
        if info is None:
            return None
        title, ok = QInputDialog.getText(self, "Rename incident", "Title:", text=info.title)
        ok = ok and bool(title.strip())
        return self.edit(info.id, "Renaming incident", title=title) if ok else None

    @Slot()
    def ask_summary(self) -> Job | None:
        info = self._one()
        if info is None:
            return None
        text, ok = QInputDialog.getMultiLineText(self, "Incident summary", "Summary:", info.summary)
        return self.edit(info.id, "Saving the summary", summary=text) if ok else None

    @Slot()
    def toggle_status(self) -> Job | None:
        info = self._one()
        if info is None:
            return None
        closed = info.status is IncidentStatus.CLOSED
        status = IncidentStatus.OPEN if closed else IncidentStatus.CLOSED
        label = "Reopening incident" if closed else "Closing incident"
        return self.edit(info.id, label, status=status)

    @Slot()
    def add_selected_anomalies(self) -> Job | None:
        info, ids = self._one(), self.anomaly_selection()
        if info is None or not ids:
            return None
        job = self._submit(
            tasks.add_to_incident, info.id, ids, self.actor, label="Adding to incident"
        )
        if job is not None:
            job.finished.connect(self._on_changed)
        return job

    def remove_member(self, incident_id: int, anomaly_id: int) -> Job | None:
        job = self._submit(
            tasks.remove_from_incident, incident_id, [anomaly_id], self.actor,
            label=f"Removing #{anomaly_id} from incident #{incident_id}",
        )  # fmt: skip
        if job is not None:
            job.finished.connect(self._on_changed)
        return job

    @Slot(object)
    def _on_changed(self, result: object) -> None:
        self.changed.emit(result)
        self.reload()

    @Slot()
    def open_selected(self) -> None:
        chosen = self.selected_incidents()
        if chosen:
            self.open_requested.emit(chosen[0].id)

    @Slot(bool)
    def _on_visible(self, visible: bool) -> None:
        if visible:
            self.reload()
