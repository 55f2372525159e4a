"""The timeline of one series: a main plot, an overview strip that picks its range, a crosshair,
and the overlays of ``timeline_overlays`` (expected band, anomaly markers, a dragged range).

The curves are created once and updated with ``setData``. On a view change the main curve gets
the visible slice of a min/max pyramid (``timeline_peaks``, built in the loading worker), about
one min/max pair per pixel column, or the raw points when zoomed in: a redraw costs the same for
ten million points as for ten thousand. pyqtgraph's peak downsampling and clip-to-view stay on.
Data arrives already loaded (a worker read it); nothing here touches the workspace. Times are
shown in UTC, as they are stored.
"""

from __future__ import annotations

from datetime import UTC, datetime
from typing import ClassVar, Literal

import numpy as np
import pyqtgraph as pg
from pyqtgraph.graphicsItems.DateAxisItem import ZoomLevel
from PySide6.QtCore import QEvent, QPointF, Qt, Signal, Slot
from PySide6.QtWidgets import (
    QGraphicsItem,
    QLabel,
    QSizePolicy,
    QStackedLayout,
    QVBoxLayout,
    QWidget,
)

from anomaly_desk.gui.detail_tasks import Band
from anomaly_desk.gui.loaders import SeriesData
from anomaly_desk.gui.timeline_overlays import Overlays, RangeViewBox
from anomaly_desk.gui.timeline_peaks import Peaks
from anomaly_desk.model import AnomalyRow

OVERVIEW_HEIGHT = 84
MIN_TICK_PX = 8  # date ticks (and grid lines) closer than this are not drawn
POINTS_PER_PIXEL = 4  # drawn points per pixel column of the plot: a min/max pair, twice over
MIN_POINTS = 2000
LIGHT = {"bg": "#ffffff", "fg": "#3c4043", "curve": "#1a73e8", "grid": 0.18, "region": "#1a73e833"}
DARK = {"bg": "#1e1f22", "fg": "#c8ccd0", "curve": "#66b2ff", "grid": 0.22, "region": "#66b2ff33"}


class _UtcZoomLevel(ZoomLevel):  # type: ignore[misc]
    """A zoom level whose ticks stay where its steppers put them, on UTC boundaries.

    pyqtgraph's moves every tick into the machine's local time (two QDateTime conversions per
    tick, ~250 ticks over a years-long range: a few ms of every redraw) and then, with the fixed
    offset 0 we give it, moves it back by nothing."""

    def extendTimeRangeForSpacing(
        self, spacing: int, minVal: float, maxVal: float
    ) -> tuple[float, float]:
        return minVal, maxVal

    def moveTicksToLocalTimeCoords(
        self, ticks: np.ndarray, spacing: int, skipFactor: int
    ) -> np.ndarray:
        return ticks


class UtcDateAxis(pg.DateAxisItem):  # type: ignore[misc]
    """pyqtgraph's date axis in UTC, with the month beside bare day numbers ("Mar 12", not
    "12"): an investigator reading a screenshot later needs the date, not just the day."""

    WITH_MONTH: ClassVar[dict[str, str]] = {"%d": "%b %d", "%a %d": "%a %b %d"}
    zoomLevels: dict[float, ZoomLevel]

    def __init__(self, orientation: str = "bottom", utcOffset: Literal[0] = 0) -> None:
        super().__init__(orientation=orientation, utcOffset=utcOffset)
        self.zoomLevels = {
            spacing: _UtcZoomLevel(level.tickSpecs, level.exampleText)
            for spacing, level in self.zoomLevels.items()
        }

    def tickValues(
        self, minVal: float, maxVal: float, size: float
    ) -> list[tuple[float, list[float]]]:
        """pyqtgraph's levels of ticks, without a finer level packed tighter than
        ``MIN_TICK_PX``: twenty years hold 240 months, grid lines 5 px apart that make a faint
        haze, not a scale, and take ~15 ms of each repaint (an alpha line is slow to draw)."""
        levels = list(super().tickValues(minVal, maxVal, size))
        return levels[:1] + [(s, t) for s, t in levels[1:] if len(t) * MIN_TICK_PX <= size]

    def tickStrings(self, values: list[float], scale: float, spacing: float) -> list[str]:
        if self._crowded(values, spacing):
            return []  # pyqtgraph would format and measure every one, then drop them all
        spec = next((s for s in self.zoomLevel.tickSpecs if s.spacing == spacing), None)
        fmt = self.WITH_MONTH.get(spec.format) if spec is not None else None
        if fmt is None:
            return list(super().tickStrings(values, scale, spacing))
        return [datetime.fromtimestamp(v, tz=UTC).strftime(fmt) for v in values]

    def _crowded(self, values: list[float], spacing: float) -> bool:
        """Whether no label of this finer level can be drawn: pyqtgraph stops at a level whose
        labels would fill more of the axis than its limit, and every date label is at least two
        digits wide. (Twenty years hold 240 month ticks: ~5 ms of labels on each redraw.)"""
        if self.orientation not in ("top", "bottom") or not hasattr(self, "fontMetrics"):
            return False
        if spacing == self.zoomLevel.tickSpecs[0].spacing:
            return False  # the coarsest level's labels are always drawn
        length = self.geometry().width()
        narrowest = 0.9 * self.fontMetrics.horizontalAdvance("00")
        limit = max(fill for _, fill in self.style["textFillLimits"])
        shown = len(values) - 2  # a tick just outside the axis at each end gets no label
        return bool(shown * narrowest >= limit * length)


