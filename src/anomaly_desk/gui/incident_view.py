"""One incident at a glance: its member series stacked on one shared time axis, each member
anomaly shaded in its severity colour, and the relationship graph below.

The data arrives as an ``IncidentData`` loaded by a worker (``incident_tasks.load_incident``);
this widget only draws it. Every member series gets a plot of at least ``PLOT_HEIGHT`` pixels
and the stack scrolls: squeezing seven series into a dock leaves seven unreadable strips. The
wheel scrolls the stack; Ctrl+wheel zooms a plot (all are linked in time). Plots are rebuilt per
incident (the number of series changes), and each keeps pyqtgraph's peak downsampling and
clip-to-view on. Clicking an anomaly in the graph picks it; "Remove from incident" then asks
(``remove_requested``) to take it out.
"""

from __future__ import annotations

from typing import Any

import numpy as np
import pyqtgraph as pg
from PySide6.QtCore import Qt, Signal, Slot
from PySide6.QtGui import QShowEvent
from PySide6.QtWidgets import (
    QApplication,
    QHBoxLayout,
    QLabel,
    QPushButton,
    QScrollArea,
    QSplitter,
    QVBoxLayout,
    QWidget,
)

from anomaly_desk.gui.incident_tasks import NS, IncidentData, build_graph
from anomaly_desk.gui.relationship_graph import EDGE_STYLE, KIND_COLOUR, RelationshipGraph
from anomaly_desk.gui.severity import SEVERITY_HEX
from anomaly_desk.gui.timeline import DARK, LIGHT, UtcDateAxis
from anomaly_desk.gui.timeline_overlays import severity_spans
from anomaly_desk.model import Severity

PLOT_HEIGHT = 140  # per member series: the curve, its title and its time axis stay legible
TITLE_HEIGHT = 18
GRAPH_SHARE = (0.3, 0.45)  # the least and the most of the height the graph gets


class _StackViewBox(pg.ViewBox):  # type: ignore[misc]
    """A plot in a scrolling stack: the plain wheel belongs to the scroll area (else scrolling
    down the stack would zoom whichever plot is under the pointer); Ctrl+wheel zooms."""

    def wheelEvent(self, ev: Any, axis: int | None = None) -> None:
        if ev.modifiers() & Qt.KeyboardModifier.ControlModifier:
            super().wheelEvent(ev, axis)
        else:
            ev.ignore()


def legend_html() -> str:
    """What the graph's colours and lines mean, as one line of rich text."""
    nodes = [
        (KIND_COLOUR["incident"], "incident"),
        (SEVERITY_HEX[Severity.MAJOR], "anomaly (in its severity's colour)"),
        (KIND_COLOUR["series"], "series"),
        (KIND_COLOUR["entity"], "entity"),
    ]
    dots = "".join(f"<span style='color:{c}'>●</span>&nbsp;{t} &nbsp; " for c, t in nodes)
    dashes = {Qt.PenStyle.SolidLine: "—", Qt.PenStyle.DashLine: "- -", Qt.PenStyle.DotLine: "···"}
    lines = "".join(
        f"<span style='color:{colour}'><b>{dashes[style]}</b></span>&nbsp;{kind} &nbsp; "
        for kind, (colour, style) in EDGE_STYLE.items()
    )
    return f"<small>{dots}<br>{lines}</small>"


