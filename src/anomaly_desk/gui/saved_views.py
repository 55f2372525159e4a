"""Saved filter views, kept in the workspace (a view belongs with the anomalies it filters).

``ViewStore`` holds the open workspace's views in memory for the filter bar's menu (no I/O on
the GUI thread) and writes every change through a worker. The state saved is exactly the
filter bar's ``FilterState.to_json()``, as the views kept in QSettings by earlier versions;
those are moved into the first workspace opened after the upgrade, then forgotten.
"""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING, Any

from PySide6.QtCore import QObject, Signal, Slot

from anomaly_desk.gui.settings import Preferences
from anomaly_desk.gui.workers import Job, JobRunner
from anomaly_desk.progress import Progress

if TYPE_CHECKING:
    from anomaly_desk.store import Workspace

Views = dict[str, dict[str, Any]]


def load_views(progress: Progress, ws: Workspace, legacy: Views) -> Views:
    """The workspace's views, after adding the legacy ones it does not have yet."""
    progress.check()
    present = ws.saved_views()
    for name, state in legacy.items():
        if name not in present:
            ws.save_view(name, state)
    return ws.saved_views() if legacy else present


def write_view(progress: Progress, ws: Workspace, name: str, state: dict[str, Any] | None) -> None:
    progress.check()
    if state is None:
        ws.delete_view(name)
    else:
        ws.save_view(name, state)


class ViewStore(QObject):
    loaded = Signal()  # the views of a newly opened workspace are in
    saved = Signal(str)  # a view was written to the workspace

    def __init__(
        self, runner: JobRunner, preferences: Preferences, parent: QObject | None = None
    ) -> None:
        super().__init__(parent)
        self._runner = runner
        self._preferences = preferences
        self.workspace: Path | None = None
        self.views: Views = {}

    def set_workspace(self, path: Path) -> Job | None:
        if path == self.workspace or self._runner.closed:
            return None
        self.workspace = path
        self.views = {}
        legacy = self._preferences.legacy_saved_views()
        job = self._runner.submit(
            load_views, legacy, label="Reading saved views", workspace=path, key="views"
        )
        job.finished.connect(lambda views: self._on_loaded(path, views, bool(legacy)))
        return job

    def _on_loaded(self, path: Path, views: object, migrated: bool) -> None:
        if path != self.workspace or not isinstance(views, dict):
            return
        self.views = {**views, **self.views}  # a view saved while loading wins
        if migrated:
            self._preferences.clear_legacy_views()
        self.loaded.emit()

    def save(self, name: str, state: dict[str, Any]) -> Job | None:
        self.views[name] = state
        return self._write(name, state)

    def delete(self, name: str) -> Job | None:
        self.views.pop(name, None)
        return self._write(name, None)

    def _write(self, name: str, state: dict[str, Any] | None) -> Job | None:
        if self.workspace is None or self._runner.closed:
            return None
        what = "Saving" if state is not None else "Deleting"
        job = self._runner.submit(
            write_view, name, state, label=f"{what} view {name!r}", workspace=self.workspace
        )
        job.finished.connect(lambda _: self._on_written(name))
        return job

    @Slot(str)
    def _on_written(self, name: str) -> None:
        self.saved.emit(name)
