"""The anomaly table's model: keyset pages of the store, loaded in workers, never blocking.

``canFetchMore`` / ``fetchMore`` submit the next page to the ``JobRunner`` (the worker opens its
own connection) and the rows are appended with ``beginInsertRows`` when the page lands. A new
filter or sort resets the model and supersedes the running page job through its ``key``; a
generation number drops any page that still arrives for an older query. Sorting is the
store's (SQL ``ORDER BY``): ``sort()`` only changes the query.

Rows streamed from a running detection ("live") sit at the top until the run is stored; the
model then re-queries and they are replaced by the stored ones.

The model never shows a dialog: a failed page goes to the runner's notification manager and
``load_failed`` tells the view.
"""

from __future__ import annotations

import itertools
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from PySide6.QtCore import (
    QAbstractTableModel,
    QModelIndex,
    QObject,
    QPersistentModelIndex,
    Qt,
    Signal,
    Slot,
)
from PySide6.QtGui import QFont

from anomaly_desk.gui.anomaly_tasks import (
    ID,
    SCORE,
    SEVERITY,
    Cursor,
    Page,
    TableRow,
    cell_text,
    fetch_page,
    unpack,
)
from anomaly_desk.gui.severity import severity_icon
from anomaly_desk.gui.workers import Job, JobRunner
from anomaly_desk.model import AnomalyRow, FilterSpec, Severity, SortSpec

AnyIndex = QModelIndex | QPersistentModelIndex
ROOT = QModelIndex()

AnomalyIdRole = Qt.ItemDataRole.UserRole + 1
ScoreRole = Qt.ItemDataRole.UserRole + 2
SeverityRole = Qt.ItemDataRole.UserRole + 3  # the Severity value ("critical", ...)
RowRole = Qt.ItemDataRole.UserRole + 4  # the AnomalyRow
LiveRole = Qt.ItemDataRole.UserRole + 5  # True for a finding of a running detection

# (header, SQL sort column or None when the column cannot be sorted)
COLUMNS: tuple[tuple[str, str | None], ...] = (
    ("Severity", "severity"),
    ("Score", "score"),
    ("Start (UTC)", "start"),
    ("Duration", "duration"),
    ("Series / entity", "series"),
    ("Type", "type"),
    ("Status", "status"),
    ("Assignee", "assignee"),
    ("Tags", None),
    ("Summary", "summary"),
)
SEVERITY_COLUMN, SCORE_COLUMN, SUMMARY_COLUMN = 0, 1, len(COLUMNS) - 1
RIGHT_ALIGNED = {SCORE_COLUMN, 3}
FIRST_PAGE = 200  # small, so the first rows show at once
NEXT_PAGE = 2000  # larger afterwards: fewer round trips while scrolling far

LIVE_TIP = "Found by the running detection; stored when it finishes."
_DISPLAY, _DECORATION, _TOOLTIP, _ALIGNMENT, _FONT = (
    int(role)
    for role in (
        Qt.ItemDataRole.DisplayRole, Qt.ItemDataRole.DecorationRole, Qt.ItemDataRole.ToolTipRole,
        Qt.ItemDataRole.TextAlignmentRole, Qt.ItemDataRole.FontRole,
    )
)  # fmt: skip
_ANSWERED = frozenset(
    (_DISPLAY, _DECORATION, _TOOLTIP, _ALIGNMENT, _FONT, AnomalyIdRole, ScoreRole, SeverityRole,
     RowRole, LiveRole)
)  # fmt: skip
_RIGHT = int(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter)
_FLAGS = Qt.ItemFlag.ItemIsEnabled | Qt.ItemFlag.ItemIsSelectable

# A row as the model keeps it: the TableRow's packed values (live rows are the ``_live`` ones).
# A plain tuple of plain values is dropped from the garbage collector's lists at its first
# pass; a NamedTuple never is, and 100,000 of them made each full collection (run by whichever
# thread allocates) block the GUI thread ~150 ms.
Packed = tuple[Any, ...]


