"""Hidden entry point that drives the real window and saves screenshots (docs/screenshots).

``python -m anomaly_desk.gui.shots OUT_DIR --import-file FILE`` opens the demo workspace (built
in a temporary folder), runs detection through the Detect dialog, selects the strongest
anomaly, and saves what the window itself renders with ``QWidget.grab()``: the first-start
panel, the detection dialog, the main window (table, swimlane, band and markers), the detail
pane, the dark theme and the import wizard's mapping page. Each
step waits on the signal that says the previous one finished, then gives the window a moment
to paint. ``scripts/screenshots.py`` runs this under Xvfb with the xcb platform.
"""

from __future__ import annotations

import argparse
import tempfile
from collections.abc import Callable
from pathlib import Path

from PySide6.QtCore import QSettings, QTimer, Slot

from anomaly_desk.gui.app import app_icon, make_application
from anomaly_desk.gui.detection_dialog import DetectionDialog, DetectRequest
from anomaly_desk.gui.import_wizard import ImportWizard
from anomaly_desk.gui.main_window import MainWindow
from anomaly_desk.gui.settings import Preferences
from anomaly_desk.gui.shot_base import ShotBase

SETTLE_MS = 700  # time for layouts and plots to paint before a grab
WINDOW_SIZE = (1500, 940)
SERIES = ("datacenter_metrics", "db-01/latency_ms")
SECOND_DATASET = "shop_orders"
SHOTS = 6


class ShotDriver(ShotBase):
    def __init__(self, window: MainWindow, out: Path, import_file: Path) -> None:
        super().__init__(window, out)
        self.import_file = import_file
        self.wizard: ImportWizard | None = None
        self.dialog: DetectionDialog | None = None
        self._waiting: set[str] = set()

    def start(self) -> None:
        self._later(self._shoot_welcome)

    def _shoot_welcome(self) -> None:
        self.save(self.window, "welcome.png")  # a first start: no recent workspace
        self.window.workspace_opened.connect(self._on_workspace)
        self.window.open_demo()

    def _later(self, step: Callable[[], None]) -> None:
        QTimer.singleShot(SETTLE_MS, step)

    # -- detection ------------------------------------------------------------------------

    @Slot(object)
    def _on_workspace(self, _snapshot: object) -> None:
        self.window.workspace_opened.disconnect(self._on_workspace)
        dialog = self.window.detection.open_dialog()
        assert dialog is not None
        self.dialog = dialog
        dialog.select_dataset(SERIES[0])
        dialog.preview_ready.connect(self._on_preview)

    @Slot(object)
    def _on_preview(self, _preview: object) -> None:
        assert self.dialog is not None
        self.dialog.preview_ready.disconnect(self._on_preview)
        self._later(self._shoot_dialog)

    def _shoot_dialog(self) -> None:
        assert self.dialog is not None
        self.save(self.dialog, "detection-dialog.png")
        self.window.detection.run_stored.connect(self._on_stored)
        self.dialog.run()
        self.dialog = None

    @Slot(object)
    def _on_stored(self, _info: object) -> None:
        self.window.detection.run_stored.disconnect(self._on_stored)
        # The other time series dataset too, so the swimlane has more than one dataset.
        self.window.detection.run_stored.connect(self._on_second_stored)
        self.window.detection.start(DetectRequest(SECOND_DATASET, "auto", 0.5))

    @Slot(object)
    def _on_second_stored(self, _info: object) -> None:
        self.window.detection.run_stored.disconnect(self._on_second_stored)
        self.window.investigation.counts_shown.connect(self._on_counts)

    @Slot(object)
    def _on_counts(self, _counts: object) -> None:
        self.window.investigation.counts_shown.disconnect(self._on_counts)
        investigation = self.window.investigation
        self._waiting = {"detail", "band", "markers"}
        investigation.detail_shown.connect(self._on_shown)
        investigation.band_shown.connect(self._on_shown)
        investigation.markers_shown.connect(self._on_shown)
        self._later(lambda: self.window.anomaly_pane.table.select_row(0))

    @Slot(object)
    def _on_shown(self, what: object) -> None:
        self._waiting.discard(type(what).__name__.lower())  # Detail, Band, Markers
        if not self._waiting:
            investigation = self.window.investigation
            investigation.detail_shown.disconnect(self._on_shown)
            investigation.band_shown.disconnect(self._on_shown)
            investigation.markers_shown.disconnect(self._on_shown)
            self._later(self._shoot_main)

    # -- the window, the detail pane, the dark theme, the import wizard --------------------

    def _shoot_main(self) -> None:
        self.save(self.window, "main-window.png")
        pane = self.window.anomaly_pane
        self._sizes = (self.window.splitter.sizes(), pane.splitter.sizes())
        self.window.splitter.setSizes([0, 0, 2000])
        pane.splitter.setSizes([300, 700])
        self._later(self._shoot_detail)

    def _shoot_detail(self) -> None:
        detail = self.window.detail_pane
        assert detail is not None
        body = detail.page.widget()  # the whole pane, not the part the scroll area shows
        assert body is not None
        body.adjustSize()
        self.save(body, "detail-pane.png")
        self.window.splitter.setSizes(self._sizes[0])
        self.window.anomaly_pane.splitter.setSizes(self._sizes[1])
        self.window.set_theme("dark")
        self._later(self._shoot_dark)

    def _shoot_dark(self) -> None:
        self.save(self.window, "dark-theme.png")
        self.window.set_theme("light")
        self.window.wizard_opened.connect(self._on_wizard)
        self.window.start_import(self.import_file)

    @Slot(object)
    def _on_wizard(self, wizard: object) -> None:
        assert isinstance(wizard, ImportWizard)
        self.wizard = wizard
        wizard.resize(980, 720)
        wizard.planned.connect(self._on_planned)

    @Slot(object)
    def _on_planned(self, _planned: object) -> None:
        assert self.wizard is not None
        self.wizard.planned.disconnect(self._on_planned)
        self.wizard.next()
        self._later(self._shoot_wizard)

    def _shoot_wizard(self) -> None:
        assert self.wizard is not None
        self.save(self.wizard, "import-wizard.png")
        self.wizard.reject()
        self.window.close()


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m anomaly_desk.gui.shots")
    parser.add_argument("out", type=Path)
    parser.add_argument("--import-file", type=Path, required=True)
    args = parser.parse_args(argv)
    args.out.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory(prefix="anomaly-desk-shots-") as tmp:
        # Never touch the user's own settings or demo workspace.
        QSettings.setPath(QSettings.Format.IniFormat, QSettings.Scope.UserScope, tmp)
        app = make_application()
        window = MainWindow(Preferences(), demo_path=Path(tmp) / "demo.sqlite")
        window.setWindowIcon(app_icon())
        window.setGeometry(20, 20, *WINDOW_SIZE)
        window.splitter.setSizes([190, 330, 330])
        driver = ShotDriver(window, args.out, args.import_file)
        window.show()
        driver.start()
        code = int(app.exec())
        if driver.failed:
            print(f"failed: {driver.failed}", flush=True)
        return code if len(driver.saved) == SHOTS else 1


if __name__ == "__main__":
    raise SystemExit(main())
