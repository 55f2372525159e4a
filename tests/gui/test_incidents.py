"""Incidents in the real window on the detected demo workspace: the dock's proposals, accepting
one (checked in the store), the incident view's stacked plots, the relationship graph, and
annotations on the timeline. Worker functions are tested alone first."""

from __future__ import annotations

from pathlib import Path

import pytest
from PySide6.QtWidgets import QInputDialog
from pytestqt.qtbot import QtBot

from anomaly_desk.gui import incident_tasks as tasks
from anomaly_desk.gui.annotation_tasks import annotate_range, load_annotations
from anomaly_desk.gui.incident_tasks import IncidentData, IncidentsPage, build_graph
from anomaly_desk.gui.incidents_view import IncidentsDock
from anomaly_desk.gui.main_window import MainWindow
from anomaly_desk.gui.relationship_graph import RelationshipGraph
from anomaly_desk.model import IncidentInfo, IncidentLink, IncidentStatus
from anomaly_desk.progress import silent
from anomaly_desk.store import Workspace
from tests.gui.conftest import WAIT_MS, open_workspace
from tests.gui.test_triage import stored


@pytest.fixture
def detected(qtbot: QtBot, window: MainWindow, detected_ws: Path) -> MainWindow:
    open_workspace(qtbot, window, detected_ws)
    return window


def test_worker_functions_alone(detected_ws: Path) -> None:
    with Workspace.open(detected_ws, create=False) as ws:
        page = tasks.load_incidents(silent(), ws)
        assert page.incidents == () and page.proposals
        proposal = page.proposals[0]
        info = tasks.accept_proposal(silent(), ws, proposal, "tester")
        data = tasks.load_incident(silent(), ws, info.id)
        assert {t.name for t in data.traces} == set(proposal.series)
        assert set(data.links) == set(proposal.links)  # read from the store, not remembered
        assert all(len(t.x) == len(t.y) > 0 for t in data.traces)
        assert tasks.dissolve_incident(silent(), ws, info.id, "tester") == info.id
        assert ws.incidents() == []


def test_dock_lists_the_proposal_and_accepting_creates_an_incident(
    qtbot: QtBot, detected: MainWindow, detected_ws: Path, qtmodeltester: object
) -> None:
    desk = detected.incident_desk
    dock = desk.dock
    toggle = next(
        a for a in detected.menu_actions.menus["view"].actions() if a.text() == "&Incidents"
    )
    with qtbot.waitSignal(dock.loaded, timeout=WAIT_MS) as loaded:
        toggle.trigger()
    page = loaded.args[0]
    assert isinstance(page, IncidentsPage) and page.proposals
    assert dock.proposals.topLevelItemCount() == len(page.proposals)
    first = dock.proposals.topLevelItem(0)
    assert first.childCount() == len(page.proposals[0].links) > 0  # the reasons, one a link
    assert page.proposals[0].links[0].reason in first.child(0).text(0)
    qtmodeltester.check(dock.model)  # type: ignore[attr-defined]
    dock.proposals.setCurrentItem(first.child(0))  # a reason picks its proposal
    with qtbot.waitSignals([dock.changed, dock.loaded], timeout=WAIT_MS, order="strict"):
        dock.accept_selected()
    with Workspace.open(detected_ws, create=False) as ws:
        (info,) = ws.incidents()
    assert set(info.anomaly_ids) == set(page.proposals[0].anomaly_ids)
    assert info.title == page.proposals[0].title and info.created_by == dock.actor
    assert dock.model.rowCount() == 1
    qtmodeltester.check(dock.model)  # type: ignore[attr-defined]

    # Open it: one plot per member series, on one shared time axis.
    dock.table.selectRow(0)
    with qtbot.waitSignal(desk.incident_shown, timeout=WAIT_MS) as shown:
        dock.open_selected()
    data = shown.args[0]
    assert isinstance(data, IncidentData)
    series = {m.series_id for m in data.members if m.series_id is not None}
    assert desk.view is not None
    assert len(desk.view.plots) == len(series) == len(data.traces) >= 2
    head = desk.view.plots[0].getViewBox()
    assert all(p.getViewBox().linkedView(0) is head for p in desk.view.plots[1:])
    assert desk.view_dock.isVisible()
    graph = desk.view.graph
    assert graph.graph is not None and len(graph.node_items) == len(graph.graph.nodes)
    assert any(e.kind == "correlated" or e.kind == "same entity" for e in graph.graph.edges)
    with qtbot.waitSignal(graph.anomaly_clicked, timeout=WAIT_MS) as clicked:
        graph.click_node(f"anomaly:{data.members[0].id}")
    assert clicked.args == [data.members[0].id]

    # Dissolve it: the anomalies stay, in no incident; the proposal comes back.
    dock.table.selectRow(0)
    with qtbot.waitSignals([dock.changed, dock.loaded], timeout=WAIT_MS, order="strict"):
        dock.dissolve_selected()
    assert dock.model.rowCount() == 0 and dock.proposals.topLevelItemCount() == len(page.proposals)
    assert stored(detected_ws, info.anomaly_ids[0]).id == info.anomaly_ids[0]


