"""Wires the incident work into the window: View > Incidents, the incident view, and the
timeline's annotations with Anomaly > Annotate range….

The main window only creates an ``IncidentDesk``; everything else is connected here. Reads and
writes are jobs (``incident_tasks``, ``annotation_tasks``) on the window's one runner. The plot
parts (the incident view, the annotation overlay) are created when first needed: pyqtgraph
must not load at start-up.
"""

from __future__ import annotations

import getpass
from typing import TYPE_CHECKING

from PySide6.QtCore import QObject, Qt, Signal, Slot
from PySide6.QtGui import QAction
from PySide6.QtWidgets import QDockWidget, QInputDialog

from anomaly_desk.gui.annotation_tasks import SeriesAnnotations, annotate_range, load_annotations
from anomaly_desk.gui.incident_tasks import IncidentData, IncidentsPage, load_incident
from anomaly_desk.gui.incidents_view import IncidentsDock
from anomaly_desk.gui.menus import add_view_toggle
from anomaly_desk.gui.workers import Job
from anomaly_desk.model import IncidentInfo

if TYPE_CHECKING:
    from anomaly_desk.gui.incident_view import IncidentView
    from anomaly_desk.gui.loaders import SeriesData
    from anomaly_desk.gui.main_window import MainWindow
    from anomaly_desk.gui.timeline_overlays import AnnotationOverlay

NS = 1_000_000_000


VIEW_SHARE = (0.75, 0.9)  # of the main window, the incident window's size when it first opens
VIEW_MIN = (900, 700)  # and at least this: seven stacked series and a legible graph


