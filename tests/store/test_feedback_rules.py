"""False-positive feedback: proposals previewed with counts, applied only when accepted."""

from __future__ import annotations

from pathlib import Path

import pytest

from anomaly_desk.detect.feedback import propose_suppressions
from anomaly_desk.errors import BadInputError
from anomaly_desk.model import FilterSpec, NewAnomaly, NewRun, RuleKind, Suppression, Verdict
from anomaly_desk.store import Workspace
from tests.conftest import logical_snapshot
from tests.store.test_anomalies import _populate


def test_false_positive_proposals_preview_then_apply(ws: Workspace, workspace_path: Path) -> None:
    _populate(ws, n=200)
    rows, _ = ws.anomalies(FilterSpec(types=("dip",)), limit=1000)
    fp = next(r for r in rows if r.series == "host-1" and r.score == 55.0)
    ws.set_verdict(fp.id, Verdict.FALSE_POSITIVE)
    pattern, threshold = propose_suppressions(fp)
    all_rows, _ = ws.anomalies(FilterSpec(), limit=1000)
    # Pattern: same series and type, no stronger and no longer than the judged one (these
    # synthetic anomalies have no expected value, so size does not narrow it).
    expected_pattern = [
        r for r in all_rows
        if r.series == "host-1" and r.type == "dip" and r.score <= fp.score
        and r.duration_ns <= fp.duration_ns
    ]  # fmt: skip
    expected_threshold = [r for r in all_rows if r.series == "host-1" and r.score <= fp.score]
    before = logical_snapshot(workspace_path)
    assert ws.preview_suppression(pattern) == len(expected_pattern) > 0
    assert ws.preview_suppression(threshold) == len(expected_threshold) > len(expected_pattern)
    assert logical_snapshot(workspace_path) == before  # a preview changes nothing
    rule_id, muted = ws.add_suppression(pattern, actor="ann")
    assert muted == len(expected_pattern)
    shown = ws.count_anomalies(FilterSpec())
    assert shown == len(all_rows) - muted
    # Muted, not lost: still findable on request.
    assert ws.count_anomalies(FilterSpec(include_suppressed=True)) == len(all_rows)
    ws.delete_rule(rule_id)
    assert ws.count_anomalies(FilterSpec()) == len(all_rows)


def test_standing_rules_mute_new_runs(ws: Workspace) -> None:
    _, run = _populate(ws, n=10)
    window = Suppression(name="patching", series_glob="host-[02]", start_ns=0, end_ns=10**12)
    ws.add_suppression(window, actor="ann", kind=RuleKind.MAINTENANCE)
    new = [
        NewAnomaly("spike", 5, 6, 5, 80.0, series_id=s.id) for s in ws.series(ws.dataset("metrics"))
    ]
    ws.add_detection_run(NewRun(run.dataset_id, "auto", {}, {}, 0, "0" * 64), new, "now")
    visible = ws.anomalies(FilterSpec(types=("spike",), min_score=80, max_score=80), limit=100)[0]
    assert {r.series for r in visible if r.start_ns == 5} == {"host-1"}


def test_glob_specials_in_series_names_match_literally(ws: Workspace) -> None:
    _populate(ws, n=30)
    rows, _ = ws.anomalies(FilterSpec(), limit=100)
    (pattern, _) = propose_suppressions(rows[0])
    assert pattern.series_glob == rows[0].series  # no specials in "host-N"
    weird = propose_suppressions(rows[0].__class__(**{**rows[0].__dict__, "series": "a*[b]?"}))[0]
    assert weird.series_glob == "a[*][[]b][?]"


def test_detection_rules_are_checked_before_they_are_stored(ws: Workspace) -> None:
    rule_id = ws.add_detection_rule("hot", "value > 90 for 10m", "critical", "ann", "web-*")
    (stored,) = ws.rules(RuleKind.DETECTION)
    assert stored.id == rule_id and stored.definition["expression"] == "value > 90 for 10m"
    with pytest.raises(BadInputError, match="unknown name 'exec'"):
        ws.add_detection_rule("bad", "exec(value) > 1", "major", "ann")
    assert len(ws.rules()) == 1
