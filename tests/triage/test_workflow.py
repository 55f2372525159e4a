"""The status lifecycle: every pair of statuses, allowed or refused, in the rules and the store."""

from __future__ import annotations

import itertools
from pathlib import Path

import pytest

from anomaly_desk.errors import BadInputError
from anomaly_desk.model import Severity, Status, TriageChange
from anomaly_desk.store import Workspace
from anomaly_desk.triage.workflow import TransitionRefused, TriageState, allowed, normalized, plan
from tests.conftest import logical_snapshot
from tests.triage.helpers import seed, set_status_raw

S = Status
# Written out here on purpose, not copied from TRANSITIONS: the test states the lifecycle.
EXPECTED = {
    (S.NEW, S.TRIAGED),
    (S.TRIAGED, S.INVESTIGATING),
    (S.TRIAGED, S.RESOLVED),
    (S.TRIAGED, S.FALSE_POSITIVE),
    (S.INVESTIGATING, S.RESOLVED),
    (S.INVESTIGATING, S.FALSE_POSITIVE),
    (S.RESOLVED, S.TRIAGED),
    (S.RESOLVED, S.INVESTIGATING),
    (S.FALSE_POSITIVE, S.TRIAGED),
    (S.FALSE_POSITIVE, S.INVESTIGATING),
}
PAIRS = [(a, b) for a, b in itertools.product(Status, Status) if a != b]


@pytest.mark.parametrize(("src", "dst"), PAIRS, ids=[f"{a}->{b}" for a, b in PAIRS])
def test_the_rules_allow_exactly_the_lifecycle(src: Status, dst: Status) -> None:
    assert allowed(src, dst) == ((src, dst) in EXPECTED)


def test_the_store_enforces_every_pair(ws: Workspace, workspace_path: Path) -> None:
    ids = seed(ws, n=len(PAIRS))
    for anomaly_id, (src, _) in zip(ids, PAIRS, strict=True):
        set_status_raw(workspace_path, anomaly_id, src)
    for anomaly_id, (src, dst) in zip(ids, PAIRS, strict=True):
        records = len(ws.history(anomaly_id))
        if (src, dst) in EXPECTED:
            result = ws.set_status(anomaly_id, dst, "ann")
            assert result.changed == (anomaly_id,)
            assert ws.anomaly(anomaly_id)[0].status is dst
            assert len(ws.history(anomaly_id)) == records + 1
        else:
            before = logical_snapshot(workspace_path)
            with pytest.raises(TransitionRefused) as refused:
                ws.set_status(anomaly_id, dst, "ann")
            assert f"from {src} to {dst}" in str(refused.value)
            assert f"anomaly {anomaly_id}" in str(refused.value)
            assert (refused.value.src, refused.value.dst) == (src, dst)
            assert logical_snapshot(workspace_path) == before


def test_setting_the_same_status_is_no_change_and_no_record(ws: Workspace) -> None:
    (anomaly_id,) = seed(ws, n=1)
    ws.set_status(anomaly_id, Status.TRIAGED, "ann")
    result = ws.set_status(anomaly_id, Status.TRIAGED, "ann")
    assert result.changed == () and result.unchanged == (anomaly_id,)
    assert len(ws.history(anomaly_id)) == 1


def _state(**kw: object) -> TriageState:
    base: dict[str, object] = dict(
        status=S.NEW, assignee=None, severity_override=None, starred=False,
        tags=frozenset(), score=42.0, score_at_triage=None,
    )  # fmt: skip
    return TriageState(**{**base, **kw})


def test_score_at_triage_is_taken_once_when_leaving_new() -> None:
    before, after = plan(1, _state(), TriageChange(status=S.TRIAGED))
    assert (before["score_at_triage"], after["score_at_triage"]) == (None, 42.0)
    reopened = _state(status=S.RESOLVED, score=90.0, score_at_triage=42.0)
    _, after = plan(1, reopened, TriageChange(status=S.TRIAGED))
    assert "score_at_triage" not in after


@pytest.mark.parametrize(
    ("change", "message"),
    [
        (TriageChange(), "nothing to change"),
        (TriageChange(reason="because"), "nothing to change"),
        (TriageChange(severity=Severity.MAJOR), "needs a reason"),
        (TriageChange(clear_severity=True, reason="  "), "needs a reason"),
        (TriageChange(severity=Severity.MAJOR, clear_severity=True, reason="x"), "not both"),
        (TriageChange(assignee="ann", unassign=True), "not both"),
        (TriageChange(assignee="  "), "must not be empty"),
        (TriageChange(add_tags=("dns",), remove_tags=("dns",)), "both added and removed"),
        (TriageChange(add_tags=("a\tb",)), "one line"),
        (TriageChange(add_tags=("x" * 101,)), "limit is 100"),
        (TriageChange(comment="bad \x00 byte"), "control characters"),
        (TriageChange(comment="half a pair \ud800"), "not valid Unicode"),
    ],
)
def test_bad_changes_are_refused_with_a_reason(change: TriageChange, message: str) -> None:
    with pytest.raises(BadInputError, match=message):
        normalized(change)


def test_text_is_trimmed_and_tags_deduplicated() -> None:
    change = normalized(TriageChange(assignee=" ann ", add_tags=("dns", " dns "), comment=" hi\n"))
    assert (change.assignee, change.add_tags, change.comment) == ("ann", ("dns",), "hi")
