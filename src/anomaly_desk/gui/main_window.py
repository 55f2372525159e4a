"""The investigator's window: it wires the parts together and owns no logic of its own.

Left: the workspace explorer. Centre (``workspace_view``): the filter bar, the swimlane, the
timeline, the anomaly table and the detail pane; ``investigation`` keeps them in step and
``detection`` runs detections. Bottom: status messages, counts and the background-job
indicator. Everything that reads the workspace runs through ``self.runner``; this class only
starts jobs and shows their results.
"""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING

from PySide6.QtCore import QByteArray, Qt, QUrl, Signal, Slot
from PySide6.QtGui import QAction, QCloseEvent, QDragEnterEvent, QDropEvent, QGuiApplication
from PySide6.QtWidgets import (
    QApplication,
    QDockWidget,
    QFileDialog,
    QLabel,
    QMainWindow,
    QMessageBox,
    QStackedWidget,
    QWidget,
)

from anomaly_desk.gui.about import about_box
from anomaly_desk.gui.anomaly_tasks import Counts
from anomaly_desk.gui.detection_flow import DetectionFlow
from anomaly_desk.gui.errors import NotificationManager
from anomaly_desk.gui.explorer import ExplorerWidget
from anomaly_desk.gui.heap import freeze_long_lived
from anomaly_desk.gui.import_wizard import ImportWizard
from anomaly_desk.gui.incident_desk import IncidentDesk
from anomaly_desk.gui.investigation import Investigation
from anomaly_desk.gui.jobs_widget import JobsWidget
from anomaly_desk.gui.loaders import (
    SeriesData,
    WorkspaceSnapshot,
    build_demo,
    load_series,
    load_snapshot,
    preload_plotting,
)
from anomaly_desk.gui.menus import build_menus, fill_recent
from anomaly_desk.gui.saved_views import ViewStore
from anomaly_desk.gui.settings import Preferences
from anomaly_desk.gui.theme import apply_theme
from anomaly_desk.gui.triage_actions import TriageActions
from anomaly_desk.gui.welcome import WelcomePanel
from anomaly_desk.gui.workers import Job, JobRunner
from anomaly_desk.gui.workspace_view import WorkspaceView
from anomaly_desk.model import SeriesInfo

if TYPE_CHECKING:
    from anomaly_desk.gui.detail_pane import DetailPane
    from anomaly_desk.gui.swimlane import SwimlaneWidget
    from anomaly_desk.gui.timeline import TimelineWidget

APP_TITLE = "Anomaly Desk"
WORKSPACE_FILTER = "Anomaly Desk workspaces (*.sqlite);;All files (*)"
IMPORT_FILTER = "Data files (*.csv *.tsv *.txt *.jsonl *.ndjson *.parquet *.gz);;All files (*)"


