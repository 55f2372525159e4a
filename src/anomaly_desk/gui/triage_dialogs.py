"""Small non-modal dialogs that turn a choice into a ``TriageChange``: assign, tag, severity.

Each emits ``chosen(TriageChange)`` and closes; it never touches the store (the triage
controller runs the change in a worker). Non-modal (``show()``): the event loop never blocks,
and tests drive them like any widget.
"""

from __future__ import annotations

from collections.abc import Sequence

from PySide6.QtCore import Qt, Signal, Slot
from PySide6.QtWidgets import (
    QComboBox,
    QCompleter,
    QDialog,
    QDialogButtonBox,
    QFormLayout,
    QLabel,
    QLineEdit,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from anomaly_desk.model import Severity, TriageChange

CLEAR_OVERRIDE = "As detected (clear the override)"


class ChangeDialog(QDialog):
    chosen = Signal(object)  # TriageChange

    def __init__(self, title: str, what: str, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setWindowTitle(title)
        self.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        self.setWindowModality(Qt.WindowModality.NonModal)
        self.form = QFormLayout()
        self.buttons = QDialogButtonBox(self)
        cancel = self.buttons.addButton(QDialogButtonBox.StandardButton.Cancel)
        cancel.clicked.connect(self.reject)
        column = QVBoxLayout(self)
        column.addWidget(QLabel(what, self))
        column.addLayout(self.form)
        column.addWidget(self.buttons)

    def button(self, text: str, slot: object) -> QPushButton:
        button = self.buttons.addButton(text, QDialogButtonBox.ButtonRole.AcceptRole)
        button.clicked.connect(slot)
        return button

    def choose(self, change: TriageChange) -> None:
        self.chosen.emit(change)
        self.accept()


def _completed(edit: QLineEdit, words: Sequence[str]) -> None:
    completer = QCompleter(list(words), edit)
    completer.setCaseSensitivity(Qt.CaseSensitivity.CaseInsensitive)
    completer.setFilterMode(Qt.MatchFlag.MatchContains)
    edit.setCompleter(completer)


class AssignDialog(ChangeDialog):
    def __init__(
        self, what: str, current: str, recent: Sequence[str], parent: QWidget | None = None
    ) -> None:
        super().__init__("Assign", what, parent)
        self.name = QLineEdit(current, self)
        self.name.setPlaceholderText("Who looks into it")
        _completed(self.name, recent)
        self.form.addRow("Assignee:", self.name)
        self.recent = QLabel("Recent: " + (", ".join(recent) or "none yet"), self)
        self.recent.setEnabled(False)
        self.form.addRow(self.recent)
        self.assign = self.button("Assign", self._on_assign)
        self.assign.setDefault(True)
        self.unassign = self.button("Unassign", self._on_unassign)
        self.name.textChanged.connect(self._on_text)
        self._on_text(current)

    @Slot(str)
    def _on_text(self, text: str) -> None:
        self.assign.setEnabled(bool(text.strip()))

    @Slot()
    def _on_assign(self) -> None:
        if self.name.text().strip():
            self.choose(TriageChange(assignee=self.name.text().strip()))

    @Slot()
    def _on_unassign(self) -> None:
        self.choose(TriageChange(unassign=True))


class TagDialog(ChangeDialog):
    def __init__(
        self, what: str, present: Sequence[str], known: Sequence[str], parent: QWidget | None = None
    ) -> None:
        super().__init__("Tag", what, parent)
        self.tag = QLineEdit(self)
        self.tag.setPlaceholderText("A tag to add or remove")
        _completed(self.tag, sorted({*present, *known}))
        self.form.addRow("Tag:", self.tag)
        self.form.addRow("Tagged now:", QLabel(", ".join(present) or "no tags", self))
        self.add = self.button("Add", self._on_add)
        self.add.setDefault(True)
        self.remove = self.button("Remove", self._on_remove)
        self.tag.textChanged.connect(self._on_text)
        self._on_text("")

    @Slot(str)
    def _on_text(self, text: str) -> None:
        self.add.setEnabled(bool(text.strip()))
        self.remove.setEnabled(bool(text.strip()))

    @Slot()
    def _on_add(self) -> None:
        if self.tag.text().strip():
            self.choose(TriageChange(add_tags=(self.tag.text().strip(),)))

    @Slot()
    def _on_remove(self) -> None:
        if self.tag.text().strip():
            self.choose(TriageChange(remove_tags=(self.tag.text().strip(),)))


class SeverityDialog(ChangeDialog):
    """A severity override; the store refuses one without a reason, so OK waits for one."""

    def __init__(self, what: str, current: Severity, parent: QWidget | None = None) -> None:
        super().__init__("Override severity", what, parent)
        self.severity = QComboBox(self)
        for severity in Severity:
            self.severity.addItem(severity.value, severity.value)
        self.severity.addItem(CLEAR_OVERRIDE, "")
        self.severity.setCurrentIndex(max(0, self.severity.findData(current.value)))
        self.reason = QLineEdit(self)
        self.reason.setPlaceholderText("Why (required: it goes into the audit log)")
        self.form.addRow("Severity:", self.severity)
        self.form.addRow("Reason:", self.reason)
        self.ok = self.button("Override", self._on_ok)
        self.ok.setDefault(True)
        self.reason.textChanged.connect(self._on_text)
        self._on_text("")

    @Slot(str)
    def _on_text(self, text: str) -> None:
        self.ok.setEnabled(bool(text.strip()))

    @Slot()
    def _on_ok(self) -> None:
        reason = self.reason.text().strip()
        if not reason:
            return
        value = str(self.severity.currentData())
        if value:
            self.choose(TriageChange(severity=Severity(value), reason=reason))
        else:
            self.choose(TriageChange(clear_severity=True, reason=reason))
