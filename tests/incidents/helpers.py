"""Workspaces for incident tests: series that move together, one that does not, anomalies."""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np

from anomaly_desk.model import (
    DatasetKind,
    FilterSpec,
    ImportReport,
    Mapping,
    NewAnomaly,
    NewRun,
)
from anomaly_desk.store import NewDataset, NewSeries, Workspace

STEP_NS = 300 * 1_000_000_000  # 5 min
POINTS = 2_000
T0 = 1_700_000_000 * 1_000_000_000
# app-1 and app-2 share load (their residuals move together) but are different entities;
# batch-9 is its own thing. Anomalies land at the same time on all three.
SERIES = ("app-1/latency_ms", "app-2/latency_ms", "batch-9/queue")


def add_metrics(ws: Workspace, name: str = "metrics") -> dict[str, int]:
    """The three series; returns series name -> id."""
    rng = np.random.default_rng(7)
    ts = T0 + np.arange(POINTS, dtype=np.int64) * STEP_NS
    shared = np.cumsum(rng.normal(size=POINTS)) * 0.2 + rng.normal(size=POINTS)
    values = {
        SERIES[0]: 100 + 5 * shared + rng.normal(scale=0.5, size=POINTS),
        SERIES[1]: 80 + 4 * shared + rng.normal(scale=0.5, size=POINTS),
        SERIES[2]: 10 + rng.normal(size=POINTS),
    }
    series = [
        NewSeries(n, n.split("/")[0], n.split("/")[1], ts.copy(), v) for n, v in values.items()
    ]
    info = ws.add_dataset(
        NewDataset(
            name, "/m.csv", "0" * 64, 1,
            Mapping(DatasetKind.TIMESERIES, "t", entity="host", values=("v",)),
            ImportReport(), POINTS * 3, series,
        )
    )  # fmt: skip
    return {s.name: s.id for s in ws.series(info)}


def at(step: int) -> int:
    return T0 + step * STEP_NS


def add_anomalies(ws: Workspace, dataset: str, found: Sequence[NewAnomaly]) -> list[int]:
    """One detection run of ``found``; returns the new anomaly ids in the order given."""
    info = ws.dataset(dataset)
    before = {r.id for r in ws.anomalies(FilterSpec(latest_only=False), limit=100_000)[0]}
    ws.add_detection_run(NewRun(info.id, "auto", {}, {}, 0, "0" * 64), found, "now")
    rows = ws.anomalies(FilterSpec(latest_only=False), limit=100_000)[0]
    new = sorted((r for r in rows if r.id not in before), key=lambda r: r.id)
    return [r.id for r in new]


def spike(series_id: int, step: int, steps: int = 3, score: float = 70.0) -> NewAnomaly:
    return NewAnomaly(
        "spike", at(step), at(step + steps), at(step + 1), score, series_id=series_id,
        summary="spike",
    )  # fmt: skip
