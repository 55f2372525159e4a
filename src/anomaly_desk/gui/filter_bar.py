"""The filter bar: every control feeds one ``FilterState``; the bar emits one ``FilterSpec``.

The spec drives the table, the swimlane and the counts alike. Typing (search text, the
natural-language box) is debounced: the spec goes out ``DEBOUNCE_MS`` after the last key, so a
word typed is one query, not one per letter. Clicks apply at once.
"""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, datetime

from PySide6.QtCore import QDateTime, QTimer, QTimeZone, Signal, Slot
from PySide6.QtGui import QAction
from PySide6.QtWidgets import (
    QComboBox,
    QCompleter,
    QDateTimeEdit,
    QHBoxLayout,
    QInputDialog,
    QLabel,
    QLineEdit,
    QMenu,
    QSpinBox,
    QToolButton,
    QVBoxLayout,
    QWidget,
)

from anomaly_desk.gui.filter_state import CUSTOM, NS, TIME_PRESETS, FilterState
from anomaly_desk.gui.filter_widgets import ChipRow, ChoiceButton, SeverityToggles
from anomaly_desk.gui.saved_views import ViewStore
from anomaly_desk.model import AnomalyType, FilterSpec, Status
from anomaly_desk.query import Names, parse

DEBOUNCE_MS = 300
ALL_SERIES = "All series"
STATUS_CHOICES = tuple((s.value, s.value.replace("_", " ")) for s in Status)
TYPE_CHOICES = tuple((t.value, t.value.replace("_", " ")) for t in AnomalyType)


