"""Naming what kind of anomaly a run of points is, and saying it in words.

The words are built from numbers computed here from the data (actual, expected, usual range,
robust sigmas, the time in the dataset's zone), so a test can check every fact a narrative
states.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from zoneinfo import ZoneInfo

import numpy as np

from anomaly_desk.detect.arrays import FloatArray
from anomaly_desk.detect.baseline import MAD_TO_SIGMA, Baseline

DAY_S = 86_400
WEEK_S = 7 * DAY_S
SHIFT_SIGMAS = 3.0
VARIANCE_RATIO = 3.0
SIDE_POINTS = 48  # points before / after an event that describe "before" and "after"


@dataclass(frozen=True)
class Shape:
    type: str
    before: float
    after: float | None
    spread_ratio: float
    change: float | None = None  # level change; for a seasonal series, against earlier cycles
    seasonal: bool = False


def classify(
    values: FloatArray,
    start: int,
    end: int,
    peak: int,
    base: Baseline,
    residual: FloatArray | None = None,
) -> Shape:
    """spike / dip / level_shift / variance / seasonal_break from the shape around the event.

    With a seasonal prediction, "before" and "after" are compared on the residual (value minus
    what the same hours of comparable earlier days predict): the morning ramp of a daily
    cycle, or a Monday after a quiet Sunday, is not a level shift; a level that stays above
    what comparable days showed is.
    """
    series = values if residual is None else residual
    before_vals = _finite(series[max(0, start - SIDE_POINTS) : start])
    after_vals = _finite(series[end + 1 : end + 1 + SIDE_POINTS])
    during = _finite(series[start : end + 1])
    before = float(np.median(before_vals)) if len(before_vals) else 0.0
    after = float(np.median(after_vals)) if len(after_vals) >= SIDE_POINTS // 4 else None
    level_change = None if after is None else after - before
    if after is None and len(during) >= SIDE_POINTS and len(before_vals):
        # Still going when the data ends: the level during the event is the new level.
        level_change = float(np.median(during)) - before
    if series is not values:  # report levels in the series' own units, not as differences
        raw_before = _finite(values[max(0, start - SIDE_POINTS) : start])
        raw_after = _finite(values[end + 1 : end + 1 + SIDE_POINTS])
        before = float(np.median(raw_before)) if len(raw_before) else base.expected
        after = float(np.median(raw_after)) if after is not None and len(raw_after) else None
    elif not len(before_vals):
        before = base.expected
    spread_before = _robust_sigma(before_vals)
    spread_during = _robust_sigma(np.concatenate([during, after_vals[: SIDE_POINTS // 2]]))
    ratio = spread_during / max(spread_before, base.sigma * 0.1, 1e-12)
    deviation = (float(values[peak]) - base.expected) / base.sigma
    if level_change is not None and abs(level_change) > SHIFT_SIGMAS * base.sigma:
        return Shape("level_shift", before, after, ratio, level_change, series is not values)
    if ratio > VARIANCE_RATIO and abs(deviation) < 2 * SHIFT_SIGMAS:
        return Shape("variance", before, after, ratio)
    recent_gap = abs(float(values[peak]) - before) / base.sigma
    if base.seasonal and recent_gap < SHIFT_SIGMAS <= abs(deviation):
        return Shape("seasonal_break", before, after, ratio)
    return Shape("spike" if deviation >= 0 else "dip", before, after, ratio)


def _finite(x: FloatArray) -> FloatArray:
    return x[np.isfinite(x)]


def _robust_sigma(x: FloatArray) -> float:
    if len(x) < 3:
        return 0.0
    return float(np.median(np.abs(x - np.median(x)))) * MAD_TO_SIGMA


def fmt(value: float | None) -> str:
    """Numbers as an investigator reads them: 97, 41.2, 0.0312, 12,346."""
    if value is None or not np.isfinite(value):
        return "n/a"
    magnitude = abs(value)
    if magnitude >= 1000:
        return f"{value:,.0f}"
    if magnitude >= 10:
        return f"{value:.1f}".removesuffix(".0")
    if magnitude >= 0.01 or magnitude == 0:
        return f"{value:.2f}".rstrip("0").rstrip(".")
    return f"{value:.3g}"


def local(ns: int, tz: str) -> datetime:
    return datetime.fromtimestamp(ns / 1e9, tz=ZoneInfo(tz))


def duration(seconds: float) -> str:
    for unit, size in (("day", DAY_S), ("hour", 3600), ("minute", 60)):
        if seconds >= size:
            count = seconds / size
            text = f"{count:.0f}" if abs(count - round(count)) < 0.05 else f"{count:.1f}"
            return f"{text} {unit}{'' if text == '1' else 's'}"
    return f"{seconds:.0f} seconds"


def phase_words(peak_local: datetime, period_s: float | None, base: Baseline) -> str:
    """How to name the reference: "Tuesday 14:00", "14:00", or "the preceding 8 hours"."""
    if base.seasonal and period_s:
        hour = (
            peak_local.strftime("%H:00") if peak_local.minute < 30 else peak_local.strftime("%H:%M")
        )
        if abs(period_s - WEEK_S) < 0.05 * WEEK_S:
            return f"{peak_local:%A} {hour}"
        if abs(period_s - DAY_S) < 0.05 * DAY_S:
            return f"{hour} on {base.day_kind}s" if base.day_kind else hour
        return f"this point of its {duration(period_s)} cycle"
    return "the preceding points"


def narrative(
    *,
    series: str,
    kind: str,
    actual: float,
    peak_ns: int,
    start_ns: int,
    end_ns: int,
    tz: str,
    base: Baseline,
    shape: Shape,
    period_s: float | None,
    detectors: list[str],
    scales: list[str],
) -> str:
    peak_local = local(peak_ns, tz)
    when = f"{peak_local:%H:%M} on {peak_local:%A %Y-%m-%d}"
    sigma = (actual - base.expected) / base.sigma
    side = "above" if sigma >= 0 else "below"
    plural = "s" if len(scales) > 1 else ""
    seen = f"Seen by the {_join(detectors)} at the {_join(scales)} scale{plural}."
    reference = phase_words(peak_local, period_s, base)
    typical = (
        f"typical for {reference} is {fmt(base.expected)} "
        f"(usual range {fmt(base.low)}–{fmt(base.high)}), {abs(sigma):.1f} robust σ {side}"
    )
    if kind == "level_shift" and shape.change is not None and shape.seasonal:
        start_local = local(start_ns, tz)
        direction = "up" if shape.change > 0 else "down"
        return (
            f"{series} moved {direction} by about {fmt(abs(shape.change))} against the same "
            f"hours of earlier cycles from {start_local:%H:%M} on {start_local:%A %Y-%m-%d} "
            f"and stayed there; at the peak it was {fmt(actual)}, {typical}. {seen}"
        )
    if kind == "level_shift" and shape.after is not None:
        start_local = local(start_ns, tz)
        return (
            f"{series} shifted from about {fmt(shape.before)} to about {fmt(shape.after)} at "
            f"{start_local:%H:%M} on {start_local:%A %Y-%m-%d} and stayed there; at the peak it "
            f"was {fmt(actual)}, {typical}. {seen}"
        )
    if kind == "variance":
        return (
            f"{series} became {shape.spread_ratio:.1f}× more variable from "
            f"{local(start_ns, tz):%Y-%m-%d %H:%M} to {local(end_ns, tz):%H:%M}; at {when} it "
            f"was {fmt(actual)}, {typical}. {seen}"
        )
    return f"{series} was {fmt(actual)} at {when}; {typical}. {seen}"


def _join(words: list[str]) -> str:
    if len(words) <= 1:
        return "".join(words)
    return ", ".join(words[:-1]) + " and " + words[-1]


def slope_words(per_second: tuple[float, ...]) -> tuple[list[str], str]:
    """Slopes as "+0.2", "-3.1", "0" and their unit: "/h", or "/day" when per hour they
    would read 0.00x. All get the decimals two significant digits of the largest need, so
    a slope next to a much larger one reads 0 rather than 0.000251."""
    per_hour = [s * 3600 for s in per_second]
    unit, scaled = (
        ("/h", per_hour)
        if max(map(abs, per_hour)) >= 0.01
        else ("/day", [s * 24 for s in per_hour])
    )
    largest = max(map(abs, scaled))
    decimals = max(0, 1 - int(np.floor(np.log10(largest)))) if largest > 0 else 0
    words = []
    for value in scaled:
        text = f"{value:+,.{decimals}f}"
        text = text.rstrip("0").rstrip(".") if "." in text else text
        words.append("0" if text in ("+0", "-0") else text)
    return words, unit


def trend_narrative(
    *,
    series: str,
    onset_ns: int,
    peak_ns: int,
    tz: str,
    slope_before: float,
    slope_after: float,
    departure: float,
    sigmas: float,
    scale: str,
    cyclic: bool,
) -> str:
    """ "The trend of X changed: the slope went from +0.2/h to +3.1/h at 14:00 on ..." """
    (before, after), unit = slope_words((slope_before, slope_after))
    onset, peak = local(onset_ns, tz), local(peak_ns, tz)
    side = "above" if departure >= 0 else "below"
    what = "the series (its cycle taken out)" if cyclic else "the series"
    return (
        f"The trend of {series} changed: the slope went from {before}{unit} to {after}{unit} "
        f"at {onset:%H:%M} on {onset:%A %Y-%m-%d} and kept to it. By {peak:%H:%M} on "
        f"{peak:%A %Y-%m-%d} {what} was about {fmt(abs(departure))} {side} where the earlier "
        f"slope led, {sigmas:.1f} robust σ of its usual wander. Seen by the trend detector at "
        f"the {scale} scale."
    )
