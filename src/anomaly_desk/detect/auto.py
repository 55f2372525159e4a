"""The Auto preset for a time series: several time scales, fused, then explained.

1. Robust deviation scores (``deviation.py``: sigmas from the same phase of previous cycles,
   or from the recent past) on the raw points and, when the series is long enough, on hourly
   and daily means (a slow drift invisible point to point stands out per hour).
2. Each point takes the highest score any scale gives it (the scale is remembered).
3. Points over the threshold set by ``sensitivity`` become events; each is typed (spike, dip,
   level shift, variance, seasonal break) and explained against its baseline.
4. Gaps and stuck values are added as findings of their own.

Batch use, for investigation. Live sources use the streaming detector (``streaming.py``),
which is tuned to raise one early alarm per incident; here every point keeps a score that
grows with its deviation, so findings rank by how unusual they are.
"""

from __future__ import annotations

from collections.abc import Callable

import numpy as np

from anomaly_desk.detect.base import FloatArray
from anomaly_desk.detect.baseline import MAD_TO_SIGMA, RECENT, Baseline, baseline_at, noise_floor
from anomaly_desk.detect.deviation import day_types, robust_z, z_to_score
from anomaly_desk.detect.events import Event, group_events
from anomaly_desk.detect.explain import DAY_S, classify, duration, fmt, local, narrative
from anomaly_desk.detect.findings import Contribution, Finding
from anomaly_desk.detect.period import find_period
from anomaly_desk.detect.series_families import find_flatlines, find_gaps

VERSION = "series-auto/1"
SCALES = (("1h", 3600), ("1d", 86_400))
MIN_BUCKETS = 300  # below this a coarser scale has too little history to judge anything
PERIOD_SPAN = 20_000  # points used to find the period (enough for weekly at 5-minute steps)
DEVIATION_SIGMAS = 3.0
CONFIRM_SIGMAS = 2.0
CERTAIN_SCORE = 0.75


def threshold_for(sensitivity: float) -> float:
    """Sensitivity 0..1 -> score threshold 0.75..0.25 (0.5, "a new record", in the middle)."""
    if not 0.0 <= sensitivity <= 1.0:
        raise ValueError(f"sensitivity must be between 0 and 1, not {sensitivity}")
    return 0.75 - 0.5 * sensitivity


