"""The anomaly table view: score bars, SQL sorting from the header, J/K navigation."""

from __future__ import annotations

from PySide6.QtCore import (
    QItemSelectionModel,
    QModelIndex,
    QPersistentModelIndex,
    QRect,
    Qt,
    Signal,
    Slot,
)
from PySide6.QtGui import QPainter
from PySide6.QtWidgets import (
    QAbstractItemView,
    QHeaderView,
    QStyle,
    QStyledItemDelegate,
    QStyleOptionViewItem,
    QTableView,
    QWidget,
)

from anomaly_desk.gui.anomaly_model import (
    COLUMNS,
    SCORE_COLUMN,
    AnomalyIdRole,
    AnomalyTableModel,
    ScoreRole,
)
from anomaly_desk.gui.severity import score_colour

COLUMN_WIDTHS = (86, 92, 128, 74, 170, 92, 86, 80, 90)  # the summary takes the rest


class ScoreBarDelegate(QStyledItemDelegate):
    """The score as a bar in its severity colour, with the number beside it."""

    def paint(
        self,
        painter: QPainter,
        option: QStyleOptionViewItem,
        index: QModelIndex | QPersistentModelIndex,
    ) -> None:
        score = index.data(ScoreRole)
        if not isinstance(score, float):
            super().paint(painter, option, index)
            return
        style = option.widget.style() if option.widget is not None else None
        if style is not None:  # background and selection, as every other cell
            opt = QStyleOptionViewItem(option)
            self.initStyleOption(opt, index)
            opt.text = ""
            style.drawControl(QStyle.ControlElement.CE_ItemViewItem, opt, painter, option.widget)
        rect = option.rect.adjusted(4, 5, -4, -5)
        text_width = option.fontMetrics.horizontalAdvance("100") + 6
        track = QRect(rect.left(), rect.top(), max(4, rect.width() - text_width), rect.height())
        painter.save()
        painter.setPen(Qt.PenStyle.NoPen)
        background = option.palette.mid().color()
        background.setAlpha(70)
        painter.setBrush(background)
        painter.drawRect(track)
        filled = QRect(track)
        filled.setWidth(max(1, round(track.width() * min(score, 100.0) / 100.0)))
        painter.setBrush(score_colour(score))
        painter.drawRect(filled)
        selected = bool(option.state & QStyle.StateFlag.State_Selected)
        role = (
            option.palette.ColorRole.HighlightedText if selected else option.palette.ColorRole.Text
        )
        painter.setPen(option.palette.color(role))
        text = QRect(track.right() + 4, option.rect.top(), text_width, option.rect.height())
        painter.drawText(
            text, int(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter), f"{score:.0f}"
        )
        painter.restore()


class AnomalyTable(QTableView):
    anomaly_selected = Signal(int)  # the current row's anomaly id

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.setSelectionMode(QAbstractItemView.SelectionMode.ExtendedSelection)
        self.setAlternatingRowColors(True)
        self.setWordWrap(False)
        self.setShowGrid(False)
        self.setSortingEnabled(False)  # the header only asks; the model sorts in SQL
        self.verticalHeader().setVisible(False)
        self.verticalHeader().setDefaultSectionSize(self.fontMetrics().height() + 8)
        self.verticalHeader().setSectionResizeMode(QHeaderView.ResizeMode.Fixed)
        header = self.horizontalHeader()
        header.setStretchLastSection(True)
        header.setSectionsClickable(True)
        header.setSortIndicatorShown(True)
        header.setHighlightSections(False)
        header.sectionClicked.connect(self._on_header)
        self.setItemDelegateForColumn(SCORE_COLUMN, ScoreBarDelegate(self))

    def anomaly_model(self) -> AnomalyTableModel | None:
        model = self.model()
        return model if isinstance(model, AnomalyTableModel) else None

    def setModel(self, model: AnomalyTableModel | None) -> None:  # type: ignore[override]
        super().setModel(model)
        if model is None:
            return
        for column, width in enumerate(COLUMN_WIDTHS):
            self.setColumnWidth(column, width)
        self._show_sort(model)
        self.selectionModel().currentRowChanged.connect(self._on_current)

    def _show_sort(self, model: AnomalyTableModel) -> None:
        order = (
            Qt.SortOrder.DescendingOrder
            if model.sort_spec.descending
            else Qt.SortOrder.AscendingOrder
        )
        self.horizontalHeader().setSortIndicator(model.sort_column(), order)

    @Slot(int)
    def _on_header(self, column: int) -> None:
        model = self.anomaly_model()
        if model is None or COLUMNS[column][1] is None:
            if model is not None:
                self._show_sort(model)  # put the indicator back where the sort really is
            return
        # A new column sorts the way investigators look first: highest, latest, A..Z.
        same = model.sort_column() == column
        descending = not model.sort_spec.descending if same else COLUMNS[column][1] != "series"
        model.sort(
            column, Qt.SortOrder.DescendingOrder if descending else Qt.SortOrder.AscendingOrder
        )
        self._show_sort(model)

    @Slot(QModelIndex, QModelIndex)
    def _on_current(self, current: QModelIndex, _previous: QModelIndex) -> None:
        if current.isValid():
            self.anomaly_selected.emit(int(current.data(AnomalyIdRole)))

    # -- keyboard triage navigation ------------------------------------------------------

    def step(self, delta: int) -> bool:
        """Move the current row by ``delta`` (J: +1, K: -1); False at either end."""
        model = self.anomaly_model()
        if model is None or model.rowCount() == 0:
            return False
        row = self.currentIndex().row()
        target = 0 if row < 0 else row + delta
        if target >= model.rowCount() and model.canFetchMore():
            model.fetchMore()  # the row arrives with the page; J again moves onto it
        if not 0 <= target < model.rowCount():
            return False
        self.select_row(target)
        return True

    def select_row(self, row: int) -> None:
        model = self.anomaly_model()
        if model is None:
            return
        index = model.index(row, 0)
        self.selectionModel().setCurrentIndex(
            index,
            QItemSelectionModel.SelectionFlag.ClearAndSelect
            | QItemSelectionModel.SelectionFlag.Rows,
        )
        self.scrollTo(index)

    def select_anomaly(self, anomaly_id: int) -> bool:
        model = self.anomaly_model()
        row = model.find(anomaly_id) if model is not None else -1
        if row >= 0:
            self.select_row(row)
        return row >= 0

    def selected_ids(self) -> list[int]:
        return sorted({int(i.data(AnomalyIdRole)) for i in self.selectionModel().selectedRows()})