def test_merge_two_incidents(qtbot: QtBot, detected: MainWindow, detected_ws: Path) -> None:
    with Workspace.open(detected_ws, create=False) as ws:
        rows, _ = ws.anomalies(limit=4)
        for row in rows[:2]:
            ws.create_incident(f"one of #{row.id}", [row.id], "tester")
    dock = detected.incident_desk.dock
    with qtbot.waitSignal(dock.loaded, timeout=WAIT_MS):
        dock.show()
    dock.table.selectAll()
    with qtbot.waitSignals([dock.changed, dock.loaded], timeout=WAIT_MS, order="strict"):
        dock.merge_selected()
    with Workspace.open(detected_ws, create=False) as ws:
        (merged,) = ws.incidents()
    assert set(merged.anomaly_ids) == {rows[0].id, rows[1].id}


def _stored_incident(path: Path) -> IncidentInfo:
    with Workspace.open(path, create=False) as ws:
        (info,) = ws.incidents()
    return info


def _changes(qtbot: QtBot, dock: IncidentsDock, action: object) -> None:
    with qtbot.waitSignals([dock.changed, dock.loaded], timeout=WAIT_MS, order="strict"):
        assert callable(action) and action() is not None


def test_edit_an_incident_in_the_window(
    qtbot: QtBot, detected: MainWindow, detected_ws: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    desk = detected.incident_desk
    dock = desk.dock
    table = detected.anomaly_pane.table

    def first_row_selected() -> bool:
        table.select_row(0)  # the table fills from a job: select once a row is there
        return len(table.selected_ids()) == 1

    qtbot.waitUntil(first_row_selected, timeout=WAIT_MS)
    (picked,) = table.selected_ids()
    with Workspace.open(detected_ws, create=False) as ws:
        rows, _ = ws.anomalies(limit=10)
        ids = [r.id for r in rows if r.id != picked][:2]
        made = ws.create_incident("first title", ids, "tester")
    with qtbot.waitSignal(dock.loaded, timeout=WAIT_MS):
        dock.show()
    dock.table.selectRow(0)

    # Rename and summary go through their dialogs.
    monkeypatch.setattr(QInputDialog, "getText", lambda *a, **k: ("renamed", True))
    _changes(qtbot, dock, dock.ask_rename)
    assert _stored_incident(detected_ws).title == "renamed"
    assert dock.model.index(0, 1).data() == "renamed"
    monkeypatch.setattr(QInputDialog, "getMultiLineText", lambda *a, **k: ("db slow", True))
    dock.table.selectRow(0)
    _changes(qtbot, dock, dock.ask_summary)
    assert _stored_incident(detected_ws).summary == "db slow"

    # Close, then reopen.
    dock.table.selectRow(0)
    _changes(qtbot, dock, dock.toggle_status)
    assert _stored_incident(detected_ws).status is IncidentStatus.CLOSED
    dock.table.selectRow(0)
    _changes(qtbot, dock, dock.toggle_status)
    assert _stored_incident(detected_ws).status is IncidentStatus.OPEN

    # The anomaly selected in the table joins the incident.
    dock.table.selectRow(0)
    _changes(qtbot, dock, dock.add_selected_anomalies)
    assert set(_stored_incident(detected_ws).anomaly_ids) == {*ids, picked}

    # Open it, pick a member in the graph, remove it: the store and the view follow.
    dock.table.selectRow(0)
    with qtbot.waitSignal(desk.incident_shown, timeout=WAIT_MS):
        dock.open_selected()
    assert desk.view is not None and not desk.view.remove_button.isEnabled()
    desk.view.graph.click_node(f"anomaly:{picked}")
    assert desk.view.picked == picked and desk.view.remove_button.isEnabled()
    with qtbot.waitSignals([dock.changed, desk.incident_shown], timeout=WAIT_MS, order="strict"):
        desk.view.remove_button.click()
    assert set(_stored_incident(detected_ws).anomaly_ids) == set(ids)
    data = desk.view.data
    assert isinstance(data, IncidentData) and {m.id for m in data.members} == set(ids)
    assert _stored_incident(detected_ws).id == made.id


def test_a_failed_edit_goes_to_the_notifications(
    qtbot: QtBot, detected: MainWindow, detected_ws: Path
) -> None:
    dock = detected.incident_desk.dock
    with Workspace.open(detected_ws, create=False) as ws:
        rows, _ = ws.anomalies(limit=2)
        made = ws.create_incident("one", [rows[0].id], "tester")
    with qtbot.waitSignal(detected.notifications.notified, timeout=WAIT_MS):
        job = dock.remove_member(made.id, rows[1].id)  # not a member
        assert job is not None
    assert set(_stored_incident(detected_ws).anomaly_ids) == {rows[0].id}


def test_graph_counts_for_a_small_incident(qtbot: QtBot, detected_ws: Path) -> None:
    with Workspace.open(detected_ws, create=False) as ws:
        rows, _ = ws.anomalies(limit=10_000)
    by_series = {}
    for row in rows:
        if row.series and "/" in row.series:
            by_series.setdefault(row.series, row)
    entity = next(s.split("/")[0] for s in by_series)
    a, b = [r for s, r in sorted(by_series.items()) if s.startswith(entity + "/")][:2]
    info = IncidentInfo(
        1, "u", "t", IncidentStatus.OPEN, "", "", "me", "", (a.id, b.id), None, None
    )
    link = IncidentLink(min(a.id, b.id), max(a.id, b.id), 0.8, f"x and y belong to {entity}")
    graph = build_graph(info, [a, b], [link])
    # incident + 2 anomalies + 2 series + 1 entity
    assert len(graph.nodes) == 6 and [len(layer) for layer in graph.layers] == [1, 2, 2, 1]
    kinds = sorted(e.kind for e in graph.edges)
    # 2 member of, 2 on series, 2 series-to-entity, 1 link between the anomalies
    assert kinds == ["member of"] * 2 + ["on series"] * 2 + ["same entity"] * 3
    view = RelationshipGraph()
    qtbot.addWidget(view)
    view.set_graph(graph)
    assert len(view.node_items) == 6 and len(view.edge_items) == 7
    view.set_graph(graph)  # again: same drawing, nothing left over
    assert len(view.scene().items()) == 6 * 2 + 7  # a circle and its label per node, edges


def test_annotation_appears_on_the_timeline(
    qtbot: QtBot, detected: MainWindow, detected_ws: Path
) -> None:
    desk = detected.incident_desk
    with qtbot.waitSignals([detected.series_shown, desk.annotations_shown], timeout=WAIT_MS):
        assert detected.explorer.select("datacenter_metrics", "web-03/latency_ms")
    assert desk.overlay is not None and desk.overlay.texts() == []
    assert desk.annotate_action.isEnabled()
    timeline = detected.timeline
    assert timeline is not None and timeline.data is not None
    x = timeline.data.x
    low, high = float(x[100]), float(x[200])
    timeline.select_range(low, high)  # as a Shift+drag ends
    with qtbot.waitSignal(desk.annotations_shown, timeout=WAIT_MS) as shown:
        desk.annotate("deploy of build 42")
    assert desk.overlay.texts() == ["deploy of build 42"]
    region = desk.overlay.regions[0]
    assert region.isVisible()
    r_low, r_high = region.getRegion()
    assert abs(r_low - low) < 1e-3 and abs(r_high - high) < 1e-3
    (note,) = shown.args[0].annotations
    assert note.created_by == desk.actor
    with Workspace.open(detected_ws, create=False) as ws:
        stored_notes = load_annotations(silent(), ws, timeline.data.info.id).annotations
        assert [n.text for n in stored_notes] == ["deploy of build 42"]
        again = annotate_range(silent(), ws, note.series_id or 0, "b", 1, 2, "me")
        assert len(again.annotations) == 2
