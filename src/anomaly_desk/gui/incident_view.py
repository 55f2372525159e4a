"""One incident at a glance: its member series stacked on one shared time axis, each member
anomaly shaded in its severity colour, and the relationship graph below.

The data arrives as an ``IncidentData`` loaded by a worker (``incident_tasks.load_incident``);
this widget only draws it. Plots are rebuilt per incident (the number of series changes), and
each keeps pyqtgraph's peak downsampling and clip-to-view on. Clicking an anomaly in the graph
picks it; "Remove from incident" then asks (``remove_requested``) to take it out.
"""

from __future__ import annotations

import numpy as np
import pyqtgraph as pg
from PySide6.QtCore import Qt, Signal, Slot
from PySide6.QtWidgets import QLabel, QPushButton, QSplitter, QVBoxLayout, QWidget

from anomaly_desk.gui.incident_tasks import NS, IncidentData, build_graph
from anomaly_desk.gui.relationship_graph import RelationshipGraph
from anomaly_desk.gui.severity import SEVERITY_HEX
from anomaly_desk.gui.timeline import UtcDateAxis

REGION_ALPHA = 70
PLOT_HEIGHT = 110


class IncidentView(QWidget):
    anomaly_clicked = Signal(int)  # from the graph: the window may select it in the table
    remove_requested = Signal(int, int)  # incident id, anomaly id

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("incident-view")
        self.data: IncidentData | None = None
        self.title = QLabel("Open an incident to see its series.", self)
        self.title.setWordWrap(True)
        self.title.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self.plots_widget = pg.GraphicsLayoutWidget(self)
        self.plots: list[pg.PlotItem] = []
        self.regions: list[pg.BarGraphItem] = []
        self.graph = RelationshipGraph(self)
        self.graph.anomaly_clicked.connect(self.anomaly_clicked)
        self.graph.anomaly_clicked.connect(self.pick)
        self.picked: int | None = None  # the member last clicked in the graph
        self.remove_button = QPushButton("Remove from incident", self)
        self.remove_button.setToolTip("Take the anomaly clicked in the graph out of the incident")
        self.remove_button.setEnabled(False)
        self.remove_button.clicked.connect(self.remove_picked)
        splitter = QSplitter(Qt.Orientation.Vertical, self)
        splitter.addWidget(self.plots_widget)
        splitter.addWidget(self.graph)
        splitter.setSizes([400, 220])
        column = QVBoxLayout(self)
        column.setContentsMargins(4, 4, 4, 4)
        column.addWidget(self.title)
        column.addWidget(splitter, 1)
        column.addWidget(self.remove_button)

    @Slot(int)
    def pick(self, anomaly_id: int) -> None:
        members = {m.id for m in self.data.members} if self.data is not None else set()
        self.picked = anomaly_id if anomaly_id in members else None
        self.remove_button.setEnabled(self.picked is not None)
        if self.picked is not None:
            self.remove_button.setText(f"Remove #{self.picked} from incident")

    @Slot()
    def remove_picked(self) -> None:
        if self.data is not None and self.picked is not None:
            self.remove_requested.emit(self.data.info.id, self.picked)

    def show_incident(self, data: IncidentData) -> None:
        self.data = data
        self.picked = None
        self.remove_button.setEnabled(False)
        self.remove_button.setText("Remove from incident")
        info = data.info
        self.title.setText(
            f"<b>#{info.id} {info.title}</b> — {info.status.value}, "
            f"{len(data.members)} anomalies on {len(data.traces)} series"
            + (f"<br>{info.summary}" if info.summary else "")
        )
        self.plots_widget.clear()
        self.plots, self.regions = [], []
        for row, trace in enumerate(data.traces):
            plot = self.plots_widget.addPlot(
                row=row, col=0, axisItems={"bottom": UtcDateAxis(orientation="bottom", utcOffset=0)}
            )
            plot.setMinimumHeight(PLOT_HEIGHT)
            plot.setDownsampling(auto=True, mode="peak")
            plot.setClipToView(True)
            plot.setLabel("left", trace.name)
            plot.showGrid(x=True, y=True, alpha=0.2)
            plot.plot(trace.x, trace.y, pen=pg.mkPen("#1a73e8", width=1))
            if self.plots:
                plot.setXLink(self.plots[0])
            regions = self._regions(data, trace.series_id, trace.y)
            plot.addItem(regions, ignoreBounds=True)
            self.plots.append(plot)
            self.regions.append(regions)
        if self.plots and data.info.start_ns is not None and data.info.end_ns is not None:
            low, high = data.info.start_ns / NS, data.info.end_ns / NS
            margin = max((high - low) * 2.0, 3600.0)
            self.plots[0].setXRange(low - margin, high + margin, padding=0)
        self.graph.set_graph(build_graph(info, data.members, data.links))

    def _regions(self, data: IncidentData, series_id: int, y: np.ndarray) -> pg.BarGraphItem:
        rows = [m for m in data.members if m.series_id == series_id]
        finite = y[np.isfinite(y)]
        low, high = (float(finite.min()), float(finite.max())) if len(finite) else (0.0, 1.0)
        x0 = np.array([r.start_ns for r in rows], dtype=np.float64) / NS
        x1 = np.array([r.end_ns for r in rows], dtype=np.float64) / NS
        brushes = []
        for r in rows:
            colour = pg.mkColor(SEVERITY_HEX[r.severity])
            colour.setAlpha(REGION_ALPHA)
            brushes.append(pg.mkBrush(colour))
        item = pg.BarGraphItem(
            x0=x0, x1=np.maximum(x1, x0 + 1), y0=np.full(len(rows), low),
            y1=np.full(len(rows), high), brushes=brushes, pen=None,
        )  # fmt: skip
        item.setZValue(-10)
        return item
