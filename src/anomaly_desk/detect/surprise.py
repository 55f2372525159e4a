"""Turning a deviation measure into a comparable surprise, and not crying wolf twice.

Both steps are sequential by nature; here they are written so that a chunk is processed with
numpy and a few carried numbers, and any split of a stream gives exactly the same output.
"""

from __future__ import annotations

import math

import numpy as np

from anomaly_desk.detect.arrays import FloatArray

MIN_RECORD = 1.0  # a deviation under one robust sigma never counts as a new record
_TINY = 1e-300


def decayed_record_ratio(
    z: FloatArray, start_index: int, best: float, seen: int, half_life: float, warmup: int
) -> tuple[FloatArray, float, int]:
    """How far each deviation exceeds the largest one seen before it (decaying with age).

    The ratio ``z_t / max_{s<t} z_s * 2^{-(t-s)/half_life}`` is above 1 exactly when ``z_t`` is
    a new (recency-weighted) record, which makes scores comparable across series of any noise
    level: each series is judged against its own history. The decay lets an old extreme fade,
    so a later, smaller anomaly can still stand out.

    The running maximum is kept in a "lifted" log form ``log z_s + s * ln2 / half_life`` so that
    it never needs rescaling; ``best`` is that maximum so far (``-inf`` for none) and ``seen``
    the number of points already in this record's history. The first ``warmup`` points score 0.
    Returns ``(ratios, best, seen)`` with the carried numbers updated.
    """
    n = len(z)
    if n == 0:
        return np.empty(0), best, seen
    rate = math.log(2.0) / half_life
    t = start_index + np.arange(n, dtype=np.float64)
    lifted = np.log(np.maximum(z, _TINY)) + t * rate
    running = np.maximum.accumulate(np.maximum(lifted, best))
    before = np.empty(n)
    before[0] = best
    before[1:] = running[:-1]
    with np.errstate(over="ignore"):
        record = np.exp(before - t * rate)  # exp(-inf) = 0 when nothing was seen yet
    ratio = z / np.maximum(record, MIN_RECORD)
    position = seen + np.arange(n)
    ratio[position < warmup] = 0.0
    return ratio, float(running[-1]), seen + n


def refractory(
    scores: FloatArray, start_index: int, last_alarm: int, level: float, period: int
) -> tuple[FloatArray, int]:
    """Cap scores just under ``level`` for ``period`` points after each alarm.

    An alarm is a score ``>= level`` that is not itself inside a refractory period. One
    incident then yields one alarm instead of a burst, which is what an investigator (and the
    NAB false-positive cost) wants. ``last_alarm`` is the stream index of the previous alarm.
    """
    out = scores.copy()
    candidates = np.flatnonzero(scores >= level)
    capped = np.nextafter(level, -np.inf)
    k = 0
    while k < len(candidates):
        index = start_index + int(candidates[k])
        if index - last_alarm > period:
            last_alarm = index
            k += 1
            continue
        # Everything up to the end of the refractory period is capped in one step.
        stop = int(np.searchsorted(candidates, last_alarm + period - start_index, side="right"))
        out[candidates[k:stop]] = np.minimum(out[candidates[k:stop]], capped)
        k = stop
    return out, last_alarm
