"""Small read-only table models: the import preview, input problems, and lists of records."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any, Generic, TypeVar

from PySide6.QtCore import QAbstractTableModel, QModelIndex, QObject, QPersistentModelIndex, Qt
from PySide6.QtWidgets import QTableView, QWidget

from anomaly_desk.errors import Problem

if TYPE_CHECKING:
    import pandas as pd

AnyIndex = QModelIndex | QPersistentModelIndex
ROOT = QModelIndex()  # the invalid index: Qt's "no parent"
RecordT = TypeVar("RecordT")
EMPTY_CELL = ""  # never None: see PLATFORM.md on PySide6 6.12 and data() returning None


class FrameModel(QAbstractTableModel):
    """The first rows of a file (every cell already text, None where empty)."""

    def __init__(self, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self._columns: list[str] = []
        self._rows: list[list[str | None]] = []
        self.highlight: dict[str, str] = {}  # column -> role shown in its header ("timestamp")

    def set_frame(self, frame: pd.DataFrame | None, max_rows: int = 200) -> None:
        self.beginResetModel()  # a new file or a new plan: everything changed
        if frame is None:
            self._columns, self._rows = [], []
        else:
            self._columns = [str(c) for c in frame.columns]
            head = frame.head(max_rows)
            self._rows = [[None if v is None else str(v) for v in row] for row in head.to_numpy()]
        self.endResetModel()

    def set_highlight(self, highlight: dict[str, str]) -> None:
        self.highlight = highlight
        if self._columns:
            self.headerDataChanged.emit(Qt.Orientation.Horizontal, 0, len(self._columns) - 1)

    def rowCount(self, parent: AnyIndex = ROOT) -> int:
        return 0 if parent.isValid() else len(self._rows)

    def columnCount(self, parent: AnyIndex = ROOT) -> int:
        return 0 if parent.isValid() else len(self._columns)

    def data(self, index: AnyIndex, role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        if not index.isValid():
            return None
        if role in (Qt.ItemDataRole.DisplayRole, Qt.ItemDataRole.ToolTipRole):
            value = self._rows[index.row()][index.column()]
            return EMPTY_CELL if value is None else value
        return None

    def headerData(
        self, section: int, orientation: Qt.Orientation, role: int = Qt.ItemDataRole.DisplayRole
    ) -> Any:
        if role != Qt.ItemDataRole.DisplayRole:
            return None
        if orientation == Qt.Orientation.Vertical:
            return str(section + 1)
        if 0 <= section < len(self._columns):
            name = self._columns[section]
            role_name = self.highlight.get(name)
            return f"{name}\n[{role_name}]" if role_name else name
        return None


PROBLEM_HEADERS = ("Row", "Line", "Column", "Value", "Problem")


class ProblemsModel(QAbstractTableModel):
    """What is wrong with the input, one row per problem, plus a last row for the rest."""

    def __init__(self, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self._problems: list[Problem] = []

    @property
    def problems(self) -> list[Problem]:
        return list(self._problems)

    def set_problems(self, problems: list[Problem], more: int = 0) -> None:
        self.beginResetModel()
        self._problems = list(problems)
        if more:
            self._problems.append(Problem(f"... and {more:,} more problems not listed"))
        self.endResetModel()

    def rowCount(self, parent: AnyIndex = ROOT) -> int:
        return 0 if parent.isValid() else len(self._problems)

    def columnCount(self, parent: AnyIndex = ROOT) -> int:
        return 0 if parent.isValid() else len(PROBLEM_HEADERS)

    def data(self, index: AnyIndex, role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        if not index.isValid():
            return None
        if role in (Qt.ItemDataRole.DisplayRole, Qt.ItemDataRole.ToolTipRole):
            problem = self._problems[index.row()]
            cells = (problem.row, problem.line, problem.column, problem.value, problem.message)
            value = cells[index.column()]
            return EMPTY_CELL if value is None else str(value)
        return None

    def headerData(
        self, section: int, orientation: Qt.Orientation, role: int = Qt.ItemDataRole.DisplayRole
    ) -> Any:
        if role == Qt.ItemDataRole.DisplayRole and orientation == Qt.Orientation.Horizontal:
            return PROBLEM_HEADERS[section] if 0 <= section < len(PROBLEM_HEADERS) else None
        return None


def preview_table(parent: QWidget, model: FrameModel) -> QTableView:
    """A view of the preview: one line per row, like the file."""
    table = QTableView(parent)
    table.setModel(model)
    table.setAlternatingRowColors(True)
    table.setWordWrap(False)
    table.verticalHeader().setDefaultSectionSize(table.fontMetrics().height() + 8)
    table.horizontalHeader().setStretchLastSection(True)
    return table


class RecordsModel(QAbstractTableModel, Generic[RecordT]):
    """A read-only table of immutable records, replaced whole by each query.

    Subclasses give ``HEADERS``, ``cells(record)`` (one text per column, also the tooltip) and
    ``RECORD_ROLE`` (the role that hands the record itself to views).
    """

    HEADERS: tuple[str, ...] = ()
    RECORD_ROLE: int = Qt.ItemDataRole.UserRole + 1

    def __init__(self, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self._rows: tuple[RecordT, ...] = ()

    def cells(self, record: RecordT) -> tuple[str, ...]:
        raise NotImplementedError

    def set_rows(self, rows: tuple[RecordT, ...]) -> None:
        self.beginResetModel()  # a new query: every row may differ
        self._rows = rows
        self.endResetModel()

    def rowCount(self, parent: AnyIndex = ROOT) -> int:
        return 0 if parent.isValid() else len(self._rows)

    def columnCount(self, parent: AnyIndex = ROOT) -> int:
        return 0 if parent.isValid() else len(self.HEADERS)

    def data(self, index: AnyIndex, role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        if not index.isValid():
            return None
        record = self._rows[index.row()]
        if role in (Qt.ItemDataRole.DisplayRole, Qt.ItemDataRole.ToolTipRole):
            return self.cells(record)[index.column()]
        if role == self.RECORD_ROLE:
            return record
        return None

    def headerData(
        self, section: int, orientation: Qt.Orientation, role: int = Qt.ItemDataRole.DisplayRole
    ) -> Any:
        if role == Qt.ItemDataRole.DisplayRole and orientation == Qt.Orientation.Horizontal:
            return self.HEADERS[section] if 0 <= section < len(self.HEADERS) else None
        return None
