"""Detection speed: the streaming series detector and the record detector.

Targets from issue 3: streaming >= 100k points/s per core; record detector on 1M rows x 20
features < 30 s. Single-point streaming updates are reported too (they are far slower: each
call pays pandas' per-call overhead).
"""

from __future__ import annotations

import time

import numpy as np

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


def run(ctx: Context) -> Result:
    n = 100_000 if ctx.quick else (ctx.rows or 1_000_000)
    x = _series(n)
    batch = _seconds(lambda: StreamingDetector().fit_score(x))

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
    record = _seconds(lambda: EnsembleRecordDetector().fit_score(table))

    rate = n / batch
    rows = [
        ["streaming, one batch", f"{n:,}", f"{batch:.2f}", f"{rate:,.0f}"],
        ["streaming, chunks of 1000", f"{n:,}", f"{chunk:.2f}", f"{n / chunk:,.0f}"],
        [
            "streaming, one point per call",
            f"{single_n:,}",
            f"{single:.2f}",
            f"{single_n / single:,.0f}",
        ],
        ["records, 20 features", f"{records:,}", f"{record:.2f}", f"{records / record:,.0f}"],
    ]
    full = not ctx.quick
    return Result(
        title="Detection speed",
        header=["what", "points/rows", "seconds", "per second"],
        rows=rows,
        figures={
            "streaming_points_per_s": rate,
            "streaming_chunked_points_per_s": n / chunk,
            "streaming_single_points_per_s": single_n / single,
            "records_seconds": record,
        },
        targets=[
            Target(
                "streaming >= 100k points/s", f"{rate:,.0f}/s", rate >= 100_000 if full else None
            ),
            Target("records 1M x 20 < 30 s", f"{record:.1f} s", record < 30 if full else None),
        ],
    )
