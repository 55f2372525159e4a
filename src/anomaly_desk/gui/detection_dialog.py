"""Anomaly > Detect…: dataset, preset, detector families, sensitivity with a live preview
count, then Run.

The dialog is non-modal and only chooses; the window runs the detection (with the status
bar's progress and cancel) and streams its findings into the table. The preview is computed
once per dataset and choice of families in a worker (``detection_tasks.preview_counts``) and
cached here, so moving the slider is a lookup. Ticking families starts a new preview a moment
after the last click (several quick clicks cost one detection), superseding one still running.
The families chosen for the last run are remembered for the next one.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from PySide6.QtCore import Qt, QTimer, Signal, Slot
from PySide6.QtWidgets import (
    QCheckBox,
    QComboBox,
    QDialog,
    QDialogButtonBox,
    QFormLayout,
    QGridLayout,
    QHBoxLayout,
    QLabel,
    QSlider,
    QVBoxLayout,
    QWidget,
)

from anomaly_desk.detect.catalog import FAMILIES, REQUIRED
from anomaly_desk.errors import Cancelled
from anomaly_desk.gui.detection_tasks import SLIDER_STEPS, Preview, preview_counts
from anomaly_desk.gui.settings import Preferences
from anomaly_desk.gui.workers import Job, JobRunner
from anomaly_desk.model import DatasetInfo, DatasetKind

PRESETS = (("auto", "Auto (seasonal, robust deviation, shape and trend; several time scales)"),)
DEFAULT_POSITION = 50
FAMILY_COLUMNS = 4
PREVIEW_DELAY_MS = 400  # after the last family clicked: a quick series of clicks, one preview
REQUIRED_TIP = "Always on: every finding is explained against this baseline."
TABLE_TIP = (
    "Event and record datasets run their own detectors (an entity graph for events, an "
    "Isolation Forest + kNN ensemble for records); these families are for time series."
)

PreviewKey = tuple[int, frozenset[str] | None]  # dataset id, families (None: not a series)


@dataclass(frozen=True)
class DetectRequest:
    dataset: str
    preset: str
    sensitivity: float
    detectors: frozenset[str] | None = None  # None: all (and always for events and records)


class DetectionDialog(QDialog):
    run_requested = Signal(object)  # DetectRequest
    preview_ready = Signal(object)  # Preview

    def __init__(
        self,
        runner: JobRunner,
        workspace: Path,
        datasets: list[DatasetInfo],
        parent: QWidget | None = None,
        preferences: Preferences | None = None,
    ) -> None:
        super().__init__(parent)
        self.setWindowTitle("Detect anomalies")
        self.setMinimumWidth(520)
        self.runner = runner
        self.workspace = workspace
        self.preferences = preferences
        self.previews: dict[PreviewKey, Preview] = {}
        self.preview_job: Job | None = None
        self.preview_delay = QTimer(self)
        self.preview_delay.setSingleShot(True)
        self.preview_delay.setInterval(PREVIEW_DELAY_MS)
        self.preview_delay.timeout.connect(self._request_preview)
        self.dataset = QComboBox(self)
        for info in datasets:
            self.dataset.addItem(f"{info.name}  ({info.kind.value}, {info.rows:,} rows)", info)
        self.dataset.currentIndexChanged.connect(self._on_dataset)
        self.preset = QComboBox(self)
        for key, label in PRESETS:
            self.preset.addItem(label, key)
        self.family_box = QWidget(self)
        grid = QGridLayout(self.family_box)
        grid.setContentsMargins(0, 0, 0, 0)
        remembered = preferences.detect_families() if preferences is not None else None
        self.families: dict[str, QCheckBox] = {}
        for i, name in enumerate(FAMILIES):
            box = QCheckBox(name, self.family_box)
            box.setChecked(remembered is None or name in remembered or name in REQUIRED)
            box.setEnabled(name not in REQUIRED)
            box.toggled.connect(self._on_families)
            grid.addWidget(box, i // FAMILY_COLUMNS, i % FAMILY_COLUMNS)
            self.families[name] = box
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
        form.addRow("Detectors:", self.family_box)
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

    def shown_preview(self) -> Preview | None:
        """The preview of the chosen dataset and families, once computed."""
        info = self.selected()
        return self.previews.get(self._preview_key(info)) if info is not None else None

    def chosen_families(self) -> frozenset[str]:
        return frozenset(name for name, box in self.families.items() if box.isChecked())

    def request(self) -> DetectRequest | None:
        info = self.selected()
        if info is None:
            return None
        return DetectRequest(
            info.name,
            str(self.preset.currentData()),
            self.slider.value() / SLIDER_STEPS,
            self._families_for(info),
        )

    @Slot()
    def run(self) -> None:
        request = self.request()
        if request is not None:
            if self.preferences is not None and request.detectors is not None:
                self.preferences.set_detect_families(request.detectors)
            self.run_requested.emit(request)
            self.accept()

    def reject(self) -> None:
        self._stop_preview()
        super().reject()

    def done(self, result: int) -> None:
        self._stop_preview()  # nobody will look at it any more
        super().done(result)

    def _stop_preview(self) -> None:
        self.preview_delay.stop()
        if self.preview_job is not None:
            self.preview_job.cancel()

    def _families_for(self, info: DatasetInfo) -> frozenset[str] | None:
        return self.chosen_families() if info.kind is DatasetKind.TIMESERIES else None

    def _preview_key(self, info: DatasetInfo) -> PreviewKey:
        return info.id, self._families_for(info)

    @Slot(int)
    def _on_dataset(self, _index: int) -> None:
        info = self.selected()
        series = info is not None and info.kind is DatasetKind.TIMESERIES
        self.family_box.setEnabled(series)
        self.family_box.setToolTip("" if series or info is None else TABLE_TIP)
        for name, box in self.families.items():
            tip = FAMILIES[name] + (f"\n{REQUIRED_TIP}" if name in REQUIRED else "")
            box.setToolTip(tip if series or info is None else TABLE_TIP)
        self.preview_delay.stop()
        self._request_preview()

    @Slot(bool)
    def _on_families(self, _checked: bool) -> None:
        info = self.selected()
        if info is not None and self._preview_key(info) not in self.previews:
            self.preview.setText("Computing a preview…")
            self.preview_delay.start()  # restarted by each click: one preview for a burst
        else:
            self.preview_delay.stop()
            self._request_preview()

    @Slot()
    def _request_preview(self) -> None:
        info = self.selected()
        if info is None:
            self.preview.setText("No dataset to detect in: import a file first.")
            return
        key = self._preview_key(info)
        if key in self.previews:
            if self.preview_job is not None:
                self.preview_job.cancel()  # computing a choice no longer shown
        else:
            self.preview.setText("Computing a preview…")
            job = self.runner.submit(
                preview_counts,
                *key,
                label=f"Previewing detection in {info.name}",
                workspace=self.workspace,
                key=f"detect-preview-{id(self)}",  # a newer choice supersedes a running one
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
        self.previews[preview.dataset_id, preview.detectors] = preview
        self._show_preview()
        self.preview_ready.emit(preview)

    @Slot(object)
    def _on_preview_failed(self, exc: object) -> None:
        if not isinstance(exc, Cancelled):  # cancelled: another choice is shown by now
            self.preview.setText(f"No preview: {exc}")

    @Slot()
    def _forget_preview_job(self) -> None:
        if self.sender() is self.preview_job:  # not a superseded job ending after its successor
            self.preview_job = None

    @Slot()
    def _show_preview(self) -> None:
        position = self.slider.value()
        self.sensitivity.setText(f"{position / SLIDER_STEPS:.2f}")
        found = self.shown_preview()
        if found is None:
            return
        if found.note:
            self.preview.setText(f"({found.note})")
            return
        count, critical = found.at(position)
        noun = "anomaly" if count == 1 else "anomalies"
        self.preview.setText(f"≈ {count:,} {noun} at this sensitivity ({critical:,} critical)")
