"""What the timeline draws over a series: the expected band, anomaly regions and markers, the
time range the user drags out (Shift + drag) to filter the table, and the annotations.

Each overlay is one plot item created once and updated with ``setData`` / ``setOpts``: a
thousand anomalies are one scatter item and one bar item, not a thousand graphics items.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import numpy as np
import pyqtgraph as pg
from PySide6.QtCore import QSignalBlocker, Qt, Signal

from anomaly_desk.gui.detail_tasks import Band
from anomaly_desk.gui.severity import SEVERITY_HEX
from anomaly_desk.model import AnomalyRow

NS = 1_000_000_000
BAND_ALPHA = "70"  # hex alpha of the band's fill
REGION_ALPHA = 55  # of an anomaly's shaded time span
MAX_REGIONS = 400  # spans drawn (the strongest); markers are drawn for every anomaly loaded
ANNOTATION_HEX = "#7e57c2"  # annotations: one colour apart from the severity scale


class RangeViewBox(pg.ViewBox):  # type: ignore[misc]
    """A ViewBox where Shift + left drag picks a time range instead of panning."""

    range_dragged = Signal(float, float, bool)  # low, high (seconds), finished

    def mouseDragEvent(self, ev: Any, axis: int | None = None) -> None:
        if ev.button() == Qt.MouseButton.LeftButton and (
            ev.modifiers() & Qt.KeyboardModifier.ShiftModifier
        ):
            ev.accept()
            a = self.mapSceneToView(ev.buttonDownScenePos()).x()
            b = self.mapSceneToView(ev.scenePos()).x()
            self.range_dragged.emit(min(a, b), max(a, b), bool(ev.isFinish()))
            return
        super().mouseDragEvent(ev, axis)


class Overlays:
    """The band, regions and markers of one plot; owned by the timeline widget."""

    def __init__(self, plot: pg.PlotItem) -> None:
        self.plot = plot
        self.band_low = pg.PlotDataItem([], [])
        self.band_high = pg.PlotDataItem([], [])
        self.band_fill = pg.FillBetweenItem(self.band_low, self.band_high)
        for item in (self.band_low, self.band_high):
            item.setZValue(-10)
            plot.addItem(item)
        self.band_fill.setZValue(-11)
        plot.addItem(self.band_fill)
        self.regions = pg.BarGraphItem(x0=[], x1=[], y0=[], y1=[], brushes=[], pen=None)
        self.regions.setZValue(-12)
        plot.addItem(self.regions, ignoreBounds=True)
        self.markers = pg.ScatterPlotItem(size=9, hoverable=True, tip=None)
        self.markers.setZValue(20)
        plot.addItem(self.markers)
        self.selection = pg.LinearRegionItem(orientation="vertical", movable=True)
        self.selection.setZValue(30)
        self.selection.setVisible(False)
        plot.addItem(self.selection, ignoreBounds=True)
        self.rows: tuple[AnomalyRow, ...] = ()
        self.band: Band | None = None
        # One brush per severity and one pen, kept: the scatter renders a symbol per distinct
        # brush and pen *object*, so a new brush per marker meant a thousand symbol renders
        # (~70 ms on the GUI thread) for a thousand anomalies.
        self._marker_brushes = {sev: pg.mkBrush(hex_) for sev, hex_ in SEVERITY_HEX.items()}
        self._marker_pen = pg.mkPen("#202124", width=0.8)

    def set_colours(self, curve: str) -> None:
        pen = pg.mkPen(curve + "80", width=1)
        self.band_low.setPen(pen)
        self.band_high.setPen(pen)
        self.band_fill.setBrush(pg.mkBrush(curve + BAND_ALPHA))
        self.selection.setBrush(pg.mkBrush("#f9ab0040"))

    def clear(self) -> None:
        self.set_band(None)
        self.set_anomalies((), np.zeros(0), np.zeros(0))
        self.selection.setVisible(False)

    def set_band(self, band: Band | None) -> None:
        # The fill rebuilds its path whenever either edge changes (~7 ms for a 6,000-point
        # band): the low edge changes silently, so the path is built once, from both new edges,
        # when the high edge changes; a hidden fill is not rebuilt at all.
        self.band = band
        if band is None or not len(band.x):
            self.band_fill.setVisible(False)
            for edge in (self.band_low, self.band_high):
                with QSignalBlocker(edge):
                    edge.setData([], [])
            return
        with QSignalBlocker(self.band_low):
            self.band_low.setData(band.x, band.low)
        self.band_high.setData(band.x, band.high)
        self.band_fill.setVisible(True)

    def set_anomalies(
        self,
        rows: tuple[AnomalyRow, ...],
        series_x: np.ndarray,
        series_y: np.ndarray,
        value_range: tuple[float, float] | None = None,
    ) -> None:
        """Markers at each anomaly's peak (on the curve) and shaded spans for the strongest;
        ``value_range``: the series' finite extremes when known (see ``severity_spans``)."""
        self.rows = rows
        if not rows or not len(series_x):
            self.markers.setData([], [])
            self.regions.setOpts(x0=[], x1=[], y0=[], y1=[], brushes=[])
            return
        peaks = np.array([r.peak_ns for r in rows], dtype=np.float64) / NS
        index = np.clip(np.searchsorted(series_x, peaks), 0, len(series_x) - 1)
        ys = np.array(
            [r.actual if r.actual is not None else np.nan for r in rows], dtype=np.float64
        )
        missing = ~np.isfinite(ys)
        ys[missing] = series_y[index[missing]]
        self.markers.setData(
            x=peaks,
            y=ys,
            data=[r.id for r in rows],
            brush=[self._marker_brushes[r.severity] for r in rows],
            pen=self._marker_pen,
            symbol="o",
        )
        spans = severity_spans(rows[:MAX_REGIONS], series_y, value_range)  # strongest first
        self.regions.setOpts(**spans)