class FilterBar(QWidget):
    changed = Signal(object)  # FilterSpec
    selection_cleared = Signal()

    def __init__(self, views: ViewStore, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.view_store = views
        self.names = Names()
        self.data_end_ns: int | None = None
        self._state = FilterState()
        self._series_ids: list[int] = []
        self._applying = False

        self.query = QLineEdit(self)
        self.query.setPlaceholderText('Ask: "critical spikes on web-01/latency_ms last 7 days"')
        self.query.setClearButtonEnabled(True)
        self.query.setMinimumWidth(120)
        self.query.textEdited.connect(self._on_typed)
        self.query.returnPressed.connect(self._apply_now)
        self.time = QComboBox(self)
        for key, label, _ in TIME_PRESETS:
            self.time.addItem(label, key)
        self.time.activated.connect(self._on_time)
        self.since = self._datetime_edit("From (UTC)")
        self.until = self._datetime_edit("Until (UTC)")
        self.views = QToolButton(self)
        self.views.setText("Views")
        self.views.setPopupMode(QToolButton.ToolButtonPopupMode.InstantPopup)
        self.views_menu = QMenu(self.views)
        self.views.setMenu(self.views_menu)
        self.views_menu.aboutToShow.connect(self._fill_views)
        self.view_dialog: QInputDialog | None = None

        self.severities = SeverityToggles(self)
        self.severities.toggled.connect(self._on_control)
        self.status = ChoiceButton("Status", self)
        self.status.set_choices(STATUS_CHOICES)
        self.status.changed.connect(self._on_control)
        self.types = ChoiceButton("Type", self)
        self.types.set_choices(TYPE_CHOICES)
        self.types.changed.connect(self._on_control)
        self.series = QComboBox(self)
        self.series.setEditable(True)
        self.series.setMinimumContentsLength(8)
        self.series.setInsertPolicy(QComboBox.InsertPolicy.NoInsert)
        self.series.addItem(ALL_SERIES, None)
        completer = self.series.completer()
        assert completer is not None
        completer.setFilterMode(completer.filterMode().MatchContains)
        completer.setCompletionMode(QCompleter.CompletionMode.PopupCompletion)
        self.series.activated.connect(self._on_control)
        self.min_score = self._score_box(0, "Lowest score shown")
        self.max_score = self._score_box(100, "Highest score shown")
        self.search = QLineEdit(self)
        self.search.setPlaceholderText("Search summaries, comments, tags")
        self.search.setClearButtonEnabled(True)
        self.search.setMinimumWidth(80)
        self.search.textEdited.connect(self._on_typed)
        self.clear_button = QToolButton(self)
        self.clear_button.setText("Clear")
        self.clear_button.setToolTip("Clear every filter")
        self.clear_button.clicked.connect(self.clear)

        self.understood = ChipRow(self)
        self.selection = QLabel("", self)
        self.selection_clear = QToolButton(self)
        self.selection_clear.setText("× clear selection")
        self.selection_clear.clicked.connect(self.selection_cleared)
        self.set_selection_label(None)

        self._debounce = QTimer(self)
        self._debounce.setSingleShot(True)
        self._debounce.setInterval(DEBOUNCE_MS)
        self._debounce.timeout.connect(self._apply_now)

        top = QHBoxLayout()
        top.addWidget(self.query, 3)
        top.addWidget(self.search, 2)
        top.addWidget(self.time)
        top.addWidget(self.since)
        top.addWidget(self.until)
        top.addWidget(QLabel("Score", self))
        top.addWidget(self.min_score)
        top.addWidget(QLabel("–", self))
        top.addWidget(self.max_score)
        top.addWidget(self.views)
        middle = QHBoxLayout()
        middle.addWidget(self.severities)
        middle.addWidget(self.status)
        middle.addWidget(self.types)
        middle.addWidget(self.series, 1)
        middle.addWidget(self.clear_button)
        bottom = QHBoxLayout()
        bottom.addWidget(self.understood, 1)
        bottom.addWidget(self.selection)
        bottom.addWidget(self.selection_clear)
        column = QVBoxLayout(self)
        column.setContentsMargins(6, 4, 6, 2)
        column.setSpacing(3)
        column.addLayout(top)
        column.addLayout(middle)
        column.addLayout(bottom)
        self._show_custom(False)

    def _datetime_edit(self, tip: str) -> QDateTimeEdit:
        edit = QDateTimeEdit(self)
        edit.setTimeZone(QTimeZone.utc())
        edit.setDisplayFormat("yyyy-MM-dd HH:mm")
        edit.setCalendarPopup(True)
        edit.setToolTip(tip)
        edit.dateTimeChanged.connect(self._on_control)
        return edit

    def _score_box(self, value: int, tip: str) -> QSpinBox:
        box = QSpinBox(self)
        box.setRange(0, 100)
        box.setValue(value)
        box.setToolTip(tip)
        box.valueChanged.connect(self._on_control)
        return box

    # -- the workspace's names -------------------------------------------------------------

    def set_workspace(
        self, datasets: dict[str, int], series: list[tuple[int, str]], data_end_ns: int | None
    ) -> None:
        """Names the query box understands, the series to choose from, where the data ends."""
        self.names = Names(datasets=dict(datasets), series={name: i for i, name in series})
        self.data_end_ns = data_end_ns
        self._series_ids = [i for i, _ in series]
        current = self._state.series_ids
        self.series.blockSignals(True)
        self.series.clear()
        self.series.addItem(ALL_SERIES, None)
        for series_id, name in series:
            self.series.addItem(name, series_id)
        self.series.blockSignals(False)
        self._show_series(current)

    # -- state -------------------------------------------------------------------------------

    def state(self) -> FilterState:
        return self._state

    def spec(self) -> FilterSpec:
        return self._state.spec(self.data_end_ns)

    def set_state(self, state: FilterState) -> None:
        """Show ``state`` in the controls and apply it (one ``changed``)."""
        self._state = state
        self._show(state)
        self.changed.emit(self.spec())

    def clear(self) -> None:
        self.understood.set_chips("", [])
        self.set_state(FilterState())

    def set_selection_label(self, label: str | None) -> None:
        self.selection.setText(f"Selection: {label}" if label else "")
        self.selection.setVisible(bool(label))
        self.selection_clear.setVisible(bool(label))

    def _show(self, state: FilterState) -> None:
        self._applying = True  # the controls' own signals must not rebuild the state
        try:
            if self.query.text() != state.query:
                self.query.setText(state.query)
            self.time.setCurrentIndex(max(0, self.time.findData(state.time_preset)))
            custom = state.time_preset == CUSTOM
            self._show_custom(custom)
            if custom:
                since, until = state.since_ns, state.until_ns
                self.since.setDateTime(_qdatetime(since if since is not None else 0))
                self.until.setDateTime(_qdatetime(until if until is not None else 0))
            self.severities.set_selected(state.severities)
            self.status.set_selected([s.value for s in state.statuses])
            self.types.set_selected(state.types)
            self._show_series(state.series_ids)
            self.min_score.setValue(int(state.min_score or 0))
            self.max_score.setValue(int(state.max_score if state.max_score is not None else 100))
            if self.search.text() != state.text:
                self.search.setText(state.text)
        finally:
            self._applying = False

    def _show_series(self, series_ids: tuple[int, ...]) -> None:
        index = self.series.findData(series_ids[0]) if len(series_ids) == 1 else 0
        self.series.blockSignals(True)
        self.series.setCurrentIndex(max(0, index))
        self.series.blockSignals(False)

    def _show_custom(self, custom: bool) -> None:
        self.since.setVisible(custom)
        self.until.setVisible(custom)

    def _from_controls(self) -> FilterState:
        preset = str(self.time.currentData())
        custom = preset == CUSTOM
        series_id = self.series.currentData()
        series_ids = (int(series_id),) if isinstance(series_id, int) else ()
        if series_id is None and self.series.currentText() in self.names.series:
            series_ids = (self.names.series[self.series.currentText()],)  # typed, not picked
        return replace(
            self._state,
            time_preset=preset,
            since_ns=_ns(self.since.dateTime()) if custom else None,
            until_ns=_ns(self.until.dateTime()) if custom else None,
            severities=self.severities.selected(),
            statuses=tuple(Status(v) for v in self.status.selected()),
            types=self.types.selected(),
            series_ids=series_ids,
            min_score=float(self.min_score.value()) or None,
            max_score=float(self.max_score.value()) if self.max_score.value() < 100 else None,
            text=self.search.text(),
        )

    # -- reacting to the user --------------------------------------------------------------

    @Slot()
    def _on_control(self) -> None:
        if self._applying:
            return
        self._state = self._from_controls()
        self.changed.emit(self.spec())

    @Slot(int)
    def _on_time(self, _index: int) -> None:
        if self._applying:
            return
        custom = self.time.currentData() == CUSTOM
        if custom and self.data_end_ns is not None:
            # Start the custom range on the last week of data: a sensible place to narrow.
            self._applying = True
            self.until.setDateTime(_qdatetime(self.data_end_ns))
            self.since.setDateTime(_qdatetime(self.data_end_ns - 7 * 86_400 * NS))
            self._applying = False
        self._show_custom(custom)
        self._on_control()

    @Slot(str)
    def _on_typed(self, _text: str) -> None:
        self._debounce.start()

    @Slot()
    def _apply_now(self) -> None:
        self._debounce.stop()
        query = self.query.text().strip()
        state = replace(self._from_controls(), text=self.search.text())
        if query != self._state.query:
            if query:
                parsed = parse(query, self.names, self.data_end_ns)
                state = state.with_parsed(parsed, query)
                self.understood.set_chips("Understood:", parsed.chips)
            else:
                state = replace(state, query="")
                self.understood.set_chips("", [])
        if state == self._state:
            return
        self._state = state
        self._show(state)
        self.changed.emit(self.spec())

    def cancel_pending(self) -> None:
        self._debounce.stop()

    def flush(self) -> None:
        """Apply pending typing now (before saving a view, or closing)."""
        if self._debounce.isActive():
            self._apply_now()

    # -- saved views (in the workspace, through ViewStore) -------------------------------

    def save_view(self, name: str) -> None:
        self.flush()
        self.view_store.save(name, self._state.to_json())

    def apply_view(self, name: str) -> bool:
        data = self.view_store.views.get(name)
        if data is None:
            return False
        state = FilterState.from_json(data)
        self.understood.set_chips("View:", [name])
        self.set_state(state)
        return True

    @Slot()
    def _fill_views(self) -> None:
        menu = self.views_menu
        menu.clear()
        menu.addAction("Save current view…").triggered.connect(self._ask_view_name)
        views = self.view_store.views
        if views:
            menu.addSeparator()
            delete = QMenu("Delete view", menu)
            for name in views:
                menu.addAction(name).triggered.connect(self._on_view_action)
                delete.addAction(name).triggered.connect(self._on_delete_action)
            menu.addSeparator()
            menu.addMenu(delete)

    @Slot()
    def _ask_view_name(self) -> None:
        dialog = QInputDialog(self)  # non-modal: nothing blocks the event loop
        dialog.setWindowTitle("Save view")
        dialog.setLabelText("Name of this view:")
        dialog.textValueSelected.connect(self._on_view_name)
        self.view_dialog = dialog
        dialog.show()

    @Slot(str)
    def _on_view_name(self, name: str) -> None:
        if name.strip():
            self.save_view(name.strip())

    @Slot()
    def _on_view_action(self) -> None:
        action = self.sender()
        if isinstance(action, QAction):
            self.apply_view(action.text())

    @Slot()
    def _on_delete_action(self) -> None:
        action = self.sender()
        if isinstance(action, QAction):
            self.view_store.delete(action.text())


def _qdatetime(ns: int) -> QDateTime:
    return QDateTime.fromMSecsSinceEpoch(ns // 1_000_000, QTimeZone.utc())


def _ns(value: QDateTime) -> int:
    return int(value.toMSecsSinceEpoch()) * 1_000_000


def data_end(ends: list[datetime | None]) -> int | None:
    """The end of the data in view (ns): where relative times count back from."""
    found = [e for e in ends if e is not None]
    return int(max(found).astimezone(UTC).timestamp() * NS) if found else None
