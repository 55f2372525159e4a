"""The pure proposal logic: what links anomalies, what does not, and how groups form."""

from __future__ import annotations

from anomaly_desk.model import AnomalyRow, Severity, Status
from anomaly_desk.triage.incidents import (
    GAP_NS,
    MIN_STRENGTH,
    MINUTE_NS,
    Relations,
    corroboration,
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
    assert propose(rows, relations(), min_strength=0) == []
    # Linked, though weakly (far apart in time): no floor here, this is about the gap.
    (proposal,) = propose(rows, relations(step_ns=hourly), min_strength=0)
    assert propose(rows, relations(step_ns=hourly)) == []
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


# -- strength: corroboration x relation x novelty, and the floor ------------------------------


def test_strength_is_corroboration_times_relation() -> None:
    # Two series of db-01 overlapping: relation 0.8 (same entity), nothing else anywhere.
    rows = [row(1, 2, 0, 10, score=90), row(2, 4, 0, 10, score=40)]
    (proposal,) = propose(rows, relations(correlation={}))
    assert corroboration(rows) == (90 * 40) ** 0.5 / 100
    assert proposal.score == round(100 * 0.6 * 0.8, 1)  # geometric mean 60, relation 0.8
    # A strong anomaly beside a faint one is one anomaly with a neighbour, not an incident.
    faint = [row(1, 2, 0, 10, score=90), row(2, 4, 0, 10, score=10)]
    assert propose(faint, relations(correlation={})) == []
    assert propose(faint, relations(correlation={}), min_strength=0)[0].score == 24.0


def test_the_floor_is_two_major_anomalies_on_one_entity() -> None:
    at_floor = [row(1, 2, 0, 10, score=50), row(2, 4, 0, 10, score=50)]
    (proposal,) = propose(at_floor, relations(correlation={}))
    assert proposal.score == MIN_STRENGTH == 40
    below = [row(1, 2, 0, 10, score=50), row(2, 4, 0, 10, score=49)]
    assert propose(below, relations(correlation={})) == []


def _pair_at(first_id: int, start_min: float, score: float = 80.0) -> list[AnomalyRow]:
    """web-01 and db-01 latency (r 0.81) unusual together at ``start_min``."""
    return [
        row(first_id, 1, start_min, start_min + 20, score, NAMES[1]),
        row(first_id + 1, 2, start_min + 5, start_min + 25, score, NAMES[2]),
    ]


def test_a_combination_that_recurs_is_a_pattern_not_news() -> None:
    day = 24 * 60
    once = _pair_at(1, 0)
    (alone,) = propose(once, relations())
    assert alone.score == round(80 * 0.81, 1)  # overlapping: closeness 1
    # The same pair unusual together on four other days: each occasion is worth a fifth.
    daily = [r for d in range(5) for r in _pair_at(10 * d + 1, d * day)]
    assert propose(daily, relations()) == []
    found = propose(daily, relations(), min_strength=0)
    assert len(found) == 5 and {p.score for p in found} == {round(80 * 0.81 / 5, 1)}
    # Only one of the two series on the other days: not the combination, no recurrence.
    lone = [row(100 + d, 1, d * day, d * day + 20, 80.0, NAMES[1]) for d in range(1, 5)]
    (proposal,) = propose(once + lone, relations())
    assert proposal.anomaly_ids == (1, 2) and proposal.score == alone.score


def test_half_of_a_wide_combination_recurring_counts() -> None:
    # Four db-01/web-01 series unusual together once; on another day two of them are (half).
    names = {1: "web-01/a", 2: "web-01/b", 3: "db-01/a", 4: "db-01/b"}
    rel = relations(
        names=names,
        entity={1: "web-01", 2: "web-01", 3: "db-01", 4: "db-01"},
        step_ns=dict.fromkeys(names, 5 * MINUTE_NS),
        correlation={frozenset((1, 3)): 0.9},
    )
    wide = [row(i, i, 0, 10, 90.0, names[i]) for i in names]
    (proposal,) = propose(wide, rel)
    later = [row(10, 1, 3000, 3010, 90.0, names[1]), row(11, 2, 3000, 3010, 90.0, names[2])]
    (again, _) = propose(wide + later, rel, min_strength=0)
    assert again.anomaly_ids == (1, 2, 3, 4) and again.score == round(proposal.score / 2, 1)
