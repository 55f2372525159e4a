"""A min/max ("peak") decimation pyramid of a series, so that a view change draws a few thousand
points however long the series is.

pyqtgraph's own peak downsampling reduces the whole visible slice on every view change: ~40 ms
on the GUI thread for 10M points. The pyramid is built once, in the worker that loads the
series (numpy, a fraction of a second for 10M points); a view change then slices the coarsest
level that still gives about one min/max pair per pixel column, and zoomed-in views get the raw
points. NaN (a missing value) is ignored within a bin; a bin of only NaN stays a gap.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

FACTOR = 8  # each level has 1/FACTOR of the bins of the one below (level 0: raw / FACTOR)
MIN_BINS = 64  # no level coarser than this: any budget of 2 * MIN_BINS points or more fits
OVERVIEW_POINTS = 4096  # the overview strip: the whole series within this many points


@dataclass(frozen=True)
class PeakLevel:
    step: int  # raw points per bin
    low: np.ndarray  # per bin: the smallest finite value (NaN when none)
    high: np.ndarray  # per bin: the largest finite value (NaN when none)


@dataclass(frozen=True)
class Peaks:
    levels: tuple[PeakLevel, ...]  # finest first

    @classmethod
    def build(cls, y: np.ndarray) -> Peaks:
        levels: list[PeakLevel] = []
        low, high, step = y, y, 1
        while len(low) // FACTOR >= MIN_BINS:
            starts = np.arange(0, len(low), FACTOR)
            low = np.fmin.reduceat(low, starts)  # fmin/fmax skip NaN unless all are NaN
            high = np.fmax.reduceat(high, starts)
            step *= FACTOR
            levels.append(PeakLevel(step, low, high))
        return cls(tuple(levels))

    def slice(
        self, x: np.ndarray, y: np.ndarray, first: int, last: int, budget: int
    ) -> tuple[np.ndarray, np.ndarray]:
        """Points to draw for raw indices ``first .. last`` (inclusive): the raw points when
        there are at most ``budget``, else min/max pairs of the finest level that fits."""
        first, last = max(0, first), min(len(x) - 1, last)
        if last < first:
            return x[:0], y[:0]
        if last - first + 1 <= budget:
            return x[first : last + 1], y[first : last + 1]
        level = next(
            (lv for lv in self.levels if (last - first) // lv.step + 1 <= budget // 2),
            self.levels[-1] if self.levels else None,
        )
        if level is None:
            return x[first : last + 1], y[first : last + 1]
        lo, hi = first // level.step, last // level.step + 1
        bins = np.arange(lo, min(hi, len(level.low)))
        xs = np.repeat(x[bins * level.step], 2)
        ys = np.empty(2 * len(bins), dtype=np.float64)
        ys[0::2], ys[1::2] = level.low[bins], level.high[bins]
        return xs, ys

    def value_range(self, y: np.ndarray) -> tuple[float, float] | None:
        """The smallest and largest finite value of ``y``, or None when none is finite.

        Read from the coarsest level, whose bins together hold every point: a few hundred
        values instead of a pass over ten million on the GUI thread (~40 ms)."""
        low, high = (self.levels[-1].low, self.levels[-1].high) if self.levels else (y, y)
        if not len(low):
            return None
        smallest, largest = float(np.fmin.reduce(low)), float(np.fmax.reduce(high))
        return (smallest, largest) if np.isfinite(smallest) else None

    def overview(self, x: np.ndarray, y: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        """The whole series within ``OVERVIEW_POINTS`` points."""
        return self.slice(x, y, 0, len(x) - 1, OVERVIEW_POINTS)
