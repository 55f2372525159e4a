"""Automatic period (seasonality) detection from the autocorrelation function."""

from __future__ import annotations

import numpy as np

from anomaly_desk.detect.base import FloatArray

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