def _date_axis() -> UtcDateAxis:
    return UtcDateAxis(orientation="bottom")


def _cache_axes(plot: pg.PlotItem) -> None:
    """Keep each axis (its grid lines included) as a pixmap, redrawn only when its range or
    style changes: the band, the markers and the crosshair then repaint the plot without
    replaying every tick, label and grid line (~3 ms an axis, several times a series).

    The value axis draws two levels of grid lines, not three: the third, at ~2 % opacity,
    could hardly be seen and took ~7 ms of every repaint of the plot."""
    for name in ("left", "bottom"):
        plot.getAxis(name).setCacheMode(QGraphicsItem.CacheMode.DeviceCoordinateCache)
    plot.getAxis("left").setStyle(maxTickLevel=1)


class TimelineWidget(QWidget):
    anomaly_clicked = Signal(int)  # a marker was clicked: its anomaly id
    range_selected = Signal(object)  # (since_ns, until_ns) dragged out, or None when cleared

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.data: SeriesData | None = None
        self._peaks: Peaks | None = None
        self._values: tuple[float, float] | None = None  # finite extremes of the shown series
        self._stored: tuple[AnomalyRow, ...] = ()
        self._live: list[AnomalyRow] = []
        self._syncing = False
        self._summary = ""

        self.title = QLabel("", self)
        self.title.setTextFormat(Qt.TextFormat.PlainText)
        font = self.title.font()
        font.setPointSizeF(font.pointSizeF() * 1.15)
        font.setBold(True)
        self.title.setFont(font)
        self.readout = QLabel("", self)
        self.readout.setTextFormat(Qt.TextFormat.PlainText)
        self.readout.setSizePolicy(QSizePolicy.Policy.Ignored, QSizePolicy.Policy.Preferred)

        self.view_box = RangeViewBox()
        self.plot = pg.PlotWidget(self, axisItems={"bottom": _date_axis()}, viewBox=self.view_box)
        item = self.plot.getPlotItem()
        item.setDownsampling(auto=True, mode="peak")
        item.setClipToView(True)
        item.setMenuEnabled(False)
        item.hideButtons()
        _cache_axes(item)
        self.curve = item.plot([], [], connect="finite")
        self.vline = pg.InfiniteLine(angle=90, movable=False)
        self.hline = pg.InfiniteLine(angle=0, movable=False)
        for line in (self.vline, self.hline):
            line.setVisible(False)
            item.addItem(line, ignoreBounds=True)
        item.sigXRangeChanged.connect(self._on_main_range)
        self.plot.scene().sigMouseMoved.connect(self._on_mouse_moved)
        self.overlays = Overlays(item)
        self.overlays.markers.sigClicked.connect(self._on_marker)
        self.overlays.selection.sigRegionChangeFinished.connect(self._on_selection_moved)
        self.view_box.range_dragged.connect(self._on_dragged)

        self.overview = pg.PlotWidget(self, axisItems={"bottom": _date_axis()})
        self.overview.setFixedHeight(OVERVIEW_HEIGHT)
        strip = self.overview.getPlotItem()
        strip.hideAxis("left")
        strip.setMouseEnabled(x=False, y=False)
        strip.setMenuEnabled(False)
        strip.hideButtons()
        strip.setDownsampling(auto=True, mode="peak")
        strip.setClipToView(True)
        _cache_axes(strip)
        self.overview_curve = strip.plot([], [], connect="finite")
        self.region = pg.LinearRegionItem(orientation="vertical")
        self.region.setZValue(10)
        strip.addItem(self.region, ignoreBounds=True)
        self.region.sigRegionChanged.connect(self._on_region)

        self.placeholder = QLabel("Select a series in the explorer to see its timeline.", self)
        self.placeholder.setAlignment(Qt.AlignmentFlag.AlignCenter)
        self.placeholder.setEnabled(False)  # drawn in the palette's placeholder grey

        plots = QWidget(self)
        column = QVBoxLayout(plots)
        column.setContentsMargins(0, 0, 0, 0)
        column.setSpacing(2)
        column.addWidget(self.title)
        column.addWidget(self.readout)
        column.addWidget(self.plot, 1)
        column.addWidget(self.overview)
        self._stack = QStackedLayout(self)
        self._stack.addWidget(self.placeholder)
        self._stack.addWidget(plots)
        self.set_dark(False)

    # -- data -----------------------------------------------------------------------------

    def show_series(self, data: SeriesData) -> None:
        if self.data is None or self.data.info.id != data.info.id:
            self.overlays.clear()  # the band and markers belonged to the previous series
            self._stored, self._live = (), []
        self.data = data
        self._peaks = data.pyramid()
        self._values = self._peaks.value_range(data.y)
        self.overview_curve.setData(*self._peaks.overview(data.x, data.y), connect="finite")
        self._draw_visible()
        info = data.info
        self.title.setText(f"{data.dataset}  ›  {info.name}")
        self.plot.getPlotItem().setLabel("left", info.value_column)
        self.plot.getPlotItem().setLabel("bottom", "time (UTC)")
        note = "; sorted by time for display (the file was out of order)" if data.reordered else ""
        span = ""
        if len(data.x):
            span = f", {_when(data.x[0])} .. {_when(data.x[-1])} UTC"
        self.readout.setText(f"{len(data.x):,} points{span}{note}")
        self._summary = self.readout.text()
        if len(data.x):
            if self._values is not None:
                self.overview.getPlotItem().setYRange(*self._values)
            first, last = float(data.x[0]), float(data.x[-1])
            self.overview.getPlotItem().setXRange(first, last, padding=0)
            self.region.setBounds((first, last))
            self.region.setRegion((first, last))
            self.plot.getPlotItem().enableAutoRange(axis="y")
        self._stack.setCurrentIndex(1)

    def clear(self) -> None:
        self.data = None
        self._peaks, self._values = None, None
        self._stored, self._live = (), []
        self.overlays.clear()
        self.curve.setData([], [])
        self.overview_curve.setData([], [])
        self._stack.setCurrentIndex(0)

    def series_id(self) -> int | None:
        return self.data.info.id if self.data is not None else None

    def set_band(self, band: Band) -> None:
        if band.series_id == self.series_id():
            self.overlays.set_band(band)
            if band.note:
                self.readout.setText(f"{self._summary}; {band.note}")

    def set_anomalies(self, series_id: int, rows: tuple[AnomalyRow, ...]) -> None:
        if self.data is not None and series_id == self.data.info.id:
            self._stored = rows
            self._draw_anomalies()

    def add_live(self, rows: list[AnomalyRow]) -> None:
        """Findings of a running detection, shown beside the stored ones until it ends."""
        mine = [r for r in rows if self.data is not None and r.series_id == self.data.info.id]
        if mine:
            self._live += mine
            self._draw_anomalies()

    def clear_live(self) -> None:
        if self._live:
            self._live = []
            self._draw_anomalies()

    def _draw_anomalies(self) -> None:
        if self.data is None:
            return
        # The overlay shades the strongest first: live findings take their place by score.
        rows = sorted((*self._stored, *self._live), key=lambda r: -r.score)
        self.overlays.set_anomalies(tuple(rows), self.data.x, self.data.y, self._values)

    def focus(self, start_ns: int, end_ns: int, margin: float = 4.0) -> None:
        """Zoom onto a time span with ``margin`` times its length on each side."""
        start, end = start_ns / 1e9, end_ns / 1e9
        span = max(end - start, 60.0)
        self.region.setRegion((start - margin * span, end + margin * span))

    def select_range(self, low_s: float, high_s: float) -> None:
        """Show a selected time range and say so (what a Shift + drag ends with)."""
        selection = self.overlays.selection
        selection.blockSignals(True)
        selection.setRegion((low_s, high_s))
        selection.blockSignals(False)
        selection.setVisible(True)
        self.range_selected.emit((int(low_s * 1e9), int(high_s * 1e9)))

    def clear_range(self) -> None:
        self.overlays.selection.setVisible(False)

    def visible_range(self) -> tuple[float, float]:
        low, high = self.plot.getPlotItem().viewRange()[0]
        return float(low), float(high)

    def set_dark(self, dark: bool) -> None:
        colours = DARK if dark else LIGHT
        for widget in (self.plot, self.overview):
            widget.setBackground(colours["bg"])
            for name in ("left", "bottom"):
                axis = widget.getPlotItem().getAxis(name)
                axis.setPen(pg.mkPen(colours["fg"]))
                axis.setTextPen(pg.mkPen(colours["fg"]))
        self.plot.getPlotItem().showGrid(x=True, y=True, alpha=colours["grid"])
        self.curve.setPen(pg.mkPen(colours["curve"], width=1.3))
        self.overlays.set_colours(str(colours["curve"]))
        self.overview_curve.setPen(pg.mkPen(colours["curve"], width=1))
        self.region.setBrush(pg.mkBrush(colours["region"]))
        for edge in self.region.lines:
            edge.setPen(pg.mkPen(colours["curve"], width=1.5))
        for line in (self.vline, self.hline):
            line.setPen(pg.mkPen(colours["fg"], width=1, style=Qt.PenStyle.DashLine))

    # -- interaction ----------------------------------------------------------------------

    @Slot(object)
    def _on_region(self, _region: object) -> None:
        if self._syncing:
            return
        low, high = self.region.getRegion()
        self._syncing = True
        try:
            self.plot.getPlotItem().setXRange(low, high, padding=0)
        finally:
            self._syncing = False

    def _draw_visible(self) -> None:
        """Give the main curve the points of the visible range (see ``timeline_peaks``)."""
        data, peaks = self.data, self._peaks
        if data is None or peaks is None:
            return
        low, high = self.visible_range()
        first = int(np.searchsorted(data.x, low)) - 1  # one point beyond each edge
        last = int(np.searchsorted(data.x, high)) + 1
        budget = max(MIN_POINTS, POINTS_PER_PIXEL * self.plot.width())
        self.curve.setData(*peaks.slice(data.x, data.y, first, last, budget), connect="finite")

    @Slot(object, object)
    def _on_main_range(self, _view: object, x_range: object) -> None:
        if self.data is None:
            return
        self._draw_visible()
        if self._syncing:
            return
        assert isinstance(x_range, (list, tuple))
        self._syncing = True
        try:
            self.region.setRegion((float(x_range[0]), float(x_range[1])))
        finally:
            self._syncing = False

    @Slot(object, object, object)
    def _on_marker(self, _item: object, points: object, _event: object) -> None:
        spots = list(points) if points is not None else []  # type: ignore[call-overload]
        if spots:
            self.anomaly_clicked.emit(int(spots[0].data()))

    @Slot(float, float, bool)
    def _on_dragged(self, low: float, high: float, finished: bool) -> None:
        selection = self.overlays.selection
        selection.blockSignals(True)
        selection.setRegion((low, high))
        selection.blockSignals(False)
        selection.setVisible(True)
        if finished and high > low:
            self.select_range(low, high)

    @Slot(object)
    def _on_selection_moved(self, _region: object) -> None:
        low, high = self.overlays.selection.getRegion()
        self.range_selected.emit((int(float(low) * 1e9), int(float(high) * 1e9)))

    @Slot(object)
    def _on_mouse_moved(self, pos: QPointF) -> None:
        data = self.data
        item = self.plot.getPlotItem()
        inside = item.sceneBoundingRect().contains(pos)
        for line in (self.vline, self.hline):
            line.setVisible(bool(inside and data is not None and len(data.x)))
        if not inside or data is None or not len(data.x):
            return
        point = item.vb.mapSceneToView(pos)
        i = int(np.clip(np.searchsorted(data.x, point.x()), 0, len(data.x) - 1))
        if i > 0 and abs(data.x[i - 1] - point.x()) < abs(data.x[i] - point.x()):
            i -= 1
        x, y = float(data.x[i]), float(data.y[i])
        self.vline.setPos(x)
        self.hline.setPos(y if np.isfinite(y) else point.y())
        value = f"{y:,.6g}" if np.isfinite(y) else "missing"
        self.readout.setText(f"{_when(x)} UTC    {data.info.value_column} = {value}")

    def leaveEvent(self, event: QEvent) -> None:
        for line in (self.vline, self.hline):
            line.setVisible(False)
        if self.data is not None:
            self.readout.setText(self._summary)
        super().leaveEvent(event)


def _when(seconds: float) -> str:
    return datetime.fromtimestamp(float(seconds), tz=UTC).strftime("%Y-%m-%d %H:%M:%S")
