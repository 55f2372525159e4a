"""Incident proposals: anomalies on different series that look like one incident. Pure.

Two anomalies are *linked* when they are close in time (overlapping, or apart by at most a gap
that grows with the series' step) AND their series are related:

* the same series, or series of the same entity (``db-01/latency_ms`` and ``db-01/cpu_pct``,
  or one value of the entity column);
* series that usually move together: |r| of their residuals over ordinary times at least
  ``STRONG`` (the store computes the correlations with ``detect.multiseries.align``);
* a cross-series finding (a joint deviation, a correlation break) and an anomaly on one of the
  series it names: the detector already saw them unusual together.

Closeness in time alone links nothing: two unrelated hosts failing in the same minute are two
incidents until someone says otherwise. Linked anomalies are grouped transitively (a maximum
spanning forest, so each proposal carries the strongest reasons that join it).

A group spanning at least two series becomes a proposal when its *strength* reaches
``MIN_STRENGTH``. Strength (0-100) multiplies three kinds of evidence:

* corroboration: the geometric mean of the two strongest *distinct series'* best scores. An
  incident across series is as believable as its second series: one strong anomaly beside a
  faint one is one anomaly with a neighbour, not a cross-series incident;
* relation: the mean strength of the links that join the group (|r|, same entity, named
  together, each discounted by the time between the two anomalies);
* novelty: ``1 / (1 + recurrences)``, where a recurrence is another occasion in the analysed
  anomalies when at least half (and at least two) of the group's series were unusual together.
  A combination seen every morning is a pattern the baseline misses (or a routine job), and it
  tells an analyst little each time; a rare one is news. (Alert-correlation tools weigh alerts
  by the same idea, as entropy: frequent alerts carry little information.)
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime

from anomaly_desk.model import AnomalyRow, IncidentLink, IncidentProposal

MINUTE_NS = 60 * 1_000_000_000
GAP_NS = 30 * MINUTE_NS  # anomalies this far apart may still be one incident ...
GAP_STEPS = 6  # ... or this many steps of the coarser series, whichever is longer
STRONG = 0.6  # |r| that makes two series "usually move together" (as detect.multiseries)
SAME_SERIES = 1.0  # strength of each kind of relation, before closeness in time weighs in
NAMED_TOGETHER = 0.9
SAME_ENTITY = 0.8
# The weakest proposal worth showing: two major anomalies (score 50) overlapping on series of
# one entity (0.8), seen nowhere else. Below it lie pairs of moderate findings and patterns
# that recur; they stay findable as anomalies, and the user can still group them by hand.
MIN_STRENGTH = 50.0 * SAME_ENTITY


@dataclass(frozen=True)
class Relations:
    """What the store knows about how series relate; every map is keyed by series id.

    ``correlation`` is keyed by ``frozenset({id_a, id_b})``; ``involves`` maps the id of a
    cross-series finding (an anomaly without a series of its own) to the series it names.
    """

    names: Mapping[int, str] = field(default_factory=dict)
    entity: Mapping[int, str] = field(default_factory=dict)
    step_ns: Mapping[int, int] = field(default_factory=dict)
    correlation: Mapping[frozenset[int], float] = field(default_factory=dict)
    involves: Mapping[int, tuple[int, ...]] = field(default_factory=dict)


def entity_of(series_name: str, entity_column: str | None) -> str | None:
    """The entity a series belongs to: the entity column's value, else the name before "/"."""
    if entity_column:
        return entity_column
    head, sep, _ = series_name.partition("/")
    return head if sep and head else None


def propose(
    rows: Sequence[AnomalyRow],
    relations: Relations,
    gap_ns: int = GAP_NS,
    min_strength: float = MIN_STRENGTH,
) -> list[IncidentProposal]:
    """Proposals over ``rows`` with a strength of at least ``min_strength``, strongest first
    (the strength is the proposal's ``score``). Rows with neither a series nor named series
    (events, records) take no part: nothing here says how they relate."""
    usable = [r for r in rows if r.series_id is not None or r.id in relations.involves]
    forest = _spanning_forest(_candidate_links(usable, relations, gap_ns))
    by_id = {r.id: r for r in usable}
    history = _History(usable, relations, gap_ns)
    proposals = []
    for ids, kept in forest:
        members = [by_id[i] for i in ids]
        # Novelty is at most 1 and the costliest part: only groups that could pass need it.
        bound = 100.0 * corroboration(members) * _mean_strength(kept)
        if bound <= 0.0 or bound < min_strength:  # 0: on one series, not across series
            continue
        strength = bound / (1 + history.recurrences(members))
        if strength >= min_strength:
            proposals.append(_proposal(members, kept, strength))
    return sorted(proposals, key=lambda p: (-p.score, p.start_ns, p.anomaly_ids))


