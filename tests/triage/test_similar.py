"""Suggestions from history: like anomalies on the same series, with how they were judged."""

from __future__ import annotations

from anomaly_desk.model import NewAnomaly, Status, TriageChange, Verdict
from anomaly_desk.store import Workspace
from anomaly_desk.triage.similar import Candidate, rank, summary
from tests.triage.helpers import seed


def _c(
    i: int, actual: float | None, expected: float | None = 0.0, score: float = 50.0
) -> Candidate:
    return Candidate(i, i, score, actual, expected, Status.NEW, None)


def test_similar_means_same_sign_and_close_size() -> None:
    target = _c(0, 10.0)
    found = rank(target, [_c(1, 12.0), _c(2, -10.0), _c(3, 30.0), _c(4, 7.0), _c(0, 10.0)])
    assert [(s.id, s.distance) for s in found] == [(1, round(2 / 12, 6)), (4, 0.3)]


def test_without_actual_and_expected_the_score_decides() -> None:
    found = rank(_c(0, None, score=60), [_c(1, None, score=50), _c(2, None, score=20)])
    assert [s.id for s in found] == [1]


def test_a_recurring_false_alarm_is_recognised(ws: Workspace) -> None:
    past = [
        NewAnomaly("spike", t, t + 1, t, 60.0, series_id=1, actual=110.0 + k, expected=50.0)
        for k, t in enumerate((100, 200, 300))
    ]
    other = [
        NewAnomaly("dip", 150, 151, 150, 60.0, series_id=1, actual=-10.0, expected=50.0),
        NewAnomaly("spike", 160, 161, 160, 60.0, series_id=2, actual=110.0, expected=50.0),
        NewAnomaly("spike", 170, 171, 170, 90.0, series_id=1, actual=900.0, expected=50.0),
    ]
    ids = seed(ws, anomalies=[*past, *other])  # series 1 is "a", 2 is "b"
    for anomaly_id in ids[:2]:
        ws.set_verdict(anomaly_id, Verdict.FALSE_POSITIVE, actor="ann")
    ws.triage([ids[2]], TriageChange(status=Status.TRIAGED), "ann")
    (new,) = seed(ws, anomalies=[NewAnomaly("spike", 400, 401, 400, 61.0, series_id=1,
                                            actual=111.0, expected=50.0)])  # fmt: skip
    found = ws.similar_anomalies(new)
    assert [s.id for s in found] == [ids[1], ids[0], ids[2]]  # judged first, then closest
    assert [s.verdict for s in found] == [Verdict.FALSE_POSITIVE, Verdict.FALSE_POSITIVE, None]
    assert summary(found) == "3 similar before: 2 false positive, 1 not judged"
    assert summary([]) == ""
