"""The investigator's window: it wires the parts together and owns no logic of its own.

Left: the workspace explorer. Centre: the timeline above the anomaly pane (phase 2 seam).
Bottom: status messages, counts and the background-job indicator. Everything that reads the
workspace runs through ``self.runner``; this class only starts jobs and shows their results.
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
    QSplitter,
    QStackedWidget,
    QVBoxLayout,
    QWidget,
)

from anomaly_desk.gui.about import about_html
from anomaly_desk.gui.anomaly_pane import AnomalyPane
from anomaly_desk.gui.errors import NotificationManager
from anomaly_desk.gui.explorer import ExplorerWidget
from anomaly_desk.gui.import_wizard import ImportWizard
from anomaly_desk.gui.jobs_widget import JobsWidget
from anomaly_desk.gui.loaders import (
    SeriesData,
    WorkspaceSnapshot,
    build_demo,
    load_series,
    load_snapshot,
)
from anomaly_desk.gui.menus import build_menus
from anomaly_desk.gui.settings import Preferences
from anomaly_desk.gui.theme import apply_theme
from anomaly_desk.gui.welcome import WelcomePanel
from anomaly_desk.gui.workers import Job, JobRunner
from anomaly_desk.model import SeriesInfo

if TYPE_CHECKING:
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
        self.timeline: TimelineWidget | None = None
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

        self.timeline_host = QWidget(self)
        QVBoxLayout(self.timeline_host).setContentsMargins(6, 6, 6, 0)
        self.anomaly_pane = AnomalyPane(self)
        self.splitter = QSplitter(Qt.Orientation.Vertical, self)
        self.splitter.setObjectName("centre")
        self.splitter.addWidget(self.timeline_host)
        self.splitter.addWidget(self.anomaly_pane)
        self.splitter.setStretchFactor(0, 3)
        self.splitter.setStretchFactor(1, 2)
        self.welcome = WelcomePanel(self)
        self.welcome.demo_requested.connect(self.open_demo)
        self.welcome.new_requested.connect(self.ask_new_workspace)
        self.welcome.open_requested.connect(self.ask_open_workspace)
        self.centre = QStackedWidget(self)
        self.centre.addWidget(self.welcome)
        self.centre.addWidget(self.splitter)
        self.setCentralWidget(self.centre)

        self.counts = QLabel(self)
        self.jobs = JobsWidget(self.runner, self)
        self.statusBar().addPermanentWidget(self.jobs)
        self.statusBar().addPermanentWidget(self.counts)
        self.menu_actions = build_menus(self)
        self.explorer_dock.setVisible(False)
        self._restore_layout()
        self.set_theme(self.preferences.theme())
        hints = QGuiApplication.styleHints()
        if hasattr(hints, "colorSchemeChanged"):
            hints.colorSchemeChanged.connect(self._on_color_scheme)

    # -- workspaces -------------------------------------------------------------------------

    def open_workspace(self, path: Path, create: bool = False) -> Job:
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
        self.centre.setCurrentWidget(self.splitter)
        timeline = self._ensure_timeline()
        if switched:
            timeline.clear()
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
        menu = self.menu_actions.recent
        menu.clear()
        recent = self.preferences.recent_workspaces()
        for path in recent:
            act = menu.addAction(str(path))
            act.setData(str(path))
            act.triggered.connect(self._on_recent)
        if not recent:
            menu.addAction("(no recent workspaces)").setEnabled(False)

    @Slot()
    def _on_recent(self) -> None:
        act = self.sender()
        if isinstance(act, QAction):
            self.open_workspace(Path(str(act.data())))

    # -- series -------------------------------------------------------------------------------

    @Slot(object, str)
    def show_series(self, info: SeriesInfo, dataset: str) -> Job | None:
        if self.workspace_path is None:
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
        self.series_shown.emit(data)

    def _ensure_timeline(self) -> TimelineWidget:
        # pyqtgraph costs ~0.8 s to import: only once a workspace is open, never at startup.
        if self.timeline is None:
            from anomaly_desk.gui.timeline import TimelineWidget

            self.timeline = TimelineWidget(self.timeline_host)
            self.timeline.set_dark(self.dark)
            layout = self.timeline_host.layout()
            assert layout is not None
            layout.addWidget(self.timeline)
        return self.timeline

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
        if self.timeline is not None:
            self.timeline.set_dark(self.dark)

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
        box = QMessageBox(self)
        box.setWindowTitle("About Anomaly Desk")
        box.setTextFormat(Qt.TextFormat.RichText)
        box.setText(about_html())
        box.setIconPixmap(self.windowIcon().pixmap(64, 64))
        box.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        box.setWindowModality(Qt.WindowModality.NonModal)
        self.about_box = box
        box.destroyed.connect(self._forget_about)
        box.show()

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
            self.splitter.setSizes([500, 300])

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
        self.runner.shutdown()
        super().closeEvent(event)


def _local_files(urls: list[QUrl]) -> list[Path]:
    return [Path(url.toLocalFile()) for url in urls if url.isLocalFile()]