def corroboration(members: Sequence[AnomalyRow]) -> float:
    """0-1: the geometric mean of the best scores of the two strongest distinct series (0 when
    the members lie on fewer than two series: not an incident across series)."""
    best: dict[int, float] = {}
    for m in members:
        if m.series_id is not None:
            best[m.series_id] = max(best.get(m.series_id, 0.0), m.score)
    if len(best) < 2:
        return 0.0
    first, second = sorted(best.values(), reverse=True)[:2]
    return math.sqrt(max(first, 0.0) * max(second, 0.0)) / 100.0


class _History:
    """The analysed anomalies by series, to count how often a combination of series was unusual
    together (with the same closeness in time as a link)."""

    def __init__(self, rows: Sequence[AnomalyRow], relations: Relations, gap_ns: int) -> None:
        self._relations = relations
        self._gap_ns = gap_ns
        self._by_series: dict[int, list[AnomalyRow]] = {}
        for row in rows:
            if row.series_id is not None:
                self._by_series.setdefault(row.series_id, []).append(row)

    def recurrences(self, members: Sequence[AnomalyRow]) -> int:
        """Occasions, outside ``members``, when at least half (and at least two) of the
        members' series had anomalies that chain together within the allowed gap."""
        series = {m.series_id for m in members if m.series_id is not None}
        need = max(2, math.ceil(len(series) / 2))
        steps = [self._relations.step_ns.get(s, 0) for s in series]
        allowed = max([self._gap_ns, *(GAP_STEPS * s for s in steps)])
        own = {m.id for m in members}
        others = sorted(
            (r for s in series for r in self._by_series.get(s, ()) if r.id not in own),
            key=lambda r: (r.start_ns, r.id),
        )
        count, seen, end = 0, set[int](), -1
        for row in others:
            if seen and row.start_ns - end > allowed:  # a new occasion begins
                count += len(seen) >= need
                seen = set()
            if not seen:
                end = row.end_ns
            seen.add(row.series_id or 0)
            end = max(end, row.end_ns)
        return count + (len(seen) >= need)


def links(
    rows: Sequence[AnomalyRow], relations: Relations, gap_ns: int = GAP_NS
) -> list[IncidentLink]:
    """The links ``propose`` would keep between ``rows`` (the strongest that join them),
    strongest first: the reasons a stored incident's members belong together."""
    usable = [r for r in rows if r.series_id is not None or r.id in relations.involves]
    kept = [
        k
        for _, group in _spanning_forest(_candidate_links(usable, relations, gap_ns))
        for k in group
    ]
    return sorted(kept, key=lambda k: (-k.strength, k.a, k.b))


def _candidate_links(
    rows: Sequence[AnomalyRow], relations: Relations, gap_ns: int
) -> list[IncidentLink]:
    """Every linked pair, found with a sweep over start times (only near neighbours meet)."""
    widest = max([gap_ns, *(GAP_STEPS * s for s in relations.step_ns.values())])
    ordered = sorted(rows, key=lambda r: (r.start_ns, r.id))
    active: list[AnomalyRow] = []
    found: list[IncidentLink] = []
    for row in ordered:
        active = [a for a in active if a.end_ns + widest >= row.start_ns]
        for other in active:
            link = _link(other, row, relations, gap_ns)
            if link is not None:
                found.append(link)
        active.append(row)
    return found


def _link(x: AnomalyRow, y: AnomalyRow, relations: Relations, gap_ns: int) -> IncidentLink | None:
    apart = max(0, max(x.start_ns, y.start_ns) - min(x.end_ns, y.end_ns))
    steps = [relations.step_ns.get(i, 0) for i in (x.series_id, y.series_id) if i is not None]
    allowed = max([gap_ns, *(GAP_STEPS * s for s in steps)])
    if apart > allowed:
        return None
    relation = _relation(x, y, relations)
    if relation is None:
        return None
    strength, why = relation
    # Overlapping counts fully; at the edge of the allowed gap a link counts half.
    closeness = 1.0 - 0.5 * apart / allowed if allowed else 1.0
    when = "overlapped in time" if apart == 0 else f"were anomalous within {_span(apart)}"
    return IncidentLink(
        min(x.id, y.id), max(x.id, y.id), round(strength * closeness, 3), f"{why} and {when}"
    )


