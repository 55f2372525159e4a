"""The investigator's window as a user meets it: real widgets, a real workspace file."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import numpy as np
from PySide6.QtCore import QMimeData, QPoint, QPointF, Qt, QUrl
from PySide6.QtGui import QDropEvent
from PySide6.QtWidgets import QApplication
from pytestqt.qtbot import QtBot

from anomaly_desk.gui.about import versions
from anomaly_desk.gui.app import create_window, make_application
from anomaly_desk.gui.main_window import MainWindow
from anomaly_desk.gui.menus import TRIAGE_IDLE_TIP
from anomaly_desk.gui.settings import Preferences
from anomaly_desk.gui.theme import system_prefers_dark
from anomaly_desk.store import Workspace
from tests.gui.conftest import NAB_TAXI, WAIT_MS, open_workspace


def test_first_start_offers_the_demo_and_the_demo_opens(
    qtbot: QtBot, window: MainWindow, tmp_path: Path
) -> None:
    assert window.windowTitle() == "Anomaly Desk"
    assert window.centre.currentWidget() is window.welcome
    assert window.welcome.isVisible()
    with qtbot.waitSignal(window.workspace_opened, timeout=WAIT_MS):
        qtbot.mouseClick(window.welcome.demo_button, Qt.MouseButton.LeftButton)
    assert (tmp_path / "built-demo.sqlite").is_file()
    assert window.windowTitle() == "Anomaly Desk — built-demo.sqlite"
    assert window.centre.currentWidget() is window.workspace_view
    assert "4 datasets · 21 series" in window.counts.text()
    assert window.preferences.recent_workspaces() == [(tmp_path / "built-demo.sqlite").resolve()]


def test_explorer_shows_the_demo_datasets(qtbot: QtBot, window: MainWindow, demo_ws: Path) -> None:
    open_workspace(qtbot, window, demo_ws)
    model, proxy = window.explorer.model, window.explorer.proxy
    root = proxy.mapFromSource(model.datasets_index())
    shown = [proxy.index(r, 0, root).data() for r in range(proxy.rowCount(root))]
    assert shown == ["datacenter_metrics", "expenses", "logins", "shop_orders"]
    assert window.explorer.tree.isExpanded(root)


def test_selecting_a_series_loads_it_into_the_timeline(
    qtbot: QtBot, window: MainWindow, demo_ws: Path
) -> None:
    open_workspace(qtbot, window, demo_ws)
    with Workspace.open(demo_ws, create=False) as ws:
        points = {s.name: s.points for s in ws.series(ws.dataset("datacenter_metrics"))}
    with qtbot.waitSignal(window.series_shown, timeout=WAIT_MS) as shown:
        assert window.explorer.select("datacenter_metrics", "web-03/latency_ms")
    assert shown.args[0].info.name == "web-03/latency_ms"
    timeline = window.timeline
    assert timeline is not None and timeline.curve is not None
    assert timeline.data is not None
    x, y = timeline.data.x, timeline.data.y
    assert len(x) == len(y) == points["web-03/latency_ms"] == 8052
    drawn_x, drawn_y = timeline.curve.getOriginalDataset()  # the min/max envelope, or raw
    assert drawn_x[0] == x[0] and np.nanmax(drawn_y) == np.nanmax(y)
    assert timeline.overview_curve.getOriginalDataset()[0] is not None
    assert "datacenter_metrics  ›  web-03/latency_ms" in timeline.title.text()
    low, high = timeline.region.getRegion()
    assert (low, high) == (x[0], x[-1])  # the overview selects the whole series at first
    # Narrowing the overview's region narrows the main plot.
    middle = x[len(x) // 2]
    timeline.region.setRegion((middle - 86400, middle + 86400))
    shown_low, shown_high = timeline.visible_range()
    assert abs(shown_low - (middle - 86400)) < 1 and abs(shown_high - (middle + 86400)) < 1


def test_crosshair_reads_out_the_nearest_point(
    qtbot: QtBot, window: MainWindow, demo_ws: Path
) -> None:
    open_workspace(qtbot, window, demo_ws)
    with qtbot.waitSignal(window.series_shown, timeout=WAIT_MS) as shown:
        window.explorer.select("shop_orders", "orders_eu")
    data = shown.args[0]
    timeline = window.timeline
    assert timeline is not None
    view = timeline.plot.getPlotItem().vb
    scene_pos = view.mapViewToScene(QPointF(float(data.x[100]), float(data.y[100])))
    timeline._on_mouse_moved(scene_pos)
    assert timeline.vline.isVisible() and timeline.vline.value() == data.x[100]
    assert timeline.readout.text().endswith(f"orders_eu = {data.y[100]:,.6g}")


def test_switching_series_quickly_shows_the_last_one(
    qtbot: QtBot, window: MainWindow, demo_ws: Path
) -> None:
    open_workspace(qtbot, window, demo_ws)
    shown: list[str] = []
    window.series_shown.connect(lambda data: shown.append(data.info.name))
    for name in ("web-01/cpu_pct", "web-02/cpu_pct", "db-01/requests"):
        window.explorer.select("datacenter_metrics", name)
    qtbot.waitUntil(lambda: window.runner.running() == [] and bool(shown), timeout=WAIT_MS)
    assert shown[-1] == "db-01/requests"


def test_settings_remember_theme_recent_workspaces_and_layout(
    qtbot: QtBot, window: MainWindow, demo_ws: Path, isolated_settings: Path
) -> None:
    open_workspace(qtbot, window, demo_ws)
    window.menu_actions.themes["dark"].trigger()
    assert window.dark and QApplication.palette().window().color().lightness() < 100
    window.resize(780, 560)  # inside the offscreen screen (restore clamps), above the minimum
    window.splitter.setSizes([400, 200])
    window.close()
    again = create_window(None, demo=False)  # what the next start does
    qtbot.addWidget(again)
    assert str(isolated_settings) in again.preferences.file_name
    assert again.theme == "dark" and again.menu_actions.themes["dark"].isChecked()
    assert (again.width(), again.height()) == (780, 560)
    with qtbot.waitSignal(again.workspace_opened, timeout=WAIT_MS):
        pass  # the most recent workspace opens by itself
    assert again.workspace_path == demo_ws.resolve()
    again.set_theme("light")
    assert not again.dark and QApplication.palette().window().color().lightness() > 200
    again.set_theme("system")
    assert again.dark == system_prefers_dark()  # offscreen Qt reports no dark preference


def test_triage_keys_exist_but_wait_for_the_anomaly_table(window: MainWindow) -> None:
    triage = window.menu_actions.triage
    keys = {name: act.shortcut().toString() for name, act in triage.items()}
    assert keys == {
        "next": "J",
        "previous": "K",
        "confirm": "C",
        "false_positive": "F",
        "assign": "A",
        "status": "S",
        "tag": "T",
        "star": "M",
        "severity": "O",
    }
    assert all(not a.isEnabled() for a in triage.values())  # no table rows yet
    later = [a for k, a in triage.items() if k not in ("next", "previous")]
    assert all(a.toolTip() == TRIAGE_IDLE_TIP for a in later)  # they say what they wait for
    assert window.menu_actions.search.shortcut().toString() == "/"


def test_slash_focuses_the_search_box(qtbot: QtBot, window: MainWindow, demo_ws: Path) -> None:
    open_workspace(qtbot, window, demo_ws)
    window.activateWindow()
    window.menu_actions.search.trigger()
    assert QApplication.focusWidget() is window.explorer.filter
    qtbot.keyClicks(window.explorer.filter, "orders_us")
    proxy = window.explorer.proxy
    datasets = proxy.index(0, 0)
    assert [proxy.index(r, 0, datasets).data() for r in range(proxy.rowCount(datasets))] == [
        "shop_orders"
    ]


def test_about_lists_the_versions(qtbot: QtBot, window: MainWindow) -> None:
    window.menu_actions.about.trigger()
    box = window.about_box
    assert box is not None and box.isVisible()
    for name, value in versions().items():
        assert name in box.text() and value in box.text()
    box.close()


def test_dropping_a_file_opens_the_import_wizard(
    qtbot: QtBot, window: MainWindow, demo_ws: Path
) -> None:
    open_workspace(qtbot, window, demo_ws)
    mime = QMimeData()
    mime.setUrls([QUrl.fromLocalFile(str(NAB_TAXI))])
    event = QDropEvent(
        QPoint(10, 10), Qt.DropAction.CopyAction, mime, Qt.MouseButton.LeftButton,
        Qt.KeyboardModifier.NoModifier,
    )  # fmt: skip
    with qtbot.waitSignal(window.wizard_opened, timeout=WAIT_MS) as opened:
        window.dropEvent(event)
    wizard = opened.args[0]
    assert wizard.path == NAB_TAXI and wizard.isVisible()
    with qtbot.waitSignal(wizard.planned, timeout=WAIT_MS):
        pass
    wizard.reject()


def test_an_unusable_file_is_reported_not_crashed_on(
    qtbot: QtBot, window: MainWindow, tmp_path: Path
) -> None:
    bogus = tmp_path / "notes.sqlite"
    bogus.write_text("not a database", encoding="utf-8")
    with qtbot.waitSignal(window.notifications.notified, timeout=WAIT_MS) as notified:
        window.open_workspace(bogus)
    assert notified.args[0].level == "error"
    assert "not a workspace" in notified.args[0].text
    assert window.statusBar().currentMessage().startswith(str(bogus))
    assert window.windowTitle() == "Anomaly Desk"
    assert window.notifications.dialog is not None
    window.notifications.dialog.close()


def test_make_application_sets_the_identity_settings_use() -> None:
    app = make_application()
    assert (app.organizationName(), app.applicationName()) == ("Anomaly Desk", "Anomaly Desk")
    assert not app.windowIcon().isNull()
    assert Preferences().theme() == "system"


def test_the_window_opens_without_heavy_imports() -> None:
    # The window must be up fast: no pyqtgraph, SQLAlchemy/pandas store or sklearn at startup.
    code = (
        "import sys;"
        "from anomaly_desk.gui.app import make_application, create_window;"
        "app = make_application(); w = create_window(None, False); w.show(); app.processEvents();"
        "heavy = [m for m in ('pyqtgraph', 'sklearn', 'sqlalchemy', 'pandas', 'pyarrow')"
        " if m in sys.modules];"
        "print(heavy); w.close(); sys.exit(1 if heavy else 0)"
    )
    done = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, timeout=60, check=False
    )
    assert done.returncode == 0, done.stdout + done.stderr


def test_the_anomaly_pane_waits_for_a_detection_run(
    qtbot: QtBot, window: MainWindow, demo_ws: Path
) -> None:
    pane = window.anomaly_pane
    assert pane.currentWidget() is pane.placeholder
    assert "No detection run yet" in pane.placeholder.text()
    with qtbot.waitSignal(window.investigation.counts_shown, timeout=WAIT_MS) as shown:
        open_workspace(qtbot, window, demo_ws)
    assert shown.args[0].total == 0
    assert pane.currentWidget() is pane.placeholder  # still nothing detected
    assert window.anomaly_counts.text().startswith("0 anomalies")
