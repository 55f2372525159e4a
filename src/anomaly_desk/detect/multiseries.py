"""Findings across the series of one dataset: broken correlations and joint deviations.

Series that usually move together (web servers behind one balancer, a database and the apps
that call it) are aligned on shared time buckets. Two signals come out:

* **correlation break**: a pair whose correlation over the whole history is strong, but which
  over a window of recent buckets stops moving together (one drifts, stalls or inverts);
* **joint deviation**: a bucket where several series are each moderately unusual at once —
  no single one crosses its own threshold, together they are a finding (multivariate).

Both work on each series' residual (value minus its seasonal prediction, from
``deviation.robust_z``), so shared daily cycles do not count as "moving together".
"""

from __future__ import annotations

from dataclasses import dataclass
from itertools import combinations

import numpy as np
import pandas as pd

from anomaly_desk.detect.arrays import FloatArray
from anomaly_desk.detect.deviation import day_types, robust_z
from anomaly_desk.detect.events import group_events
from anomaly_desk.detect.explain import DAY_S, local
from anomaly_desk.detect.findings import Contribution, Finding
from anomaly_desk.detect.period import find_period

STRONG = 0.6  # |r| over the history that makes a pair "usually moving together"
WINDOW = 24  # buckets in the rolling correlation
BROKEN = 0.3  # rolling |r| below which a strong pair counts as broken
JOINT_SIGMA = 3.0  # each series at least this unusual ...
JOINT_COUNT = 3  # ... in at least this many series at once ...
JOINT_SHARE = 0.25  # ... and at least this share of them
JOINT_GAP = 12  # joint buckets this close belong to one episode
MAX_SERIES = 60  # pairs grow quadratically; beyond this only the most active series are used


@dataclass(frozen=True)
class Aligned:
    """Residual z of each series on shared buckets (NaN where a series has no point)."""

    start_ns: np.ndarray  # bucket starts
    names: list[str]
    z: FloatArray  # (buckets, series)