def _relation(x: AnomalyRow, y: AnomalyRow, relations: Relations) -> tuple[float, str] | None:
    """The strongest relation between the series of ``x`` and ``y``: (strength, in words)."""
    best: tuple[float, str] | None = None

    def offer(strength: float, why: str) -> None:
        nonlocal best
        if best is None or strength > best[0]:
            best = (strength, why)

    for joint, other in ((x, y), (y, x)):
        named = relations.involves.get(joint.id, ())
        if other.series_id is not None and other.series_id in named:
            offer(
                NAMED_TOGETHER,
                f"{_label(other, relations)} is one of the {len(named)} series found "
                f"unusual together in #{joint.id}",
            )
    if x.series_id is None or y.series_id is None:
        return best
    a, b = _label(x, relations), _label(y, relations)
    if x.series_id == y.series_id:
        offer(SAME_SERIES, f"two anomalies on {a}")
        return best
    ex, ey = relations.entity.get(x.series_id), relations.entity.get(y.series_id)
    if ex is not None and ex == ey:
        offer(SAME_ENTITY, f"{a} and {b} belong to {ex}")
    r = relations.correlation.get(frozenset((x.series_id, y.series_id)))
    if r is not None and abs(r) >= STRONG:
        verb = "usually move together" if r > 0 else "usually move in opposite directions"
        offer(abs(r), f"{a} and {b} {verb} (r {r:.2f})")
    return best


def _spanning_forest(
    links: Sequence[IncidentLink],
) -> list[tuple[list[int], list[IncidentLink]]]:
    """Groups of linked anomaly ids, each with the strongest links joining it (Kruskal)."""
    parent: dict[int, int] = {}

    def root(i: int) -> int:
        parent.setdefault(i, i)
        while parent[i] != i:
            parent[i] = parent[parent[i]]  # path halving keeps the trees flat
            i = parent[i]
        return i

    kept: list[IncidentLink] = []
    for link in sorted(links, key=lambda k: (-k.strength, k.a, k.b)):
        ra, rb = root(link.a), root(link.b)
        if ra != rb:
            parent[max(ra, rb)] = min(ra, rb)
            kept.append(link)
    groups: dict[int, list[int]] = {}
    for i in parent:
        groups.setdefault(root(i), []).append(i)
    joined: dict[int, list[IncidentLink]] = {}
    for link in kept:
        joined.setdefault(root(link.a), []).append(link)
    return [(sorted(ids), joined.get(r, [])) for r, ids in groups.items()]


def _mean_strength(links: Sequence[IncidentLink]) -> float:
    return sum(k.strength for k in links) / len(links) if links else 0.0


def _proposal(
    members: Sequence[AnomalyRow], links: Sequence[IncidentLink], strength: float
) -> IncidentProposal:
    series = sorted({m.series for m in members if m.series is not None})
    top = max(members, key=lambda m: (m.score, -m.id))
    start = min(m.start_ns for m in members)
    others = len(series) - 1
    lead = top.series or top.entity or f"#{top.id}"
    more = f" and {others} more series" if top.series and others > 0 else ""
    at = datetime.fromtimestamp(start / 1e9, tz=UTC)
    return IncidentProposal(
        anomaly_ids=tuple(sorted(m.id for m in members)),
        series=tuple(series),
        start_ns=start,
        end_ns=max(m.end_ns for m in members),
        score=round(strength, 1),
        title=f"{lead}{more} from {at:%Y-%m-%d %H:%M} UTC",
        links=tuple(links),
    )


def _label(row: AnomalyRow, relations: Relations) -> str:
    if row.series_id is not None:
        return relations.names.get(row.series_id) or row.series or f"series {row.series_id}"
    return row.entity or f"#{row.id}"


def _span(ns: int) -> str:
    minutes = ns / MINUTE_NS
    if minutes < 1:
        return f"{ns / 1e9:.0f} s"
    if minutes < 120:
        return f"{minutes:.0f} min"
    return f"{minutes / 60:.1f} h"
