"""The workspace explorer's tree: datasets → (entities →) series, or datasets → columns.

Top-level groups keep a fixed place for what arrives later (saved views, incidents). Refreshing
after an import inserts and removes dataset rows with begin/endInsertRows, so the view keeps its
expansion and selection; only switching to another workspace resets the model.
"""

from __future__ import annotations

import enum
from dataclasses import dataclass, field
from typing import Any

from PySide6.QtCore import QAbstractItemModel, QModelIndex, QObject, QPersistentModelIndex, Qt

from anomaly_desk.gui.loaders import DatasetEntry, WorkspaceSnapshot
from anomaly_desk.model import DatasetInfo, DatasetKind, SeriesInfo

AnyIndex = QModelIndex | QPersistentModelIndex
ROOT = QModelIndex()  # the invalid index: Qt's "no parent"

NodeKindRole = Qt.ItemDataRole.UserRole + 1
PayloadRole = Qt.ItemDataRole.UserRole + 2  # the DatasetInfo / SeriesInfo behind a row


class NodeKind(enum.Enum):
    GROUP = "group"
    DATASET = "dataset"
    ENTITY = "entity"
    SERIES = "series"
    COLUMN = "column"


@dataclass(eq=False)
class Node:
    kind: NodeKind
    label: str
    size: str = ""
    tooltip: str = ""
    payload: DatasetInfo | SeriesInfo | None = None
    parent: Node | None = None
    children: list[Node] = field(default_factory=list)

    def add(self, child: Node) -> Node:
        child.parent = self
        self.children.append(child)
        return child

    def row(self) -> int:
        return 0 if self.parent is None else self.parent.children.index(self)


DATASETS, SAVED_VIEWS, INCIDENTS = "Datasets", "Saved views", "Incidents"
HEADERS = ("Name", "Size")


def _span(info: SeriesInfo) -> str:
    if info.start is None or info.end is None:
        return "no points"
    step = f", step {info.step_seconds:g} s" if info.step_seconds else ""
    return f"{info.start:%Y-%m-%d %H:%M} .. {info.end:%Y-%m-%d %H:%M} UTC{step}"


def dataset_node(entry: DatasetEntry) -> Node:
    info = entry.info
    node = Node(
        NodeKind.DATASET,
        info.name,
        f"{info.rows:,} rows",
        "\n".join((f"{info.name} ({info.kind.value})", *entry.report_lines)),
        info,
    )
    if info.kind is not DatasetKind.TIMESERIES:
        for name in info.mapping.fields:
            node.add(Node(NodeKind.COLUMN, name, "", f"column {name!r} of {info.name}", info))
        return node
    entities: dict[str, Node] = {}
    grouped = info.mapping.entity is not None and len(info.mapping.values) > 1
    for series in entry.series:
        parent = node
        label = series.name
        if grouped and series.entity is not None:
            parent = entities.get(series.entity) or node.add(
                Node(NodeKind.ENTITY, series.entity, tooltip=f"{info.mapping.entity}")
            )
            entities[series.entity] = parent
            label = series.value_column
        parent.add(Node(NodeKind.SERIES, label, f"{series.points:,} pts", _span(series), series))
    for entity in entities.values():
        entity.size = f"{len(entity.children)} series"
    return node