def align(series: dict[str, tuple[np.ndarray, FloatArray]], tz: str) -> Aligned | None:
    """Each series' residual z, averaged per bucket of the coarsest common step."""
    steps = []
    for ts, _ in series.values():
        diffs = np.diff(np.sort(ts))
        if np.any(diffs > 0):
            steps.append(float(np.median(diffs[diffs > 0])))
    if len(series) < 2 or not steps:
        return None
    bucket = int(max(steps))
    columns = {}
    for name, (ts, values) in list(series.items())[:MAX_SERIES]:
        order = np.argsort(ts, kind="stable")
        ts_s, v_s = ts[order], values[order]
        period = find_period(v_s[np.isfinite(v_s)][:20_000])
        daily = period > 0 and abs(period * bucket / 1e9 - DAY_S) < 0.05 * DAY_S
        z, _, _ = robust_z(v_s, period, day_types(ts_s, tz) if daily else None)
        columns[name] = pd.Series(z, index=ts_s // bucket).groupby(level=0).mean()
    frame = pd.DataFrame(columns).sort_index()
    if len(frame) < 4 * WINDOW:
        return None
    return Aligned(frame.index.to_numpy() * bucket, list(frame.columns), frame.to_numpy())


def correlation_breaks(aligned: Aligned, tz: str = "UTC") -> list[Finding]:
    # Clipped residuals: one shared incident must not make two series look "usually
    # correlated"; the relationship has to hold in ordinary times.
    frame = pd.DataFrame(np.clip(aligned.z, -3.0, 3.0), columns=aligned.names)
    usual = frame.corr(min_periods=4 * WINDOW).to_numpy()
    findings = []
    for (i, a), (j, b) in combinations(enumerate(aligned.names), 2):
        r = float(usual[i, j])
        if not np.isfinite(r) or abs(r) < STRONG:
            continue
        rolling = np.asarray(
            frame[a].rolling(WINDOW, min_periods=WINDOW // 2).corr(frame[b]).to_numpy(),
            dtype=np.float64,
        )
        if np.nanmedian(np.abs(rolling)) < STRONG:
            continue  # strong overall, but not window by window: no steady relationship
        broken = np.nan_to_num(np.abs(rolling), nan=1.0) < BROKEN
        edges = np.diff(np.r_[0, broken.astype(np.int8), 0])
        for start, stop in zip(
            np.flatnonzero(edges == 1), np.flatnonzero(edges == -1), strict=True
        ):
            if stop - start < WINDOW // 2:
                continue  # a brief dip of a rolling correlation is noise
            end = stop - 1
            low = float(np.nanmin(rolling[start:stop]))
            window_start = max(0, int(start) - WINDOW + 1)  # the window that first broke
            s_ns, e_ns = int(aligned.start_ns[window_start]), int(aligned.start_ns[end])
            score = round(
                min(99.0, 40.0 + 60.0 * (abs(r) - abs(low)) * min(1.0, (stop - start) / WINDOW)), 2
            )
            findings.append(
                Finding(
                    type="correlation_break",
                    start_ns=s_ns,
                    end_ns=e_ns,
                    peak_ns=int(aligned.start_ns[start]),
                    score=score,
                    entity=f"{a} ~ {b}",
                    contributions=(
                        Contribution(
                            "correlation break", 1.0, "aligned", f"r {r:.2f} -> {low:.2f}"
                        ),
                    ),
                    context={
                        "pair": [a, b],
                        "usual_r": round(float(r), 3),
                        "lowest_r": round(low, 3),
                    },
                    narrative=(
                        f"{a} and {b} usually move together (correlation {r:.2f} over the whole "
                        f"history) but from {local(s_ns, tz):%Y-%m-%d %H:%M} to "
                        f"{local(e_ns, tz):%Y-%m-%d %H:%M} their correlation fell to {low:.2f}."
                    ),
                )
            )
    return findings


def joint_deviations(aligned: Aligned, tz: str = "UTC") -> list[Finding]:
    z = np.nan_to_num(np.abs(aligned.z), nan=0.0)
    unusual = z >= JOINT_SIGMA
    counts = unusual.sum(axis=1)
    hits = counts >= max(JOINT_COUNT, JOINT_SHARE * len(aligned.names))
    findings = []
    for event in group_events(hits.astype(np.float64), 0.5, max_gap=JOINT_GAP):
        start, stop = event.start, event.end + 1
        peak = start + int(np.argmax(counts[start:stop]))
        involved = [aligned.names[i] for i in np.flatnonzero(unusual[peak])]
        strength = float(np.sqrt(np.mean(np.square(z[peak, unusual[peak]]))))
        share = len(involved) / len(aligned.names)
        score = round(min(99.0, 30.0 + 10.0 * strength * share**0.5 + 2.0 * len(involved)), 2)
        s_ns, e_ns = int(aligned.start_ns[start]), int(aligned.start_ns[stop - 1])
        findings.append(
            Finding(
                type="spike",
                start_ns=s_ns,
                end_ns=e_ns,
                peak_ns=int(aligned.start_ns[peak]),
                score=score,
                entity=f"{len(involved)} series together",
                contributions=tuple(
                    Contribution(
                        name,
                        1.0 / len(involved),
                        "aligned",
                        f"{z[peak, aligned.names.index(name)]:.1f} robust σ",
                    )
                    for name in involved
                ),
                context={"series": involved, "rms_sigma": round(strength, 2)},
                narrative=(
                    f"{len(involved)} of {len(aligned.names)} series were unusual at the same "
                    f"time at {local(int(aligned.start_ns[peak]), tz):%Y-%m-%d %H:%M} "
                    f"({', '.join(involved[:6])}{' …' if len(involved) > 6 else ''}), "
                    f"each at least {JOINT_SIGMA:g} robust σ from its usual level."
                ),
            )
        )
    return findings
