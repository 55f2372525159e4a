"""Incidents in a real workspace: proposals from stored series, every change audited."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from anomaly_desk.errors import BadInputError, WorkspaceError
from anomaly_desk.model import IncidentStatus, Status, TriageChange
from anomaly_desk.store import Workspace
from tests.conftest import logical_snapshot
from tests.incidents.helpers import SERIES, add_anomalies, add_metrics, spike


def _incident_records(ws: Workspace) -> list[tuple[str, str, dict[str, object] | None]]:
    return [
        (r.action, r.object_uid, None if r.after is None else json.loads(r.after))
        for r in ws.audit_records()
        if r.object_type == "incident"
    ]


def test_correlated_series_are_proposed_together_unrelated_one_is_not(ws: Workspace) -> None:
    ids = add_metrics(ws)
    a, b, c = add_anomalies(ws, "metrics", [spike(ids[n], 1000) for n in SERIES])
    (proposal,) = ws.propose_incidents()
    assert proposal.anomaly_ids == (a, b)
    assert "app-1/latency_ms and app-2/latency_ms usually move together (r 0." in (
        proposal.links[0].reason
    )
    assert c not in proposal.anomaly_ids
    assert ws.propose_incidents(ws.dataset("metrics").id) == [proposal]
    ws.triage([a, b], TriageChange(status=Status.TRIAGED), "ann")
    ws.triage([b], TriageChange(status=Status.FALSE_POSITIVE), "ann")
    assert ws.propose_incidents() == []  # a judged false alarm is no one's incident


def test_grouped_anomalies_are_not_proposed_again(ws: Workspace) -> None:
    ids = add_metrics(ws)
    add_anomalies(ws, "metrics", [spike(ids[n], 1000) for n in SERIES])
    (proposal,) = ws.propose_incidents()
    ws.create_incident("app latency", proposal.anomaly_ids, "ann")
    assert ws.propose_incidents() == []


def test_create_add_remove_update_and_their_records(ws: Workspace) -> None:
    ids = add_metrics(ws)
    a, b, c = add_anomalies(ws, "metrics", [spike(ids[n], 1000) for n in SERIES])
    made = ws.create_incident("  app latency ", [a, a], "ann", summary="slow apps")
    assert (made.title, made.status, made.anomaly_ids) == ("app latency", IncidentStatus.OPEN, (a,))
    assert ws.add_to_incident(made.id, [a, b, c], "bob").anomaly_ids == (a, b, c)
    assert ws.add_to_incident(made.id, [b], "bob").anomaly_ids == (a, b, c)  # no change
    assert ws.remove_from_incident(made.id, [c], "bob").anomaly_ids == (a, b)
    closed = ws.update_incident(made.id, "bob", status=IncidentStatus.CLOSED, title="app latency")
    assert closed.status is IncidentStatus.CLOSED and closed.title == "app latency"
    info, members = ws.incident(made.id)
    assert [m.id for m in members] == [a, b] and info.start_ns == members[0].start_ns
    assert [i.id for i in ws.incidents()] == [made.id]
    uid = {r.id: r.uid for r in members}
    records = _incident_records(ws)
    assert [(act, obj) for act, obj, _ in records] == [("create", made.uid)] + [
        ("update", made.uid)
    ] * 3
    assert records[0][2] == {
        "title": "app latency", "status": "open", "summary": "slow apps", "members": [uid[a]],
    }  # fmt: skip
    assert records[3][2] == {"status": "closed"}  # the unchanged title is not recorded
    assert ws.verify_audit().ok


def test_merge_moves_members_into_the_first_and_records_each_incident(ws: Workspace) -> None:
    ids = add_metrics(ws)
    a, b, c = add_anomalies(ws, "metrics", [spike(ids[n], 1000) for n in SERIES])
    first = ws.create_incident("one", [a], "ann")
    second = ws.create_incident("two", [b], "ann")
    third = ws.create_incident("three", [c], "ann")
    merged = ws.merge_incidents([second.id, first.id, third.id], "bob")
    assert merged.id == second.id and merged.anomaly_ids == (a, b, c)
    assert [i.id for i in ws.incidents()] == [second.id]
    with pytest.raises(WorkspaceError, match=f"no incident with id {first.id}"):
        ws.incident(first.id)
    records = _incident_records(ws)[3:]
    assert records[0][0] == "update" and records[0][2] is not None
    assert records[0][2]["merged"] == sorted([first.uid, third.uid])
    assert {(act, obj) for act, obj, _ in records[1:]} == {
        ("delete", first.uid), ("delete", third.uid),
    }  # fmt: skip
    assert all(after == {"merged_into": second.uid} for _, _, after in records[1:])
    assert ws.verify_audit().ok


def test_dissolve_keeps_the_anomalies_and_frees_them(ws: Workspace) -> None:
    ids = add_metrics(ws)
    a, b, _ = add_anomalies(ws, "metrics", [spike(ids[n], 1000) for n in SERIES])
    made = ws.create_incident("app latency", [a, b], "ann")
    ws.dissolve_incident(made.id, "ann")
    assert ws.incidents() == []
    assert ws.anomaly(a)[0].id == a
    again = ws.create_incident("again", [a, b], "ann")  # free to be grouped again
    assert again.anomaly_ids == (a, b)
    action, obj, after = _incident_records(ws)[1]
    assert (action, obj, after) == ("delete", made.uid, None)
    assert ws.verify_audit().ok


def test_refusals_change_nothing(ws: Workspace, workspace_path: Path) -> None:
    ids = add_metrics(ws)
    a, b, c = add_anomalies(ws, "metrics", [spike(ids[n], 1000) for n in SERIES])
    held = ws.create_incident("held", [a], "ann")
    other = ws.create_incident("other", [b], "ann")
    before = logical_snapshot(workspace_path)
    with pytest.raises(BadInputError, match=f"anomaly {a} is in incident {held.id}"):
        ws.create_incident("steal", [c, a], "ann")
    with pytest.raises(BadInputError, match="merge the incidents"):
        ws.add_to_incident(other.id, [c, a], "ann")
    with pytest.raises(BadInputError, match=f"anomaly with id {c} is not in it"):
        ws.remove_from_incident(other.id, [b, c], "ann")
    with pytest.raises(WorkspaceError, match="no anomaly with id 999"):
        ws.create_incident("ghost", [c, 999], "ann")
    with pytest.raises(WorkspaceError, match="no incident with id 77"):
        ws.merge_incidents([held.id, 77], "ann")
    with pytest.raises(BadInputError, match="at least two"):
        ws.merge_incidents([held.id, held.id], "ann")
    with pytest.raises(BadInputError, match="incident title"):
        ws.create_incident("  ", [c], "ann")
    with pytest.raises(BadInputError, match="actor"):
        ws.dissolve_incident(held.id, "")
    assert logical_snapshot(workspace_path) == before
    assert ws.verify_audit().ok


def test_deleting_a_dataset_empties_its_incidents(ws: Workspace) -> None:
    ids = add_metrics(ws)
    a, b, _ = add_anomalies(ws, "metrics", [spike(ids[n], 1000) for n in SERIES])
    made = ws.create_incident("app latency", [a, b], "ann")
    ws.delete_dataset("metrics")
    info, members = ws.incident(made.id)
    assert info.anomaly_ids == () and members == [] and info.start_ns is None
