"""Event-graph family: who reaches what, how often, and how suddenly.

String columns with many values (users, hosts) are nodes, each event an edge for every ordered pair
of them, columns with few values (action, result) edge attributes. Signals: *novelty* (an edge new
after the learning period, or seen on few days), *fan-out* (far more distinct destinations in an
hour than usual) and *rate burst* (far more events of one edge[, attribute value] in an hour than
usual). Candidates merge, strongest first, when most of their events already form a finding, so
one incident seen by several signals is one finding. Sensitivity only filters the merged findings
by score (more sensitivity, a superset). Deterministic: ``seed`` is unused.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np
import numpy.typing as npt
import pandas as pd

from anomaly_desk.detect.findings import Contribution, Finding

IntArray = npt.NDArray[np.int64]
FloatArray = npt.NDArray[np.float64]
Labels = npt.NDArray[np.object_]

HOUR_NS = 3_600_000_000_000
DAY_NS = 24 * HOUR_NS
MAX_ATTRIBUTE_VALUES = 10  # up to this many values a column describes edges, it is no node
MAX_ENTITY_VALUES = 50_000
LEARN_SHARE = 0.25  # the first quarter of the time span only teaches what is usual ...
MIN_LEARN_EVENTS = 500  # ... and at least this many events do
GROUP_GAP_NS = HOUR_NS  # a source's novel edges closer than this are one finding
RARE_MAX_DAYS = 2  # an edge active on at most this many days ...
RARE_MIN_SOURCE_DAYS = 7  # ... of a source active on at least this many is rare
MIN_HISTORY = 5  # active hours before a source's (or pair's) own baseline is trusted
FANOUT_MIN_EXTRA = 3  # distinct destinations above the usual before a fan-out counts
BURST_MIN_EXTRA = 5  # events above the usual before a burst counts ...
BURST_MIN_RATIO = 3.0  # ... and this many times the usual
MERGE_SHARE = 0.5  # a candidate whose events are mostly in one finding joins it
SCALES = {"new edge": "raw", "rare pair": "raw", "fan-out": "1h", "rate burst": "1h"}


def min_score(sensitivity: float) -> float:
    """The score a finding needs at ``sensitivity`` (0 → 65, 0.5 → 35, 1 → 5)."""
    return 5.0 + 60.0 * (1.0 - float(np.clip(sensitivity, 0.0, 1.0)))


def exp_score(strength: FloatArray, offset: float, scale: float) -> FloatArray:
    """Strength above ``offset`` mapped onto 0-100, saturating (no cliff at the top)."""
    return 100.0 * (1.0 - np.exp(-np.maximum(strength - offset, 0.0) / scale))


@dataclass(frozen=True)
class _Events:
    ts: IntArray  # ns UTC, ascending
    codes: dict[str, IntArray]  # factorised values, -1 = missing
    labels: dict[str, Labels]
    learn_end: int
    day: IntArray  # days since the first event
    seen_days: dict[str, IntArray]  # node columns: earlier active days of the event's value

    def label(self, column: str, row: int | np.integer[Any]) -> str:
        return str(self.labels[column][self.codes[column][row]])


@dataclass
class _Candidate:
    type: str
    score: float
    strength: float
    entity: str
    rows: IntArray  # positions in the time-sorted events, ascending
    signals: dict[str, float]  # signal name -> share of this candidate's evidence
    detail: str
    narrative: str
    context: dict[str, Any]
    peak_ns: int
    numbers: dict[str, Any] | None = None  # actual, expected, band_low/high, deviation_sigma
    tiebreak: tuple[float, float] = (0.0, 0.0)


def detect_events(
    frame: pd.DataFrame,
    timestamp: str,
    fields: Sequence[str],
    sensitivity: float = 0.5,
    seed: int = 0,
) -> list[Finding]:
    """Findings of the event log ``frame``: novel edges, fan-outs and rate bursts (best first)."""
    del seed  # deterministic: nothing is sampled
    if len(frame) == 0:
        return []
    ev, nodes, attributes = _prepare(frame, timestamp, fields)
    if len(nodes) >= 2:
        pairs = [(a, b) for i, a in enumerate(nodes) for b in nodes[i + 1 :]]
    else:  # one node column: its edges go to the attribute values (user→action)
        pairs = [(a, b) for a in nodes for b in attributes]
    floor = min_score(1.0)
    candidates: list[_Candidate] = []
    for a, b in pairs:
        candidates += _novelty(ev, a, b, nodes, floor)
        for attribute in ["*", None, *(x for x in attributes if x not in (a, b))]:
            candidates += _hourly(ev, a, b, attribute, nodes, floor)
    findings = _merge(candidates, ev.ts)
    return [f for f in findings if f.score >= min_score(sensitivity)]


def _prepare(
    frame: pd.DataFrame, timestamp: str, fields: Sequence[str]
) -> tuple[_Events, list[str], list[str]]:
    if timestamp not in frame.columns or frame[timestamp].dtype.kind != "M":
        raise ValueError(f"the events need a column {timestamp!r} of datetimes")
    index = pd.DatetimeIndex(frame[timestamp])
    index = index.tz_convert("UTC") if index.tz is not None else index.tz_localize("UTC")
    if index.hasnans:
        raise ValueError(f"the column {timestamp!r} has missing times")
    raw = index.as_unit("ns").asi8
    order = np.argsort(raw, kind="stable")
    ts = np.asarray(raw[order], dtype=np.int64)
    codes, labels = dict[str, IntArray](), dict[str, Labels]()
    nodes, attributes = list[str](), list[str]()
    for column in (c for c in fields if c in frame.columns and c != timestamp):
        values = frame[column]
        if values.dtype.kind in "biufcmM":
            continue  # numbers and times are no graph nodes
        code, uniques = pd.factorize(values.astype("string").to_numpy()[order], sort=True)
        codes[column] = np.asarray(code, dtype=np.int64)
        labels[column] = np.asarray(uniques, dtype=object)
        if MAX_ATTRIBUTE_VALUES < len(uniques) <= MAX_ENTITY_VALUES:
            nodes.append(column)
        elif 2 <= len(uniques) <= MAX_ATTRIBUTE_VALUES:
            attributes.append(column)
    learn_end = int(ts[0] + LEARN_SHARE * (ts[-1] - ts[0]))
    learn_end = max(learn_end, int(ts[min(MIN_LEARN_EVENTS, len(ts) - 1)]))
    day = (ts - ts[0]) // DAY_NS
    seen = {x: np.where(codes[x] >= 0, _days_before(codes[x], day), len(ts)) for x in nodes}
    return _Events(ts, codes, labels, learn_end, day, seen), nodes, attributes


def _prior(keys: IntArray, flags: npt.NDArray[np.bool_]) -> tuple[IntArray, IntArray]:
    """Per event: earlier events of its key, and how many of those were flagged (time order)."""
    grouped = pd.Series(flags.astype(np.int64)).groupby(keys)
    earlier = np.asarray(grouped.cumsum(), dtype=np.int64) - flags
    return np.asarray(grouped.cumcount(), dtype=np.int64), earlier


def _days_before(keys: IntArray, day: IntArray) -> IntArray:
    """Per event: on how many earlier days its key occurred (events in time order)."""
    day_start = np.zeros(len(keys), bool)
    day_start[np.unique(keys * (int(day.max()) + 1) + day, return_index=True)[1]] = True
    return _prior(keys, day_start)[1] - ~day_start


def _distinct_per(key: IntArray, other: IntArray, size: int) -> IntArray:
    """For each key id in ``range(size)``: how many distinct ``other`` values it occurs with."""
    width = int(other.max()) + 1
    return np.bincount(np.unique(key * width + other) // width, minlength=size)


def _cells(key: IntArray, ts: IntArray) -> tuple[IntArray, IntArray, IntArray, IntArray]:
    """Group events by (key, clock hour): sort order, run starts and lengths, each cell's key."""
    hour = ts // HOUR_NS - ts[0] // HOUR_NS
    cell = key * (int(hour.max()) + 1) + hour
    order = np.argsort(cell, kind="stable")  # stable: time order inside each cell
    starts = np.flatnonzero(np.r_[True, cell[order][1:] != cell[order][:-1]])
    return order, starts, np.diff(np.r_[starts, len(cell)]), key[order[starts]]


