"""A memory of the shapes a series has shown: Fuzzy ART over short windows of block means.

This is the idea of ARTime (Hampton, the best published detector on NAB) written from the Fuzzy
ART description of Carpenter, Grossberg & Rosen (1991); no code was taken from either.

Every ``score_every`` rows the window ``(m_{t-(W-1)d}, ..., m_{t-d}, m_t)`` is formed, where
``m_t`` is the mean of the ``d`` rows ending at ``t``. Fuzzy ART keeps categories, each a box
``[u, v]`` of such windows. The input resonates with a category when their *match*, the share of
the input's complement-coded mass inside the box, is at least the vigilance ``rho``; the best
resonating category (by the choice function) then learns slowly, and when none resonates a new
category is committed at the input. Only a window unlike every shape seen so far fails to
resonate, whatever its level in robust sigmas: the memory sees a new *pattern* (a day that runs
differently, a changed rhythm) that the deviation views, which compare single points with a
median, cannot see.

The view's raw signal is the best category's mismatch in units of the vigilance tolerance,
``(1 - best match) / (1 - rho)``: above 1 exactly when nothing resonates.

A window is presented only every 12th row, and the memory learns at each presentation. Every
presentation is one more chance for a near-miss to become a new record of the mismatch, so
fewer presentations mean fewer chance alarms; on NAB every-row scoring gave the most false
positives of all the strides tried (see docs/detection.md).

Values are scaled by a range that is causal and only grows: it starts at the first whole
window's extremes and widens (with a margin) whenever a block mean falls outside. The categories
are kept in the series' own units: Fuzzy ART's match and learning rule commute with the affine
scaling, so a wider range needs no remapping, only a new span in the match. Everything is
carried in a small state, so any chunking of a stream gives identical output.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import numpy as np

from anomaly_desk.detect.arrays import FloatArray

_ALPHA = 0.001  # the choice function's tie-breaker: prefers the smaller of equally good boxes
_STRETCH = 4096  # block means searched at a time for the next widening of the range


@dataclass(frozen=True)
class ShapeMemory:
    """Fuzzy ART settings; ``new_state`` and ``mismatch`` run the memory over a stream.

    block : rows averaged into one block mean (``d``).
    width : block means per window (``W``); the window spans ``block * width`` rows.
    vigilance : match needed to resonate (``rho``); higher = finer categories.
    learning_rate : how far a resonating box moves towards the input (slow recode).
    margin : share of the current span added beyond a new extreme when the range widens.
    score_every, learn_every : the rows (counted from the first full window) at which the
        window is presented, and at which a resonating box learns. A window that resonates
        with nothing is committed at once, at any presentation.

    The defaults are the middle of the plateau measured on NAB (docs/detection.md): block 6-16
    all beat the detector without this view on both halves of the files and on every category
    left out.
    """

    block: int = 10
    width: int = 4
    vigilance: float = 0.9
    learning_rate: float = 0.1
    margin: float = 0.1
    score_every: int = 12
    learn_every: int = 12

    @property
    def span(self) -> int:
        return self.block * self.width

    def new_state(self) -> dict[str, Any]:
        return {
            "tail": np.full(self.span - 1, np.nan),
            "low": np.nan,
            "high": np.nan,
            "lower": np.empty((0, self.width)),
            "upper": np.empty((0, self.width)),
        }

    def mismatch(self, chunk: FloatArray, start: int, state: dict[str, Any]) -> FloatArray:
        """``(1 - best match) / (1 - vigilance)`` at presented rows, 0 elsewhere.

        ``start`` is the stream index of ``chunk[0]``; ``state`` is updated in place.
        """
        n = len(chunk)
        out = np.zeros(n)
        full = np.concatenate([state["tail"], chunk])
        state["tail"] = full[len(full) - (self.span - 1) :]
        first = self.span - 1  # the first stream row with a whole window behind it
        rows = np.arange(max(first - start, 0), n)
        if len(rows) == 0:
            return out
        means = self._block_means(full)
        # full[i] is stream row start - (span - 1) + i: the block mean ending at chunk row r is
        # means[r + span - d], and its window's block means are d apart before it.
        ends = rows + (self.span - self.block)
        lags = self.block * np.arange(self.width - 1, -1, -1)
        spans = self._spans(means, ends, lags, state)
        at = np.flatnonzero(((start + rows - first) % self.score_every == 0) & np.isfinite(spans))
        windows = means[ends[at, None] - lags[None, :]]
        keep = np.isfinite(windows).all(axis=1)
        at, windows = at[keep], windows[keep]
        presented = rows[at]
        learns = ((start + presented - first) % self.learn_every == 0).tolist()
        spans_at = spans[at].tolist()
        memory = _Boxes(state["lower"], state["upper"], self)
        best = np.empty(len(presented))
        for i in range(len(presented)):
            best[i] = memory.present(windows[i], spans_at[i], learns[i])
        out[presented] = (1.0 - best) / (1.0 - self.vigilance)
        state["lower"], state["upper"] = memory.lower, memory.upper
        return out

    def _block_means(self, full: FloatArray) -> FloatArray:
        """``means[i]``: the mean of ``full[i : i + d]``."""
        # Each block mean is a sum in a fixed order of its own d values: identical bits
        # whichever chunk it is computed in.
        d = self.block
        sums = np.zeros(len(full) - d + 1)
        for k in range(d):
            sums += full[k : len(full) - d + 1 + k]
        result: FloatArray = sums / d
        return result

    def _spans(
        self, means: FloatArray, ends: np.ndarray, lags: np.ndarray, state: dict[str, Any]
    ) -> FloatArray:
        """The width of the causal range at each row (NaN until the first whole window).

        The first finite window sets the range; from then on every newest block mean beyond
        it widens it, with a margin, so the range only grows.
        """
        spans = np.full(len(ends), np.nan)
        low, high = float(state["low"]), float(state["high"])
        pos = 0
        if np.isnan(low):
            whole = np.isfinite(means[ends[:, None] - lags[None, :]]).all(axis=1)
            if not whole.any():
                return spans
            pos = int(np.argmax(whole))
            window = means[ends[pos] - lags]
            a, b = float(window.min()), float(window.max())
            span = max(b - a, 1e-6 * max(abs(a), abs(b), 1.0))
            low, high = a - self.margin * span, b + self.margin * span
            spans[pos] = high - low
            pos += 1
        newest = means[ends]
        # The range widens rarely (each time by a share of itself): search for the next
        # block mean outside it with numpy, a stretch at a time.
        while pos < len(newest):
            stretch = newest[pos : pos + _STRETCH]
            outside = np.flatnonzero((stretch < low) | (stretch > high))
            stop = pos + (int(outside[0]) if len(outside) else len(stretch))
            spans[pos:stop] = high - low
            if stop == pos + len(stretch):
                pos = stop
                continue
            value = float(newest[stop])
            if value < low:
                low = value - self.margin * (high - low)
            else:
                high = value + self.margin * (high - low)
            spans[stop] = high - low
            pos = stop + 1
        state["low"], state["high"] = low, high
        return spans


class _Boxes:
    """The categories of one stream: boxes ``[lower, upper]`` in the series' units."""

    def __init__(self, lower: FloatArray, upper: FloatArray, settings: ShapeMemory) -> None:
        self.lower, self.upper = lower, upper
        self.widths = (upper - lower).sum(axis=1)  # each box's size, kept up to date
        self.width = settings.width
        self.vigilance = settings.vigilance
        self.rate = settings.learning_rate

    def present(self, x: FloatArray, span: float, learn: bool) -> float:
        """Match one window: commit it if nothing resonates, else learn if ``learn``.

        Returns the best match before either.
        """
        lower, upper, m = self.lower, self.upper, self.width
        if len(lower) == 0:
            self._commit(x)
            return 1.0
        # Fuzzy ART's match of the complement-coded input with box [u, v], in the series'
        # units: 1 + sum(min(x, u) - max(x, v)) / (span * m).
        inside = (np.minimum(x, lower) - np.maximum(x, upper)).sum(axis=1)
        j = int(inside.argmax())
        best = 1.0 + float(inside[j]) / (span * m)
        if best < self.vigilance:
            self._commit(x)
            return best
        if learn:
            resonant = inside >= (self.vigilance - 1.0) * span * m
            if np.count_nonzero(resonant) > 1:
                # The choice function |x ^ w| / (alpha + |w|), with both in the series' units.
                choice = (m * span + inside) / (_ALPHA * span + m * span - self.widths)
                j = int(np.where(resonant, choice, -1.0).argmax())
            # Slow recode: w <- rate * (x ^ w) + (1 - rate) * w, for both ends of the box.
            lower[j] -= self.rate * np.maximum(lower[j] - x, 0.0)
            upper[j] += self.rate * np.maximum(x - upper[j], 0.0)
            self.widths[j] = (upper[j] - lower[j]).sum()
        return best

    def _commit(self, x: FloatArray) -> None:
        self.lower, self.upper = np.vstack([self.lower, x]), np.vstack([self.upper, x])
        self.widths = np.append(self.widths, 0.0)
