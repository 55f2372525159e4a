"""The glue of the anomaly views: one filter drives the table, the swimlane and the counts.

``Investigation`` owns no widgets' layout and does no I/O itself: it turns user actions into
jobs (pages, counts, swimlane, detail, band, markers) and job results into what the views
show. A selection picked on the swimlane (a cell) or the timeline (a dragged range) narrows
the table on top of the filter bar; the swimlane keeps showing the whole filter so the user
can pick another cell.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING, Any

from PySide6.QtCore import QObject, Signal, Slot

from anomaly_desk.gui.anomaly_model import AnomalyTableModel
from anomaly_desk.gui.anomaly_tasks import (
    Counts,
    Markers,
    SwimlaneView,
    TableRow,
    count_summary,
    load_markers,
    load_swimlane,
    when,
)
from anomaly_desk.gui.detail_tasks import Band, Detail, compute_band, load_detail
from anomaly_desk.gui.filter_bar import data_end
from anomaly_desk.gui.filter_state import Selection, live_matches
from anomaly_desk.gui.loaders import SeriesData, WorkspaceSnapshot
from anomaly_desk.gui.workers import Job
from anomaly_desk.model import FilterSpec, SeriesInfo

if TYPE_CHECKING:
    from anomaly_desk.gui.main_window import MainWindow
    from anomaly_desk.gui.swimlane import CellPick

SWIMLANE_BUCKETS = 72
NS = 1_000_000_000


class Investigation(QObject):
    counts_shown = Signal(object)  # Counts
    swimlane_shown = Signal(object)  # SwimlaneView
    detail_shown = Signal(object)  # Detail
    band_shown = Signal(object)  # Band
    markers_shown = Signal(object)  # Markers

    def __init__(self, window: MainWindow) -> None:
        super().__init__(window)
        self.window = window
        self.runner = window.runner
        self.model = AnomalyTableModel(window.runner, self)
        self.workspace: Path | None = None
        self.snapshot: WorkspaceSnapshot | None = None
        self.selection: Selection | None = None
        self.version: tuple[int, int, str] | None = None
        self.counts: Counts | None = None
        self.swimlane_cache: dict[tuple[Any, ...], SwimlaneView] = {}
        self.live_explanations: dict[int, dict[str, Any]] = {}
        self._series: dict[int, tuple[SeriesInfo, str]] = {}
        self._pending_focus: tuple[int, int, int] | None = None  # series id, start, end
        bar = window.filter_bar
        bar.changed.connect(self._on_filter)
        bar.selection_cleared.connect(self.clear_selection)
        table = window.anomaly_pane.table
        table.setModel(self.model)
        table.anomaly_selected.connect(self.show_anomaly)

    # -- workspace ---------------------------------------------------------------------------

    def set_workspace(self, snapshot: WorkspaceSnapshot) -> None:
        switched = snapshot.path != self.workspace
        self.workspace = snapshot.path
        self.snapshot = snapshot
        self._series = {
            s.id: (s, entry.info.name) for entry in snapshot.datasets for s in entry.series
        }
        names = sorted(((s.id, s.name) for s, _ in self._series.values()), key=lambda p: p[1])
        end = data_end([s.end for s, _ in self._series.values()])
        self.window.filter_bar.set_workspace(
            {d.info.name: d.info.id for d in snapshot.datasets}, names, end
        )
        self.invalidate()
        if switched:
            self.selection = None
            self.window.filter_bar.set_selection_label(None)
            self.window.filter_bar.clear()  # emits changed -> apply
        else:
            self.apply()
        timeline = self.window.timeline
        if timeline is not None and timeline.series_id() is not None:
            self._request_markers(timeline.series_id())

    def invalidate(self) -> None:
        """Anomalies changed (a run was stored): cached swimlanes are stale."""
        self.swimlane_cache.clear()
        self.version = None

    def table_spec(self) -> FilterSpec:
        spec = self.window.filter_bar.spec()
        return self.selection.narrow(spec) if self.selection is not None else spec

    def apply(self, swimlane: bool = True) -> None:
        """Re-query what the filter (and the selection) show."""
        if self.workspace is None or self.runner.closed:
            return
        spec = self.table_spec()
        self.model.set_query(self.workspace, spec)
        job = self._submit(count_summary, spec, label="Counting anomalies", key="anomaly-counts")
        if job is not None:
            job.finished.connect(self._on_counts)
        if swimlane:
            self._request_swimlane(self.window.filter_bar.spec())

    def after_triage(self) -> None:
        """Rows changed in place: counts and the timeline's markers follow, the table stays."""
        self.invalidate()
        job = self._submit(
            count_summary, self.table_spec(), label="Counting anomalies", key="anomaly-counts"
        )
        if job is not None:
            job.finished.connect(self._on_counts)
        timeline = self.window.timeline
        if timeline is not None:
            self._request_markers(timeline.series_id())

    @Slot(object)
    def _on_filter(self, _spec: object) -> None:
        self.apply()

    @Slot(object)
    def _on_counts(self, counts: object) -> None:
        assert isinstance(counts, Counts)
        self.counts = counts
        self.version = counts.version
        self.window.show_anomaly_counts(counts)
        self.counts_shown.emit(counts)

    # -- swimlane ---------------------------------------------------------------------------

    def _request_swimlane(self, spec: FilterSpec) -> None:
        key = (spec, SWIMLANE_BUCKETS, self.version)
        cached = self.swimlane_cache.get(key) if self.version is not None else None
        if cached is not None:
            self._show_swimlane(cached)
            return
        job = self._submit(
            load_swimlane, spec, SWIMLANE_BUCKETS, label="Drawing the swimlane", key="swimlane"
        )
        if job is not None:
            job.finished.connect(lambda view: self._on_swimlane(key, view))

    def _submit(
        self, fn: Callable[..., Any], *args: Any, label: str, key: str, quiet: bool = True
    ) -> Job | None:
        """A job on the open workspace; None when there is none or the window is closing.

        Quiet by default: a failed swimlane or count says so in the status bar, not in a
        dialog for each keystroke of a filter.
        """
        if self.workspace is None or self.runner.closed:
            return None
        return self.runner.submit(
            fn, *args, label=label, workspace=self.workspace, key=key, quiet=quiet
        )

    def _on_swimlane(self, key: tuple[Any, ...], view: object) -> None:
        assert isinstance(view, SwimlaneView)
        if view.version is not None:  # the first swimlane after opening is cached too
            self.swimlane_cache[(*key[:2], view.version)] = view
        self._show_swimlane(view)

    def _show_swimlane(self, view: SwimlaneView) -> None:
        if self.window.swimlane is not None:
            self.window.swimlane.set_view(view)
        self.swimlane_shown.emit(view)

    @Slot(object)
    def on_cell(self, picked: CellPick) -> None:
        ids = (picked.series_id,) if picked.series_id is not None else ()
        self.select(Selection(picked.label, ids, picked.start_ns, picked.end_ns))
        if picked.series_id is not None and picked.series_id in self._series:
            info, dataset = self._series[picked.series_id]
            self._pending_focus = (picked.series_id, picked.start_ns, picked.end_ns)
            if not self._focus_if_shown():
                self.window.show_series(info, dataset)

    @Slot(object)
    def on_range(self, span: object) -> None:
        if span is None:
            self.clear_selection()
            return
        assert isinstance(span, tuple)
        since, until = int(span[0]), int(span[1])
        self.select(Selection(f"{when(since)} – {when(until)} UTC", (), since, until))

    def select(self, selection: Selection) -> None:
        self.selection = selection
        self.window.filter_bar.set_selection_label(selection.label)
        self.apply(swimlane=False)

    @Slot()
    def clear_selection(self) -> None:
        self.selection = None
        self.window.filter_bar.set_selection_label(None)
        if self.window.swimlane is not None:
            self.window.swimlane.clear_marker()
        if self.window.timeline is not None:
            self.window.timeline.clear_range()
        self.apply(swimlane=False)

    # -- one anomaly: detail, and its series on the timeline ------------------------------

    @Slot(int)
    def show_anomaly(self, anomaly_id: int) -> None:
        detail_pane = self.window.detail_pane
        row_index = self.model.find(anomaly_id)
        row = self.model.anomaly(row_index) if row_index >= 0 else None
        if row is not None and detail_pane is not None:
            detail_pane.show_row(row)
        if anomaly_id < 0:  # a live finding: its explanation is in memory, nothing to read
            if row is not None:
                explanation = self.live_explanations.get(anomaly_id, {})
                self._on_detail(Detail(row, explanation, live=True))
            return
        job = self._submit(
            load_detail, anomaly_id, label="Loading the anomaly", key="detail", quiet=False
        )
        if job is not None:
            job.finished.connect(self._on_detail)

    @Slot(object)
    def _on_detail(self, detail: object) -> None:
        assert isinstance(detail, Detail)
        if self.window.detail_pane is not None:
            self.window.detail_pane.show_detail(detail)
        row = detail.row
        if row.series_id is not None and row.series_id in self._series:
            self._pending_focus = (row.series_id, row.start_ns, row.end_ns)
            if not self._focus_if_shown():
                info, dataset = self._series[row.series_id]
                self.window.show_series(info, dataset)
        self.detail_shown.emit(detail)

    @Slot(int)
    def jump_to(self, anomaly_id: int) -> None:
        """From a marker or a related anomaly: select its row when loaded, else just show it."""
        if not self.window.anomaly_pane.table.select_anomaly(anomaly_id):
            self.show_anomaly(anomaly_id)

    def _focus_if_shown(self) -> bool:
        timeline = self.window.timeline
        focus = self._pending_focus
        if timeline is None or focus is None or timeline.series_id() != focus[0]:
            return False
        timeline.focus(focus[1], focus[2])
        self._pending_focus = None
        return True

    # -- timeline overlays ------------------------------------------------------------------

    def on_series_shown(self, data: SeriesData) -> None:
        self._focus_if_shown()
        series = data.info
        job = self._submit(
            compute_band, series.id, self._timezone(series),
            label=f"Expected band of {series.name}", key="band",
        )  # fmt: skip
        if job is not None:
            job.finished.connect(self._on_band)
        self._request_markers(series.id)

    def _request_markers(self, series_id: int | None) -> None:
        if series_id is None:
            return
        job = self._submit(
            load_markers, series_id, label="Reading the anomalies of the series", key="markers"
        )
        if job is not None:
            job.finished.connect(self._on_markers)

    @Slot(object)
    def _on_band(self, band: object) -> None:
        assert isinstance(band, Band)
        if self.window.timeline is not None:
            self.window.timeline.set_band(band)
        self.band_shown.emit(band)

    @Slot(object)
    def _on_markers(self, markers: object) -> None:
        assert isinstance(markers, Markers)
        if self.window.timeline is not None:
            self.window.timeline.set_anomalies(markers.series_id, markers.rows)
        self.markers_shown.emit(markers)

    def _timezone(self, series: SeriesInfo) -> str:
        for entry in self.snapshot.datasets if self.snapshot else ():
            if entry.info.id == series.dataset_id:
                return entry.info.mapping.timezone
        return "UTC"

    # -- findings of a running detection ------------------------------------------------------

    def add_live(self, rows: list[TableRow], explanations: dict[int, dict[str, Any]]) -> None:
        spec = self.table_spec()
        shown = [r for r in rows if live_matches(spec, r.row)]
        self.live_explanations.update(explanations)
        self.model.add_live(shown)
        self.window.anomaly_pane.show_table(True)
        if self.window.timeline is not None:
            self.window.timeline.add_live([r.row for r in shown])

    def end_live(self) -> None:
        self.live_explanations.clear()
        self.model.clear_live()
        if self.window.timeline is not None:
            self.window.timeline.clear_live()
