"""Batch Auto on the demo metrics: every planted incident found, little else.

scripts/make_demo_data.py plants the incidents and lists them in planted.json; the rest of
the four weeks is ordinary load (daily and weekly rhythm, slow drift, noise). A finding
overlapping no planted incident of its series is counted as noise.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
import pytest

from anomaly_desk.detect.auto import SHAPE_NAME, detect_series
from anomaly_desk.detect.findings import Finding

DEMO = Path(__file__).resolve().parents[2] / "resources" / "demo"
COLUMNS = ("cpu_pct", "latency_ms", "requests")
# Measured when this test was written: 161 findings, 136 of them noise, before the
# per-phase noise, the shared-evidence rules and the time grid; 35 and 13 after.
MAX_NOISE = 20


@pytest.fixture(scope="module")
def planted() -> list[dict[str, Any]]:
    data = json.loads((DEMO / "planted.json").read_text(encoding="utf-8"))
    incidents: list[dict[str, Any]] = data["datacenter_metrics"]["incidents"]
    return incidents


@pytest.fixture(scope="module")
def findings() -> dict[str, list[Finding]]:
    frame = pd.read_csv(DEMO / "datacenter_metrics.csv.gz")
    ts = pd.to_datetime(frame["timestamp"], utc=True).dt.as_unit("ns").astype("int64")
    out = {}
    for host, rows in frame.groupby("host"):
        for column in COLUMNS:
            name = f"{host}/{column}"
            values = rows[column].to_numpy(np.float64)
            out[name] = detect_series(ts[rows.index].to_numpy(), values, name, tz="UTC")
    return out


def _hits(finding: Finding, incident: dict[str, Any]) -> bool:
    start, end = pd.Timestamp(incident["start"]).value, pd.Timestamp(incident["end"]).value
    return finding.start_ns < end and finding.end_ns >= start


def test_every_planted_incident_is_found_in_every_series_it_hit(
    findings: dict[str, list[Finding]], planted: list[dict[str, Any]]
) -> None:
    for incident in planted:
        for hit in incident["series"]:
            name = f"{hit['host']}/{hit['column']}"
            assert any(_hits(f, incident) for f in findings[name]), (incident["id"], name)


def test_little_else_is_found(
    findings: dict[str, list[Finding]], planted: list[dict[str, Any]]
) -> None:
    noise = []
    for name, found in findings.items():
        host, column = name.split("/")
        mine = [i for i in planted if {"host": host, "column": column} in i["series"]]
        noise += [f for f in found if not any(_hits(f, i) for i in mine)]
    assert len(noise) <= MAX_NOISE, [(f.series, f.type, f.score) for f in noise]
    # None of it is a trend: the demo load drifts, but keeps no new slope.
    assert not [f for found in findings.values() for f in found if f.type == "trend"]


def test_the_shape_detector_contributes_to_the_slowdown(
    findings: dict[str, list[Finding]], planted: list[dict[str, Any]]
) -> None:
    (slowdown,) = [i for i in planted if i["id"] == "db01_slowdown"]
    top = max(
        (f for f in findings["db-01/latency_ms"] if _hits(f, slowdown)), key=lambda f: f.score
    )
    shape = [c for c in top.contributions if c.name == SHAPE_NAME]
    assert shape and 0 < shape[0].weight < 1
    assert SHAPE_NAME in top.narrative
