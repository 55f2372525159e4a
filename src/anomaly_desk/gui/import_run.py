"""The wizard's last page: the import itself, in a worker, with progress and cancel."""

from __future__ import annotations

from typing import TYPE_CHECKING

from PySide6.QtCore import Slot
from PySide6.QtWidgets import (
    QHBoxLayout,
    QLabel,
    QPlainTextEdit,
    QProgressBar,
    QPushButton,
    QVBoxLayout,
    QWizardPage,
)

from anomaly_desk.errors import Cancelled
from anomaly_desk.gui.import_tasks import Imported, run_import
from anomaly_desk.gui.problems_panel import ProblemsPanel, for_the_window
from anomaly_desk.gui.workers import Job

if TYPE_CHECKING:
    from anomaly_desk.gui.import_wizard import ImportWizard


class RunPage(QWizardPage):
    def __init__(self, wizard: ImportWizard) -> None:
        super().__init__()
        self._wizard = wizard
        self.job: Job | None = None
        self.outcome: Imported | None = None
        self.setTitle("Import")
        self.status = QLabel(self)
        self.status.setWordWrap(True)
        self.bar = QProgressBar(self)
        self.bar.setRange(0, 1000)
        self.cancel_button = QPushButton("Cancel import", self)
        self.cancel_button.clicked.connect(self.cancel)
        self.report = QPlainTextEdit(self)
        self.report.setReadOnly(True)
        self.problems = ProblemsPanel(self)
        row = QHBoxLayout()
        row.addWidget(self.bar, 1)
        row.addWidget(self.cancel_button)
        layout = QVBoxLayout(self)
        layout.addWidget(self.status)
        layout.addLayout(row)
        layout.addWidget(self.report, 1)
        layout.addWidget(self.problems, 1)

    def initializePage(self) -> None:
        wizard = self._wizard
        self.outcome = None
        self.report.clear()
        self.report.setVisible(False)
        self.problems.clear()
        self.bar.setValue(0)
        self.bar.setVisible(True)
        self.cancel_button.setVisible(True)
        self.status.setText(f"Importing {wizard.path.name} …")
        self.setSubTitle(f"Into {wizard.workspace_path.name}; nothing is kept unless all of it is.")
        self.job = wizard.runner.submit(
            run_import,
            wizard.path,
            wizard.overrides,
            label="Import",
            workspace=wizard.workspace_path,
            quiet=True,  # this page lists the problems itself
            process=True,  # parsing and storing hold the GIL: a thread would stall the window
        )
        self.job.progressed.connect(self._on_progress)
        self.job.finished.connect(self._on_finished)
        self.job.errored.connect(self._on_errored)

    def cleanupPage(self) -> None:
        # Going Back while the import runs cancels it; the workspace stays as it was.
        self.cancel()

    def isComplete(self) -> bool:
        return self.outcome is not None

    @property
    def running(self) -> bool:
        return self.job is not None and self.job.running

    @Slot()
    def cancel(self) -> None:
        if self.job is not None and self.job.running:
            self.job.cancel()
            self.status.setText("Cancelling …")

    @Slot(float, str)
    def _on_progress(self, fraction: float, message: str) -> None:
        self.bar.setValue(int(fraction * 1000))
        if message:
            self.status.setText(f"Importing {self._wizard.path.name}: {message} …")

    @Slot(object)
    def _on_finished(self, result: object) -> None:
        assert isinstance(result, Imported)
        self.outcome = result
        self.bar.setValue(1000)
        self.cancel_button.setVisible(False)
        info = result.info
        self.status.setText(f"Imported {info.name!r} ({info.kind.value}).")
        self.report.setPlainText("\n".join(for_the_window(line) for line in result.report_lines))
        self.report.setVisible(True)
        self.completeChanged.emit()
        self._wizard.imported.emit(info)
        self._wizard.import_ended.emit("done")

    @Slot(object)
    def _on_errored(self, exc: object) -> None:
        assert isinstance(exc, BaseException)
        self.bar.setVisible(False)
        self.cancel_button.setVisible(False)
        if isinstance(exc, Cancelled):
            self.status.setText("Import cancelled; nothing was changed.")
            self._wizard.import_ended.emit("cancelled")
        else:
            self.status.setText("Nothing was imported. Go back to change the mapping.")
            self.problems.show_error(exc, "Import")
            self._wizard.import_ended.emit("failed")
        self.completeChanged.emit()
