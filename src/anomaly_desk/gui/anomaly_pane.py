"""Where the anomaly table and the detail pane go (phase 2); for now a clear placeholder.

The seam: ``set_model(model)`` takes any ``QAbstractTableModel``. The anomaly model will page
through ``ws.anomalies(filter, sort, after, limit)`` with keyset cursors: ``canFetchMore`` /
``fetchMore`` submit the next page to the ``JobRunner`` (its own connection in the worker) and
``beginInsertRows`` when it lands; a new filter or sort resets the model and supersedes the
running page job through its ``key``. The view never waits on the database.
"""

from __future__ import annotations

from PySide6.QtCore import QAbstractItemModel, Qt
from PySide6.QtWidgets import (
    QAbstractItemView,
    QLabel,
    QSplitter,
    QStackedWidget,
    QTableView,
    QWidget,
)

PLACEHOLDER = "No detection run yet.\nAnomalies found in this workspace will be listed here."


class AnomalyPane(QStackedWidget):
    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.placeholder = QLabel(PLACEHOLDER, self)
        self.placeholder.setAlignment(Qt.AlignmentFlag.AlignCenter)
        self.placeholder.setEnabled(False)
        self.table = QTableView(self)
        self.table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.table.setSortingEnabled(False)  # sorting is the model's (SQL ORDER BY) job
        self.detail = QLabel("Select an anomaly to see why it is unusual.", self)
        self.detail.setAlignment(Qt.AlignmentFlag.AlignCenter)
        self.splitter = QSplitter(Qt.Orientation.Horizontal, self)
        self.splitter.addWidget(self.table)
        self.splitter.addWidget(self.detail)
        self.addWidget(self.placeholder)
        self.addWidget(self.splitter)

    def set_model(self, model: QAbstractItemModel | None) -> None:
        self.table.setModel(model)
        self.setCurrentWidget(self.splitter if model is not None else self.placeholder)