def severity_spans(
    rows: Sequence[AnomalyRow],
    series_y: np.ndarray,
    value_range: tuple[float, float] | None = None,
) -> dict[str, Any]:
    """``BarGraphItem`` options shading each anomaly's span, full height, in its severity.

    The height is the series' finite range: ``value_range`` when the caller has it (the
    timeline does; a pass over ten million values is ~40 ms on the GUI thread), else read here.
    """
    if value_range is None:
        finite = series_y[np.isfinite(series_y)]
        value_range = (float(finite.min()), float(finite.max())) if len(finite) else None
    low, high = value_range if value_range is not None else (0.0, 1.0)
    x0 = np.array([r.start_ns for r in rows], dtype=np.float64) / NS
    x1 = np.array([r.end_ns for r in rows], dtype=np.float64) / NS
    shades = {}
    for severity, hex_ in SEVERITY_HEX.items():
        colour = pg.mkColor(hex_)
        colour.setAlpha(REGION_ALPHA)
        shades[severity] = pg.mkBrush(colour)
    brushes = [shades[r.severity] for r in rows]
    return {
        "x0": x0,
        "x1": np.maximum(x1, x0 + 1),  # a one-point anomaly still gets a visible sliver
        "y0": np.full(len(x0), low),
        "y1": np.full(len(x0), high),
        "brushes": brushes,
    }


class AnnotationOverlay:
    """The shown series' annotations as labelled, fixed regions on one plot.

    A small pool of region and label items is reused across series (annotations are few);
    items beyond the ones shown are hidden, not deleted.
    """

    def __init__(self, plot: pg.PlotItem) -> None:
        self.plot = plot
        self.regions: list[pg.LinearRegionItem] = []
        self.labels: list[pg.TextItem] = []
        self.shown: tuple[tuple[int, int, str], ...] = ()  # (start_ns, end_ns, text)

    def set_annotations(self, spans: tuple[tuple[int, int, str], ...]) -> None:
        self.shown = spans
        while len(self.regions) < len(spans):
            region = pg.LinearRegionItem(
                orientation="vertical", movable=False, brush=pg.mkBrush(ANNOTATION_HEX + "30"),
                pen=pg.mkPen(ANNOTATION_HEX, width=1),
            )  # fmt: skip
            region.setZValue(-13)
            label = pg.TextItem("", color=ANNOTATION_HEX, anchor=(0, 0))
            label.setZValue(25)
            self.plot.addItem(region, ignoreBounds=True)
            self.plot.addItem(label, ignoreBounds=True)
            self.regions.append(region)
            self.labels.append(label)
        top = self.plot.getViewBox().viewRange()[1][1]
        for i, (region, label) in enumerate(zip(self.regions, self.labels, strict=True)):
            visible = i < len(spans)
            region.setVisible(visible)
            label.setVisible(visible)
            if visible:
                start, end, text = spans[i]
                region.setRegion((start / NS, max(end, start + 1) / NS))
                label.setText(text)
                label.setToolTip(text)
                label.setPos(start / NS, top)

    def texts(self) -> list[str]:
        return [label.toPlainText() for label in self.labels if label.isVisible()]
