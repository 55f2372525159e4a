"""The triage and audit work the window runs in workers, tested alone on a detected workspace."""

from __future__ import annotations

from pathlib import Path

import pytest

from anomaly_desk.gui.audit_tasks import AuditQuery, describe, load_audit, verify_chain
from anomaly_desk.gui.triage_tasks import (
    accept_suppression,
    add_comment,
    confirm,
    false_positive,
    status_path,
)
from anomaly_desk.model import AuditRecord, FilterSpec, SortSpec, Status
from anomaly_desk.progress import Progress
from anomaly_desk.store import Workspace
from anomaly_desk.triage.workflow import TransitionRefused

S = Status


def silent() -> Progress:
    return Progress(lambda _f, _m: None)


def test_status_paths_follow_the_workflow() -> None:
    assert status_path(S.NEW, S.TRIAGED) == (S.TRIAGED,)
    assert status_path(S.NEW, S.FALSE_POSITIVE) == (S.TRIAGED, S.FALSE_POSITIVE)
    assert status_path(S.TRIAGED, S.FALSE_POSITIVE) == (S.FALSE_POSITIVE,)
    assert status_path(S.FALSE_POSITIVE, S.FALSE_POSITIVE) == ()
    assert status_path(S.RESOLVED, S.FALSE_POSITIVE) is None  # reopen first


def record(action: str, kind: str, before: str | None, after: str | None) -> AuditRecord:
    return AuditRecord(1, "2024-05-01T12:34:56.789+00:00", "ana", action, kind, "u1", before,
                       after, "0" * 64, "1" * 64)  # fmt: skip


def test_records_read_as_one_line() -> None:
    update = record(
        "update",
        "anomaly",
        '{"assignee":null,"status":"new"}',
        '{"assignee":"bo","reason":"seen it","status":"triaged"}',
    )
    assert describe(update) == "status: new → triaged; assignee: — → bo; reason: seen it"
    assert describe(
        record("verdict", "anomaly", '{"verdict":null}', '{"verdict":"confirmed"}')
    ) == ("verdict: — → confirmed")
    comment = record("create", "comment", None, '{"anomaly":"u1","body":"see #4\\nlater"}')
    assert describe(comment) == "commented: see #4 later"
    rule = record("create", "rule", None, '{"kind":"suppression","muted":3,"name":"quiet"}')
    assert describe(rule) == "create suppression rule 'quiet', muted 3"


@pytest.fixture
def ws(detected_ws: Path) -> Workspace:
    return Workspace.open(detected_ws, create=False)


def first_ids(ws: Workspace, n: int) -> list[int]:
    rows, _ = ws.anomalies(FilterSpec(), SortSpec("score", True), None, n)
    return [r.id for r in rows]


def test_confirm_and_false_positive_change_the_store(ws: Workspace) -> None:
    a, b, c = first_ids(ws, 3)
    with ws:
        done = confirm(silent(), ws, (a, b), "ana")
        assert [r.row.status for r in done.rows] == [S.TRIAGED, S.TRIAGED]
        assert done.result is not None and done.result.changed == (a, b)  # one triage call
        assert "verdict: — → confirmed" in [describe(r) for r in ws.history(a)]
        judged = false_positive(silent(), ws, (c,), "ana")
        assert judged.rows[0].row.status is S.FALSE_POSITIVE
        assert len(judged.proposals) == 2 and all(p.would_hide >= 0 for p in judged.proposals)
        ws.set_status(a, S.RESOLVED, "ana")
        before = [ws.anomaly(i)[0].status for i in (a, b)]
        with pytest.raises(TransitionRefused, match="from resolved to false_positive"):
            false_positive(silent(), ws, (b, a), "ana")  # b could go, a cannot: neither does
        assert [ws.anomaly(i)[0].status for i in (a, b)] == before


def test_an_accepted_suppression_mutes_what_it_said(ws: Workspace) -> None:
    with ws:
        anomaly_id = first_ids(ws, 30)[-1]
        judged = false_positive(silent(), ws, (anomaly_id,), "ana")
        proposal = max(judged.proposals, key=lambda p: p.would_hide)
        shown = ws.count_anomalies()
        _, muted = accept_suppression(silent(), ws, proposal.rule, "my rule", "ana")
        assert muted == proposal.would_hide
        assert ws.count_anomalies() == shown - muted
        assert [r.name for r in ws.rules()] == ["my rule"]


def test_comments_history_and_the_audit_log(ws: Workspace) -> None:
    with ws:
        a, b = first_ids(ws, 2)
        info = add_comment(silent(), ws, a, f"same as #{b}", "ana")
        assert info.comments[0].links == (b,)
        assert [describe(r) for r in info.history] == [f"commented: same as #{b}"]
        confirm(silent(), ws, (b,), "bo")
        page = load_audit(silent(), ws, AuditQuery())
        assert page.matched == len(page.rows) == 3 and page.rows[0].actor == "bo"  # newest first
        only_a = load_audit(silent(), ws, AuditQuery(anomaly_id=a))
        assert [r.change for r in only_a.rows] == [f"commented: same as #{b}"]
        assert load_audit(silent(), ws, AuditQuery(actor="BO")).matched == 2
        assert verify_chain(silent(), ws).ok
