"""The import wizard: preview → mapping → import with progress, then the report or the errors.

Planning reads only the head of the file but still runs in a worker (it touches the disk); a
new plan supersedes a running one. The wizard never opens the workspace itself: the import job
opens its own connection in the worker thread.
"""

from __future__ import annotations

from dataclasses import replace
from pathlib import Path

from PySide6.QtCore import Signal, Slot
from PySide6.QtWidgets import (
    QCheckBox,
    QComboBox,
    QFormLayout,
    QLabel,
    QVBoxLayout,
    QWidget,
    QWizard,
    QWizardPage,
)

from anomaly_desk.gui.import_mapping import MappingPage
from anomaly_desk.gui.import_run import RunPage
from anomaly_desk.gui.import_tasks import Overrides, Planned, plan
from anomaly_desk.gui.problems_panel import ProblemsPanel
from anomaly_desk.gui.table_models import FrameModel, preview_table
from anomaly_desk.gui.workers import Job, JobRunner

DELIMITERS = (("Detect", None), ("Comma", ","), ("Semicolon", ";"), ("Tab", "\t"), ("Pipe", "|"))


class ImportWizard(QWizard):
    planned = Signal(object)  # Planned
    plan_failed = Signal(object)  # the exception
    imported = Signal(object)  # DatasetInfo
    import_ended = Signal(str)  # "done", "failed" or "cancelled"

    def __init__(
        self,
        runner: JobRunner,
        workspace_path: Path,
        path: Path,
        existing_names: frozenset[str],
        parent: QWidget | None = None,
    ) -> None:
        super().__init__(parent)
        self.runner = runner
        self.workspace_path = workspace_path
        self.path = path
        self.existing_names = existing_names
        self.overrides = Overrides()
        self.result_plan: Planned | None = None
        self.plan_job: Job | None = None
        self.setWindowTitle(f"Import {path.name}")
        self.setWizardStyle(QWizard.WizardStyle.ClassicStyle)
        self.setOption(QWizard.WizardOption.NoBackButtonOnStartPage)
        self.setMinimumSize(860, 600)
        self.preview_model = FrameModel(self)
        self.preview_page = PreviewPage(self)
        self.mapping_page = MappingPage(self)
        self.run_page = RunPage(self)
        for page in (self.preview_page, self.mapping_page, self.run_page):
            self.addPage(page)
        self.rejected.connect(self.run_page.cancel)
        self.replan()

    def set_overrides(self, overrides: Overrides) -> None:
        if overrides != self.overrides:
            self.overrides = overrides
            self.replan()

    def replan(self) -> None:
        self.plan_job = self.runner.submit(
            plan,
            self.path,
            self.overrides,
            label="Reading the file",
            key=f"plan:{id(self)}",
            quiet=True,
        )
        self.plan_job.finished.connect(self._on_planned)
        self.plan_job.errored.connect(self._on_plan_failed)

    @property
    def planning(self) -> bool:
        return self.plan_job is not None and self.plan_job.running

    @Slot(object)
    def _on_planned(self, result: object) -> None:
        assert isinstance(result, Planned)
        self.result_plan = result
        mapping = result.plan.mapping
        roles = {name: "value" for name in mapping.values}
        roles.update({name: "field" for name in mapping.fields})
        if mapping.entity:
            roles[mapping.entity] = "entity"
        if mapping.timestamp:
            roles[mapping.timestamp] = "timestamp"
        self.preview_model.set_frame(result.plan.preview)
        self.preview_model.set_highlight(roles)
        for page in (self.preview_page, self.mapping_page):
            page.table.resizeColumnsToContents()
        self.planned.emit(result)

    @Slot(object)
    def _on_plan_failed(self, exc: object) -> None:
        assert isinstance(exc, BaseException)
        self.plan_failed.emit(exc)


class PreviewPage(QWizardPage):
    def __init__(self, wizard: ImportWizard) -> None:
        super().__init__()
        self._wizard = wizard
        self.setTitle("Preview")
        self.setSubTitle(f"The first rows of {wizard.path}")
        self.summary = QLabel("Reading the head of the file…", self)
        self.summary.setWordWrap(True)
        self.delimiter = QComboBox(self)
        for label, value in DELIMITERS:
            self.delimiter.addItem(label, value)
        self.header = QCheckBox("The first row holds the column names", self)
        self.header.setChecked(True)
        self.table = preview_table(self, wizard.preview_model)
        self.problems = ProblemsPanel(self)
        form = QFormLayout()
        form.addRow("Delimiter", self.delimiter)
        form.addRow("", self.header)
        layout = QVBoxLayout(self)
        layout.addWidget(self.summary)
        layout.addLayout(form)
        layout.addWidget(self.table, 1)
        layout.addWidget(self.problems, 1)
        self.delimiter.activated.connect(self._on_file_options)
        self.header.clicked.connect(self._on_file_options)
        wizard.planned.connect(self._on_planned)
        wizard.plan_failed.connect(self._on_failed)

    def isComplete(self) -> bool:
        return self._wizard.result_plan is not None and self.problems.isHidden()

    @Slot()
    def _on_file_options(self) -> None:
        overrides = replace(
            self._wizard.overrides,
            delimiter=self.delimiter.currentData(),
            has_header=self.header.isChecked(),
        )
        self._wizard.set_overrides(overrides)

    @Slot(object)
    def _on_planned(self, result: Planned) -> None:
        self.summary.setText(result.source_summary)
        source = result.plan.source
        self.header.setChecked(source.has_header)
        self.header.setEnabled(source.format == "csv")
        self.delimiter.setEnabled(source.format == "csv")
        self.problems.clear()
        self.table.setVisible(True)
        self.completeChanged.emit()

    @Slot(object)
    def _on_failed(self, exc: BaseException) -> None:
        self.summary.setText("The file cannot be read as it is:")
        self.problems.show_error(exc, "Reading the file")
        self.table.setVisible(False)
        self.completeChanged.emit()
