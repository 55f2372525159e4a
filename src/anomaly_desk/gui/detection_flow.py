"""Running a detection from the window: the dialog, the job, the streamed findings, the end.

Findings stream in as a "live" section at the top of the table (italic rows; the status bar
counts them) while the run computes; the run is stored in one transaction at the end, and the
table, swimlane, counts, explorer and timeline markers are then re-queried from the store, so
the live rows are replaced by the stored ones. A cancelled run stores nothing and the live
rows go away.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from PySide6.QtCore import QObject, Qt, Signal, Slot

from anomaly_desk.errors import Cancelled
from anomaly_desk.gui.detection_dialog import DetectionDialog, DetectRequest
from anomaly_desk.gui.detection_tasks import detect
from anomaly_desk.gui.worker_process import Relay
from anomaly_desk.gui.workers import Job
from anomaly_desk.model import DetectionRunInfo

if TYPE_CHECKING:
    from anomaly_desk.gui.main_window import MainWindow


class DetectionFlow(QObject):
    dialog_opened = Signal(object)  # DetectionDialog
    run_started = Signal(object)  # Job
    live_added = Signal(int)  # findings streamed so far
    run_stored = Signal(object)  # DetectionRunInfo
    run_ended = Signal(str)  # "stored", "cancelled" or "failed"

    # Emitted from the thread waiting for the worker process (the findings sink, relayed); this
    # object lives in the GUI thread, so Qt queues the slot there.
    _found = Signal(object, object)

    def __init__(self, window: MainWindow) -> None:
        super().__init__(window)
        self.window = window
        self.dialog: DetectionDialog | None = None
        self.job: Job | None = None
        self.streamed = 0
        self._found.connect(self._on_found)

    def open_dialog(self) -> DetectionDialog | None:
        window = self.window
        if window.workspace_path is None or window.snapshot is None:
            window.notifications.info("Open a workspace first, then detect anomalies in it.")
            return None
        if self.dialog is not None:
            self.dialog.raise_()
            return self.dialog
        datasets = [entry.info for entry in window.snapshot.datasets]
        dialog = DetectionDialog(
            window.runner, window.workspace_path, datasets, window, window.preferences
        )
        dialog.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        dialog.run_requested.connect(self.start)
        dialog.destroyed.connect(self._forget_dialog)
        self.dialog = dialog
        dialog.show()  # non-modal: the window stays live
        self.dialog_opened.emit(dialog)
        return dialog

    @Slot()
    def _forget_dialog(self) -> None:
        self.dialog = None

    @Slot(object)
    def start(self, request: object) -> Job | None:
        assert isinstance(request, DetectRequest)
        window = self.window
        if window.workspace_path is None:
            return None
        if self.job is not None:
            window.notifications.info("A detection is already running; wait or cancel it first.")
            return None
        window.ensure_views()
        self.streamed = 0
        job = window.runner.submit(
            detect,
            request.dataset,
            request.preset,
            request.sensitivity,
            Relay(self._found.emit),  # the process sends findings; they arrive here
            request.detectors,
            label=f"Detecting in {request.dataset}",
            workspace=window.workspace_path,
            process=True,  # CPU-bound for seconds: a thread would starve the GUI of the GIL
        )
        job.finished.connect(self._on_stored)
        job.errored.connect(self._on_failed)
        self.job = job
        self.run_started.emit(job)
        return job

    def cancel(self) -> None:
        if self.job is not None:
            self.job.cancel()

    @Slot(object, object)
    def _on_found(self, rows: object, explanations: object) -> None:
        if self.job is None:
            return  # the run ended; a late batch has nothing to add
        assert isinstance(rows, list) and isinstance(explanations, dict)
        self.streamed += len(rows)
        investigation = self.window.investigation
        investigation.add_live(rows, explanations)
        self.window.anomaly_counts.setText(f"{self.streamed:,} found so far (detection running)")
        self.live_added.emit(self.streamed)

    @Slot(object)
    def _on_stored(self, info: object) -> None:
        assert isinstance(info, DetectionRunInfo)
        self.job = None
        window = self.window
        window.investigation.end_live()
        window.investigation.invalidate()
        noun = "anomaly" if info.anomaly_count == 1 else "anomalies"
        window.notifications.info(f"Detection stored {info.anomaly_count:,} {noun}.")
        window.refresh()  # explorer, table, swimlane, counts and markers from the store
        self.run_stored.emit(info)
        self.run_ended.emit("stored")

    @Slot(object)
    def _on_failed(self, exc: Any) -> None:
        self.job = None
        self.window.investigation.end_live()
        self.window.investigation.apply()  # counts and placeholder as they were
        self.run_ended.emit("cancelled" if isinstance(exc, Cancelled) else "failed")
