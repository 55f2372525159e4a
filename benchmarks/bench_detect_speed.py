"""Detection speed and memory: streaming series detector, batch Auto, record detector.

Targets from issue 3: streaming >= 100k points/s per core; batch Auto on a 1M-point series
< 10 s; record detector on 1M rows x 20 features < 30 s, beside scikit-learn's
IsolationForest on the same data. Single-point streaming updates are reported too (far
slower: each call pays pandas' per-call overhead). Peak memory is the largest amount the
measured call had allocated at once (tracemalloc, which sees numpy's buffers too), taken from
a second run so that tracemalloc's own cost stays out of the times.
"""

from __future__ import annotations

import time
import tracemalloc

import numpy as np
from sklearn.ensemble import IsolationForest

from anomaly_desk.detect.auto import detect_series
from anomaly_desk.detect.records import EnsembleRecordDetector
from anomaly_desk.detect.streaming import StreamingDetector
from benchmarks.core import Context, Result, Target

SECTION = "detect-speed"


def _series(n: int) -> np.ndarray:
    rng = np.random.default_rng(0)
    t = np.arange(n)
    return 10 + 3 * np.sin(2 * np.pi * t / 288) + rng.standard_normal(n)


def _seconds(fn: object) -> float:
    start = time.perf_counter()
    fn()  # type: ignore[operator]
    return time.perf_counter() - start


def _measured(fn: object) -> tuple[float, float]:
    """(seconds, peak MB allocated during the call), from two runs of ``fn``.

    tracemalloc slows every allocation, most of all in code that makes many small arrays (the
    shape memory's per-window steps), so the time comes from a run without it.
    """
    seconds = _seconds(fn)
    tracemalloc.start()
    try:
        fn()  # type: ignore[operator]
        _, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    return seconds, peak / 2**20


def run(ctx: Context) -> Result:
    n = 100_000 if ctx.quick else (ctx.rows or 1_000_000)
    x = _series(n)
    batch, batch_mb = _measured(lambda: StreamingDetector().fit_score(x))
    ts = np.arange(n, dtype=np.int64) * 300 * 10**9
    auto, auto_mb = _measured(lambda: detect_series(ts, x, "bench", "UTC"))

    def chunked() -> None:
        detector = StreamingDetector()
        for i in range(0, n, 1000):
            detector.update(x[i : i + 1000])

    chunk = _seconds(chunked)
    single_n = 2000
    warm = StreamingDetector().fit(x[:5000])
    single = _seconds(lambda: [warm.update(v) for v in x[5000 : 5000 + single_n]])

    records = 50_000 if ctx.quick else 1_000_000
    table = np.random.default_rng(0).standard_normal((records, 20))
    record, record_mb = _measured(lambda: EnsembleRecordDetector().fit_score(table))
    forest, forest_mb = _measured(
        lambda: IsolationForest(random_state=0).fit(table).score_samples(table)
    )

    rate = n / batch
    rows = [
        ["streaming, one batch", f"{n:,}", f"{batch:.2f}", f"{rate:,.0f}", f"{batch_mb:,.0f}"],
        [
            "batch Auto (3 scales + explanations)",
            f"{n:,}",
            f"{auto:.2f}",
            f"{n / auto:,.0f}",
            f"{auto_mb:,.0f}",
        ],
        ["streaming, chunks of 1000", f"{n:,}", f"{chunk:.2f}", f"{n / chunk:,.0f}", "-"],
        [
            "streaming, one point per call",
            f"{single_n:,}",
            f"{single:.2f}",
            f"{single_n / single:,.0f}",
            "-",
        ],
        [
            "records (ours), 20 features",
            f"{records:,}",
            f"{record:.2f}",
            f"{records / record:,.0f}",
            f"{record_mb:,.0f}",
        ],
        [
            "records (sklearn IsolationForest)",
            f"{records:,}",
            f"{forest:.2f}",
            f"{records / forest:,.0f}",
            f"{forest_mb:,.0f}",
        ],
    ]
    full = not ctx.quick
    return Result(
        title="Detection speed",
        header=["what", "points/rows", "seconds", "per second", "peak MB"],
        rows=rows,
        figures={
            "streaming_points_per_s": rate,
            "streaming_chunked_points_per_s": n / chunk,
            "streaming_single_points_per_s": single_n / single,
            "records_seconds": record,
            "isolation_forest_seconds": forest,
            "auto_1m_seconds": auto,
            "auto_peak_mb": auto_mb,
            "records_peak_mb": record_mb,
        },
        targets=[
            Target(
                "streaming >= 100k points/s", f"{rate:,.0f}/s", rate >= 100_000 if full else None
            ),
            Target("batch Auto on 1M points < 10 s", f"{auto:.1f} s", auto < 10 if full else None),
            Target("records 1M x 20 < 30 s", f"{record:.1f} s", record < 30 if full else None),
        ],
    )
