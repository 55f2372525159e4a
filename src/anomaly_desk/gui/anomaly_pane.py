"""The anomaly table beside the detail pane, or a placeholder while there is nothing to list.

The table's model (``anomaly_model.AnomalyTableModel``) pages through the store in workers;
the detail pane draws plots, so it is installed once pyqtgraph is loaded (``set_detail``),
never at start-up.
"""

from __future__ import annotations

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QLabel, QSplitter, QStackedWidget, QWidget

from anomaly_desk.gui.anomaly_table import AnomalyTable

PLACEHOLDER = (
    "No detection run yet.\n"
    "Anomalies found in this workspace will be listed here: Anomaly > Detect… (Ctrl+D)."
)
NO_MATCH = "No anomalies match the filter."


class AnomalyPane(QStackedWidget):
    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.placeholder = QLabel(PLACEHOLDER, self)
        self.placeholder.setAlignment(Qt.AlignmentFlag.AlignCenter)
        self.placeholder.setEnabled(False)
        self.table = AnomalyTable(self)
        self.detail: QWidget = QLabel("Select an anomaly to see why it is unusual.", self)
        self.detail.setEnabled(False)
        self.splitter = QSplitter(Qt.Orientation.Horizontal, self)
        self.splitter.addWidget(self.table)
        self.splitter.addWidget(self.detail)
        self.splitter.setStretchFactor(0, 3)
        self.splitter.setStretchFactor(1, 2)
        self.addWidget(self.placeholder)
        self.addWidget(self.splitter)

    def show_table(self, shown: bool) -> None:
        self.setCurrentWidget(self.splitter if shown else self.placeholder)

    def set_detail(self, widget: QWidget) -> None:
        old = self.detail
        self.splitter.replaceWidget(1, widget)
        old.deleteLater()
        self.detail = widget
        self.splitter.setSizes([620, 420])
