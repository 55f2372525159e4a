"""The detail pane's two small charts: contributions as horizontal bars, and the context plot of
the series around the anomaly with the expected band and the anomaly's span highlighted."""

from __future__ import annotations

from typing import Any

import numpy as np
import pyqtgraph as pg
from PySide6.QtCore import QRectF, QSize, Qt
from PySide6.QtGui import QColor, QPainter, QPaintEvent
from PySide6.QtWidgets import QSizePolicy, QWidget

from anomaly_desk.gui.detail_tasks import Detail
from anomaly_desk.gui.severity import SEVERITY_HEX
from anomaly_desk.gui.timeline import DARK, LIGHT, UtcDateAxis

BAR_ROW_PX = 20
LABEL_SHARE = 0.45  # of the width, for "seasonal (raw)"


class ContributionBars(QWidget):
    """What contributed to a finding and how much: one bar per detector, feature or scale."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.items: list[tuple[str, float, str]] = []  # label, weight 0..1, detail
        self.setSizePolicy(QSizePolicy.Policy.Expanding, QSizePolicy.Policy.Fixed)

    def set_contributions(self, contributions: list[dict[str, Any]]) -> None:
        items = []
        for c in contributions:
            scale = f" ({c['scale']})" if c.get("scale") else ""
            items.append(
                (
                    f"{c.get('name', '?')}{scale}",
                    float(c.get("weight", 0.0)),
                    str(c.get("detail", "")),
                )
            )
        self.items = sorted(items, key=lambda i: -i[1])
        tips = [f"{label}: {weight:.0%} — {detail}" for label, weight, detail in self.items]
        self.setToolTip("\n".join(tips))
        self.setFixedHeight(max(1, len(self.items)) * BAR_ROW_PX + 4)
        self.update()

    def sizeHint(self) -> QSize:
        return QSize(260, max(1, len(self.items)) * BAR_ROW_PX + 4)

    def paintEvent(self, _event: QPaintEvent) -> None:
        painter = QPainter(self)
        palette = self.palette()
        if not self.items:
            painter.setPen(palette.placeholderText().color())
            painter.drawText(
                self.rect(), int(Qt.AlignmentFlag.AlignLeft), "No contributions recorded"
            )
            painter.end()
            return
        label_w = int(self.width() * LABEL_SHARE)
        track_w = max(10, self.width() - label_w - 48)
        for i, (label, weight, _detail) in enumerate(self.items):
            top = 2 + i * BAR_ROW_PX
            painter.setPen(palette.text().color())
            painter.drawText(
                QRectF(0, top, label_w - 6, BAR_ROW_PX),
                int(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter),
                label,
            )
            painter.setPen(Qt.PenStyle.NoPen)
            track = palette.mid().color()
            track.setAlpha(60)
            painter.setBrush(track)
            painter.drawRect(QRectF(label_w, top + 4, track_w, BAR_ROW_PX - 8))
            painter.setBrush(QColor(palette.highlight().color()))
            painter.drawRect(QRectF(label_w, top + 4, track_w * min(1.0, weight), BAR_ROW_PX - 8))
            painter.setPen(palette.text().color())
            painter.drawText(
                QRectF(label_w + track_w + 4, top, 44, BAR_ROW_PX),
                int(Qt.AlignmentFlag.AlignLeft | Qt.AlignmentFlag.AlignVCenter),
                f"{weight:.0%}",
            )
        painter.end()


class ContextPlot(pg.PlotWidget):  # type: ignore[misc]
    """The series around the anomaly, the expected band, the anomaly's span and peak."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent, axisItems={"bottom": UtcDateAxis(orientation="bottom")})
        item = self.getPlotItem()
        item.setMenuEnabled(False)
        item.hideButtons()
        item.setMouseEnabled(x=False, y=False)
        self.setMinimumHeight(170)
        self.low = pg.PlotDataItem([], [])
        self.high = pg.PlotDataItem([], [])
        self.fill = pg.FillBetweenItem(self.low, self.high)
        for band_item in (self.fill, self.low, self.high):
            item.addItem(band_item)
        self.span = pg.LinearRegionItem(movable=False)
        item.addItem(self.span, ignoreBounds=True)
        self.curve = item.plot([], [], connect="finite")
        self.peak = pg.ScatterPlotItem(size=10)
        item.addItem(self.peak)
        self.set_dark(False)

    def set_dark(self, dark: bool) -> None:
        colours = DARK if dark else LIGHT
        self.setBackground(colours["bg"])
        for name in ("left", "bottom"):
            axis = self.getPlotItem().getAxis(name)
            axis.setPen(pg.mkPen(colours["fg"]))
            axis.setTextPen(pg.mkPen(colours["fg"]))
        curve = str(colours["curve"])
        self.curve.setPen(pg.mkPen(curve, width=1.4))
        self.low.setPen(pg.mkPen(curve + "80"))
        self.high.setPen(pg.mkPen(curve + "80"))
        self.fill.setBrush(pg.mkBrush(curve + "40"))

    def show_detail(self, detail: Detail) -> None:
        row = detail.row
        self.curve.setData(detail.x, detail.y, connect="finite")
        self.low.setData(detail.band_x, detail.band_low)
        self.high.setData(detail.band_x, detail.band_high)
        self.fill.setVisible(bool(len(detail.band_x)))
        colour = pg.mkColor(SEVERITY_HEX[row.severity])
        colour.setAlpha(70)
        self.span.setBrush(pg.mkBrush(colour))
        self.span.setRegion((row.start_ns / 1e9, max(row.end_ns, row.start_ns + 1) / 1e9))
        peak_y = row.actual
        if peak_y is None and len(detail.x):
            i = int(np.clip(np.searchsorted(detail.x, row.peak_ns / 1e9), 0, len(detail.x) - 1))
            peak_y = float(detail.y[i])
        if peak_y is not None:
            self.peak.setData(
                [row.peak_ns / 1e9], [peak_y], brush=SEVERITY_HEX[row.severity], pen="#202124"
            )
        else:
            self.peak.setData([], [])
        if len(detail.x):
            self.getPlotItem().setXRange(float(detail.x[0]), float(detail.x[-1]), padding=0.02)
            self.getPlotItem().enableAutoRange(axis="y")
