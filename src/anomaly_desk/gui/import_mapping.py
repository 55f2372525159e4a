"""The wizard's mapping page: detected defaults, every part overridable, re-planned on change.

Controls show the current plan; a user's change becomes an override (``Overrides``) and a new
plan is asked for. Controls are refilled from each plan with their signals blocked, so only the
user's own edits count as overrides.
"""

from __future__ import annotations

from dataclasses import replace
from typing import TYPE_CHECKING

from PySide6.QtCore import QSignalBlocker, Qt, Slot
from PySide6.QtWidgets import (
    QComboBox,
    QFormLayout,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QListWidget,
    QListWidgetItem,
    QVBoxLayout,
    QWizardPage,
)

from anomaly_desk.gui.import_tasks import Planned
from anomaly_desk.gui.problems_panel import ProblemsPanel, for_the_window
from anomaly_desk.gui.table_models import preview_table
from anomaly_desk.model import DatasetKind

if TYPE_CHECKING:
    from anomaly_desk.gui.import_wizard import ImportWizard

KINDS = (
    ("Time series (numbers over time)", DatasetKind.TIMESERIES),
    ("Events (things that happened, with fields)", DatasetKind.EVENTS),
    ("Records (rows of features)", DatasetKind.RECORDS),
)
NO_COLUMN = "(none)"
AUTO = "(detect)"
FORMATS = (AUTO, "iso", "epoch_s", "epoch_ms", "%Y-%m-%d %H:%M:%S", "%d/%m/%Y %H:%M", "%m/%d/%Y")
ZONES = (
    "UTC",
    "Europe/London",
    "Europe/Berlin",
    "Europe/Paris",
    "America/New_York",
    "America/Chicago",
    "America/Los_Angeles",
    "Asia/Tokyo",
    "Asia/Singapore",
    "Australia/Sydney",
)
BAD_VALUES = (("Refuse the file and list them", "error"), ("Import them as missing", "missing"))


