"""Synthetic workspaces with many anomalies, written through the public store API."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import numpy as np

from anomaly_desk.model import DatasetKind, ImportReport, Mapping, NewAnomaly, NewRun
from anomaly_desk.store import NewDataset, NewSeries, Workspace

STEP_NS = 60 * 1_000_000_000
START_NS = 1_700_000_000 * 1_000_000_000
TYPES = ("spike", "dip", "level_shift", "variance")


def synthetic_workspace(path: Path, series: int, points: int, anomalies: int) -> Path:
    rng = np.random.default_rng(0)
    ts = START_NS + np.arange(points, dtype=np.int64) * STEP_NS
    new = [
        NewSeries(
            f"host-{i:03d}/value", f"host-{i:03d}", "value", ts,
            10 + np.sin(np.arange(points) / 50.0) + rng.standard_normal(points), 60.0,
        )
        for i in range(series)
    ]  # fmt: skip
    mapping = Mapping(DatasetKind.TIMESERIES, "timestamp", entity="host", values=("value",))
    report = ImportReport(rows=series * points, series=series)
    with Workspace.open(path) as ws:
        info = ws.add_dataset(
            NewDataset("synthetic", "generated", "0" * 64, 0, mapping, report, series * points, new)
        )
        ids = [s.id for s in ws.series(info)]
        run = NewRun(info.id, "auto", {"synthetic": True}, {}, 0, "0" * 64)
        ws.add_detection_run(run, _anomalies(rng, ids, points, anomalies), "2024-01-01T00:00:00Z")
    return path


def _anomalies(
    rng: np.random.Generator, ids: list[int], points: int, count: int
) -> Iterator[NewAnomaly]:
    starts = rng.integers(0, points - 10, size=count)
    scores = np.round(100 * rng.random(count) ** 2, 2)
    for k in range(count):
        start = START_NS + int(starts[k]) * STEP_NS
        host = k % len(ids)
        yield NewAnomaly(
            type=TYPES[k % len(TYPES)],
            start_ns=start,
            end_ns=start + 5 * STEP_NS,
            peak_ns=start + 2 * STEP_NS,
            score=float(scores[k]),
            series_id=ids[host],
            actual=12.0,
            expected=10.0,
            band_low=8.0,
            band_high=11.5,
            summary=f"synthetic {TYPES[k % len(TYPES)]} number {k} on host-{host:03d}",
            explanation={"narrative": f"synthetic anomaly {k}", "contributions": []},
        )
