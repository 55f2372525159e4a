"""The pure proposal logic: what links anomalies, what does not, and how groups form."""

from __future__ import annotations

from anomaly_desk.model import AnomalyRow, Severity, Status
from anomaly_desk.triage.incidents import (
    GAP_NS,
    MINUTE_NS,
    Relations,
    entity_of,
    links,
    propose,
)

HOUR = 60 * MINUTE_NS


def row(
    anomaly_id: int, series_id: int | None, start_min: float, end_min: float,
    score: float = 60.0, name: str | None = None,
) -> AnomalyRow:  # fmt: skip
    return AnomalyRow(
        id=anomaly_id, uid=f"u{anomaly_id}", dataset="d", series=name or f"s{series_id}",
        entity=None, type="spike", start_ns=int(start_min * MINUTE_NS),
        end_ns=int(end_min * MINUTE_NS), peak_ns=int(start_min * MINUTE_NS), score=score,
        severity=Severity.from_score(score), status=Status.NEW, assignee=None, tags=(),
        summary="", actual=None, expected=None, band_low=None, band_high=None, starred=False,
        series_id=series_id, dataset_id=1,
    )  # fmt: skip


NAMES = {1: "web-01/latency_ms", 2: "db-01/latency_ms", 3: "batch/queue", 4: "db-01/cpu_pct"}


def relations(**kw: object) -> Relations:
    base: dict[str, object] = {
        "names": NAMES,
        "entity": {i: e for i, n in NAMES.items() if (e := entity_of(n, None))},
        "step_ns": {i: 5 * MINUTE_NS for i in NAMES},
        "correlation": {frozenset((1, 2)): 0.81, frozenset((1, 3)): 0.05},
    }
    base.update(kw)
    return Relations(**base)  # type: ignore[arg-type]


def test_correlated_series_anomalous_together_make_one_proposal_unrelated_stays_out() -> None:
    rows = [row(10, 1, 0, 30, name=NAMES[1]), row(11, 2, 5, 35, name=NAMES[2]),
            row(12, 3, 0, 30, name=NAMES[3])]  # fmt: skip
    (proposal,) = propose(rows, relations())
    assert proposal.anomaly_ids == (10, 11)
    assert proposal.series == ("db-01/latency_ms", "web-01/latency_ms")
    (link,) = proposal.links
    assert link.reason == (
        "web-01/latency_ms and db-01/latency_ms usually move together (r 0.81) "
        "and overlapped in time"
    )
    assert 0 < proposal.score <= 60


def test_gap_is_in_the_reason_and_bounds_the_link() -> None:
    near = [row(1, 1, 0, 10), row(2, 2, 15, 20)]
    (proposal,) = propose(near, relations())
    assert "were anomalous within 5 min" in proposal.links[0].reason
    far = [row(1, 1, 0, 10), row(2, 2, 10 + GAP_NS / MINUTE_NS + 1, 80)]
    assert propose(far, relations()) == []


def test_gap_grows_with_the_series_step() -> None:
    hourly = {i: HOUR for i in NAMES}
    rows = [row(1, 1, 0, 60), row(2, 2, 60 + 5 * 60, 7 * 60)]  # five hours apart
    assert propose(rows, relations()) == []
    (proposal,) = propose(rows, relations(step_ns=hourly))
    assert proposal.anomaly_ids == (1, 2) and "within 5.0 h" in proposal.links[0].reason


def test_same_entity_links_without_correlation() -> None:
    rows = [row(1, 2, 0, 10, name=NAMES[2]), row(2, 4, 0, 10, name=NAMES[4])]
    (proposal,) = propose(rows, relations(correlation={}))
    assert "db-01/latency_ms and db-01/cpu_pct belong to db-01" in proposal.links[0].reason


def test_time_alone_links_nothing_and_weak_correlation_does_not_count() -> None:
    rows = [row(1, 1, 0, 10), row(2, 3, 0, 10)]
    assert propose(rows, relations()) == []
    assert propose(rows, relations(correlation={frozenset((1, 3)): 0.59})) == []
    (negative,) = propose(rows, relations(correlation={frozenset((1, 3)): -0.7}))
    assert "usually move in opposite directions (r -0.70)" in negative.links[0].reason


def test_groups_are_transitive_and_keep_the_strongest_links() -> None:
    # 1~2 by correlation, 2~4 by entity, 4 on its own series twice: one chain, one proposal.
    rows = [row(1, 1, 0, 10), row(2, 2, 5, 15), row(3, 4, 12, 20), row(4, 4, 40, 45)]
    (proposal,) = propose(rows, relations())
    assert proposal.anomaly_ids == (1, 2, 3, 4)
    assert len(proposal.links) == 3  # a spanning tree: one link per member joined
    assert [k.strength for k in proposal.links] == sorted(
        (k.strength for k in proposal.links), reverse=True
    )


def test_one_series_alone_is_not_an_incident_across_series() -> None:
    assert propose([row(1, 1, 0, 10), row(2, 1, 20, 30)], relations()) == []


def test_a_cross_series_finding_joins_the_series_it_names() -> None:
    joint = row(9, None, 0, 60, name=None)
    joint = AnomalyRow(**{**joint.__dict__, "series": None, "entity": "3 series together"})
    rows = [joint, row(1, 1, 10, 20), row(2, 3, 30, 40), row(3, 4, 0, 60)]
    (proposal,) = propose(rows, relations(correlation={}, involves={9: (1, 3)}))
    assert proposal.anomaly_ids == (1, 2, 9)  # 3 (db-01/cpu_pct) is not named: left out
    assert any("one of the 2 series found unusual together in #9" in k.reason
               for k in proposal.links)  # fmt: skip


def test_rows_without_series_or_named_series_take_no_part() -> None:
    event = AnomalyRow(**{**row(5, None, 0, 10).__dict__, "series": None, "entity": "db-01"})
    assert propose([event, row(1, 2, 0, 10)], relations()) == []


def test_entity_of() -> None:
    assert entity_of("db-01/latency_ms", None) == "db-01"
    assert entity_of("db-01/latency_ms", "rack-7") == "rack-7"
    assert entity_of("latency_ms", None) is None
    assert entity_of("/x", None) is None


def test_links_over_given_rows_keep_the_strongest_that_join_them() -> None:
    rows = [row(10, 1, 0, 30, name=NAMES[1]), row(11, 2, 5, 35, name=NAMES[2]),
            row(12, 3, 0, 30, name=NAMES[3]), row(13, 4, 0, 30, name=NAMES[4])]  # fmt: skip
    found = links(rows, relations())
    assert [(k.a, k.b) for k in found] == [(10, 11), (11, 13)]  # batch/queue is unrelated
    assert "usually move together" in found[0].reason and "belong to db-01" in found[1].reason
