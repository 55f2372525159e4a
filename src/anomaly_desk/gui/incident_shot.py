"""Hidden entry point that saves docs/screenshots/incident.png from the real window.

``python -m anomaly_desk.gui.incident_shot OUT_DIR`` builds the demo workspace in a temporary
folder, runs detection on its datacenter metrics, stores the strongest incident proposal (the
planted cross-host slowdown) as an incident, opens the window on it, opens the incident as the
user would, and saves what the incident window renders (``QWidget.grab()``).
``scripts/screenshots.py`` runs it under Xvfb with the xcb platform, after ``gui.shots``.
"""

from __future__ import annotations

import argparse
import tempfile
from pathlib import Path

from PySide6.QtCore import QSettings, QTimer, Slot

from anomaly_desk.gui.app import app_icon, make_application
from anomaly_desk.gui.main_window import MainWindow
from anomaly_desk.gui.settings import Preferences
from anomaly_desk.gui.shot_base import ShotBase

SETTLE_MS = 900  # time for the plots and the graph to paint before the grab
WINDOW_SIZE = (1500, 940)
DATASET = "datacenter_metrics"
SUMMARY = "db-01 storage degraded; the web hosts waited on it and retried."


def prepare(path: Path) -> int:
    """The demo workspace at ``path`` with the top proposal stored; returns its incident id."""
    from anomaly_desk.analysis import run_detection
    from anomaly_desk.demo import build_demo_workspace
    from anomaly_desk.store import Workspace

    build_demo_workspace(path)
    with Workspace.open(path, create=False) as ws:
        run_detection(ws, DATASET)
        proposal = ws.propose_incidents(ws.dataset(DATASET).id)[0]
        info = ws.create_incident(proposal.title, proposal.anomaly_ids, "analyst", SUMMARY)
    return info.id


class IncidentShot(ShotBase):
    def __init__(self, window: MainWindow, out: Path, incident_id: int) -> None:
        super().__init__(window, out)
        self.incident_id = incident_id

    def start(self, workspace: Path) -> None:
        self.window.workspace_opened.connect(self._on_workspace)
        self.window.open_workspace(workspace)

    @Slot(object)
    def _on_workspace(self, _snapshot: object) -> None:
        self.window.workspace_opened.disconnect(self._on_workspace)
        desk = self.window.incident_desk
        desk.incident_shown.connect(self._on_shown)
        desk.open_incident(self.incident_id)

    @Slot(object)
    def _on_shown(self, _data: object) -> None:
        self.window.incident_desk.incident_shown.disconnect(self._on_shown)
        QTimer.singleShot(SETTLE_MS, self._shoot)

    def _shoot(self) -> None:
        view = self.window.incident_desk.view
        assert view is not None
        self.save(view, "incident.png")
        self.window.close()


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m anomaly_desk.gui.incident_shot")
    parser.add_argument("out", type=Path)
    args = parser.parse_args(argv)
    args.out.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory(prefix="anomaly-desk-incident-shot-") as tmp:
        # Never touch the user's own settings or demo workspace.
        QSettings.setPath(QSettings.Format.IniFormat, QSettings.Scope.UserScope, tmp)
        workspace = Path(tmp) / "demo.sqlite"
        incident_id = prepare(workspace)
        app = make_application()
        window = MainWindow(Preferences(), demo_path=workspace)
        window.setWindowIcon(app_icon())
        window.setGeometry(20, 20, *WINDOW_SIZE)
        shot = IncidentShot(window, args.out, incident_id)
        window.show()
        shot.start(workspace)
        code = int(app.exec())
        if shot.failed:
            print(f"failed: {shot.failed}", flush=True)
        return code if shot.saved else 1


if __name__ == "__main__":
    raise SystemExit(main())
