"""Triage changes in the workspace: bulk and atomic, each with its audit record in the same
transaction, the score at triage kept, and rules and verdicts audited too."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from anomaly_desk.errors import WorkspaceError
from anomaly_desk.model import FilterSpec, Severity, Status, Suppression, TriageChange, Verdict
from anomaly_desk.store import Workspace
from anomaly_desk.triage.workflow import TransitionRefused
from tests.conftest import logical_snapshot
from tests.triage.helpers import raw, seed, set_status_raw


def test_a_bulk_change_writes_one_record_per_anomaly_changed(ws: Workspace) -> None:
    ids = seed(ws, n=5)
    ws.set_status(ids[0], Status.TRIAGED, "ann")
    change = TriageChange(status=Status.TRIAGED, assignee="bob", add_tags=("dns", "vpn"))
    ws.triage([ids[1]], TriageChange(status=Status.TRIAGED, assignee="bob"), "ann")
    ws.triage([ids[1]], TriageChange(add_tags=("dns", "vpn")), "ann")
    head = ws.audit_head()
    assert head is not None
    result = ws.triage(ids, change, "cid")
    assert result.changed == (ids[0], *ids[2:]) and result.unchanged == (ids[1],)
    records = ws.audit_records(after_seq=head.seq)
    assert [(r.actor, r.object_uid) for r in records] == [
        ("cid", ws.anomaly(i)[0].uid) for i in result.changed
    ]
    for i in ids:
        row = ws.anomaly(i)[0]
        assert (row.status, row.assignee, row.tags) == (Status.TRIAGED, "bob", ("dns", "vpn"))
    assert json.loads(records[0].before or "") == {"assignee": None, "tags": []}
    assert json.loads(records[0].after or "") == {"assignee": "bob", "tags": ["dns", "vpn"]}
    assert ws.verify_audit().ok


def test_one_refused_transition_rolls_back_the_whole_bulk_change(
    ws: Workspace, workspace_path: Path
) -> None:
    ids = seed(ws, n=4)
    set_status_raw(workspace_path, ids[-1], Status.INVESTIGATING)
    change = TriageChange(status=Status.TRIAGED, assignee="ann", comment="looked")
    before = logical_snapshot(workspace_path)
    with pytest.raises(
        TransitionRefused, match=f"anomaly {ids[-1]}: .*from investigating to triaged"
    ):
        ws.triage(ids, change, "ann")  # the first three would be fine, the last is refused
    assert logical_snapshot(workspace_path) == before


def test_an_unknown_id_changes_nothing(ws: Workspace, workspace_path: Path) -> None:
    ids = seed(ws, n=2)
    before = logical_snapshot(workspace_path)
    with pytest.raises(WorkspaceError, match="no anomaly with id 999"):
        ws.triage([*ids, 999], TriageChange(status=Status.TRIAGED), "ann")
    assert logical_snapshot(workspace_path) == before


def test_a_failing_audit_write_leaves_neither_change_nor_record(
    ws: Workspace, workspace_path: Path
) -> None:
    ids = seed(ws, n=3)
    conn = raw(workspace_path)
    conn.execute(
        "CREATE TRIGGER audit_full BEFORE INSERT ON audit_log "
        "BEGIN SELECT RAISE(ABORT, 'disk full'); END"
    )
    conn.close()
    before = logical_snapshot(workspace_path)
    with pytest.raises(Exception, match="disk full"):
        ws.triage(ids, TriageChange(status=Status.TRIAGED, comment="x"), "ann")
    with pytest.raises(Exception, match="disk full"):
        ws.set_verdict(ids[0], Verdict.CONFIRMED, actor="ann")
    with pytest.raises(Exception, match="disk full"):
        ws.add_suppression(Suppression("quiet"), "ann")
    assert logical_snapshot(workspace_path) == before
    assert ws.anomaly(ids[0])[0].status is Status.NEW


def test_records_and_changes_commit_together(ws: Workspace, workspace_path: Path) -> None:
    ids = seed(ws, n=2)
    ws.triage(ids, TriageChange(status=Status.TRIAGED), "ann")
    # Another connection sees both the change and its records, and the head beside them.
    with Workspace.open(workspace_path) as other:
        assert other.anomaly(ids[1])[0].status is Status.TRIAGED
        assert [r.seq for r in other.audit_records()] == [1, 2]
        assert other.audit_head() == ws.audit_head()


def test_score_at_triage_is_kept_beside_the_current_score(
    ws: Workspace, workspace_path: Path
) -> None:
    (anomaly_id,) = seed(ws, n=1)
    assert ws.anomaly(anomaly_id)[0].score_at_triage is None
    ws.set_status(anomaly_id, Status.TRIAGED, "ann")
    conn = raw(workspace_path)
    conn.execute("UPDATE anomalies SET score = 99 WHERE id = ?", (anomaly_id,))
    conn.close()
    for status in (Status.RESOLVED, Status.INVESTIGATING, Status.FALSE_POSITIVE, Status.TRIAGED):
        ws.set_status(anomaly_id, status, "ann")
    row = ws.anomaly(anomaly_id)[0]
    assert (row.score, row.score_at_triage) == (99.0, 40.0)


def test_severity_override_assignee_tags_and_star(ws: Workspace) -> None:
    (anomaly_id,) = seed(ws, n=1)
    assert ws.anomaly(anomaly_id)[0].severity is Severity.MINOR
    ws.triage([anomaly_id], TriageChange(severity=Severity.CRITICAL, reason="payroll"), "ann")
    ws.triage([anomaly_id], TriageChange(assignee="bob", add_tags=("a", "b"), starred=True), "ann")
    row = ws.anomaly(anomaly_id)[0]
    assert (row.severity, row.assignee, row.tags, row.starred) == (
        Severity.CRITICAL, "bob", ("a", "b"), True,
    )  # fmt: skip
    assert ws.count_anomalies(FilterSpec(severities=(Severity.CRITICAL,))) == 1
    ws.triage(
        [anomaly_id],
        TriageChange(clear_severity=True, reason="not payroll", unassign=True,
                     remove_tags=("a",), starred=False),
        "ann",
    )  # fmt: skip
    row = ws.anomaly(anomaly_id)[0]
    assert (row.severity, row.assignee, row.tags, row.starred) == (
        Severity.MINOR, None, ("b",), False,
    )  # fmt: skip
    reasons = [json.loads(r.after or "{}").get("reason") for r in ws.history(anomaly_id)]
    assert reasons == ["payroll", None, "not payroll"]


def test_verdicts_and_rules_are_audited(ws: Workspace) -> None:
    (anomaly_id,) = seed(ws, n=1)
    ws.set_verdict(anomaly_id, Verdict.FALSE_POSITIVE, actor="ann")
    ws.set_verdict(anomaly_id, Verdict.FALSE_POSITIVE, actor="ann")  # no change: no record
    rule_id, muted = ws.add_suppression(Suppression("quiet", series_glob="a"), "ann")
    ws.delete_rule(rule_id, actor="bob")
    ws.add_detection_rule("hot", "value > 90", "major", "cid")
    records = ws.audit_records()
    assert [(r.actor, r.object_type, r.action) for r in records] == [
        ("ann", "anomaly", "verdict"),
        ("ann", "rule", "create"),
        ("bob", "rule", "delete"),
        ("cid", "rule", "create"),
    ]
    assert json.loads(records[0].after or "") == {"verdict": "false_positive"}
    assert json.loads(records[1].after or "")["muted"] == muted == 1
    assert records[1].object_uid == records[2].object_uid
    assert json.loads(records[2].before or "")["name"] == "quiet" and records[2].after is None
    with pytest.raises(WorkspaceError, match="no rule with id 77"):
        ws.delete_rule(77)
    assert ws.verify_audit().ok and ws.verify_audit().records == 4


def test_a_chain_that_does_not_end_at_its_head_takes_no_more_records(
    ws: Workspace, workspace_path: Path
) -> None:
    ids = seed(ws, n=3)
    ws.triage(ids, TriageChange(status=Status.TRIAGED), "ann")
    conn = raw(workspace_path)
    conn.execute("DROP TRIGGER audit_log_no_delete")
    conn.execute("DELETE FROM audit_log WHERE seq = 3")
    conn.close()
    before = logical_snapshot(workspace_path)
    with pytest.raises(WorkspaceError, match="does not end at its recorded head"):
        ws.set_status(ids[0], Status.INVESTIGATING, "ann")
    assert logical_snapshot(workspace_path) == before
