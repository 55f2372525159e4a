"""The swimlane overview (Kibana Anomaly Explorer style): max score per lane per time bucket.

One RGBA image in severity colours (cells without anomalies are transparent); a click on a
cell says which lane and bucket, and the window narrows the table to them. The data arrives
already aggregated (``anomaly_tasks.load_swimlane`` in a worker).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pyqtgraph as pg
from PySide6.QtCore import QPointF, QRectF, Qt, Signal, Slot
from PySide6.QtWidgets import QLabel, QVBoxLayout, QWidget

from anomaly_desk.gui.anomaly_tasks import NS, SwimlaneView, when
from anomaly_desk.gui.severity import scores_to_rgba
from anomaly_desk.gui.timeline import DARK, LIGHT, UtcDateAxis

LANE_PX = 17
AXIS_PX = 34
MAX_LABEL = 28  # characters of a lane name on the axis


@dataclass(frozen=True)
class CellPick:
    lane: str
    series_id: int | None
    start_ns: int
    end_ns: int

    @property
    def label(self) -> str:
        return f"{self.lane} · {when(self.start_ns)} – {when(self.end_ns)} UTC"


class SwimlaneWidget(QWidget):
    cell_clicked = Signal(object)  # CellPick

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.view: SwimlaneView | None = None
        self.caption = QLabel("Anomaly swimlane", self)
        self.caption.setTextFormat(Qt.TextFormat.PlainText)
        font = self.caption.font()
        font.setBold(True)
        self.caption.setFont(font)
        self.plot = pg.PlotWidget(self, axisItems={"bottom": UtcDateAxis(orientation="bottom")})
        item = self.plot.getPlotItem()
        item.setMouseEnabled(x=False, y=False)
        item.setMenuEnabled(False)
        item.hideButtons()
        item.getViewBox().invertY(True)  # the strongest lane on top
        self.image = pg.ImageItem(axisOrder="row-major")
        item.addItem(self.image)
        self.marker = pg.QtWidgets.QGraphicsRectItem()
        self.marker.setPen(pg.mkPen("#202124", width=2))
        self.marker.setVisible(False)
        item.addItem(self.marker, ignoreBounds=True)
        self.plot.scene().sigMouseClicked.connect(self._on_click)
        self.empty = QLabel("No anomalies match the filter.", self)
        self.empty.setEnabled(False)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(6, 2, 6, 2)
        layout.setSpacing(1)
        layout.addWidget(self.caption)
        layout.addWidget(self.plot, 1)
        layout.addWidget(self.empty)
        self.set_dark(False)
        self.set_view(None)

    def set_view(self, view: SwimlaneView | None) -> None:
        self.view = view
        self.marker.setVisible(False)
        lanes = len(view.lanes) if view is not None else 0
        self.plot.setVisible(lanes > 0)
        self.empty.setVisible(lanes == 0)
        if view is None or lanes == 0:
            self.image.clear()
            self.caption.setText("Anomaly swimlane")
            return
        rgba = scores_to_rgba(view.scores)
        self.image.setImage(rgba, autoLevels=False)
        start_s = view.start_ns / NS
        width_s = view.width_ns / NS
        self.image.setRect(QRectF(start_s, 0, width_s * view.buckets, lanes))
        item = self.plot.getPlotItem()
        names = [(i + 0.5, _short(name)) for i, name in enumerate(view.lanes)]
        item.getAxis("left").setTicks([names, []])
        item.setXRange(start_s, start_s + width_s * view.buckets, padding=0)
        item.setYRange(0, lanes, padding=0)
        self.plot.setMinimumHeight(lanes * LANE_PX + AXIS_PX)
        more = f" (the {lanes} highest of {lanes + view.hidden:,} lanes)" if view.hidden else ""
        self.caption.setText(
            f"Anomaly swimlane: highest score per series and time bucket{more}."
            " Click a cell to filter the table."
        )

    def set_dark(self, dark: bool) -> None:
        colours = DARK if dark else LIGHT
        self.plot.setBackground(colours["bg"])
        for name in ("left", "bottom"):
            axis = self.plot.getPlotItem().getAxis(name)
            axis.setPen(pg.mkPen(colours["fg"]))
            axis.setTextPen(pg.mkPen(colours["fg"]))
        self.marker.setPen(pg.mkPen(colours["fg"], width=2))

    def pick(self, lane: int, bucket: int) -> CellPick | None:
        view = self.view
        if view is None or not (0 <= lane < len(view.lanes) and 0 <= bucket < view.buckets):
            return None
        start = view.start_ns + bucket * view.width_ns
        return CellPick(view.lanes[lane], view.series_ids[lane], start, start + view.width_ns - 1)

    def click_cell(self, lane: int, bucket: int) -> CellPick | None:
        """What a click on that cell does (tests and keyboard use it too)."""
        picked = self.pick(lane, bucket)
        if picked is None or self.view is None:
            return None
        width_s = self.view.width_ns / NS
        self.marker.setRect(QRectF(picked.start_ns / NS, lane, width_s, 1))
        self.marker.setVisible(True)
        self.cell_clicked.emit(picked)
        return picked

    def cell_at(self, scene_pos: QPointF) -> tuple[int, int] | None:
        view = self.view
        box = self.plot.getPlotItem().getViewBox()
        if view is None or not box.sceneBoundingRect().contains(scene_pos):
            return None
        point = box.mapSceneToView(scene_pos)
        bucket = int(np.floor((point.x() - view.start_ns / NS) / (view.width_ns / NS)))
        return int(np.floor(point.y())), bucket

    def clear_marker(self) -> None:
        self.marker.setVisible(False)

    @Slot(object)
    def _on_click(self, event: object) -> None:
        pos = event.scenePos()  # type: ignore[attr-defined]
        cell = self.cell_at(pos)
        if cell is not None:
            self.click_cell(*cell)


def _short(name: str) -> str:
    return name if len(name) <= MAX_LABEL else "…" + name[-(MAX_LABEL - 1) :]
