"""After a false positive: the two suppression proposals, each with what it would hide.

Non-modal and inert: it only emits ``accepted(rule, name)``; nothing changes unless the user
presses Accept on a proposal (the controller then stores it in a worker and calls
``show_result``). Refuse drops a proposal without touching anything.
"""

from __future__ import annotations

from collections.abc import Sequence

from PySide6.QtCore import Qt, Signal
from PySide6.QtWidgets import (
    QDialog,
    QDialogButtonBox,
    QGridLayout,
    QLabel,
    QLineEdit,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from anomaly_desk.gui.triage_tasks import Proposal
from anomaly_desk.model import Suppression

INTRO = (
    "Stop showing findings like this one? Nothing changes unless you accept a proposal; "
    "muted anomalies stay stored and can be shown again by deleting the rule."
)


def hide_text(count: int) -> str:
    return f"would hide {count:,} anomal{'y' if count == 1 else 'ies'}"


class ProposalRow:
    """The widgets of one proposal in the panel's grid."""

    def __init__(self, proposal: Proposal, parent: QWidget) -> None:
        self.proposal = proposal
        self.name = QLineEdit(proposal.rule.name, parent)
        self.name.setReadOnly(True)  # "Edit name" makes it editable: a deliberate step
        self.name.setMinimumWidth(
            self.name.fontMetrics().horizontalAdvance(proposal.rule.name) + 16
        )
        self.name.setCursorPosition(0)  # the start says what the rule is about
        self.count = QLabel(hide_text(proposal.would_hide), parent)
        self.accept = QPushButton("Accept", parent)
        self.edit = QPushButton("Edit name", parent)
        self.refuse = QPushButton("Refuse", parent)

    def close(self, text: str) -> None:
        self.count.setText(text)
        for widget in (self.name, self.accept, self.edit, self.refuse):
            widget.setEnabled(False)


class SuppressionPanel(QDialog):
    accepted_rule = Signal(object, str)  # Suppression, name

    def __init__(self, anomaly_id: int, proposals: Sequence[Proposal], parent: QWidget) -> None:
        super().__init__(parent)
        self.setWindowTitle(f"Suppress findings like #{anomaly_id}?")
        self.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        self.setWindowModality(Qt.WindowModality.NonModal)
        intro = QLabel(INTRO, self)
        intro.setWordWrap(True)
        grid = QGridLayout()
        self.rows: list[ProposalRow] = []
        for i, proposal in enumerate(proposals):
            row = ProposalRow(proposal, self)
            row.accept.clicked.connect(lambda _=False, r=row: self._accept(r))
            row.edit.clicked.connect(lambda _=False, r=row: self._edit(r))
            row.refuse.clicked.connect(lambda _=False, r=row: r.close("refused: nothing changed"))
            for column, widget in enumerate((row.name, row.count, row.accept, row.edit)):
                grid.addWidget(widget, i, column)
            grid.addWidget(row.refuse, i, 4)
            self.rows.append(row)
        grid.setColumnStretch(0, 1)
        close = QDialogButtonBox(QDialogButtonBox.StandardButton.Close, self)
        close.rejected.connect(self.reject)
        layout = QVBoxLayout(self)
        layout.addWidget(intro)
        layout.addLayout(grid)
        layout.addWidget(close)
        self.resize(max(760, self.sizeHint().width()), self.sizeHint().height())

    def _edit(self, row: ProposalRow) -> None:
        row.name.setReadOnly(False)
        row.name.setFocus()
        row.name.selectAll()

    def _accept(self, row: ProposalRow) -> None:
        row.close("storing…")
        self.accepted_rule.emit(row.proposal.rule, row.name.text())

    def show_result(self, rule: Suppression, muted: int | None) -> None:
        """The outcome of an accepted proposal (``None``: storing it failed)."""
        for row in self.rows:
            if row.proposal.rule == rule:
                row.close("failed: see the status bar" if muted is None else f"muted {muted:,}")