class MappingPage(QWizardPage):
    def __init__(self, wizard: ImportWizard) -> None:
        super().__init__()
        self._wizard = wizard
        self.setTitle("Column mapping")
        self.setSubTitle("Detected from the first rows; change anything that is wrong.")
        self.name = QLineEdit(self)
        self.kind = QComboBox(self)
        for label, kind in KINDS:
            self.kind.addItem(label, kind.value)  # Qt turns a StrEnum into a plain str
        self.timestamp = QComboBox(self)
        self.timestamp_format = QComboBox(self)
        self.timestamp_format.setEditable(True)
        self.timestamp_format.addItems(FORMATS)
        self.timezone = QComboBox(self)
        self.timezone.setEditable(True)
        self.timezone.addItems(ZONES)
        self.entity = QComboBox(self)
        self.columns = QListWidget(self)
        self.columns.setMaximumHeight(96)
        self.columns_label = QLabel("Value columns", self)
        self.bad_values = QComboBox(self)
        for label, value in BAD_VALUES:
            self.bad_values.addItem(label, value)
        self.notes = QLabel(self)
        self.notes.setWordWrap(True)
        self.name_problem = QLabel(self)
        self.name_problem.setStyleSheet("color: #c5221f")
        self.problems = ProblemsPanel(self)
        self.table = preview_table(self, wizard.preview_model)

        form = QFormLayout()
        form.addRow("Dataset name", self.name)
        form.addRow("Kind", self.kind)
        stamp = QHBoxLayout()
        stamp.addWidget(self.timestamp, 2)
        stamp.addWidget(QLabel("format", self))
        stamp.addWidget(self.timestamp_format, 2)
        stamp.addWidget(QLabel("time zone of naive times", self))
        stamp.addWidget(self.timezone, 2)
        form.addRow("Timestamp", stamp)
        form.addRow("Entity / source", self.entity)
        form.addRow(self.columns_label, self.columns)
        form.addRow("Non-numeric values", self.bad_values)
        layout = QVBoxLayout(self)
        layout.addLayout(form)
        layout.addWidget(self.name_problem)
        layout.addWidget(self.notes)
        layout.addWidget(self.problems)
        layout.addWidget(self.table, 1)

        self.name.textEdited.connect(self._on_name)
        self.kind.activated.connect(self._on_kind)
        self.timestamp.activated.connect(self._on_timestamp)
        self.timestamp_format.textActivated.connect(self._on_format)
        self.timezone.textActivated.connect(self._on_timezone)
        self.entity.activated.connect(self._on_entity)
        self.columns.itemChanged.connect(self._on_columns)
        self.bad_values.activated.connect(self._on_bad_values)
        wizard.planned.connect(self._on_planned)
        wizard.plan_failed.connect(self._on_failed)

    def initializePage(self) -> None:
        if self._wizard.result_plan is not None:
            self._on_planned(self._wizard.result_plan)

    def selected_kind(self) -> DatasetKind:
        return DatasetKind(self.kind.currentData())

    def isComplete(self) -> bool:
        return (
            self._wizard.result_plan is not None
            and not self._wizard.planning
            and self.problems.isHidden()
            and not self.name_problem.text()
        )

    # -- user edits become overrides ------------------------------------------------------

    def _override(self, **changes: object) -> None:
        self._wizard.set_overrides(replace(self._wizard.overrides, **changes))  # type: ignore[arg-type]
        self.completeChanged.emit()

    @Slot(str)
    def _on_name(self, text: str) -> None:
        self._check_name(text)
        self._wizard.overrides = replace(self._wizard.overrides, name=text.strip() or None)
        self.completeChanged.emit()

    @Slot(int)
    def _on_kind(self, _index: int) -> None:
        # The value columns / fields / entity guessed for one kind mean nothing for another.
        self._override(kind=self.selected_kind(), columns=None, entity=None)

    @Slot(int)
    def _on_timestamp(self, _index: int) -> None:
        text = self.timestamp.currentText()
        none = text == NO_COLUMN
        self._override(timestamp=None if none else text, no_timestamp=none, timestamp_format=None)

    @Slot(str)
    def _on_format(self, text: str) -> None:
        self._override(timestamp_format=None if text in (AUTO, "") else text)

    @Slot(str)
    def _on_timezone(self, text: str) -> None:
        self._override(timezone=text.strip() or None)

    @Slot(int)
    def _on_entity(self, _index: int) -> None:
        text = self.entity.currentText()
        self._override(entity=None if text in (NO_COLUMN, AUTO) else text)

    @Slot(QListWidgetItem)
    def _on_columns(self, _item: QListWidgetItem) -> None:
        checked = tuple(
            self.columns.item(i).text()
            for i in range(self.columns.count())
            if self.columns.item(i).checkState() == Qt.CheckState.Checked
        )
        # Columns are values for a series and fields otherwise: pin the kind they belong to.
        self._override(kind=self.selected_kind(), columns=checked or None)

    @Slot(int)
    def _on_bad_values(self, _index: int) -> None:
        self._override(bad_values=self.bad_values.currentData())

    def _check_name(self, text: str) -> None:
        name = text.strip()
        if not name:
            self.name_problem.setText("Give the dataset a name.")
        elif name in self._wizard.existing_names:
            self.name_problem.setText(f"The workspace already has a dataset named {name!r}.")
        else:
            self.name_problem.setText("")
        self.name_problem.setVisible(bool(self.name_problem.text()))

    # -- plans refill the controls -------------------------------------------------------

    @Slot(object)
    def _on_planned(self, result: Planned) -> None:
        plan = result.plan
        mapping = plan.mapping
        columns = [str(c) for c in plan.preview.columns]
        blockers = [
            QSignalBlocker(w)
            for w in (
                self.name,
                self.kind,
                self.timestamp,
                self.timestamp_format,
                self.timezone,
                self.entity,
                self.columns,
            )
        ]
        if not self.name.text() or self._wizard.overrides.name is None:
            self.name.setText(plan.name)
        self.kind.setCurrentIndex(self.kind.findData(DatasetKind(mapping.kind).value))
        _refill(self.timestamp, [NO_COLUMN, *columns], mapping.timestamp or NO_COLUMN)
        self.timestamp_format.setCurrentText(mapping.timestamp_format or AUTO)
        self.timestamp_format.setEnabled(mapping.timestamp is not None)
        self.timezone.setCurrentText(mapping.timezone)
        others = [c for c in columns if c != mapping.timestamp]
        _refill(self.entity, [NO_COLUMN, *others], mapping.entity or NO_COLUMN)
        self.entity.setEnabled(mapping.kind is DatasetKind.TIMESERIES)
        series = mapping.kind is DatasetKind.TIMESERIES
        self.columns_label.setText("Value columns" if series else "Fields")
        chosen = set(mapping.values if series else mapping.fields)
        self.columns.clear()
        for name in others:
            if series and name == mapping.entity:
                continue
            item = QListWidgetItem(name, self.columns)
            item.setFlags(item.flags() | Qt.ItemFlag.ItemIsUserCheckable)
            item.setCheckState(Qt.CheckState.Checked if name in chosen else Qt.CheckState.Unchecked)
        del blockers
        self._check_name(self.name.text())
        self.notes.setText("\n".join(f"• {for_the_window(n)}" for n in plan.guess.notes))
        self.problems.clear()
        self.completeChanged.emit()

    @Slot(object)
    def _on_failed(self, exc: BaseException) -> None:
        self.problems.show_error(exc, "Planning the import")
        self.completeChanged.emit()


def _refill(combo: QComboBox, items: list[str], current: str) -> None:
    combo.clear()
    combo.addItems(items)
    combo.setCurrentText(current)