def scale_scores(
    ts_ns: np.ndarray,
    values: FloatArray,
    step_ns: float,
    period: int,
    tz: str,
    residuals: FloatArray,
) -> dict[str, FloatArray]:
    """Per-point deviation scores at each usable scale (raw always); fills ``residuals`` with
    the raw values minus their seasonal prediction (NaN where there is none)."""
    daily = period > 0 and abs(period * step_ns / 1e9 - DAY_S) < 0.05 * DAY_S
    kinds = day_types(ts_ns, tz) if daily else None
    z, prediction, _ = robust_z(values, period, kinds)
    scores = {"raw": z_to_score(z)}
    residuals[:] = values - prediction
    span_ns = float(ts_ns[-1] - ts_ns[0]) if len(ts_ns) else 0.0
    for name, seconds in SCALES:
        bucket_ns = seconds * 1e9
        if bucket_ns < 4 * step_ns or span_ns / bucket_ns < MIN_BUCKETS:
            continue
        bucket = ((ts_ns - ts_ns[0]) // int(bucket_ns)).astype(np.int64)
        _, index = np.unique(bucket, return_inverse=True)
        counts = np.bincount(index)
        means = np.bincount(index, weights=values) / counts
        # A bucket with half its points missing (the first and last, or around a gap) has a
        # mean of part of a cycle: not comparable, so not judged.
        means[counts < 0.5 * np.median(counts)] = np.nan
        # The period in buckets, from the raw period (a day of 5-minute points = 24 hours).
        bucket_period = round(period * step_ns / bucket_ns) if period else 0
        starts = ts_ns[0] + np.unique(bucket) * int(bucket_ns)
        bucket_kinds = day_types(starts, tz) if daily and bucket_period >= 2 else None
        bucket_scores = z_to_score(
            robust_z(means, bucket_period if bucket_period >= 2 else 0, bucket_kinds)[0]
        )
        scores[name] = bucket_scores[index]
    return scores


def detect_series(
    ts_ns: np.ndarray,
    values: FloatArray,
    name: str,
    tz: str = "UTC",
    sensitivity: float = 0.5,
    on_progress: Callable[[float], None] | None = None,
) -> list[Finding]:
    """Findings for one series (any order, NaN = missing), strongest first."""
    threshold = threshold_for(sensitivity)
    order = np.argsort(ts_ns, kind="stable")
    ts_sorted = np.asarray(ts_ns[order], dtype=np.int64)
    vals = np.asarray(values[order], dtype=np.float64)
    steps = np.diff(ts_sorted)
    step_ns = float(np.median(steps[steps > 0])) if np.any(steps > 0) else 0.0
    findings = [
        _gap_finding(e, ts_sorted, name, tz, step_ns) for e in find_gaps(ts_sorted, step_ns)
    ]
    finite = np.flatnonzero(np.isfinite(vals))
    if len(finite) < 10:
        return findings
    ts_f, v_f = ts_sorted[finite], vals[finite]
    findings += [_flat_finding(e, ts_f, name, tz) for e in find_flatlines(v_f)]
    period = find_period(v_f[:PERIOD_SPAN])
    residuals = np.full(len(v_f), np.nan)
    scores = scale_scores(ts_f, v_f, step_ns, period, tz, residuals)
    if on_progress:
        on_progress(0.7)
    stacked = np.vstack(list(scores.values()))
    fused = stacked.max(axis=0)
    period_s = period * step_ns / 1e9 if period else None
    floor = noise_floor(v_f)
    for event in _events(scores, threshold):
        base = baseline_at(v_f, event.peak, period, floor)
        shape = classify(
            v_f, event.start, event.end, event.peak, base, residuals if period else None
        )
        actual = float(v_f[event.peak])
        sigma = (actual - base.expected) / base.sigma
        if not _confirmed(shape.type, v_f, event.peak, base, sigma, fused[event.peak]):
            continue
        seen_scales = [
            s for s, col in zip(scores, stacked, strict=True)
            if col[event.start : event.end + 1].max() >= threshold
        ]  # fmt: skip
        detectors, contributions = _contributions(
            shape.type, v_f, event.peak, base, sigma, seen_scales
        )
        start_ns, end_ns, peak_ns = (
            int(ts_f[event.start]),
            int(ts_f[event.end]),
            int(ts_f[event.peak]),
        )
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
    return sorted(findings, key=lambda f: (-f.score, f.start_ns))


def _events(scores: dict[str, FloatArray], threshold: float) -> list[Event]:
    """Events of the raw scale, plus coarse-scale events the raw scale did not see.

    A coarse scale only knows its bucket, so its events span whole hours or days; where the
    raw points already show the anomaly, the raw extent and peak are the precise ones and the
    coarse scale merely confirms (it is listed among the scales). Elsewhere (a slow drift no
    single point betrays) the coarse event stands, peaking at its most unusual raw point.
    """
    raw = scores["raw"]
    events = group_events(raw, threshold, max_gap=2)
    covered = np.zeros(len(raw), dtype=bool)
    for e in events:
        covered[e.start : e.end + 1] = True
    for name, column in scores.items():
        if name == "raw":
            continue
        for e in group_events(column, threshold):
            if covered[e.start : e.end + 1].any():
                continue
            peak = e.start + int(np.argmax(raw[e.start : e.end + 1]))
            events.append(Event(e.start, e.end, peak, e.peak_score))
            covered[e.start : e.end + 1] = True
    return events


def _confirmed(
    kind: str, values: FloatArray, peak: int, base: Baseline, sigma: float, score: float
) -> bool:
    """A spike or dip must also stand out from its own baseline, unless the detector is sure.

    The streaming detector flags "new records", which early in a series or in plain noise can
    be small; an investigator should not be shown a value inside its usual range.
    """
    if kind not in ("spike", "dip", "seasonal_break") or score >= CERTAIN_SCORE:
        return True
    recent = values[max(0, peak - RECENT) : peak]
    recent = recent[np.isfinite(recent)]
    level = 0.0
    if len(recent) >= 5:
        mad = float(np.median(np.abs(recent - np.median(recent)))) * MAD_TO_SIGMA
        level = abs(float(values[peak]) - float(np.median(recent))) / max(mad, base.sigma * 0.5)
    return max(abs(sigma), level) >= CONFIRM_SIGMAS


def _contributions(
    kind: str, values: FloatArray, peak: int, base: Baseline, sigma: float, scales: list[str]
) -> tuple[list[str], tuple[Contribution, ...]]:
    """Which views see the event, weighted by how far out each one finds it."""
    recent = values[max(0, peak - RECENT) : peak]
    recent = recent[np.isfinite(recent)]
    views: dict[str, float] = {}
    if len(recent) >= 5:
        mad = float(np.median(np.abs(recent - np.median(recent)))) * MAD_TO_SIGMA
        level_sigma = abs(float(values[peak]) - float(np.median(recent))) / max(
            mad, base.sigma * 0.5
        )
        if level_sigma >= DEVIATION_SIGMAS:
            views["level-shift" if kind == "level_shift" else "robust deviation"] = level_sigma
    if base.seasonal and abs(sigma) >= DEVIATION_SIGMAS:
        views["seasonal"] = abs(sigma)
    if kind == "variance":
        views["variance"] = max(abs(sigma), DEVIATION_SIGMAS)
    if not views:
        views["multi-scale surprise"] = max(abs(sigma), 1.0)
    total = sum(views.values())
    scale = scales[0] if scales else "raw"
    contributions = tuple(
        Contribution(name=view, weight=weight / total, scale=scale, detail=f"{weight:.1f} robust σ")
        for view, weight in sorted(views.items(), key=lambda kv: -kv[1])
    )
    names = [
        f"{c.name} detector" if i == len(contributions) - 1 else c.name
        for i, c in enumerate(contributions)
    ]
    if len(names) > 1:
        names[-1] = names[-1].removesuffix(" detector")
        names = [*names[:-1], names[-1] + " detectors"]
    return names, contributions


def _scale_words(scale: str, step_ns: float) -> str:
    if scale == "raw":
        if not step_ns:
            return "raw"
        count, unit = duration(step_ns / 1e9).split(" ")
        return f"{count}-{unit.removesuffix('s')}" if count != "1" else unit
    return {"1h": "1-hour", "1d": "1-day"}[scale]


def _gap_finding(event: object, ts: np.ndarray, name: str, tz: str, step_ns: float) -> Finding:
    from anomaly_desk.detect.series_families import ShapeEvent

    assert isinstance(event, ShapeEvent)
    start_ns, end_ns = int(ts[event.start]), int(ts[event.end])
    missing = int(event.detail["missing_points"])
    text = (
        f"{name} has no data for {duration((end_ns - start_ns) / 1e9)} between "
        f"{local(start_ns, tz):%Y-%m-%d %H:%M} and {local(end_ns, tz):%Y-%m-%d %H:%M} "
        f"(about {missing} expected points missing at its usual {duration(step_ns / 1e9)} step)."
    )
    return Finding(
        type="gap", start_ns=start_ns, end_ns=end_ns, peak_ns=start_ns, score=round(event.score, 2),
        series=name, contributions=(Contribution("gap", 1.0, "raw", f"{missing} points missing"),),
        context={"missing_points": missing}, narrative=text,
    )  # fmt: skip


def _flat_finding(event: object, ts: np.ndarray, name: str, tz: str) -> Finding:
    from anomaly_desk.detect.series_families import ShapeEvent

    assert isinstance(event, ShapeEvent)
    start_ns, end_ns = int(ts[event.start]), int(ts[event.end])
    points, value = int(event.detail["points"]), event.detail["value"]
    text = (
        f"{name} stayed at exactly {fmt(value)} for {points} points "
        f"({duration((end_ns - start_ns) / 1e9)}) from {local(start_ns, tz):%Y-%m-%d %H:%M} to "
        f"{local(end_ns, tz):%H:%M}; its usual longest repeat is "
        f"{event.detail['usual_run']:.0f} points."
    )
    return Finding(
        type="flatline", start_ns=start_ns, end_ns=end_ns, peak_ns=start_ns,
        score=round(event.score, 2), series=name, actual=value,
        contributions=(Contribution("flatline", 1.0, "raw", f"{points} identical values"),),
        context={"points": points, "usual_run": event.detail["usual_run"]}, narrative=text,
    )  # fmt: skip
