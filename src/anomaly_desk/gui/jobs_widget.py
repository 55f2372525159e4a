"""The status bar's background-job indicator: what runs, how far it is, and a cancel button."""

from __future__ import annotations

from PySide6.QtCore import Slot
from PySide6.QtWidgets import QHBoxLayout, QLabel, QProgressBar, QToolButton, QWidget

from anomaly_desk.gui.workers import Job, JobRunner


class JobsWidget(QWidget):
    def __init__(self, runner: JobRunner, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self._runner = runner
        self._job: Job | None = None
        self.label = QLabel(self)
        self.bar = QProgressBar(self)
        self.bar.setRange(0, 1000)
        self.bar.setFixedWidth(160)
        self.bar.setTextVisible(False)
        self.cancel_button = QToolButton(self)
        self.cancel_button.setText("Cancel")
        self.cancel_button.setToolTip("Cancel the running background job")
        self.cancel_button.clicked.connect(self.cancel)
        layout = QHBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addWidget(self.label)
        layout.addWidget(self.bar)
        layout.addWidget(self.cancel_button)
        runner.jobs_changed.connect(self.refresh)
        self.setVisible(False)

    @property
    def job(self) -> Job | None:
        return self._job

    @Slot()
    def refresh(self) -> None:
        jobs = self._runner.running()
        newest = jobs[-1] if jobs else None
        if newest is not self._job:
            if self._job is not None:
                self._job.progressed.disconnect(self._on_progress)
            self._job = newest
            if newest is not None:
                newest.progressed.connect(self._on_progress)
                self.bar.setValue(int(newest.fraction * 1000))
        more = f" (+{len(jobs) - 1} more)" if len(jobs) > 1 else ""
        self.label.setText(f"{newest.label}{more}" if newest else "")
        self.setVisible(newest is not None)

    @Slot()
    def cancel(self) -> None:
        if self._job is not None:
            self._job.cancel()

    @Slot(float, str)
    def _on_progress(self, fraction: float, message: str) -> None:
        self.bar.setValue(int(fraction * 1000))
        if message and self._job is not None:
            self.label.setText(f"{self._job.label}: {message}")
