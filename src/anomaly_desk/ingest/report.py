"""Time hygiene for the import report: counted, never corrected."""

from __future__ import annotations

from datetime import UTC, datetime

import numpy as np

from anomaly_desk.model import ImportReport, SeriesReport
from anomaly_desk.store.points import F64, I64

GAP_FACTOR = 1.5  # an interval longer than 1.5 steps means at least one expected point is absent


def when(ns: int | None) -> datetime | None:
    return None if ns is None else datetime.fromtimestamp(ns / 1e9, tz=UTC)


def series_report(name: str, ts_ns: I64, values: F64) -> SeriesReport:
    n = len(ts_ns)
    if n == 0:
        return SeriesReport(name, 0, None, None, None)
    out_of_order = int(np.count_nonzero(np.diff(ts_ns) < 0)) if n > 1 else 0
    ordered = np.sort(ts_ns) if out_of_order else ts_ns
    steps = np.diff(ordered)
    duplicates = int(np.count_nonzero(steps == 0))
    positive = steps[steps > 0]
    step_ns = float(np.median(positive)) if len(positive) else None
    gaps = int(np.count_nonzero(positive > GAP_FACTOR * step_ns)) if step_ns else 0
    return SeriesReport(
        name=name,
        points=n,
        start=when(int(ordered[0])),
        end=when(int(ordered[-1])),
        step_seconds=step_ns / 1e9 if step_ns else None,
        duplicates=duplicates,
        out_of_order=out_of_order,
        gaps=gaps,
        missing_values=int(np.count_nonzero(np.isnan(values))),
    )


def combine(report: ImportReport, per_series: list[SeriesReport]) -> None:
    """Fill the dataset-wide figures of ``report`` from its series."""
    report.per_series = per_series
    report.series = len(per_series)
    starts = [s.start for s in per_series if s.start]
    ends = [s.end for s in per_series if s.end]
    report.start = min(starts) if starts else None
    report.end = max(ends) if ends else None
    steps = [s.step_seconds for s in per_series if s.step_seconds]
    report.step_seconds = float(np.median(steps)) if steps else None
    report.duplicates = sum(s.duplicates for s in per_series)
    report.out_of_order = sum(s.out_of_order for s in per_series)
    report.gaps = sum(s.gaps for s in per_series)
    report.missing_values = sum(s.missing_values for s in per_series)


def describe(report: ImportReport) -> list[str]:
    """The report as short lines for a terminal or a dialog."""
    lines = [
        f"{report.rows:,} rows, {report.series:,} series"
        if report.series
        else f"{report.rows:,} rows"
    ]
    if report.start and report.end:
        lines.append(
            f"time span {report.start:%Y-%m-%d %H:%M:%S} .. {report.end:%Y-%m-%d %H:%M:%S} UTC"
        )
    if report.step_seconds:
        lines.append(f"typical step {_duration(report.step_seconds)}")
    for label, count in (
        ("duplicate timestamps", report.duplicates),
        ("out-of-order rows (kept in file order)", report.out_of_order),
        ("gaps (intervals over 1.5 steps)", report.gaps),
        ("missing values", report.missing_values),
        ("non-numeric values imported as missing", report.non_numeric),
        ("DST-ambiguous local times", report.dst_ambiguous),
        ("nonexistent local times (DST gap)", report.dst_nonexistent),
    ):
        if count:
            lines.append(f"{count:,} {label}")
    lines.extend(report.notes)
    return lines


def _duration(seconds: float) -> str:
    for unit, size in (("d", 86400), ("h", 3600), ("min", 60)):
        if seconds >= size and seconds % size == 0:
            return f"{seconds / size:g} {unit}"
    return f"{seconds:g} s"
