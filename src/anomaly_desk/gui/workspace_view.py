"""The centre of the window once a workspace is open.

Top to bottom: the filter bar, then a splitter with the swimlane overview, the timeline of one
series and the anomaly table beside the detail pane. The three plot views need pyqtgraph
(~0.8 s to import), so they are created by ``ensure_views`` when a workspace first opens,
never at start-up; until then their places hold empty hosts.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QSplitter, QVBoxLayout, QWidget

from anomaly_desk.gui.anomaly_pane import AnomalyPane
from anomaly_desk.gui.filter_bar import FilterBar
from anomaly_desk.gui.saved_views import ViewStore

if TYPE_CHECKING:
    from anomaly_desk.gui.detail_pane import DetailPane
    from anomaly_desk.gui.swimlane import SwimlaneWidget
    from anomaly_desk.gui.timeline import TimelineWidget

TIMELINE_TIP = (
    "Drag to pan, wheel to zoom; Shift + drag selects a time range and filters the table to it; "
    "click a marker to open its anomaly."
)


def _host(parent: QWidget) -> QWidget:
    host = QWidget(parent)
    QVBoxLayout(host).setContentsMargins(6, 2, 6, 0)
    return host


class WorkspaceView(QWidget):
    def __init__(self, views: ViewStore, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.filter_bar = FilterBar(views, self)
        self.swimlane_host = _host(self)
        self.timeline_host = _host(self)
        self.anomaly_pane = AnomalyPane(self)
        self.splitter = QSplitter(Qt.Orientation.Vertical, self)
        self.splitter.setObjectName("centre")
        self.splitter.setChildrenCollapsible(False)
        for widget in (self.swimlane_host, self.timeline_host, self.anomaly_pane):
            self.splitter.addWidget(widget)
        self.splitter.setStretchFactor(0, 1)
        self.splitter.setStretchFactor(1, 3)
        self.splitter.setStretchFactor(2, 3)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.setSpacing(0)
        layout.addWidget(self.filter_bar)
        layout.addWidget(self.splitter, 1)
        self.timeline: TimelineWidget | None = None
        self.swimlane: SwimlaneWidget | None = None
        self.detail_pane: DetailPane | None = None

    def ensure_views(self) -> bool:
        """Create the plot views once; True when they were created by this call."""
        if self.timeline is not None:
            return False
        from anomaly_desk.gui.detail_pane import DetailPane
        from anomaly_desk.gui.swimlane import SwimlaneWidget
        from anomaly_desk.gui.timeline import TimelineWidget

        self.timeline = TimelineWidget(self.timeline_host)
        self.timeline.plot.setToolTip(TIMELINE_TIP)
        self.swimlane = SwimlaneWidget(self.swimlane_host)
        self.detail_pane = DetailPane(self.anomaly_pane)
        for host, widget in (
            (self.timeline_host, self.timeline),
            (self.swimlane_host, self.swimlane),
        ):
            layout = host.layout()
            assert layout is not None
            layout.addWidget(widget)
        self.anomaly_pane.set_detail(self.detail_pane)
        return True

    def set_dark(self, dark: bool) -> None:
        self.filter_bar.severities.refresh_style()
        for view in (self.timeline, self.swimlane, self.detail_pane):
            if view is not None:
                view.set_dark(dark)
