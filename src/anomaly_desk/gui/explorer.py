"""The workspace explorer dock: a filter box over the explorer tree."""

from __future__ import annotations

from PySide6.QtCore import QItemSelection, QModelIndex, QSortFilterProxyModel, Qt, Signal, Slot
from PySide6.QtWidgets import QHeaderView, QLineEdit, QTreeView, QVBoxLayout, QWidget

from anomaly_desk.gui.explorer_model import ExplorerModel, NodeKind, NodeKindRole, PayloadRole
from anomaly_desk.gui.loaders import WorkspaceSnapshot
from anomaly_desk.model import DatasetInfo, SeriesInfo


class ExplorerWidget(QWidget):
    series_selected = Signal(object, str)  # SeriesInfo, dataset name
    dataset_selected = Signal(object)  # DatasetInfo

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.model = ExplorerModel(self)
        self.proxy = QSortFilterProxyModel(self)
        self.proxy.setSourceModel(self.model)
        self.proxy.setRecursiveFilteringEnabled(True)  # a matching series keeps its dataset
        self.proxy.setFilterCaseSensitivity(Qt.CaseSensitivity.CaseInsensitive)
        self.proxy.setFilterKeyColumn(0)

        self.filter = QLineEdit(self)
        self.filter.setPlaceholderText("Filter datasets and series   ( / )")
        self.filter.setClearButtonEnabled(True)
        self.filter.textChanged.connect(self._on_filter)

        self.tree = QTreeView(self)
        self.tree.setModel(self.proxy)
        self.tree.setUniformRowHeights(True)
        self.tree.setAlternatingRowColors(True)
        header = self.tree.header()
        header.setStretchLastSection(False)
        header.setSectionResizeMode(0, QHeaderView.ResizeMode.Stretch)
        header.setSectionResizeMode(1, QHeaderView.ResizeMode.ResizeToContents)
        self.tree.selectionModel().selectionChanged.connect(self._on_selection)

        layout = QVBoxLayout(self)
        layout.setContentsMargins(4, 4, 4, 4)
        layout.addWidget(self.filter)
        layout.addWidget(self.tree)

    def set_snapshot(self, snapshot: WorkspaceSnapshot | None) -> None:
        self.model.set_snapshot(snapshot)
        self.tree.expand(self.proxy.mapFromSource(self.model.datasets_index()))

    def select(self, dataset: str, series: str | None = None) -> bool:
        """Select a dataset or one of its series; False when it is not in the tree."""
        source = self.model.find(dataset, series)
        index = self.proxy.mapFromSource(source)
        if not index.isValid():
            return False
        self.tree.setCurrentIndex(index)
        self.tree.scrollTo(index)
        return True

    @Slot(str)
    def _on_filter(self, text: str) -> None:
        self.proxy.setFilterFixedString(text)
        if text:
            self.tree.expandAll()

    @Slot(QItemSelection, QItemSelection)
    def _on_selection(self, selected: QItemSelection, _deselected: QItemSelection) -> None:
        indexes = selected.indexes()
        if not indexes:
            return
        self._activate(indexes[0])

    def _activate(self, index: QModelIndex) -> None:
        kind = index.data(NodeKindRole)
        payload = index.data(PayloadRole)
        if kind == NodeKind.SERIES.value and isinstance(payload, SeriesInfo):
            dataset = self.model.node(self.proxy.mapToSource(index))
            while dataset.parent is not None and dataset.kind is not NodeKind.DATASET:
                dataset = dataset.parent
            self.series_selected.emit(payload, dataset.label)
        elif kind == NodeKind.DATASET.value and isinstance(payload, DatasetInfo):
            self.dataset_selected.emit(payload)
