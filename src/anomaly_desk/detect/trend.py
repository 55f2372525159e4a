"""Trend changes: where a series' slope changes, and keeps to its new slope.

The series is first deseasonalised (the median of each phase of the cycle, per kind of day,
is taken out) and averaged into at most ``MAX_BUCKETS`` buckets, so the daily rhythm and the
point-to-point noise do not read as slopes. Binary segmentation then looks, in each segment,
for the best *hinge*: one continuous line whose slope changes at one instant (fitted for
every candidate instant at once from running sums, so a segment costs O(buckets)).

A hinge counts as a trend change only when

* it explains the segment better than the best *step* (a jump with the same slope on both
  sides): a level shift is not a trend, and is left to the deviation detectors;
* the new slope lasts: at least ``MIN_SEGMENT`` buckets and one full cycle after the change;
* by the end of the segment the series has left the old slope's path by many times its
  usual wander around the fitted lines (robust sigma of the residuals). That distance, in
  sigmas, is the evidence, and ``z_to_score`` turns it into the score like every deviation.

Segments split by a step keep being searched, so a level shift elsewhere does not hide a
trend change. We do not use ``ruptures``: its continuous-linear cost refits every candidate
segment (quadratic in the length), and it knows no step-versus-hinge test.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd

from anomaly_desk.detect.arrays import FloatArray
from anomaly_desk.detect.baseline import MAD_TO_SIGMA
from anomaly_desk.detect.deviation import z_to_score
from anomaly_desk.detect.explain import duration, slope_words, trend_narrative
from anomaly_desk.detect.findings import Contribution, Finding

MAX_BUCKETS = 2000
BUCKETS_PER_CYCLE = 24  # a daily cycle is seen hour by hour
MIN_SEGMENT = 12  # buckets on each side of a change
MAX_CHANGES = 8
MAX_PHI = 0.98  # autocorrelation beyond this is a random walk: no slope means much


@dataclass(frozen=True)
class TrendChange:
    """One change of slope; positions index the values given, ends inclusive."""

    onset: int  # first point on the new slope
    end: int  # last point of the stretch that keeps to it
    peak: int  # the point furthest from where the old slope led
    slope_before: float  # units per second
    slope_after: float
    departure: float  # at ``peak``: (smoothed) value minus the old slope's path, in units
    sigma: float  # usual wander of the smoothed series around its lines, in units
    score: float  # in [0, 1]
    bucket: int  # points averaged per bucket

    @property
    def sigmas(self) -> float:
        return abs(self.departure) / self.sigma


def deseasonalised(values: FloatArray, period: float, kinds: np.ndarray | None) -> FloatArray:
    """``values`` minus the usual offset of their phase (and kind of day) from the level.

    The level is a centred moving mean over the cycle (over a week when weekends differ),
    so the offsets are measured on a detrended series; each offset is the median over the
    whole series, and ``values`` minus it keeps the trend, unsmoothed, and loses the cycle.
    ``period`` may be fractional (phases are then binned): over many cycles, a period a
    point off would smear the cycle.
    """
    if period < 2 or len(values) < 2 * period:
        return values.copy()
    bins = round(period)
    window = bins * (7 if kinds is not None else 1)
    level = pd.Series(values).rolling(window, center=True, min_periods=window // 2).mean()
    phase = np.floor(np.mod(np.arange(len(values)) / period, 1.0) * bins).astype(np.int64)
    key = phase * 2 + (0 if kinds is None else (np.asarray(kinds) != 0))
    offset = (pd.Series(values) - level).groupby(key).transform("median").to_numpy()
    return np.asarray(values - np.nan_to_num(offset), dtype=np.float64)


def find_trend_changes(
    ts_ns: np.ndarray,
    values: FloatArray,
    period: float,
    kinds: np.ndarray | None,
    threshold: float,
) -> list[TrendChange]:
    """Changes of slope in a sorted series (NaN = missing), scored, at or over ``threshold``.

    ``period`` is the cycle in points (0: none; fractional allowed), ``kinds`` the kind of
    day of each point when the cycle is a day (weekends have their own profile).
    """
    n = len(values)
    size = max(1, int(period // BUCKETS_PER_CYCLE), -(-n // MAX_BUCKETS))
    if n < 2 * MIN_SEGMENT * size:
        return []
    smooth = deseasonalised(values, period, kinds)
    m = n // size  # whole buckets only: a partial last bucket would be noisier
    seconds = (ts_ns[: m * size] - ts_ns[0]).astype(np.float64) / 1e9
    block = smooth[: m * size].reshape(m, size)
    counts = np.isfinite(block).sum(axis=1)
    # Buckets mostly missing (a gap on the time grid) are left out, not guessed.
    kept = np.flatnonzero(counts >= size / 2)
    t = seconds.reshape(m, size).mean(axis=1)[kept]
    y = (np.nansum(block, axis=1)[kept] / counts[kept]).astype(np.float64)
    m = len(kept)
    cycle_s = float(ts_ns[min(int(period), n - 1)] - ts_ns[0]) / 1e9 if period else 0.0
    found: list[TrendChange] = []
    segments = [(0, m)]
    while segments and len(found) < MAX_CHANGES:
        lo, hi = segments.pop()
        split = _split(t[lo:hi], y[lo:hi], cycle_s, threshold)
        if split is None:
            continue
        k, change = split
        if change is not None:
            found.append(_to_points(change, kept[lo:hi], size, values))
        segments += [(lo, lo + k), (lo + k, hi)]
    return sorted(found, key=lambda c: c.onset)


@dataclass(frozen=True)
class _Hinge:
    k: int  # first bucket on the new slope
    peak: int  # bucket furthest from the old slope's path
    end: int  # last bucket of the segment
    slope_before: float
    slope_after: float
    departure: float
    sigma: float
    score: float


def _split(
    t: FloatArray, y: FloatArray, cycle_s: float, threshold: float
) -> tuple[int, _Hinge | None] | None:
    """Where to split a segment, and the trend change there if it is one (None: no split)."""
    m = len(t)
    if m < 2 * MIN_SEGMENT:
        return None
    t0 = t - t[0]
    candidates = np.arange(MIN_SEGMENT, m - MIN_SEGMENT + 1)
    hinge_rss, hinge_coef = _fits(t0, y, candidates, hinge=True)
    step_rss, step_coef = _fits(t0, y, candidates, hinge=False)
    best_hinge, best_step = int(np.argmin(hinge_rss)), int(np.argmin(step_rss))
    if step_rss[best_step] <= hinge_rss[best_hinge]:
        # A jump explains this segment best: not a trend, but split there and search on.
        k = int(candidates[best_step])
        residual = y - _line(t0, step_coef[best_step], k, hinge=False)
        jump = abs(float(step_coef[best_step][2])) / _wander(residual, y)
        return (k, None) if z_to_score(np.array([jump]))[0] >= threshold else None
    k = int(candidates[best_hinge])
    _, b, c = (float(v) for v in hinge_coef[best_hinge])
    sigma = _wander(y - _line(t0, hinge_coef[best_hinge], k, hinge=True), y)
    # The evidence: how far the fitted new slope has led from where the old one led, at the
    # end of the segment but no further after the change than the old slope was seen before
    # it (a slope seen for a day says little about where it would be a month later).
    horizon = int(np.searchsorted(t0, 2 * t0[k], side="right")) - 1
    peak = min(m - 1, max(horizon, k))
    departure = c * float(t0[peak] - t0[k])
    score = float(z_to_score(np.array([abs(departure) / sigma]))[0])
    if score < threshold:
        return None
    if t0[-1] - t0[k] < cycle_s:  # not kept for a whole cycle: not (yet) a trend
        return k, None
    return k, _Hinge(k, peak, m - 1, b, b + c, departure, sigma, score)


def _wander(residual: FloatArray, y: FloatArray) -> float:
    """How far the smoothed series usually strays from its fitted lines, for the sums and
    differences of many buckets the evidence is made of.

    The robust sigma of the residuals, widened by their lag-one autocorrelation (the
    long-run sigma of an AR(1) process): a series that wanders slowly, like a daily load
    drifting for hours, strays further and longer than independent noise of the same sigma,
    and would otherwise show trend changes everywhere.
    """
    sigma = _robust_sigma(residual, y)
    centred = np.clip(residual - np.median(residual), -3 * sigma, 3 * sigma)
    power = float(np.dot(centred, centred))
    phi = float(np.dot(centred[1:], centred[:-1])) / power if power > 0 else 0.0
    phi = min(max(phi, 0.0), MAX_PHI)
    return sigma * float(np.sqrt((1 + phi) / (1 - phi)))


def _fits(
    t: FloatArray, y: FloatArray, candidates: np.ndarray, hinge: bool
) -> tuple[FloatArray, FloatArray]:
    """Residual sums of squares and coefficients of ``y ~ 1 + t + x_k`` for every candidate
    ``k``, where ``x_k`` is ``(t - t_k)+`` (hinge) or ``[t >= t_k]`` (step).

    The normal equations need sums over ``t >= t_k`` only, which suffix sums give for every
    ``k`` at once; then one batched 3x3 solve.
    """
    scale = max(float(t[-1]), 1e-9)  # work in units of the segment's length: well conditioned
    u = t / scale

    def suffix(x: FloatArray) -> FloatArray:
        return np.asarray(np.cumsum(x[::-1])[::-1], dtype=np.float64)

    c0, c1, c2 = suffix(np.ones_like(u)), suffix(u), suffix(u * u)
    cy, cuy = suffix(y), suffix(u * y)
    tau = u[candidates]
    n0, n1, n2, ny, nuy = (s[candidates] for s in (c0, c1, c2, cy, cuy))
    if hinge:
        sx, sxx = n1 - tau * n0, n2 - 2 * tau * n1 + tau**2 * n0
        sxu, sxy = n2 - tau * n1, nuy - tau * ny
    else:
        sx, sxx, sxu, sxy = n0, n0, n1, ny
    count = np.full_like(tau, float(len(u)))
    su, suu, sy, suy = (
        np.full_like(tau, float(v)) for v in (u.sum(), (u * u).sum(), y.sum(), (u * y).sum())
    )
    matrix = np.stack(
        [
            np.stack([count, su, sx], axis=-1),
            np.stack([su, suu, sxu], axis=-1),
            np.stack([sx, sxu, sxx], axis=-1),
        ],
        axis=-2,
    )
    rhs = np.stack([sy, suy, sxy], axis=-1)
    coef = np.linalg.solve(matrix + np.eye(3) * 1e-12, rhs[..., None])[..., 0]
    rss = float((y * y).sum()) - np.einsum("ij,ij->i", coef, rhs)
    # Back to the caller's time unit: slope and hinge slope per unit of t, a jump as is.
    coef[:, 1] /= scale
    if hinge:
        coef[:, 2] /= scale
    return np.asarray(rss, dtype=np.float64), np.asarray(coef, dtype=np.float64)


def _line(t: FloatArray, coef: FloatArray, k: int, hinge: bool) -> FloatArray:
    a, b, c = coef
    extra = np.maximum(t - t[k], 0.0) if hinge else (t >= t[k]).astype(np.float64)
    return np.asarray(a + b * t + c * extra, dtype=np.float64)


def _robust_sigma(residual: FloatArray, y: FloatArray) -> float:
    mad = float(np.median(np.abs(residual - np.median(residual)))) * MAD_TO_SIGMA
    spread = float(np.percentile(y, 75) - np.percentile(y, 25)) / 1.349
    return max(mad, spread * 1e-3, 1e-12)


def _to_points(change: _Hinge, buckets: np.ndarray, size: int, values: FloatArray) -> TrendChange:
    """Positions of a change's buckets (numbered within its segment; ``buckets`` are their
    numbers in the series) as positions of the points; the peak is a real point."""
    n = len(values)
    start = int(buckets[change.peak]) * size
    inside = np.flatnonzero(np.isfinite(values[start : start + size]))
    peak = start + int(inside[np.argmin(np.abs(inside - size // 2))]) if len(inside) else start
    return TrendChange(
        onset=int(buckets[change.k]) * size,
        end=min(n - 1, (int(buckets[change.end]) + 1) * size - 1),
        peak=min(n - 1, peak),
        slope_before=change.slope_before,
        slope_after=change.slope_after,
        departure=change.departure,
        sigma=change.sigma,
        score=change.score,
        bucket=size,
    )


def trend_finding(
    change: TrendChange,
    ts_ns: np.ndarray,
    values: FloatArray,
    name: str,
    tz: str,
    step_ns: float,
    cyclic: bool,
) -> Finding:
    """A trend change as a finding: peak where the series is furthest from the old slope's
    path; ``actual - expected`` is that distance (on bucket means, as the detector saw it)."""
    onset_ns, end_ns, peak_ns = (int(ts_ns[i]) for i in (change.onset, change.end, change.peak))
    bucket_s = change.bucket * step_ns / 1e9
    scale = (
        "raw"
        if change.bucket == 1
        else {3600.0: "1h", 86_400.0: "1d"}.get(round(bucket_s), f"{round(bucket_s)}s")
    )
    words = "raw" if scale == "raw" else duration(bucket_s).replace(" ", "-").rstrip("s")
    (before, after), unit = slope_words((change.slope_before, change.slope_after))
    actual = float(values[change.peak])
    expected = actual - change.departure
    return Finding(
        type="trend",
        start_ns=onset_ns,
        end_ns=end_ns,
        peak_ns=peak_ns,
        score=round(100.0 * change.score, 2),
        series=name,
        actual=actual,
        expected=expected,
        band_low=expected - 2 * change.sigma,
        band_high=expected + 2 * change.sigma,
        deviation_sigma=round(change.departure / change.sigma, 2),
        contributions=(Contribution("trend", 1.0, scale, f"slope {before}{unit} → {after}{unit}"),),
        context={
            "slope_before_per_hour": change.slope_before * 3600,
            "slope_after_per_hour": change.slope_after * 3600,
            "departure": change.departure,
            "wander_sigma": change.sigma,
            "bucket_points": change.bucket,
        },
        narrative=trend_narrative(
            series=name,
            onset_ns=onset_ns,
            peak_ns=peak_ns,
            tz=tz,
            slope_before=change.slope_before,
            slope_after=change.slope_after,
            departure=change.departure,
            sigmas=change.sigmas,
            scale=words,
            cyclic=cyclic,
        ),
    )