class AnomalyTableModel(QAbstractTableModel):
    loading_changed = Signal(bool)
    page_loaded = Signal(int)  # rows added by the page that just landed
    load_failed = Signal(object)  # the exception (already reported to the user)

    def __init__(self, runner: JobRunner, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self._runner = runner
        self._key = f"anomaly-page-{id(self)}"
        self._workspace: Path | None = None
        self.spec = FilterSpec()
        self.sort_spec = SortSpec()
        self._rows: list[Packed] = []
        self._live: list[Packed] = []
        self._cursor: Cursor | None = None
        self._more = False
        self._job: Job | None = None
        self._generation = 0
        self._italic = QFont()
        self._italic.setItalic(True)
        self.first_page, self.next_page = FIRST_PAGE, NEXT_PAGE

    # -- what to show ---------------------------------------------------------------------

    def set_query(
        self, workspace: Path | None, spec: FilterSpec, sort: SortSpec | None = None
    ) -> None:
        """Show the anomalies of ``workspace`` matching ``spec``; loads the first page."""
        self._workspace = workspace
        self.spec = spec
        if sort is not None:
            self.sort_spec = sort
        self.reload()

    def reload(self) -> None:
        self.beginResetModel()  # a new query: every row may change
        self._generation += 1
        self._rows = []
        self._cursor = None
        self._more = self._workspace is not None
        if self._job is not None:
            self._job.cancel()
            self._job = None
        self.endResetModel()
        if self._more:
            self._request(self.first_page)

    def add_live(self, rows: list[TableRow]) -> None:
        """Findings of a running detection, shown above the stored rows until it is stored."""
        if not rows:
            return
        first = len(self._live)
        self.beginInsertRows(ROOT, first, first + len(rows) - 1)
        self._live.extend(r.packed for r in rows)
        self.endInsertRows()

    def clear_live(self) -> None:
        if self._live:
            self.beginRemoveRows(ROOT, 0, len(self._live) - 1)
            self._live = []
            self.endRemoveRows()

    @property
    def loading(self) -> bool:
        return self._job is not None

    @property
    def complete(self) -> bool:
        """Every matching row is loaded."""
        return not self._more and self._job is None

    def live_count(self) -> int:
        return len(self._live)

    def row_at(self, row: int) -> TableRow:
        live = len(self._live)
        return TableRow(self._live[row], True) if row < live else TableRow(self._rows[row - live])

    def anomaly(self, row: int) -> AnomalyRow:
        return self.row_at(row).row

    def find(self, anomaly_id: int) -> int:
        """The row showing ``anomaly_id`` among the loaded rows, or -1."""
        for i, packed in enumerate(itertools.chain(self._live, self._rows)):
            if packed[ID] == anomaly_id:
                return i
        return -1

    def update_rows(self, rows: Sequence[TableRow]) -> int:
        """Replace loaded rows by their re-read versions, in place; returns how many.

        A triage change touches a few rows: ``dataChanged`` per row keeps the selection and
        the scroll position, which a reset would lose. A row that no longer matches the filter
        stays until the next query, so it does not vanish under the user's cursor.
        """
        where = {packed[ID]: i for i, packed in enumerate(self._rows)}
        offset, last, updated = len(self._live), len(COLUMNS) - 1, 0
        for new in rows:
            i = where.get(new.id)
            if i is None:
                continue
            self._rows[i] = new.packed
            self.dataChanged.emit(self.index(offset + i, 0), self.index(offset + i, last))
            updated += 1
        return updated

    # -- paging ----------------------------------------------------------------------------

    def canFetchMore(self, parent: AnyIndex = ROOT) -> bool:
        return not parent.isValid() and self._more and not self._runner.closed

    def fetchMore(self, parent: AnyIndex = ROOT) -> None:
        if parent.isValid() or not self._more or self._job is not None:
            return  # one page at a time; the view asks again when this one lands
        self._request(self.next_page)

    def _request(self, limit: int) -> None:
        assert self._workspace is not None
        if self._runner.closed:
            return  # the window is closing
        job = self._runner.submit(
            fetch_page,
            self.spec,
            self.sort_spec,
            self._cursor,
            limit,
            label="Loading anomalies",
            workspace=self._workspace,
            key=self._key,
            quiet=True,  # the status bar says it; a dialog per failed page would pile up
            interactive=True,  # never queued behind a count or a swimlane
        )
        generation = self._generation
        job.finished.connect(lambda page: self._on_page(generation, page))
        job.errored.connect(lambda exc: self._on_error(generation, exc))
        self._job = job
        self.loading_changed.emit(True)

    @Slot(int, object)
    def _on_page(self, generation: int, page: object) -> None:
        if generation != self._generation:
            return  # a page of an older query
        assert isinstance(page, Page)
        self._job = None
        self._cursor = page.cursor
        self._more = page.cursor is not None
        if page.rows:
            first = self.rowCount()
            self.beginInsertRows(ROOT, first, first + len(page.rows) - 1)
            self._rows.extend(r.packed for r in page.rows)
            self.endInsertRows()
        self.loading_changed.emit(False)
        self.page_loaded.emit(len(page.rows))

    @Slot(int, object)
    def _on_error(self, generation: int, exc: object) -> None:
        if generation != self._generation:
            return
        self._job = None
        self._more = False  # do not retry in a loop; a new query or reload tries again
        self.loading_changed.emit(False)
        self.load_failed.emit(exc)

    # -- QAbstractTableModel ---------------------------------------------------------------

    def rowCount(self, parent: AnyIndex = ROOT) -> int:
        return 0 if parent.isValid() else len(self._live) + len(self._rows)

    def columnCount(self, parent: AnyIndex = ROOT) -> int:
        return 0 if parent.isValid() else len(COLUMNS)

    def data(self, index: AnyIndex, role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        # Called ~60 times per visible row per repaint: roles the table never answers leave
        # first, and role numbers are compared as plain ints.
        if role not in _ANSWERED or not index.isValid():
            return None
        row, live_count = index.row(), len(self._live)
        live = row < live_count
        packed = self._live[row] if live else self._rows[row - live_count]
        column = index.column()
        if role == _DISPLAY:
            return cell_text(packed, column)
        if role == _DECORATION:
            return severity_icon(Severity(packed[SEVERITY])) if column == SEVERITY_COLUMN else None
        if role == _TOOLTIP:
            return LIVE_TIP if live else cell_text(packed, column)
        if role == _ALIGNMENT:
            return _RIGHT if column in RIGHT_ALIGNED else None
        if role == _FONT:
            return self._italic if live else None
        if role == AnomalyIdRole:
            return int(packed[ID])
        if role == ScoreRole:
            return float(packed[SCORE])
        if role == SeverityRole:
            return str(packed[SEVERITY])
        if role == RowRole:
            return unpack(packed)
        return live  # LiveRole

    def flags(self, index: AnyIndex) -> Qt.ItemFlag:
        return _FLAGS if index.isValid() else Qt.ItemFlag.NoItemFlags

    def headerData(
        self, section: int, orientation: Qt.Orientation, role: int = Qt.ItemDataRole.DisplayRole
    ) -> Any:
        if orientation != Qt.Orientation.Horizontal or not 0 <= section < len(COLUMNS):
            return None
        if role == Qt.ItemDataRole.DisplayRole:
            return COLUMNS[section][0]
        if role == Qt.ItemDataRole.ToolTipRole and COLUMNS[section][1] is None:
            return "This column cannot be sorted"
        return None

    def sort(self, column: int, order: Qt.SortOrder = Qt.SortOrder.AscendingOrder) -> None:
        """Re-query sorted by ``column`` in SQL; columns without an SQL key are ignored."""
        if not 0 <= column < len(COLUMNS) or COLUMNS[column][1] is None:
            return
        key = COLUMNS[column][1]
        assert key is not None
        wanted = SortSpec(key, descending=order == Qt.SortOrder.DescendingOrder)
        if wanted != self.sort_spec:
            self.sort_spec = wanted
            self.reload()

    def sort_column(self) -> int:
        return next(i for i, (_, key) in enumerate(COLUMNS) if key == self.sort_spec.column)