def _judge(group: IntArray, value: FloatArray) -> tuple[FloatArray, FloatArray, FloatArray]:
    """Median, robust z and pooled flag per cell, against the cells of the same group. A group
    of fewer than ``MIN_HISTORY`` cells borrows the median and MAD of all cells (a new pair that
    bursts is judged against pairs in general); the scale never falls below the Poisson spread of
    the median (counts of 1-2 make no sharp baseline)."""
    series = pd.Series(value)
    median = series.groupby(group).transform("median").to_numpy(np.float64)
    mad = (series - median).abs().groupby(group).transform("median").to_numpy(np.float64)
    short = series.groupby(group).transform("size").to_numpy(np.int64) < MIN_HISTORY
    pooled = float(np.median(value))
    median = np.where(short, pooled, median)
    mad = np.where(short, float(np.median(np.abs(value - pooled))), mad)
    scale = np.maximum(1.4826 * mad, np.sqrt(np.maximum(median, 1.0)))
    return median, (value - median) / scale, short.astype(np.float64)


def _novelty(ev: _Events, a: str, b: str, nodes: list[str], floor: float) -> list[_Candidate]:
    idx = np.flatnonzero((ev.codes[a] >= 0) & (ev.codes[b] >= 0))
    if len(idx) == 0:
        return []
    src, dst, ts = ev.codes[a][idx], ev.codes[b][idx], ev.ts[idx]
    _, first, eid = np.unique(src * len(ev.labels[b]) + dst, return_index=True, return_inverse=True)
    is_first = np.bincount(first, minlength=len(idx)).astype(bool)
    day = ev.day[idx]
    edge_days = _distinct_per(eid, day, len(first))[eid]
    src_days = _distinct_per(src, day, len(ev.labels[a]))[src]
    # How often has the source gained a neighbour per active day (after its first day, whose
    # neighbours are its starting set)? Days, not events: events come in bursts and sessions.
    # The days are those of the least established party of the event: a newcomer (a new user on
    # a shared desktop, a new server) explains its edges away.
    prior_days = ev.seen_days[a][idx]
    least = np.min([ev.seen_days[x][idx] for x in nodes], axis=0)
    prior_n, growth = _prior(src, is_first & (prior_days > 0))
    new = is_first & (ts >= ev.learn_end)
    surprise = np.where(new, -np.log10((growth + 1.0) / (least + 2.0)), 0.0)
    rare = (edge_days <= RARE_MAX_DAYS) & (src_days >= RARE_MIN_SOURCE_DAYS)
    surprise += np.where(rare, np.log10((src_days + 1.0) / (edge_days + 0.5)), 0.0)
    # Anchors: an edge's first event of each day, when it is new or rare.
    _, day_first = np.unique(eid * (int(day.max()) + 1) + day, return_index=True)
    anchors = np.sort(day_first[(new | rare)[day_first]])
    anchors = anchors[np.argsort(src[anchors], kind="stable")]
    if len(anchors) == 0:
        return []
    cut = (np.diff(ts[anchors]) > GROUP_GAP_NS) | (np.diff(src[anchors]) != 0)
    bounds = np.r_[0, np.flatnonzero(cut) + 1, len(anchors)]
    totals = np.add.reduceat(surprise[anchors], bounds[:-1])
    scores = exp_score(totals, 1.5, 2.0)
    edge_order = np.argsort(eid, kind="stable")  # each edge's events, in time order
    edge_start = np.r_[0, np.cumsum(np.bincount(eid, minlength=len(first)))]
    firsts = np.sort(first)[np.argsort(src[np.sort(first)], kind="stable")]  # by source, time
    out = []
    for g in np.flatnonzero(scores >= floor):
        group = anchors[bounds[g] : bounds[g + 1]]
        begin, until = int(ts[group[0]]), int(ts[group[-1]]) + GROUP_GAP_NS
        blocks = [edge_order[edge_start[e] : edge_start[e + 1]] for e in np.unique(eid[group])]
        # The group's edges, from the first anchor until a gap after the last one.
        picked = np.sort(np.concatenate([k[(ts[k] >= begin) & (ts[k] < until)] for k in blocks]))
        s = src[group[0]]
        own = firsts[np.searchsorted(src[firsts], s) : np.searchsorted(src[firsts], s, "right")]
        before = own[ts[own] < begin]
        fresh = {str(ev.labels[b][dst[i]]) for i in group if new[i]}
        c: dict[str, Any] = {
            "pair": f"{a}→{b}",
            "source": str(ev.labels[a][s]),
            "new_destinations": [str(ev.labels[b][dst[i]]) for i in group if new[i]],
            "rare_destinations": sorted({str(ev.labels[b][dst[i]]) for i in group} - fresh),
            "prior_events": int(prior_n[group[0]]),
            "prior_active_days": int(prior_days[group[0]]),
            "prior_degree": len(before),
            "prior_neighbours": sorted(str(ev.labels[b][d]) for d in dst[before])[:20],
            "prior_days": round((begin - int(ts[own[0]])) / DAY_NS, 1),
        }
        share = float(np.sum(surprise[group] * new[group]) / totals[g])
        signals = {k: v for k, v in (("new edge", share), ("rare pair", 1 - share)) if v > 0}
        detail = f"{a}→{b}: {len(c['new_destinations'])} new, {len(c['rare_destinations'])} rare"
        text = _novelty_text(a, b, c, event_span(int(ts[picked[0]]), int(ts[picked[-1]])))
        found = ("new_edge", float(scores[g]), float(totals[g]), c["source"], idx[picked])
        out.append(_Candidate(*found, signals, detail, text, c, int(ts[group[0]])))
    return out