class MainWindow(QMainWindow):
    workspace_opened = Signal(object)  # WorkspaceSnapshot
    series_shown = Signal(object)  # SeriesData
    wizard_opened = Signal(object)  # ImportWizard

    def __init__(
        self,
        preferences: Preferences | None = None,
        demo_path: Path | None = None,
        parent: QWidget | None = None,
    ) -> None:
        super().__init__(parent)
        self.preferences = preferences or Preferences()
        self.demo_path = demo_path  # None: the user's default demo workspace
        self.workspace_path: Path | None = None
        self.snapshot: WorkspaceSnapshot | None = None
        self.import_wizard: ImportWizard | None = None
        self.about_box: QMessageBox | None = None
        self.theme = "system"
        self.dark = False
        self._select_after_refresh: str | None = None
        self.setWindowTitle(APP_TITLE)
        self.setAcceptDrops(True)
        self.notifications = NotificationManager(self, self.statusBar())
        self.runner = JobRunner(self.notifications, self)

        self.explorer = ExplorerWidget(self)
        self.explorer.series_selected.connect(self.show_series)
        self.explorer_dock = QDockWidget("Workspace", self)
        self.explorer_dock.setObjectName("explorer")
        self.explorer_dock.setWidget(self.explorer)
        self.explorer_dock.setFeatures(
            QDockWidget.DockWidgetFeature.DockWidgetMovable
            | QDockWidget.DockWidgetFeature.DockWidgetFloatable
        )
        self.addDockWidget(Qt.DockWidgetArea.LeftDockWidgetArea, self.explorer_dock)

        self.views = ViewStore(self.runner, self.preferences, self)
        self.workspace_view = WorkspaceView(self.views, self)
        self.splitter = self.workspace_view.splitter
        self.filter_bar = self.workspace_view.filter_bar
        self.anomaly_pane = self.workspace_view.anomaly_pane
        self.timeline: TimelineWidget | None = None  # these three arrive with ensure_views
        self.swimlane: SwimlaneWidget | None = None
        self.detail_pane: DetailPane | None = None
        self.welcome = WelcomePanel(self)
        self.welcome.demo_requested.connect(self.open_demo)
        self.welcome.new_requested.connect(self.ask_new_workspace)
        self.welcome.open_requested.connect(self.ask_open_workspace)
        self.centre = QStackedWidget(self)
        self.centre.addWidget(self.welcome)
        self.centre.addWidget(self.workspace_view)
        self.setCentralWidget(self.centre)

        self.counts = QLabel(self)
        self.anomaly_counts = QLabel(self)
        self.jobs = JobsWidget(self.runner, self)
        self.statusBar().addPermanentWidget(self.jobs)
        self.statusBar().addPermanentWidget(self.anomaly_counts)
        self.statusBar().addPermanentWidget(self.counts)
        self.investigation = Investigation(self)
        self.detection = DetectionFlow(self)
        self.menu_actions = build_menus(self)
        self.triage = TriageActions(self)
        self.incident_desk = IncidentDesk(self)
        self.explorer_dock.setVisible(False)
        self._restore_layout()
        self.set_theme(self.preferences.theme())
        hints = QGuiApplication.styleHints()
        if hasattr(hints, "colorSchemeChanged"):
            hints.colorSchemeChanged.connect(self._on_color_scheme)

    # -- workspaces -------------------------------------------------------------------------

    def open_workspace(self, path: Path, create: bool = False) -> Job:
        if self.timeline is None:
            self.runner.submit(preload_plotting, label="Preparing the plots", key="preload")
            self.runner.warm_process()  # an import or a detection will follow: start at once
        what = "Creating" if create else "Opening"
        job = self.runner.submit(
            load_snapshot,
            label=f"{what} {path.name}",
            workspace=path,
            create=create,
            key="workspace",
        )
        job.finished.connect(self._on_snapshot)
        return job

    def refresh(self) -> Job | None:
        if self.workspace_path is None:
            return None
        return self.open_workspace(self.workspace_path)

    @Slot()
    def open_demo(self) -> Job:
        job = self.runner.submit(
            build_demo, self.demo_path, label="Preparing the demo workspace", key="workspace"
        )
        job.finished.connect(self._on_demo_ready)
        return job

    @Slot(object)
    def _on_demo_ready(self, path: object) -> None:
        assert isinstance(path, Path)
        self.open_workspace(path)

    @Slot(object)
    def _on_snapshot(self, snapshot: object) -> None:
        assert isinstance(snapshot, WorkspaceSnapshot)
        switched = snapshot.path != self.workspace_path
        self.workspace_path = snapshot.path
        self.snapshot = snapshot
        self.setWindowTitle(f"{APP_TITLE} — {snapshot.path.name}")
        self.preferences.add_recent(snapshot.path)
        self.explorer.set_snapshot(snapshot)
        self.explorer_dock.setVisible(True)
        self.centre.setCurrentWidget(self.workspace_view)
        timeline = self._ensure_timeline()
        if switched:
            timeline.clear()
        self.investigation.set_workspace(snapshot)
        rows = sum(d.info.rows for d in snapshot.datasets)
        self.counts.setText(
            f"{len(snapshot.datasets)} datasets · {snapshot.series_count} series · {rows:,} rows"
        )
        if self._select_after_refresh:
            self.explorer.select(self._select_after_refresh)
            self._select_after_refresh = None
        self.workspace_opened.emit(snapshot)

    @Slot()
    def ask_new_workspace(self) -> None:
        name, _ = QFileDialog.getSaveFileName(self, "New workspace", "", WORKSPACE_FILTER)
        if name:
            path = Path(name)
            self.open_workspace(path if path.suffix else path.with_suffix(".sqlite"), create=True)

    @Slot()
    def ask_open_workspace(self) -> None:
        name, _ = QFileDialog.getOpenFileName(self, "Open workspace", "", WORKSPACE_FILTER)
        if name:
            self.open_workspace(Path(name))

    @Slot()
    def fill_recent_menu(self) -> None:
        fill_recent(self.menu_actions.recent, self.preferences.recent_workspaces(), self)

    @Slot()
    def _on_recent(self) -> None:
        act = self.sender()
        if isinstance(act, QAction):
            self.open_workspace(Path(str(act.data())))

    # -- series -------------------------------------------------------------------------------

    @Slot(object, str)
    def show_series(self, info: SeriesInfo, dataset: str) -> Job | None:
        if self.workspace_path is None or self.runner.closed:  # a late result while closing
            return None
        job = self.runner.submit(
            load_series,
            info,
            dataset,
            label=f"Loading {info.name}",
            workspace=self.workspace_path,
            key="timeline",  # a new selection supersedes a slow load
        )
        job.finished.connect(self._on_series)
        return job

    @Slot(object)
    def _on_series(self, data: object) -> None:
        assert isinstance(data, SeriesData)
        self._ensure_timeline().show_series(data)
        self.investigation.on_series_shown(data)
        self.series_shown.emit(data)

    def _ensure_timeline(self) -> TimelineWidget:
        self.ensure_views()
        assert self.timeline is not None
        return self.timeline

    def ensure_views(self) -> None:
        """The plot views, created (and wired) when first needed, never at start-up."""
        view = self.workspace_view
        if not view.ensure_views():
            return
        assert view.timeline and view.swimlane and view.detail_pane
        investigation = self.investigation
        view.timeline.anomaly_clicked.connect(investigation.jump_to)
        view.timeline.range_selected.connect(investigation.on_range)
        view.swimlane.cell_clicked.connect(investigation.on_cell)
        view.detail_pane.related_clicked.connect(investigation.jump_to)
        self.timeline, self.swimlane, self.detail_pane = (
            view.timeline,
            view.swimlane,
            view.detail_pane,
        )
        view.set_dark(self.dark)
        freeze_long_lived()  # pyqtgraph and the store are loaded now: see heap.py

    # -- anomalies ----------------------------------------------------------------------------

    def show_anomaly_counts(self, counts: Counts) -> None:
        self.anomaly_counts.setText(f"{counts.text()}   |")
        stored = counts.version[0]
        self.anomaly_pane.show_table(stored > 0 or self.investigation.model.live_count() > 0)

    @Slot()
    def ask_detect(self) -> None:
        self.detection.open_dialog()

    # -- import -------------------------------------------------------------------------------

    @Slot()
    def ask_import(self) -> None:
        if self._need_workspace():
            name, _ = QFileDialog.getOpenFileName(self, "Import a file", "", IMPORT_FILTER)
            if name:
                self.start_import(Path(name))

    def start_import(self, path: Path) -> ImportWizard | None:
        if not self._need_workspace():
            return None
        assert self.workspace_path is not None
        names = self.snapshot.names if self.snapshot else frozenset()
        wizard = ImportWizard(self.runner, self.workspace_path, path, names, self)
        wizard.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        wizard.imported.connect(self._on_imported)
        self.import_wizard = wizard
        wizard.destroyed.connect(self._forget_wizard)
        wizard.show()  # non-modal: the window stays usable while a big file imports
        self.wizard_opened.emit(wizard)
        return wizard

    @Slot()
    def _forget_wizard(self) -> None:
        self.import_wizard = None

    @Slot(object)
    def _on_imported(self, info: object) -> None:
        self._select_after_refresh = getattr(info, "name", None)
        self.notifications.info(f"Imported {self._select_after_refresh!r}.")
        self.refresh()

    def _need_workspace(self) -> bool:
        if self.workspace_path is None:
            self.notifications.info("Open or create a workspace first, then import into it.")
            return False
        return True

    def dragEnterEvent(self, event: QDragEnterEvent) -> None:
        if _local_files(event.mimeData().urls()):
            event.acceptProposedAction()

    def dropEvent(self, event: QDropEvent) -> None:
        files = _local_files(event.mimeData().urls())
        if not files:
            return
        event.acceptProposedAction()
        if files[0].suffix == ".sqlite":
            self.open_workspace(files[0])
        else:
            self.start_import(files[0])

    # -- view ------------------------------------------------------------------------------------

    def set_theme(self, theme: str) -> None:
        app = QApplication.instance()
        assert isinstance(app, QApplication)
        self.theme = theme
        self.dark = apply_theme(app, theme)
        self.preferences.set_theme(theme)
        if theme in self.menu_actions.themes:
            self.menu_actions.themes[theme].setChecked(True)
        self.workspace_view.set_dark(self.dark)
        self.incident_desk.set_dark(self.dark)

    @Slot(QAction)
    def on_theme_action(self, action: QAction) -> None:
        self.set_theme(str(action.data()))

    @Slot(Qt.ColorScheme)
    def _on_color_scheme(self, _scheme: Qt.ColorScheme) -> None:
        if self.theme == "system":
            self.set_theme("system")

    @Slot()
    def focus_search(self) -> None:
        self.explorer_dock.setVisible(True)
        self.explorer.filter.setFocus(Qt.FocusReason.ShortcutFocusReason)
        self.explorer.filter.selectAll()

    @Slot()
    def show_about(self) -> None:
        self.about_box = about_box(self, self.windowIcon())
        self.about_box.destroyed.connect(self._forget_about)

    @Slot()
    def _forget_about(self) -> None:
        self.about_box = None

    # -- layout persistence and shutdown ---------------------------------------------------------

    def _restore_layout(self) -> None:
        prefs = self.preferences
        geometry = prefs.blob("geometry")
        if geometry is None or not self.restoreGeometry(geometry):
            self.resize(1280, 800)
        state = prefs.blob("state")
        if state is not None:
            self.restoreState(state)
        splitter = prefs.blob("splitter")
        if splitter is None or not self.splitter.restoreState(splitter):
            self.splitter.setSizes([170, 360, 300])

    def save_layout(self) -> None:
        prefs = self.preferences
        prefs.set_blob("geometry", QByteArray(self.saveGeometry()))
        prefs.set_blob("state", QByteArray(self.saveState()))
        prefs.set_blob("splitter", QByteArray(self.splitter.saveState()))
        prefs.sync()

    def closeEvent(self, event: QCloseEvent) -> None:
        self.save_layout()
        if self.import_wizard is not None:
            self.import_wizard.reject()
        if self.detection.dialog is not None:
            self.detection.dialog.reject()
        self.filter_bar.cancel_pending()  # a debounced query must not start after shutdown
        self.runner.shutdown()
        super().closeEvent(event)


def _local_files(urls: list[QUrl]) -> list[Path]:
    return [Path(url.toLocalFile()) for url in urls if url.isLocalFile()]
