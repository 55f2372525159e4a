"""What a value "should" have been: the expected value, the usual range and the robust sigma.

With a period, the baseline is what the same phase looked like over the previous cycles
("typical for Tuesday 14:00"); without one it is the recent past. Only points *before* the
anomaly are used, so an anomaly never explains itself away.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from anomaly_desk.detect.arrays import FloatArray

MAD_TO_SIGMA = 1.4826
MEAN_ABS_TO_SIGMA = 1.2533  # mean absolute deviation of a normal = sigma / 1.2533
CYCLES = 8  # how many previous cycles describe the same phase
RECENT = 96  # points of recent past when there is no period
LOOKBACK_KINDS = 4  # with day kinds, days of the same kind are sought this many cycles back


@dataclass(frozen=True)
class Baseline:
    expected: float
    low: float  # usual range: 10th..90th percentile of the reference values
    high: float
    sigma: float  # robust sigma of the reference values (never 0)
    seasonal: bool  # True when the reference is the same phase of previous cycles
    samples: int
    day_kind: str | None = None  # "weekday" / "weekend" when only days of that kind count


def noise_floor(values: FloatArray) -> float:
    """A series-wide robust sigma of point-to-point change: the smallest sigma we believe."""
    finite = values[np.isfinite(values)]
    if len(finite) < 3:
        return 1e-9
    steps = np.abs(np.diff(finite))
    mad = float(np.median(np.abs(steps - np.median(steps)))) * MAD_TO_SIGMA
    spread = float(np.percentile(finite, 75) - np.percentile(finite, 25)) / 1.349
    robust = max(mad / np.sqrt(2.0), spread * 0.05)
    if robust > 0:
        return float(robust)
    # Mostly one value (error counts: zero with an occasional burst). Robust spreads are 0
    # there, and a 1e-9 floor turned every burst into "2e10 sigma above". The mean absolute
    # deviation still sees the bursts that do happen and gives them a finite size.
    mean_abs = float(np.mean(np.abs(finite - np.median(finite)))) * MEAN_ABS_TO_SIGMA
    return float(max(mean_abs, 1e-9))


def baseline_at(
    values: FloatArray,
    index: int,
    period: int,
    floor: float,
    kinds: np.ndarray | None = None,
) -> Baseline:
    """The baseline for position ``index`` from points before it.

    With ``kinds`` (the kind of day of each point, for a daily cycle) only earlier days of
    the same kind count, as for the detector: a Monday morning is not judged against a
    Sunday's.
    """
    reference = np.empty(0)
    seasonal = False
    day_kind = None
    if period > 0 and index >= 2 * period:
        lags = np.arange(1, CYCLES * (1 if kinds is None else LOOKBACK_KINDS) + 1) * period
        positions = index - lags
        positions = positions[positions >= 0]
        if kinds is not None:
            positions = positions[kinds[positions] == kinds[index]][:CYCLES]
            day_kind = "weekend" if kinds[index] else "weekday"
        # +-1 point around the phase smooths small timing jitter.
        near = np.concatenate([positions - 1, positions, positions + 1])
        near = near[(near >= 0) & (near < index)]
        reference = values[near]
        reference = reference[np.isfinite(reference)]
        seasonal = len(reference) >= 4
    if not seasonal:
        reference = values[max(0, index - RECENT) : index]
        reference = reference[np.isfinite(reference)]
    if len(reference) == 0:
        here = float(values[index]) if np.isfinite(values[index]) else 0.0
        return Baseline(here, here, here, floor, False, 0)
    median = float(np.median(reference))
    mad = float(np.median(np.abs(reference - median))) * MAD_TO_SIGMA
    return Baseline(
        expected=median,
        low=float(np.percentile(reference, 10)),
        high=float(np.percentile(reference, 90)),
        sigma=max(mad, floor),
        seasonal=seasonal,
        samples=len(reference),
        day_kind=day_kind if seasonal else None,
    )
