"""The Auto preset for a time series: several detectors and time scales, fused, then explained.

1. The points are put on their time grid (a gap leaves empty slots), so "the same time
   yesterday" stays a fixed number of points back.
2. Per-point scores in [0, 1] from several views (``views.py``): robust sigmas from the same
   phase of comparable earlier cycles (noise sized per hour of the cycle), a sudden change
   against the recent past, the same on hourly and daily means, and Isolation Forest + LOF
   over shingles for odd shapes.
3. Each point takes the highest score any view gives it (the views that see it are kept).
4. Points over the threshold set by ``sensitivity`` become events; each is typed (spike, dip,
   level shift, variance, seasonal break) and explained against its baseline. Events of one
   incident that the threshold cut into pieces are merged (``MERGE_GAP_S``); a finding must
   explain itself and, when brief and seen by one detector only, be clear-cut (``_stands``).
5. Changes of trend (``trend.py``), gaps and stuck values are findings of their own; the
   deviations that a new slope or a stuck value accounts for are folded into them.

``detectors`` leaves families out (``catalog.py``): a family left out is not computed at all,
so nothing it alone would have seen, joined or absorbed changes the other findings.

Batch use, for investigation. Live sources use the streaming detector (``streaming.py``),
which is tuned to raise one early alarm per incident; here every point keeps a score that
grows with its deviation, so findings rank by how unusual they are.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import replace

import numpy as np

from anomaly_desk.detect.arrays import FloatArray
from anomaly_desk.detect.baseline import MAD_TO_SIGMA, RECENT, Baseline, baseline_at, noise_floor
from anomaly_desk.detect.catalog import choose
from anomaly_desk.detect.deviation import day_types, on_grid
from anomaly_desk.detect.events import Event, group_events
from anomaly_desk.detect.explain import classify, duration, narrative
from anomaly_desk.detect.findings import Contribution, Finding
from anomaly_desk.detect.period import find_period_detrended, refine_period, snap_to_calendar
from anomaly_desk.detect.series_families import find_flatlines, find_gaps, flat_finding, gap_finding
from anomaly_desk.detect.trend import find_trend_changes, trend_finding
from anomaly_desk.detect.views import View, kinds_needed, score_to_z, views

VERSION = "series-auto/2"
PERIOD_SPAN = 20_000  # points used to find the period (enough for weekly at 5-minute steps)
DEVIATION_SIGMAS = 3.0
CONFIRM_SIGMAS = 2.0
CERTAIN_SCORE = 0.75
MAX_PEAK_SEARCH = 500  # points of an event searched for a better peak (one baseline each)
FINE_VIEWS = ("raw", "sudden", "shape")  # views at the raw step: they set an event's extent
MERGE_GAP_S = 3600.0  # findings of one series less than this apart are one incident
BRIEF_POINTS = 3  # a finding this short ...
CLEAR_SIGMAS = 4.0  # ... from one detector only must be this far out to be shown
SHAPE_NAME = "shape (isolation forest + LOF)"
UNEXPLAINED = "multi-scale surprise"  # seen by a view, but no view names a cause


def threshold_for(sensitivity: float) -> float:
    """Sensitivity 0..1 -> score threshold 0.75..0.25 (0.5, "a new record", in the middle)."""
    if not 0.0 <= sensitivity <= 1.0:
        raise ValueError(f"sensitivity must be between 0 and 1, not {sensitivity}")
    return 0.75 - 0.5 * sensitivity


def detect_series(
    ts_ns: np.ndarray,
    values: FloatArray,
    name: str,
    tz: str = "UTC",
    sensitivity: float = 0.5,
    on_progress: Callable[[float], None] | None = None,
    random_state: int = 0,
    detectors: frozenset[str] | None = None,
) -> list[Finding]:
    """Findings for one series (any order, NaN = missing), strongest first.

    ``random_state`` seeds the shape detector's samples and forests: same seed, same findings.
    ``detectors``: the families to run (``catalog.FAMILIES``; None = all). An unknown name
    raises ``BadInputError``.
    """
    threshold = threshold_for(sensitivity)
    chosen = choose(detectors)
    order = np.argsort(ts_ns, kind="stable")
    ts_sorted = np.asarray(ts_ns[order], dtype=np.int64)
    vals = np.asarray(values[order], dtype=np.float64)
    steps = np.diff(ts_sorted)
    step_ns = float(np.median(steps[steps > 0])) if np.any(steps > 0) else 0.0
    findings = (
        [gap_finding(e, ts_sorted, name, tz, step_ns) for e in find_gaps(ts_sorted, step_ns)]
        if "gaps" in chosen
        else []
    )
    finite = np.flatnonzero(np.isfinite(vals))
    if len(finite) < 10:
        return findings
    ts_f, v_f = ts_sorted[finite], vals[finite]
    flats = (
        [flat_finding(e, ts_f, name, tz) for e in find_flatlines(v_f)]
        if "flatline" in chosen
        else []
    )
    findings += flats
    ts_g, v_g, _ = on_grid(ts_f, v_f, step_ns)
    period = snap_to_calendar(find_period_detrended(v_g[:PERIOD_SPAN]), step_ns / 1e9)
    kinds = day_types(ts_g, tz) if kinds_needed(period, step_ns) else None
    residuals = np.full(len(v_g), np.nan)
    scored = views(ts_g, v_g, step_ns, period, kinds, tz, residuals, random_state, chosen)
    if on_progress:
        on_progress(0.7)
    deviations = _deviation_findings(
        ts_g, v_g, name, tz, step_ns, period, kinds, scored, residuals, threshold
    )
    trends: list[Finding] = []
    if "trend" in chosen:
        cycle = float(period) if kinds is not None else refine_period(v_g, period)
        trends = [
            trend_finding(c, ts_g, v_g, name, tz, step_ns, cyclic=period > 0)
            for c in find_trend_changes(ts_g, v_g, cycle, kinds, threshold)
        ]
    # A stuck value is its own explanation of the deviations inside it.
    deviations = [
        f
        for f in deviations
        if not any(s.start_ns <= f.start_ns <= f.end_ns <= s.end_ns for s in flats)
    ]
    findings += _join_trends(trends, deviations, step_ns)
    return sorted(findings, key=lambda f: (-f.score, f.start_ns))


def _deviation_findings(
    ts: np.ndarray,
    values: FloatArray,
    name: str,
    tz: str,
    step_ns: float,
    period: int,
    kinds: np.ndarray | None,
    scored: dict[str, View],
    residuals: FloatArray,
    threshold: float,
) -> list[Finding]:
    stacked = np.vstack([v.scores for v in scored.values()])
    fused = stacked.max(axis=0)
    period_s = period * step_ns / 1e9 if period else None
    floor = noise_floor(values)
    merge_gap = int(MERGE_GAP_S * 1e9 / step_ns) if step_ns else 0
    findings = []
    for event in _events(scored, threshold, merge_gap):
        if not np.isfinite(values[event.peak]):  # a coarse event over an empty stretch
            continue
        event, base = _telling_peak(event, values, period, floor, kinds)
        shape = classify(
            values, event.start, event.end, event.peak, base, residuals if period else None
        )
        actual = float(values[event.peak])
        sigma = (actual - base.expected) / base.sigma
        if not _confirmed(shape.type, values, event.peak, base, sigma, fused[event.peak]):
            continue
        seeing = {
            key: float(view.scores[event.start : event.end + 1].max())
            for key, view in scored.items()
            if view.scores[event.start : event.end + 1].max() >= threshold
        }
        seen_scales = list(dict.fromkeys(scored[key].scale for key in seeing))
        detectors, contributions, sigmas = _contributions(
            shape.type, values, event.peak, base, sigma, seen_scales, seeing
        )
        if not _stands(event, contributions, sigma, fused[event.peak]):
            continue
        start_ns, end_ns, peak_ns = (int(ts[i]) for i in (event.start, event.end, event.peak))
        findings.append(
            Finding(
                type=shape.type,
                start_ns=start_ns,
                end_ns=end_ns,
                peak_ns=peak_ns,
                score=round(100.0 * float(fused[event.start : event.end + 1].max()), 2),
                series=name,
                actual=actual,
                expected=base.expected,
                band_low=base.low,
                band_high=base.high,
                deviation_sigma=round(sigma, 2),
                contributions=contributions,
                context={
                    "period_seconds": period_s,
                    "seasonal_reference": base.seasonal,
                    "before": shape.before,
                    "after": shape.after,
                    "scales": seen_scales,
                    "views": {key: round(score, 3) for key, score in seeing.items()},
                    "detector_sigmas": sigmas,
                    "points": event.length,
                },
                narrative=narrative(
                    series=name,
                    kind=shape.type,
                    actual=actual,
                    peak_ns=peak_ns,
                    start_ns=start_ns,
                    end_ns=end_ns,
                    tz=tz,
                    base=base,
                    shape=shape,
                    period_s=period_s,
                    detectors=detectors,
                    scales=[_scale_words(s, step_ns) for s in seen_scales],
                ),
            )
        )
    return findings


def _events(scored: dict[str, View], threshold: float, merge_gap: int) -> list[Event]:
    """Events of the views at the raw step, plus coarse-scale events those did not see.

    A coarse scale only knows its bucket, so its events span whole hours or days; where the
    raw points already show the anomaly, the raw extent and peak are the precise ones and the
    coarse scale merely confirms (it is listed among the scales). Elsewhere (a slow drift no
    single point betrays) the coarse event stands, peaking at its most unusual raw point.
    Events less than ``merge_gap`` points apart are one: an incident whose score dips under
    the threshold for a moment is still one incident.
    """
    raw = scored["raw"].scores
    fine = np.vstack([scored[k].scores for k in FINE_VIEWS if k in scored]).max(axis=0)
    events = group_events(fine, threshold, max_gap=2)
    covered = np.zeros(len(raw), dtype=bool)
    for e in events:
        covered[e.start : e.end + 1] = True
    for key, view in scored.items():
        if key in FINE_VIEWS:
            continue
        for e in group_events(view.scores, threshold):
            if covered[e.start : e.end + 1].any():
                continue
            peak = e.start + int(np.argmax(raw[e.start : e.end + 1]))
            events.append(Event(e.start, e.end, peak, e.peak_score))
            covered[e.start : e.end + 1] = True
    return _merged(sorted(events, key=lambda e: e.start), fine, merge_gap)


def _merged(events: list[Event], fused: FloatArray, gap: int) -> list[Event]:
    out: list[Event] = []
    for e in events:
        if out and e.start - out[-1].end <= gap:
            last = out[-1]
            peak = last.peak if fused[last.peak] >= fused[e.peak] else e.peak
            out[-1] = Event(last.start, max(last.end, e.end), peak, float(fused[peak]))
        else:
            out.append(e)
    return out


def _telling_peak(
    event: Event, values: FloatArray, period: int, floor: float, kinds: np.ndarray | None
) -> tuple[Event, Baseline]:
    """The event, with its peak's baseline, its peak moved to the point furthest outside its
    own usual range when the highest-scoring point lies inside its range (views score ties to
    the first point, and a coarse view scores a whole bucket): the narrative then quotes what
    is unusual."""
    base = baseline_at(values, event.peak, period, floor, kinds)
    if not base.low <= values[event.peak] <= base.high or event.length > MAX_PEAK_SEARCH:
        return event, base
    best, best_base, best_excess = event.peak, base, 0.0
    for i in range(event.start, event.end + 1):
        if not np.isfinite(values[i]):
            continue
        here = baseline_at(values, i, period, floor, kinds)
        excess = max(values[i] - here.high, here.low - values[i]) / here.sigma
        if excess > best_excess:
            best, best_base, best_excess = i, here, excess
    return replace(event, peak=best), best_base


def _confirmed(
    kind: str, values: FloatArray, peak: int, base: Baseline, sigma: float, score: float
) -> bool:
    """A spike or dip must also stand out from its own baseline, unless the detector is sure.

    Early in a series or in plain noise a view can score a value that is small in its own
    units; an investigator should not be shown a value inside its usual range.
    """
    if kind not in ("spike", "dip", "seasonal_break"):
        return True
    if base.samples and base.low <= values[peak] <= base.high and base.low < base.high:
        # Whatever a view scored, a narrative quoting a value inside its own usual range
        # contradicts itself (a burst of a zero-inflated count at a phase where bursts recur).
        return False
    if score >= CERTAIN_SCORE:
        return True
    return max(abs(sigma), _level_sigma(values, peak, base)) >= CONFIRM_SIGMAS


def _stands(
    event: Event, contributions: tuple[Contribution, ...], sigma: float, score: float
) -> bool:
    """Whether a finding is clear enough to show an investigator.

    Each view's false alarms are rare, but with several views per series they add up; what
    marks them is that nothing else backs them. So, unless a view is sure of it (``score``):

    * a finding must explain itself: when neither the baseline it quotes nor the recent
      level nor a shape shows the deviation ("multi-scale surprise" only), it is not shown;
    * a brief one (``BRIEF_POINTS``) seen by one detector must be far out (``CLEAR_SIGMAS``);
      corroboration by a second detector or a longer run makes it stand.
    """
    if score >= CERTAIN_SCORE:
        return True
    if [c.name for c in contributions] == [UNEXPLAINED]:
        return False
    return event.length > BRIEF_POINTS or len(contributions) > 1 or abs(sigma) >= CLEAR_SIGMAS


def _level_sigma(values: FloatArray, peak: int, base: Baseline) -> float:
    """How far the peak lies from the recent level, in the recent (or baseline) noise."""
    recent = values[max(0, peak - RECENT) : peak]
    recent = recent[np.isfinite(recent)]
    if len(recent) < 5:
        return 0.0
    mad = float(np.median(np.abs(recent - np.median(recent)))) * MAD_TO_SIGMA
    return abs(float(values[peak]) - float(np.median(recent))) / max(mad, base.sigma * 0.5)


def _contributions(
    kind: str,
    values: FloatArray,
    peak: int,
    base: Baseline,
    sigma: float,
    scales: list[str],
    seeing: dict[str, float],
) -> tuple[list[str], tuple[Contribution, ...], dict[str, float]]:
    """Which detectors see the event, weighted by how far out each one finds it (in sigmas:
    a view's score is turned back into the sigmas it stands for)."""
    found: dict[str, tuple[float, str]] = {}  # name -> (sigmas, scale)
    scale = scales[0] if scales else "raw"
    level_sigma = _level_sigma(values, peak, base)
    if "sudden" in seeing:
        level_sigma = max(level_sigma, score_to_z(seeing["sudden"]))
    if level_sigma >= DEVIATION_SIGMAS:
        found["level-shift" if kind == "level_shift" else "robust deviation"] = (level_sigma, scale)
    if base.seasonal and abs(sigma) >= DEVIATION_SIGMAS:
        found["seasonal"] = (abs(sigma), scale)
    if kind == "variance":
        found["variance"] = (max(abs(sigma), DEVIATION_SIGMAS), scale)
    if "shape" in seeing:
        found[SHAPE_NAME] = (score_to_z(seeing["shape"]), "raw")
    if not found:
        found[UNEXPLAINED] = (max(abs(sigma), 1.0), scale)
    total = sum(w for w, _ in found.values())
    contributions = tuple(
        Contribution(name=view, weight=w / total, scale=s, detail=f"{w:.1f} robust σ")
        for view, (w, s) in sorted(found.items(), key=lambda kv: -kv[1][0])
    )
    names = [
        f"{c.name} detector" if i == len(contributions) - 1 else c.name
        for i, c in enumerate(contributions)
    ]
    if len(names) > 1:
        names[-1] = names[-1].removesuffix(" detector")
        names = [*names[:-1], names[-1] + " detectors"]
    return names, contributions, {name: round(w, 2) for name, (w, _) in found.items()}


def _join_trends(trends: list[Finding], deviations: list[Finding], step_ns: float) -> list[Finding]:
    """Trend findings, each with the deviations that are merely its new slope folded in.

    Against earlier cycles, a new slope shows as values ever further from what those cycles
    predict. A deviation inside the trend's stretch, in its direction and no larger than
    what the new slope has added since the change (plus ``DEVIATION_SIGMAS`` of its baseline's
    noise), is the trend itself: its detectors join the trend's explanation instead of
    being a finding of their own.
    """
    kept = list(deviations)
    joined = []
    for trend in trends:
        change = trend.context["slope_after_per_hour"] - trend.context["slope_before_per_hour"]
        parts = [f for f in kept if _within_trend(f, trend, change)]
        if not parts:
            joined.append(trend)
            continue
        kept = [f for f in kept if f not in parts]
        sigmas: dict[str, tuple[float, str]] = {"trend": (abs(trend.deviation_sigma or 0), "")}
        for part in parts:
            for c in part.contributions:
                sigma = part.context["detector_sigmas"][c.name]
                if c.name not in sigmas or sigmas[c.name][0] < sigma:
                    sigmas[c.name] = (sigma, c.scale)
        total = sum(sigma for sigma, _ in sigmas.values()) or 1.0
        own = trend.contributions[0]
        contributions = tuple(
            own if name == "trend" else Contribution(name, 0.0, scale, f"{sigma:.1f} robust σ")
            for name, (sigma, scale) in sorted(sigmas.items(), key=lambda kv: -kv[1][0])
        )
        contributions = tuple(replace(c, weight=sigmas[c.name][0] / total) for c in contributions)
        scales = list(dict.fromkeys(c.scale for c in contributions))
        seen = _seen_words([c.name for c in contributions], scales, step_ns)
        text = trend.narrative[: trend.narrative.index("Seen by the")] + seen
        score = max(trend.score, *(p.score for p in parts))
        joined.append(replace(trend, score=score, contributions=contributions, narrative=text))
    return joined + kept


def _within_trend(finding: Finding, trend: Finding, change_per_hour: float) -> bool:
    if finding.actual is None or finding.expected is None or finding.type == "variance":
        return False
    if not trend.start_ns <= finding.start_ns <= trend.end_ns:
        return False
    deviation = finding.actual - finding.expected
    added = change_per_hour * (finding.peak_ns - trend.start_ns) / 3.6e12
    noise = abs(deviation / finding.deviation_sigma) if finding.deviation_sigma else 0.0
    return deviation * added > 0 and abs(deviation) <= abs(added) + DEVIATION_SIGMAS * noise


def _seen_words(detectors: list[str], scales: list[str], step_ns: float) -> str:
    plural = "s" if len(scales) > 1 else ""
    names = _join(detectors) + (" detectors" if len(detectors) > 1 else " detector")
    words = _join([_scale_words(s, step_ns) for s in scales])
    return f"Seen by the {names} at the {words} scale{plural}."


def _join(words: list[str]) -> str:
    return ", ".join(words[:-1]) + " and " + words[-1] if len(words) > 1 else "".join(words)


def _scale_words(scale: str, step_ns: float) -> str:
    """ "raw" -> "5-minute" (the step), "1h" -> "1-hour", "600s" -> "10-minute"."""
    if scale == "raw":
        if not step_ns:
            return "raw"
        seconds = step_ns / 1e9
    else:
        seconds = {"1h": 3600.0, "1d": 86_400.0}.get(scale) or float(scale.removesuffix("s"))
    count, unit = duration(seconds).split(" ")
    if count == "1" and scale == "raw":
        return unit  # "the hour scale" for hourly points
    return f"{count}-{unit.removesuffix('s')}"