class IncidentDesk(QObject):
    incident_shown = Signal(object)  # IncidentData, drawn by now
    incident_gone = Signal(int)  # the shown incident was dissolved or deleted elsewhere
    annotations_shown = Signal(object)  # SeriesAnnotations, drawn by now

    def __init__(self, window: MainWindow) -> None:
        super().__init__(window)
        self.window = window
        self.actor = getpass.getuser()
        self.dock = IncidentsDock(window.runner, window)
        window.addDockWidget(Qt.DockWidgetArea.RightDockWidgetArea, self.dock)
        self.dock.setVisible(False)
        add_view_toggle(window, self.dock, "&Incidents")
        self.view: IncidentView | None = None  # with its dock, at the first incident opened
        # A dock, so the user may dock it; it opens floating, as a window of its own: a side
        # dock is too small for a stack of plots and a graph.
        self.view_dock = QDockWidget("Incident", window)
        self.view_dock.setObjectName("incident-view-dock")
        window.addDockWidget(Qt.DockWidgetArea.RightDockWidgetArea, self.view_dock)
        self.view_dock.setVisible(False)
        self.view_dock.visibilityChanged.connect(self._on_view_visible)
        self.placed = False  # floated and sized once per session; then where the user left it
        self.opening: int | None = None  # the incident a load job is reading for the view
        self.notes: dict[int, str] = {}  # incident id -> what to say when it is shown next
        self.dock.open_requested.connect(self.open_incident)
        self.dock.changed.connect(self._on_changed)
        self.dock.loaded.connect(self._on_list)
        self.dock.anomaly_selection = window.anomaly_pane.table.selected_ids
        self.overlay: AnnotationOverlay | None = None
        self.range_ns: tuple[int, int] | None = None
        self.series_id: int | None = None
        self.annotate_action = QAction("Annotate &range…", window)
        self.annotate_action.setToolTip(
            "Write a note on the Shift+dragged range of the shown series (else the visible range)"
        )
        self.annotate_action.setEnabled(False)
        self.annotate_action.triggered.connect(self.ask_annotate)
        window.menu_actions.menus["anomaly"].addAction(self.annotate_action)
        window.workspace_opened.connect(self._on_workspace)
        window.series_shown.connect(self._on_series)

    @Slot(object)
    def _on_workspace(self, snapshot: object) -> None:
        path = getattr(snapshot, "path", None)
        if path is not None:
            self.dock.set_workspace(path)

    # -- the incident view ---------------------------------------------------------------------

    @Slot(int)
    def open_incident(self, incident_id: int) -> Job | None:
        runner, path = self.window.runner, self.window.workspace_path
        if path is None or runner.closed:
            return None
        job = runner.submit(
            load_incident, incident_id,
            label=f"Loading incident #{incident_id}", workspace=path, key="incident-view",
        )  # fmt: skip
        self.opening = incident_id
        job.finished.connect(self._on_incident)
        job.errored.connect(self._on_failed)
        return job

    @Slot(object)
    def _on_failed(self, _error: object) -> None:
        self.opening = None  # the error itself goes to the notifications, as for every job

    @Slot(object)
    def _on_incident(self, data: object) -> None:
        assert isinstance(data, IncidentData)
        self.opening = None
        if self.view is None:
            from anomaly_desk.gui.incident_view import IncidentView

            self.view = IncidentView(self.view_dock)
            self.view.anomaly_clicked.connect(self.window.investigation.jump_to)
            self.view.remove_requested.connect(self.dock.remove_member)
            self.view_dock.setWidget(self.view)
        self.view.set_dark(self.window.dark)
        self._place()
        self.view.show_incident(data, self.notes.pop(data.info.id, ""))
        self.view_dock.setWindowTitle(f"Incident #{data.info.id} — {data.info.title}")
        self.view_dock.setVisible(True)
        self.view_dock.raise_()
        self.incident_shown.emit(data)

    def set_dark(self, dark: bool) -> None:
        """The window's theme changed: an incident window already open follows at once (a
        closed one takes the theme when it next opens, in ``_on_incident``)."""
        if self.view is not None:
            self.view.set_dark(dark)

    def _place(self) -> None:
        """Float the view over the window, large enough to read, the first time in a session
        (unless the saved layout already floats it)."""
        if self.placed:
            return
        self.placed = True
        if self.view_dock.isFloating():
            return
        frame = self.window.frameGeometry()
        width = max(VIEW_MIN[0], int(frame.width() * VIEW_SHARE[0]))
        height = max(VIEW_MIN[1], int(frame.height() * VIEW_SHARE[1]))
        self.view_dock.setFloating(True)
        self.view_dock.resize(width, height)
        centre = frame.center()
        self.view_dock.move(centre.x() - width // 2, max(frame.top(), centre.y() - height // 2))

    @Slot(bool)
    def _on_view_visible(self, visible: bool) -> None:
        # A saved layout restores the dock as it was at the last close, but not what it
        # showed: an empty window at start-up would only be in the way.
        if visible and self.view is None:
            self.view_dock.setVisible(False)

    def shown_id(self) -> int | None:
        data = self.view.data if self.view is not None else None
        return data.info.id if data is not None and self.view_dock.isVisible() else None

    @Slot(object)
    def _on_changed(self, result: object) -> None:
        """An incident changed: show it again if it is the one in the view; show the survivor
        if it was merged into another; say so if it was dissolved."""
        shown = self.view.data if self.view is not None else None
        if shown is None or self.shown_id() is None:
            return
        if isinstance(result, IncidentInfo):
            # An anomaly is in one incident at most, so members of the shown incident now in
            # ``result`` mean the shown one was merged into it (and deleted).
            members = set(shown.info.anomaly_ids) | {m.id for m in shown.members}
            if result.id != shown.info.id and members & set(result.anomaly_ids):
                self.notes[result.id] = f"Incident #{shown.info.id} was merged into this one."
            elif result.id != shown.info.id:
                return
            self.open_incident(result.id)
        elif result == shown.info.id:
            self._gone(shown.info.id, "was dissolved: its anomalies are in no incident now")

    @Slot(object)
    def _on_list(self, page: object) -> None:
        """The incident list was read again: an incident deleted some other way (the command
        line, a merge that emptied it, a sync) must not stay on screen as if it existed."""
        shown = self.shown_id()
        if shown is None or self.opening is not None or not isinstance(page, IncidentsPage):
            return
        if all(info.id != shown for info in page.incidents):
            self._gone(shown, "no longer exists")

    def _gone(self, incident_id: int, why: str) -> None:
        assert self.view is not None
        self.view.show_gone(incident_id, why)
        self.view_dock.setWindowTitle(f"Incident #{incident_id} (gone)")
        self.incident_gone.emit(incident_id)

    # -- annotations on the timeline -------------------------------------------------------------

    @Slot(object)
    def _on_series(self, data: SeriesData) -> None:
        timeline = self.window.timeline
        if timeline is None:
            return
        if self.overlay is None:
            from anomaly_desk.gui.timeline_overlays import AnnotationOverlay

            self.overlay = AnnotationOverlay(timeline.plot.getPlotItem())
            timeline.range_selected.connect(self._on_range)
        if data.info.id != self.series_id:
            self.range_ns = None
            self.overlay.set_annotations(())
        self.series_id = data.info.id
        self.annotate_action.setEnabled(True)
        self._submit(load_annotations, data.info.id, label=f"Annotations of {data.info.name}")

    @Slot(object)
    def _on_range(self, span: object) -> None:
        self.range_ns = (int(span[0]), int(span[1])) if isinstance(span, tuple) else None

    def target_range(self) -> tuple[int, int] | None:
        """The Shift+dragged range, else the timeline's visible one."""
        if self.range_ns is not None:
            return self.range_ns
        timeline = self.window.timeline
        if timeline is None or timeline.data is None:
            return None
        low, high = timeline.visible_range()
        return int(low * NS), int(high * NS)

    @Slot()
    def ask_annotate(self) -> None:
        text, ok = QInputDialog.getText(self.window, "Annotate range", "Note on this range:")
        if ok and text.strip():
            self.annotate(text.strip())

    def annotate(self, text: str) -> Job | None:
        span = self.target_range()
        if span is None or self.series_id is None:
            return None
        return self._submit(
            annotate_range, self.series_id, text, span[0], span[1], self.actor,
            label="Saving the annotation",
        )  # fmt: skip

    def _submit(self, fn: object, *args: object, label: str) -> Job | None:
        runner, path = self.window.runner, self.window.workspace_path
        if path is None or runner.closed:
            return None
        job = runner.submit(fn, *args, label=label, workspace=path)  # type: ignore[arg-type]
        job.finished.connect(self._on_annotations)
        return job

    @Slot(object)
    def _on_annotations(self, found: object) -> None:
        assert isinstance(found, SeriesAnnotations)
        if self.overlay is None or found.series_id != self.series_id:
            return  # a late answer for a series no longer shown
        self.overlay.set_annotations(found.spans())
        self.annotations_shown.emit(found)