class ExplorerModel(QAbstractItemModel):
    def __init__(self, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self._root = Node(NodeKind.GROUP, "")
        self._datasets = self._root.add(Node(NodeKind.GROUP, DATASETS))
        self._root.add(Node(NodeKind.GROUP, SAVED_VIEWS, tooltip="arrives with saved filters"))
        self._root.add(Node(NodeKind.GROUP, INCIDENTS, tooltip="arrives with incidents"))
        self._snapshot: WorkspaceSnapshot | None = None

    # -- updates --------------------------------------------------------------------------

    def set_snapshot(self, snapshot: WorkspaceSnapshot | None) -> None:
        same_workspace = (
            snapshot is not None
            and self._snapshot is not None
            and snapshot.path == self._snapshot.path
        )
        self._snapshot = snapshot
        entries = list(snapshot.datasets) if snapshot is not None else []
        if not same_workspace:
            self.beginResetModel()
            self._datasets.children.clear()
            for entry in entries:
                self._datasets.add(dataset_node(entry))
            self._datasets.size = str(len(entries))
            self.endResetModel()
            return
        self._merge(entries)

    def _merge(self, entries: list[DatasetEntry]) -> None:
        """Remove datasets that went, insert new ones in name order (both lists are sorted)."""
        parent = self.createIndex(self._datasets.row(), 0, self._datasets)
        wanted = {entry.info.id for entry in entries}
        for row in reversed(range(len(self._datasets.children))):
            if _dataset_id(self._datasets.children[row]) not in wanted:
                self.beginRemoveRows(parent, row, row)
                del self._datasets.children[row]
                self.endRemoveRows()
        for row, entry in enumerate(entries):
            current = self._datasets.children[row] if row < len(self._datasets.children) else None
            if current is not None and _dataset_id(current) == entry.info.id:
                continue
            self.beginInsertRows(parent, row, row)
            node = dataset_node(entry)
            node.parent = self._datasets
            self._datasets.children.insert(row, node)
            self.endInsertRows()
        self._datasets.size = str(len(entries))
        size_index = self.createIndex(self._datasets.row(), 1, self._datasets)
        self.dataChanged.emit(size_index, size_index, [Qt.ItemDataRole.DisplayRole])

    # -- lookups --------------------------------------------------------------------------

    def node(self, index: AnyIndex) -> Node:
        if not index.isValid():
            return self._root
        node = index.internalPointer()
        assert isinstance(node, Node)
        return node

    def datasets_index(self) -> QModelIndex:
        return self.createIndex(self._datasets.row(), 0, self._datasets)

    def find(self, dataset: str, series: str | None = None) -> QModelIndex:
        """The index of a dataset (or of one of its series, by full series name)."""
        for row, node in enumerate(self._datasets.children):
            if node.label != dataset:
                continue
            if series is None:
                return self.createIndex(row, 0, node)
            for leaf in _walk(node):
                if isinstance(leaf.payload, SeriesInfo) and leaf.payload.name == series:
                    return self.createIndex(leaf.row(), 0, leaf)
        return QModelIndex()

    # -- QAbstractItemModel ---------------------------------------------------------------

    def index(self, row: int, column: int, parent: AnyIndex = ROOT) -> QModelIndex:
        if not self.hasIndex(row, column, parent):
            return QModelIndex()
        return self.createIndex(row, column, self.node(parent).children[row])

    def parent(self, child: AnyIndex = ROOT) -> QModelIndex:  # type: ignore[override]
        if not child.isValid():
            return QModelIndex()
        up = self.node(child).parent
        if up is None or up is self._root:
            return QModelIndex()
        return self.createIndex(up.row(), 0, up)

    def rowCount(self, parent: AnyIndex = ROOT) -> int:
        if parent.isValid() and parent.column() != 0:
            return 0
        return len(self.node(parent).children)

    def columnCount(self, parent: AnyIndex = ROOT) -> int:
        return len(HEADERS)

    def data(self, index: AnyIndex, role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        if not index.isValid():
            return None
        node = self.node(index)
        if role == Qt.ItemDataRole.DisplayRole:
            return node.label if index.column() == 0 else node.size
        if role == Qt.ItemDataRole.ToolTipRole:
            return node.tooltip or None
        if role == Qt.ItemDataRole.TextAlignmentRole and index.column() == 1:
            return int(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter)
        if role == NodeKindRole:
            return node.kind.value
        if role == PayloadRole:
            return node.payload
        return None

    def flags(self, index: AnyIndex) -> Qt.ItemFlag:
        if not index.isValid():
            return Qt.ItemFlag.NoItemFlags
        return Qt.ItemFlag.ItemIsEnabled | Qt.ItemFlag.ItemIsSelectable

    def headerData(
        self, section: int, orientation: Qt.Orientation, role: int = Qt.ItemDataRole.DisplayRole
    ) -> Any:
        if orientation == Qt.Orientation.Horizontal and role == Qt.ItemDataRole.DisplayRole:
            return HEADERS[section] if 0 <= section < len(HEADERS) else None
        return None


def _walk(node: Node) -> list[Node]:
    found = []
    for child in node.children:
        found.append(child)
        found.extend(_walk(child))
    return found


def _dataset_id(node: Node) -> int:
    assert isinstance(node.payload, DatasetInfo)
    return node.payload.id