def _novelty_text(a: str, b: str, c: dict[str, Any], when: str) -> str:
    text, n, d = "", len(c["new_destinations"]), c["prior_degree"]
    if n:
        known = f" ({names(c['prior_neighbours'])})" if d else ""
        text = (
            f"{a} {c['source']} reached {n} {b} value{'s' * (n != 1)} never seen with it before "
            f"({names(c['new_destinations'])}) {when}; over the previous {c['prior_days']:g} days "
            f"({c['prior_active_days']} active) it had {c['prior_events']} events with {d} "
            f"distinct {b} value{'s' * (d != 1)}{known}."
        )
    if c["rare_destinations"]:
        text += f" {a} {c['source']} reached {b} {names(c['rare_destinations'])} {when}, "
        text += f"a pairing seen on at most {RARE_MAX_DAYS} days of the data."
    return text.strip()


def _hourly(
    ev: _Events, a: str, b: str, attribute: str | None, nodes: list[str], floor: float
) -> list[_Candidate]:
    """Fan-out (``attribute == "*"``: distinct ``b`` per ``a`` and clock hour) or bursts (events
    per ``a``, ``b`` [, ``attribute`` value] and hour), each against its key's usual hours."""
    fan_out = attribute == "*"
    columns = [a] if fan_out else [a, b] if attribute is None else [a, b, attribute]
    idx = np.flatnonzero(np.logical_and.reduce([ev.codes[col] >= 0 for col in {a, b, *columns}]))
    if len(idx) == 0:
        return []
    key = np.zeros(len(idx), np.int64)
    for col in columns:
        key = key * len(ev.labels[col]) + ev.codes[col][idx]
    key = np.unique(key, return_inverse=True)[1].astype(np.int64)
    order, starts, lengths, cell_key = _cells(key, ev.ts[idx])
    values = lengths.astype(np.float64)
    offset, spread, extra, ratio = 5.0, 10.0, BURST_MIN_EXTRA, BURST_MIN_RATIO
    if fan_out:
        cell_of_row = np.repeat(np.arange(len(starts)), lengths)
        values = _distinct_per(cell_of_row, ev.codes[b][idx][order], len(starts)).astype(float)
        offset, spread, extra, ratio = 3.0, 5.0, FANOUT_MIN_EXTRA, 1.0
    median, z, pooled = _judge(cell_key, values)
    scores = exp_score(z, offset, spread)
    keep = (scores >= floor) & (values >= median + extra) & (values >= ratio * median)
    out = []
    for c in np.flatnonzero(keep):
        rows = idx[order[starts[c] : starts[c] + lengths[c]]]
        n, usual, source = int(values[c]), float(median[c]), ev.label(a, rows[0])
        when = event_span(int(ev.ts[rows[0]]), int(ev.ts[rows[-1]]))
        context: dict[str, Any] = {"pair": f"{a}→{b}", "source": source, "usual_per_hour": usual}
        share, what = 1.0, ""  # share: of all events, those with the burst's attribute value
        if fan_out:
            context["distinct_destinations"] = n
            context["destinations"] = sorted({ev.label(b, r) for r in rows})
            kind, entity, signals = "new_edge", source, {"fan-out": 1.0}
            text, detail = f"{a} {source} reached {n} distinct {b} values {when}", f"{n} distinct"
        else:
            target = ev.label(b, rows[0])
            if attribute is not None:
                value = ev.label(attribute, rows[0])
                what, context["attribute"] = f" with {attribute}={value}", {attribute: value}
                share = float(np.mean(ev.codes[attribute] == ev.codes[attribute][rows[0]]))
            context["count"] = n
            kind, entity, signals = "spike", f"{source}→{target}", {"rate burst": 1.0}
            text, detail = f"{n} events{what} from {a} {source} to {b} {target} {when}", f"{n}"
        typical = f" (typical of all {'sources' if fan_out else 'such pairs'})" if pooled[c] else ""
        text += f", against a usual {usual:g} per active hour{typical} (robust z {z[c]:.1f})."
        text += _parties(ev, rows, [x for x in nodes if x not in (a, b)])
        detail = f"{a}→{b}{what}: {detail} vs usual {usual:g}"
        score, strength, peak = float(scores[c]), float(z[c]), int(ev.ts[rows[len(rows) // 2]])
        candidate = _Candidate(
            kind, score, strength, entity, rows, signals, detail, text, context, peak
        )
        candidate.numbers = _band(n, usual, strength)
        # Ties between saturated scores: a key judged on its own history beats one judged on
        # the pooled baseline, then a rarer attribute value (150 failures beat 150 logins).
        candidate.tiebreak = (float(pooled[c]), float(np.log10(share)))
        out.append(candidate)
    return out


def _parties(ev: _Events, rows: IntArray, columns: list[str]) -> str:
    """ " All with user X." for the other node columns that hold one value over ``rows``."""
    one = [x for x in columns if np.ptp(ev.codes[x][rows]) == 0 and ev.codes[x][rows[0]] >= 0]
    return f" All with {' and '.join(f'{x} {ev.label(x, rows[0])}' for x in one)}." if one else ""


def _band(actual: float, expected: float, z: float) -> dict[str, Any]:
    scale = (actual - expected) / z if z else 1.0
    low, high = max(0.0, expected - 3 * scale), expected + 3 * scale
    return dict(actual=actual, expected=expected, band_low=low, band_high=high, deviation_sigma=z)


def _merge(candidates: list[_Candidate], ts: IntArray) -> list[Finding]:
    """Strongest first; a candidate whose events are mostly in one finding joins that finding."""
    candidates.sort(key=lambda c: (-round(c.score, 1), c.tiebreak, -c.strength, c.entity))
    owner = np.full(len(ts), -1, np.int64)
    groups: list[list[_Candidate]] = []
    for candidate in candidates:
        votes = np.bincount(owner[candidate.rows] + 1)[1:]  # +1: unowned rows vote for none
        if len(votes) and votes.max() >= MERGE_SHARE * len(candidate.rows):
            groups[int(votes.argmax())].append(candidate)
            continue
        owner[candidate.rows[owner[candidate.rows] < 0]] = len(groups)
        groups.append([candidate])
    return [_finding(group, ts) for group in groups]


def _finding(group: list[_Candidate], ts: IntArray) -> Finding:
    primary, weights, details, also = group[0], dict[str, float](), dict[str, list[str]](), []
    for c in group:
        if weights and not set(weights).issuperset(c.signals):  # a sentence per other signal
            also.append(f"Also: {c.narrative}")
        for name, share in c.signals.items():
            # A signal weighs as its strongest sighting: one burst seen through three column
            # pairs is still one burst.
            weights[name] = max(weights.get(name, 0.0), c.score * share)
            details.setdefault(name, []).append(c.detail)
    total = sum(weights.values()) or 1.0
    contributions = tuple(
        Contribution(name, w / total, SCALES[name], "; ".join(dict.fromkeys(details[name][:3])))
        for name, w in sorted(weights.items(), key=lambda item: -item[1])
    )
    rows = np.unique(np.concatenate([c.rows for c in group]))
    context = {**primary.context, "events": len(rows)}
    context["also"] = [f"{c.context['pair']}: {c.detail}" for c in group[1:]]
    return Finding(
        type=primary.type,
        start_ns=int(ts[rows[0]]),
        end_ns=int(ts[rows[-1]]),
        peak_ns=primary.peak_ns,
        score=round(primary.score, 2),
        entity=primary.entity,
        **(primary.numbers or {}),
        contributions=contributions,
        context=context,
        narrative=" ".join([primary.narrative, *also]),
    )


def event_span(start_ns: int, end_ns: int) -> str:
    """'between 03:02 and 03:13 UTC on 2025-03-19' (minutes truncated, never rounded up)."""
    start, end = pd.Timestamp(start_ns, tz="UTC"), pd.Timestamp(end_ns, tz="UTC")
    if start.date() == end.date():
        return f"between {start:%H:%M} and {end:%H:%M} UTC on {start:%Y-%m-%d}"
    return f"between {start:%Y-%m-%d %H:%M} and {end:%Y-%m-%d %H:%M} UTC"


def names(values: Sequence[str], limit: int = 5) -> str:
    """A short list for a narrative: 'a, b, c, … (11 in all)'."""
    shown = ", ".join(values[:limit])
    return shown if len(values) <= limit else f"{shown}, … ({len(values)} in all)"
