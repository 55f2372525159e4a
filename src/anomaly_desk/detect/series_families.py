"""Findings that are facts of the series' shape rather than surprises: gaps and stuck values."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from anomaly_desk.detect.arrays import FloatArray
from anomaly_desk.detect.explain import duration, fmt, local
from anomaly_desk.detect.findings import Contribution, Finding

IntArray = np.ndarray

GAP_MIN_STEPS = 3.0  # shorter holes are jitter, reported by the import, not findings
FLATLINE_MIN_POINTS = 12


@dataclass(frozen=True)
class ShapeEvent:
    kind: str  # "gap" or "flatline"
    start: int  # position of the first point concerned (for a gap: the last point before it)
    end: int  # position of the last point concerned (for a gap: the first point after it)
    score: float  # 0-100
    detail: dict[str, float]


def find_gaps(ts_ns: IntArray, step_ns: float) -> list[ShapeEvent]:
    """Holes in time longer than ``GAP_MIN_STEPS`` steps; longer holes score higher."""
    if step_ns <= 0 or len(ts_ns) < 2:
        return []
    steps = np.diff(ts_ns) / step_ns
    events = []
    for i in np.flatnonzero(steps >= GAP_MIN_STEPS):
        missing = float(steps[i] - 1)
        score = min(100.0, 20.0 + 12.0 * np.log2(steps[i]))
        events.append(ShapeEvent("gap", int(i), int(i + 1), score, {"missing_points": missing}))
    return events


def run_lengths(values: FloatArray) -> tuple[IntArray, IntArray]:
    """Starts and lengths of runs of identical consecutive values."""
    if len(values) == 0:
        return np.empty(0, np.int64), np.empty(0, np.int64)
    change = np.flatnonzero(values[1:] != values[:-1]) + 1
    starts = np.concatenate([[0], change])
    lengths = np.diff(np.concatenate([starts, [len(values)]]))
    return starts, lengths


def find_flatlines(values: FloatArray) -> list[ShapeEvent]:
    """Runs of one repeated value far longer than this series' own repeats.

    The bar is relative (five times the 99th percentile of run lengths, at least 12 points):
    counters that often repeat a value are not "stuck" merely for doing so.
    """
    finite = np.isfinite(values)
    if finite.sum() < 50:
        return []
    starts, lengths = run_lengths(np.where(finite, values, np.nan))
    usual = float(np.percentile(lengths, 99))
    bar = max(FLATLINE_MIN_POINTS, 5.0 * usual)
    if np.all(lengths >= bar):  # a constant series is not a stuck one: nothing to compare
        return []
    events = []
    for start, length in zip(starts, lengths, strict=True):
        if length >= bar and np.isfinite(values[start]):
            score = min(100.0, 30.0 + 25.0 * np.log2(length / bar))
            events.append(
                ShapeEvent(
                    "flatline",
                    int(start),
                    int(start + length - 1),
                    score,
                    {"points": float(length), "usual_run": usual, "value": float(values[start])},
                )
            )
    return events


def gap_finding(event: ShapeEvent, ts: np.ndarray, name: str, tz: str, step_ns: float) -> Finding:
    """A gap as a finding, with its narrative."""
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


def flat_finding(event: ShapeEvent, ts: np.ndarray, name: str, tz: str) -> Finding:
    """A stuck value as a finding, with its narrative."""
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
