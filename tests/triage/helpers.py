"""Small workspaces for triage tests: a dataset, a detection run, a few anomalies."""

from __future__ import annotations

import sqlite3
from collections.abc import Sequence
from pathlib import Path

import numpy as np

from anomaly_desk.model import (
    DatasetKind,
    FilterSpec,
    ImportReport,
    Mapping,
    NewAnomaly,
    NewRun,
    Severity,
    Status,
    Suppression,
    TriageChange,
    Verdict,
)
from anomaly_desk.store import NewDataset, NewSeries, Workspace


def seed(ws: Workspace, n: int = 6, anomalies: Sequence[NewAnomaly] = ()) -> list[int]:
    """A dataset with series "a" and "b" and one run of ``anomalies`` (or ``n`` spikes)."""
    if not ws.has_dataset("m"):
        series = [
            NewSeries(name, name, "v", np.arange(5, dtype=np.int64), np.zeros(5))
            for name in ("a", "b")
        ]
        ws.add_dataset(
            NewDataset(
                "m", "/m.csv", "0" * 64, 1,
                Mapping(DatasetKind.TIMESERIES, "t", entity="e", values=("v",)),
                ImportReport(), 10, series,
            )
        )  # fmt: skip
    info = ws.dataset("m")
    first = ws.series(info)[0].id
    found = list(anomalies) or [
        NewAnomaly("spike", i * 10, i * 10 + 5, i * 10, 40.0 + i, series_id=first, summary=f"x{i}")
        for i in range(n)
    ]
    before = {r.id for r in ws.anomalies(limit=10_000)[0]}
    ws.add_detection_run(NewRun(info.id, "auto", {}, {}, 0, "0" * 64), found, "now")
    # Earlier runs' untouched anomalies drop out of the default view: include them all.
    rows = ws.anomalies(FilterSpec(latest_only=False, include_suppressed=True), limit=10_000)[0]
    return sorted(r.id for r in rows if r.id not in before)


def build_chain(ws: Workspace) -> list[int]:
    """A realistic chain of 12 records of every kind; returns the anomaly ids."""
    ids = seed(ws, n=4)
    ws.triage(ids[:3], TriageChange(status=Status.TRIAGED, assignee="ann"), "ann")  # 1-3
    ws.add_comment(ids[0], f"same as #{ids[1]}; see the runbook", "bob")  # 4
    ws.triage([ids[1]], TriageChange(severity=Severity.MAJOR, reason="customer facing"), "bob")  # 5
    ws.set_verdict(ids[2], Verdict.FALSE_POSITIVE, actor="ann")  # 6
    rule_id, _ = ws.add_suppression(Suppression("quiet", series_glob="b"), "ann")  # 7
    ws.delete_rule(rule_id, actor="ann")  # 8
    ws.add_detection_rule("hot", "value > 90 for 10m", "critical", "ann")  # 9
    ws.triage(ids[:3], TriageChange(add_tags=("dns",), starred=True), "cid")  # 10-12
    return ids


def raw(path: Path) -> sqlite3.Connection:
    """A plain sqlite3 connection, as an attacker (or a repair tool) would open the file."""
    conn = sqlite3.connect(path, isolation_level=None)
    conn.execute("PRAGMA busy_timeout = 5000")
    return conn


def set_status_raw(path: Path, anomaly_id: int, status: Status) -> None:
    """Put an anomaly in a state for a test, bypassing the workflow (test setup only)."""
    conn = raw(path)
    try:
        conn.execute("UPDATE anomalies SET status = ? WHERE id = ?", (status.value, anomaly_id))
    finally:
        conn.close()
