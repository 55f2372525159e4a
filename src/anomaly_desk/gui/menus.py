"""The window's menus and keyboard shortcuts.

The triage keys (J/K, C, F, A, S, T, M, O) are built here so that the menu, the shortcuts
and the table's context menu are the same actions; ``triage_actions.TriageActions`` connects
them and enables them for the table's selection. J/K move through the anomaly table.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING

from PySide6.QtGui import QAction, QActionGroup, QKeySequence
from PySide6.QtWidgets import QDockWidget, QMenu, QToolBar

if TYPE_CHECKING:
    from anomaly_desk.gui.main_window import MainWindow

TRIAGE_KEYS = (
    ("next", "Next anomaly", "J"),
    ("previous", "Previous anomaly", "K"),
    ("confirm", "Confirm", "C"),
    ("false_positive", "Mark false positive", "F"),
    ("assign", "Assign…", "A"),
    ("status", "Set status…", "S"),
    ("tag", "Tag…", "T"),
    ("star", "Star / unstar", "M"),
    ("severity", "Override severity…", "O"),
)
TRIAGE_TIPS = {
    "confirm": "A real anomaly: verdict confirmed; a new one becomes triaged (C)",
    "false_positive": "Not an anomaly: verdict and status false positive; offers to suppress "
    "similar findings (F)",
    "assign": "Assign the selected anomalies to someone (A)",
    "status": "Move the selected anomalies along the triage workflow (S)",
    "tag": "Add or remove a tag on the selected anomalies (T)",
    "star": "Star or unstar the selected anomalies (M)",
    "severity": "Override the severity, with a reason for the audit log (O)",
}
TRIAGE_IDLE_TIP = "Select one or more anomalies in the table first"
NAVIGATION_TIP = "Move through the anomaly table (available while it lists anomalies)"
THEME_LABELS = (("light", "Light"), ("dark", "Dark"), ("system", "Follow system"))


@dataclass
class Actions:
    new: QAction
    open: QAction
    open_demo: QAction
    import_file: QAction
    quit: QAction
    about: QAction
    search: QAction
    detect: QAction
    recent: QMenu
    toolbar: QToolBar
    themes: dict[str, QAction] = field(default_factory=dict)
    triage: dict[str, QAction] = field(default_factory=dict)
    menus: dict[str, QMenu] = field(default_factory=dict)


def build_menus(window: MainWindow) -> Actions:
    bar = window.menuBar()
    file_menu = bar.addMenu("&File")

    def action(text: str, shortcut: QKeySequence.StandardKey | str | None, slot: object) -> QAction:
        act = QAction(text, window)
        if shortcut is not None:
            act.setShortcut(QKeySequence(shortcut))
        act.triggered.connect(slot)
        window.addAction(act)  # shortcuts work even while the menu bar is hidden
        return act

    actions = Actions(
        new=action("&New workspace…", QKeySequence.StandardKey.New, window.ask_new_workspace),
        open=action("&Open workspace…", QKeySequence.StandardKey.Open, window.ask_open_workspace),
        open_demo=action("Open &demo workspace", None, window.open_demo),
        import_file=action("&Import file…", "Ctrl+I", window.ask_import),
        quit=action("&Quit", QKeySequence.StandardKey.Quit, window.close),
        about=action("&About Anomaly Desk", None, window.show_about),
        search=action("Focus search", "/", window.focus_search),
        detect=action("&Detect anomalies…", "Ctrl+D", window.ask_detect),
        recent=QMenu("Open &recent", window),
        toolbar=QToolBar("Main", window),
    )
    actions.detect.setToolTip("Run detection on a dataset (Ctrl+D)")
    actions.detect.setIconText("Detect…")
    actions.import_file.setIconText("Import…")
    toolbar = actions.toolbar
    toolbar.setObjectName("main-toolbar")
    toolbar.setMovable(False)
    toolbar.setToolButtonStyle(toolbar.toolButtonStyle().ToolButtonTextOnly)
    toolbar.addAction(actions.import_file)
    toolbar.addAction(actions.detect)
    window.addToolBar(toolbar)
    for act in (actions.new, actions.open, actions.open_demo):
        file_menu.addAction(act)
    file_menu.addMenu(actions.recent)
    file_menu.addSeparator()
    file_menu.addAction(actions.import_file)
    file_menu.addSeparator()
    file_menu.addAction(actions.quit)
    actions.recent.aboutToShow.connect(window.fill_recent_menu)

    view_menu = bar.addMenu("&View")
    actions.menus["view"] = view_menu
    view_menu.addAction(actions.search)
    theme_menu = view_menu.addMenu("&Theme")
    group = QActionGroup(window)
    group.setExclusive(True)
    for key, label in THEME_LABELS:
        act = QAction(label, group)
        act.setCheckable(True)
        act.setData(key)
        theme_menu.addAction(act)
        actions.themes[key] = act
    group.triggered.connect(window.on_theme_action)

    triage_menu = bar.addMenu("&Anomaly")
    actions.menus["anomaly"] = triage_menu
    triage_menu.addAction(actions.detect)
    triage_menu.addSeparator()
    table = window.anomaly_pane.table
    moves = {"next": lambda: table.step(+1), "previous": lambda: table.step(-1)}
    for key, label, shortcut in TRIAGE_KEYS:
        act = QAction(label, window)
        act.setShortcut(QKeySequence(shortcut))
        act.setEnabled(False)
        tip = NAVIGATION_TIP if key in moves else TRIAGE_IDLE_TIP
        act.setToolTip(tip)
        act.setStatusTip(tip)
        if key in moves:
            act.triggered.connect(moves[key])
        window.addAction(act)
        triage_menu.addAction(act)
        actions.triage[key] = act
        if key == "previous":
            triage_menu.addSeparator()
    triage_menu.setToolTipsVisible(True)

    help_menu = bar.addMenu("&Help")
    help_menu.addAction(actions.about)
    return actions


def fill_recent(menu: QMenu, recent: list[Path], window: MainWindow) -> None:
    """File > Open recent, filled when it opens (files may have gone since)."""
    menu.clear()
    for path in recent:
        act = menu.addAction(str(path))
        act.setData(str(path))
        act.triggered.connect(window._on_recent)
    if not recent:
        menu.addAction("(no recent workspaces)").setEnabled(False)


def add_view_toggle(window: MainWindow, dock: QDockWidget, text: str) -> QAction:
    """View > (dock): the dock's own toggle action, so the check mark follows the dock."""
    toggle = dock.toggleViewAction()
    toggle.setText(text)
    window.menu_actions.menus["view"].addAction(toggle)
    return toggle
