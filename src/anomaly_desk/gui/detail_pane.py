"""The detail pane: why one anomaly is unusual, loaded on demand (``detail_tasks.load_detail``).

Narrative first (a sentence an investigator can paste into a report), then actual vs
expected, what contributed, the series around it, related anomalies on other series at the
same time, and the triage part (``detail_triage``): comments, history, similar past anomalies.
"""

from __future__ import annotations

import html
from typing import Any

from PySide6.QtCore import Qt, Signal, Slot
from PySide6.QtWidgets import (
    QFormLayout,
    QLabel,
    QListWidget,
    QListWidgetItem,
    QScrollArea,
    QStackedWidget,
    QVBoxLayout,
    QWidget,
)

from anomaly_desk.gui.anomaly_tasks import duration_text, lane_label, when
from anomaly_desk.gui.detail_plots import ContextPlot, ContributionBars
from anomaly_desk.gui.detail_tasks import Detail
from anomaly_desk.gui.detail_triage import TriageSection
from anomaly_desk.gui.severity import SEVERITY_HEX
from anomaly_desk.model import AnomalyRow

EMPTY_TEXT = "Select an anomaly to see why it is unusual."
FACTS = ("Actual", "Expected", "Usual range", "Deviation", "When", "Duration", "Status")


def _number(value: float | None) -> str:
    return "—" if value is None else f"{value:,.4g}"


def _heading(text: str, parent: QWidget) -> QLabel:
    label = QLabel(text, parent)
    font = label.font()
    font.setBold(True)
    label.setFont(font)
    return label


class DetailPane(QStackedWidget):
    related_clicked = Signal(int)  # an anomaly id

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.detail: Detail | None = None
        self.empty = QLabel(EMPTY_TEXT, self)
        self.empty.setAlignment(Qt.AlignmentFlag.AlignCenter)
        self.empty.setWordWrap(True)
        self.empty.setEnabled(False)
        body = QWidget(self)
        self.header = QLabel("", body)
        self.header.setTextFormat(Qt.TextFormat.RichText)
        self.header.setWordWrap(True)
        self.narrative = QLabel("", body)
        self.narrative.setWordWrap(True)
        self.narrative.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self.facts: dict[str, QLabel] = {}
        form = QFormLayout()
        form.setContentsMargins(0, 0, 0, 0)
        form.setVerticalSpacing(2)
        for name in FACTS:
            value = QLabel("", body)
            value.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
            value.setWordWrap(True)
            form.addRow(f"{name}:", value)
            self.facts[name] = value
        self.contributions = ContributionBars(body)
        self.context = ContextPlot(body)
        self.related = QListWidget(body)
        self.related.setMaximumHeight(120)
        self.related.itemActivated.connect(self._on_related)
        self.related.itemClicked.connect(self._on_related)
        self.triage = TriageSection(body)
        self.triage.anomaly_clicked.connect(self.related_clicked)
        column = QVBoxLayout(body)
        column.setContentsMargins(8, 6, 8, 6)
        column.setSpacing(6)
        column.addWidget(self.header)
        column.addWidget(self.narrative)
        column.addLayout(form)
        column.addWidget(_heading("What contributed", body))
        column.addWidget(self.contributions)
        column.addWidget(_heading("Context", body))
        column.addWidget(self.context)
        column.addWidget(_heading("Related anomalies (same time ±1 h, other series)", body))
        column.addWidget(self.related)
        column.addWidget(self.triage)
        column.addStretch(1)
        self.page = QScrollArea(self)
        self.page.setWidgetResizable(True)
        # Text wraps to the pane's width; a horizontal scroll bar would hide half a sentence.
        self.page.setHorizontalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
        self.page.setWidget(body)
        self.addWidget(self.empty)
        self.addWidget(self.page)

    def clear(self) -> None:
        self.detail = None
        self.setCurrentWidget(self.empty)

    def show_row(self, row: AnomalyRow) -> None:
        """What the table already knows, at once; the rest follows when loaded."""
        self._show_header(row)
        self.narrative.setText(row.summary or "")
        self._show_facts(row, None)
        if self.triage.anomaly_id != row.id:
            self.triage.clear(row.id)  # another anomaly's comments must not linger
        self.setCurrentWidget(self.page)

    def show_detail(self, detail: Detail) -> None:
        self.detail = detail
        row, explanation = detail.row, detail.explanation
        self._show_header(row)
        self.narrative.setText(str(explanation.get("narrative") or row.summary))
        self._show_facts(row, explanation)
        contributions: list[dict[str, Any]] = list(explanation.get("contributions") or [])
        self.contributions.set_contributions(contributions)
        self.context.show_detail(detail)
        self.context.setVisible(bool(len(detail.x)))
        self.related.clear()
        for other in detail.related:
            text = (
                f"{other.severity.value:8}  {other.score:5.0f}  {lane_label(other)}  "
                f"{other.type.replace('_', ' ')}  {when(other.start_ns)}"
            )
            item = QListWidgetItem(text, self.related)
            item.setData(Qt.ItemDataRole.UserRole, other.id)
            item.setToolTip(other.summary)
        if not detail.related:
            self.related.addItem("None found")
        if detail.triage is not None:
            self.triage.show_info(detail.triage)
        else:
            self.triage.clear(None)  # a live finding: nothing stored to comment on yet
        self.setCurrentWidget(self.page)

    def set_dark(self, dark: bool) -> None:
        self.context.set_dark(dark)

    def _show_header(self, row: AnomalyRow) -> None:
        colour = SEVERITY_HEX[row.severity]
        live = " · <i>found by the running detection, not stored yet</i>" if row.id < 0 else ""
        then = row.score_at_triage
        # The score can move when detection runs again; what the analyst saw is what counts.
        if then is not None and round(then) != round(row.score):
            live += f" · <span>score at triage {then:.0f}</span>"
        self.header.setText(
            f'<span style="background:{colour}; color:#1d1d1d; padding:2px 6px;">'
            f"&nbsp;{row.severity.value.upper()}&nbsp;</span>&nbsp; "
            f"<b>score {row.score:.0f}</b> · {html.escape(row.type.replace('_', ' '))} · "
            f"{html.escape(lane_label(row))} <span>({html.escape(row.dataset)})</span>{live}"
        )

    def _show_facts(self, row: AnomalyRow, explanation: dict[str, Any] | None) -> None:
        facts = self.facts
        facts["Actual"].setText(_number(row.actual))
        facts["Expected"].setText(_number(row.expected))
        band = "—"
        if row.band_low is not None and row.band_high is not None:
            band = f"{_number(row.band_low)} – {_number(row.band_high)}"
        facts["Usual range"].setText(band)
        sigma = explanation.get("deviation_sigma") if explanation else None
        facts["Deviation"].setText(f"{float(sigma):+.1f} robust σ" if sigma is not None else "—")
        facts["When"].setText(
            f"{when(row.start_ns)} – {when(row.end_ns)} UTC (peak {when(row.peak_ns)})"
        )
        facts["Duration"].setText(duration_text(row.duration_ns))
        facts["Status"].setText(row.status.value.replace("_", " "))

    @Slot(QListWidgetItem)
    def _on_related(self, item: QListWidgetItem) -> None:
        anomaly_id = item.data(Qt.ItemDataRole.UserRole)
        if isinstance(anomaly_id, int):
            self.related_clicked.emit(anomaly_id)
