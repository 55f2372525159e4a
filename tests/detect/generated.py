"""Generated series the detector tests share: a clean daily cycle of 5-minute points."""

from __future__ import annotations

import numpy as np
import pandas as pd

STEP = 300 * 10**9  # 5 minutes
DAY = 288


def seasonal(days: int = 28, seed: int = 0) -> tuple[np.ndarray, np.ndarray]:
    """Timestamps (ns, from Monday 2025-03-03 UTC) and a sine day of 40 +- 20 with noise sigma 2."""
    rng = np.random.default_rng(seed)
    n = days * DAY
    ts = np.int64(pd.Timestamp("2025-03-03T00:00Z").value) + np.arange(n, dtype=np.int64) * STEP
    values = 40 + 20 * np.sin(2 * np.pi * (np.arange(n) % DAY) / DAY) + rng.normal(0, 2, n)
    return ts, values
