"""Automatic period (seasonality) detection from the autocorrelation function."""

from __future__ import annotations

import numpy as np

from anomaly_desk.detect.arrays import FloatArray

MIN_POINTS = 64


def autocorrelation(values: FloatArray, max_lag: int) -> FloatArray:
    """Autocorrelation at lags ``0..max_lag`` by FFT (missing values count as the median)."""
    x = np.asarray(values, dtype=np.float64)
    finite = np.isfinite(x)
    if not finite.any():
        return np.zeros(max_lag + 1)
    x = np.where(finite, x, np.median(x[finite]))
    x = x - x.mean()
    power = float(np.dot(x, x))
    if power == 0.0:
        return np.zeros(max_lag + 1)
    spectrum = np.fft.rfft(x, 2 * len(x))  # zero padding: no wrap-around
    acf = np.fft.irfft(spectrum * np.conj(spectrum))[: max_lag + 1]
    return np.asarray(acf / power, dtype=np.float64)


def find_period(values: FloatArray, min_correlation: float = 0.3, min_cycles: int = 3) -> int:
    """The dominant period in points, or 0 when the series shows no clear seasonality.

    The period is the lag of the highest autocorrelation after the first negative one (so that
    the trivial peak around lag 0 is skipped), looking only at lags that fit ``min_cycles``
    times into the data, and kept only if that correlation reaches ``min_correlation``.
    """
    n = len(values)
    if n < MIN_POINTS:
        return 0
    max_lag = n // min_cycles
    acf = autocorrelation(values, max_lag)
    negative = np.flatnonzero(acf < 0)
    if len(negative) == 0 or negative[0] >= max_lag:
        return 0
    first = int(negative[0])
    lag = first + int(np.argmax(acf[first : max_lag + 1]))
    return lag if acf[lag] >= min_correlation else 0


def snap_to_calendar(period: int, step_s: float) -> int:
    """A period within 5 % of a day or a week of ``step_s`` steps, made exactly that.

    The autocorrelation peak of a noisy daily cycle may sit at 287 or 289 five-minute lags;
    comparing with "the same time yesterday" 1 point off drifts by a point per day compared
    (a week back is 7 points, 35 minutes, off). Calendar cycles are exact, so use them.
    """
    if period <= 0 or step_s <= 0:
        return period
    for cycle_s in (86_400.0, 7 * 86_400.0):
        points = cycle_s / step_s
        if abs(period - points) <= 0.05 * points and abs(points - round(points)) < 0.01:
            return round(points)
    return period


def refine_period(values: FloatArray, period: int) -> float:
    """The period to a fraction of a point, from the autocorrelation peak near the largest
    multiple of ``period`` that fits three times into the data (an error of one point in the
    integer period is shared by all those cycles)."""
    n = len(values)
    if period < 2 or n < 6 * period:
        return float(period)
    cycles = n // (3 * period)
    if cycles < 2:
        return float(period)
    reach = cycles * period + cycles  # an error of up to a point per cycle
    acf = autocorrelation(values, min(reach, n - 1))
    lo = max(1, cycles * (period - 1))
    peak = lo + int(np.argmax(acf[lo : reach + 1]))
    return peak / cycles


def find_period_detrended(values: FloatArray) -> int:
    """``find_period`` after taking out a centred moving mean over a sixth of the values.

    A strong trend dominates the autocorrelation (every lag looks alike) and hides the
    cycle; the moving mean follows the trend but, spanning at least two cycles of any
    period ``find_period`` can accept, keeps the cycle in what is left.
    """
    x = np.asarray(values, dtype=np.float64)
    if len(x) < MIN_POINTS:
        return 0
    finite = np.isfinite(x)
    filled = np.where(finite, x, np.median(x[finite]) if finite.any() else 0.0)
    window = max(3, len(x) // 6)
    kernel = np.ones(window)
    sums = np.convolve(filled, kernel, mode="same")
    counts = np.convolve(np.ones(len(x)), kernel, mode="same")
    return find_period(np.where(finite, filled - sums / counts, np.nan))
