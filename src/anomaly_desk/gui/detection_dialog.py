"""Anomaly > Detect…: dataset, preset, sensitivity with a live preview count, then Run.

The dialog is non-modal and only chooses; the window runs the detection (with the status
bar's progress and cancel) and streams its findings into the table. The preview is computed
once per dataset in a worker (``detection_tasks.preview_counts``) and cached here, so moving
the slider is a lookup.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from PySide6.QtCore import Qt, Signal, Slot
from PySide6.QtWidgets import (
    QComboBox,
    QDialog,
    QDialogButtonBox,
    QFormLayout,
    QHBoxLayout,
    QLabel,
    QSlider,
    QVBoxLayout,
    QWidget,
)

from anomaly_desk.gui.detection_tasks import SLIDER_STEPS, Preview, preview_counts
from anomaly_desk.gui.workers import Job, JobRunner
from anomaly_desk.model import DatasetInfo

PRESETS = (("auto", "Auto (seasonal, robust deviation, shape and trend; several time scales)"),)
DEFAULT_POSITION = 50


@dataclass(frozen=True)
class DetectRequest:
    dataset: str
    preset: str
    sensitivity: float


class DetectionDialog(QDialog):
    run_requested = Signal(object)  # DetectRequest
    preview_ready = Signal(object)  # Preview

    def __init__(
        self,
        runner: JobRunner,
        workspace: Path,
        datasets: list[DatasetInfo],
        parent: QWidget | None = None,
    ) -> None:
        super().__init__(parent)
        self.setWindowTitle("Detect anomalies")
        self.setMinimumWidth(520)
        self.runner = runner
        self.workspace = workspace
        self.previews: dict[int, Preview] = {}
        self.preview_job: Job | None = None
        self.dataset = QComboBox(self)
        for info in datasets:
            self.dataset.addItem(f"{info.name}  ({info.kind.value}, {info.rows:,} rows)", info)
        self.dataset.currentIndexChanged.connect(self._on_dataset)
        self.preset = QComboBox(self)
        for key, label in PRESETS:
            self.preset.addItem(label, key)
        self.slider = QSlider(Qt.Orientation.Horizontal, self)
        self.slider.setRange(0, SLIDER_STEPS)
        self.slider.setValue(DEFAULT_POSITION)
        self.slider.setTickInterval(10)
        self.slider.setTickPosition(QSlider.TickPosition.TicksBelow)
        self.slider.valueChanged.connect(self._show_preview)
        self.sensitivity = QLabel("", self)
        self.sensitivity.setMinimumWidth(40)
        self.preview = QLabel("", self)
        self.preview.setWordWrap(True)
        row = QHBoxLayout()
        row.addWidget(QLabel("fewer", self))
        row.addWidget(self.slider, 1)
        row.addWidget(QLabel("more", self))
        row.addWidget(self.sensitivity)
        form = QFormLayout()
        form.addRow("Dataset:", self.dataset)
        form.addRow("Preset:", self.preset)
        form.addRow("Sensitivity:", row)
        form.addRow("Preview:", self.preview)
        note = QLabel(
            "Detection runs in the background; findings appear in the table as they are found "
            "and are stored together when the run finishes (a cancelled run stores nothing).",
            self,
        )
        note.setWordWrap(True)
        note.setEnabled(False)
        self.buttons = QDialogButtonBox(self)
        self.run_button = self.buttons.addButton("Run", QDialogButtonBox.ButtonRole.AcceptRole)
        self.buttons.addButton(QDialogButtonBox.StandardButton.Close)
        self.buttons.accepted.connect(self.run)
        self.buttons.rejected.connect(self.reject)
        layout = QVBoxLayout(self)
        layout.addLayout(form)
        layout.addWidget(note)
        layout.addWidget(self.buttons)
        self.run_button.setEnabled(self.dataset.count() > 0)
        self._on_dataset(self.dataset.currentIndex())

    def selected(self) -> DatasetInfo | None:
        info = self.dataset.currentData()
        return info if isinstance(info, DatasetInfo) else None

    def select_dataset(self, name: str) -> bool:
        for i in range(self.dataset.count()):
            info = self.dataset.itemData(i)
            if isinstance(info, DatasetInfo) and info.name == name:
                self.dataset.setCurrentIndex(i)
                return True
        return False

    def request(self) -> DetectRequest | None:
        info = self.selected()
        if info is None:
            return None
        return DetectRequest(
            info.name, str(self.preset.currentData()), self.slider.value() / SLIDER_STEPS
        )

    @Slot()
    def run(self) -> None:
        request = self.request()
        if request is not None:
            self.run_requested.emit(request)
            self.accept()

    def reject(self) -> None:
        if self.preview_job is not None:
            self.preview_job.cancel()
        super().reject()

    def done(self, result: int) -> None:
        if self.preview_job is not None:
            self.preview_job.cancel()  # nobody will look at it any more
        super().done(result)

    @Slot(int)
    def _on_dataset(self, _index: int) -> None:
        info = self.selected()
        if info is None:
            self.preview.setText("No dataset to detect in: import a file first.")
            return
        if info.id not in self.previews:
            self.preview.setText("Computing a preview…")
            job = self.runner.submit(
                preview_counts,
                info.id,
                label=f"Previewing detection in {info.name}",
                workspace=self.workspace,
                key=f"detect-preview-{id(self)}",
                quiet=True,
            )
            job.finished.connect(self._on_preview)
            job.errored.connect(self._on_preview_failed)
            job.done.connect(self._forget_preview_job)
            self.preview_job = job
        self._show_preview()

    @Slot(object)
    def _on_preview(self, preview: object) -> None:
        assert isinstance(preview, Preview)
        self.previews[preview.dataset_id] = preview
        self._show_preview()
        self.preview_ready.emit(preview)

    @Slot(object)
    def _on_preview_failed(self, exc: object) -> None:
        self.preview.setText(f"No preview: {exc}")

    @Slot()
    def _forget_preview_job(self) -> None:
        self.preview_job = None

    @Slot()
    def _show_preview(self) -> None:
        position = self.slider.value()
        self.sensitivity.setText(f"{position / SLIDER_STEPS:.2f}")
        info = self.selected()
        found = self.previews.get(info.id) if info is not None else None
        if found is None:
            return
        if found.note:
            self.preview.setText(f"({found.note})")
            return
        count, critical = found.at(position)
        noun = "anomaly" if count == 1 else "anomalies"
        self.preview.setText(f"≈ {count:,} {noun} at this sensitivity ({critical:,} critical)")