class IncidentView(QWidget):
    anomaly_clicked = Signal(int)  # from the graph: the window may select it in the table
    remove_requested = Signal(int, int)  # incident id, anomaly id

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("incident-view")
        self.data: IncidentData | None = None
        self.dark = False
        self.share_pending = False  # the splitter is to be shared out when laid out
        self.title = QLabel("Open an incident to see its series.", self)
        self.title.setWordWrap(True)
        self.title.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self.plots_widget = pg.GraphicsLayoutWidget()
        self.plots_widget.setBackground(LIGHT["bg"])
        self.plots_area = QScrollArea(self)
        self.plots_area.setObjectName("incident-plots")
        self.plots_area.setWidgetResizable(True)  # beyond the minimum height when there is room
        self.plots_area.setHorizontalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
        self.plots_area.setWidget(self.plots_widget)
        self.plots: list[pg.PlotItem] = []
        self.regions: list[pg.BarGraphItem] = []
        self.graph = RelationshipGraph(self)
        self.graph.anomaly_clicked.connect(self.anomaly_clicked)
        self.graph.anomaly_clicked.connect(self.pick)
        self.legend = QLabel(legend_html(), self)
        self.legend.setWordWrap(True)
        self.fit_button = QPushButton("Fit graph", self)
        self.fit_button.setToolTip("Show the whole graph (Ctrl+wheel zooms, drag pans)")
        self.fit_button.clicked.connect(self.graph.fit)
        graph_box = QWidget(self)
        graph_rows = QVBoxLayout(graph_box)
        graph_rows.setContentsMargins(0, 0, 0, 0)
        graph_rows.addWidget(self.graph, 1)
        legend_row = QHBoxLayout()
        legend_row.addWidget(self.legend, 1)
        legend_row.addWidget(self.fit_button)
        graph_rows.addLayout(legend_row)
        self.picked: int | None = None  # the member last clicked in the graph
        self.remove_button = QPushButton("Remove from incident", self)
        self.remove_button.setToolTip("Take the anomaly clicked in the graph out of the incident")
        self.remove_button.setEnabled(False)
        self.remove_button.clicked.connect(self.remove_picked)
        self.splitter = QSplitter(Qt.Orientation.Vertical, self)
        self.splitter.setChildrenCollapsible(False)
        self.splitter.addWidget(self.plots_area)
        self.splitter.addWidget(graph_box)
        self.splitter.setStretchFactor(0, 3)
        self.splitter.setStretchFactor(1, 2)  # on resizes; as the graph needs when one opens
        column = QVBoxLayout(self)
        column.setContentsMargins(4, 4, 4, 4)
        column.addWidget(self.title)
        column.addWidget(self.splitter, 1)
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

    def set_dark(self, dark: bool) -> None:
        """Plot colours follow the window's theme (pyqtgraph does not read the palette), and so
        do the graph's labels: they were given the palette's text colour when drawn."""
        self.dark = dark
        colours = DARK if dark else LIGHT
        self.plots_widget.setBackground(colours["bg"])
        for plot in self.plots:
            self._colour(plot)
        text = QApplication.palette().text()  # the widgets hear of a new palette only later
        for label in self.graph.label_items.values():
            label.setBrush(text)

    def show_incident(self, data: IncidentData, note: str = "") -> None:
        """Draw ``data``; ``note`` says why it is shown (e.g. what was merged into it)."""
        self.data = data
        self._reset_pick()
        info = data.info
        self.title.setText(
            (f"<i>{note}</i><br>" if note else "")
            + f"<b>#{info.id} {info.title}</b> — {info.status.value}, "
            f"{len(data.members)} anomalies on {len(data.traces)} series"
            + (f"<br>{info.summary}" if info.summary else "")
        )
        self.plots_widget.clear()
        self.plots, self.regions = [], []
        for row, trace in enumerate(data.traces):
            plot = self.plots_widget.addPlot(
                row=row, col=0, viewBox=_StackViewBox(),
                axisItems={"bottom": UtcDateAxis(orientation="bottom", utcOffset=0)},
            )  # fmt: skip
            plot.setMinimumHeight(PLOT_HEIGHT)
            plot.setDownsampling(auto=True, mode="peak")
            plot.setClipToView(True)
            plot.titleLabel.opts["justify"] = "left"
            plot.setTitle(trace.name, size="9pt")
            plot.layout.setRowFixedHeight(0, TITLE_HEIGHT)  # pyqtgraph's 30 px wastes height
            plot.getAxis("left").setWidth(44)  # one width: the stacked time axes line up
            plot.plot(trace.x, trace.y, pen=pg.mkPen(self._curve_colour(), width=1.2))
            if self.plots:
                plot.setXLink(self.plots[0])
            regions = self._regions(data, trace.series_id, trace.y)
            plot.addItem(regions, ignoreBounds=True)
            self._colour(plot)
            self.plots.append(plot)
            self.regions.append(regions)
        # The layout's minimum makes the scroll area scroll instead of squeezing the plots.
        self.plots_widget.setMinimumHeight(len(self.plots) * (PLOT_HEIGHT + 6))
        if self.plots and data.info.start_ns is not None and data.info.end_ns is not None:
            low, high = data.info.start_ns / NS, data.info.end_ns / NS
            margin = max((high - low) * 2.0, 3600.0)
            self.plots[0].setXRange(low - margin, high + margin, padding=0)
        self.plots_area.verticalScrollBar().setValue(0)
        self.graph.set_graph(build_graph(info, data.members, data.links))
        self.share_pending = True
        self._share()

    def showEvent(self, event: QShowEvent) -> None:
        super().showEvent(event)
        if self.share_pending:  # drawn while hidden: the splitter is laid out only now
            self._share()

    def _share(self) -> None:
        """Give the graph the height it needs at its natural size, within GRAPH_SHARE: plots
        scroll well, a graph cut in half does not."""
        total = sum(self.splitter.sizes())
        if total <= 0:  # not laid out yet (hidden): showEvent comes back
            return
        self.share_pending = False
        legend = self.legend.sizeHint().height() + 12
        wanted = self.graph.scene().sceneRect().height() + legend + 8
        graph = int(min(max(wanted, total * GRAPH_SHARE[0]), total * GRAPH_SHARE[1]))
        self.splitter.setSizes([total - graph, graph])
        self.graph.fit()

    def show_gone(self, incident_id: int, why: str) -> None:
        """The shown incident no longer exists (dissolved, or changed elsewhere): say so and
        draw nothing rather than a stale incident someone may act on."""
        self.data = None
        self._reset_pick()
        self.title.setText(f"<b>Incident #{incident_id} {why}.</b>")
        self.plots_widget.clear()
        self.plots, self.regions = [], []
        self.plots_widget.setMinimumHeight(0)
        self.graph.clear()

    def _reset_pick(self) -> None:
        self.picked = None
        self.remove_button.setEnabled(False)
        self.remove_button.setText("Remove from incident")

    def _curve_colour(self) -> str:
        return str((DARK if self.dark else LIGHT)["curve"])

    def _colour(self, plot: pg.PlotItem) -> None:
        colours = DARK if self.dark else LIGHT
        for name in ("left", "bottom"):
            axis = plot.getAxis(name)
            axis.setPen(pg.mkPen(colours["fg"]))
            axis.setTextPen(pg.mkPen(colours["fg"]))
        plot.titleLabel.setText(plot.titleLabel.text, color=colours["fg"])
        plot.showGrid(x=True, y=True, alpha=colours["grid"])
        for curve in plot.listDataItems():
            if isinstance(curve, pg.PlotDataItem):  # not the shaded anomaly spans
                curve.setPen(pg.mkPen(colours["curve"], width=1.2))

    def _regions(self, data: IncidentData, series_id: int, y: np.ndarray) -> pg.BarGraphItem:
        rows = [m for m in data.members if m.series_id == series_id]
        item = pg.BarGraphItem(**severity_spans(rows, y), pen=None)
        item.setZValue(-10)
        return item
