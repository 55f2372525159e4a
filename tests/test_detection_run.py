"""Detection runs over real workspace data: stored whole or not at all, and repeatable."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from anomaly_desk.analysis import run_detection
from anomaly_desk.detect.catalog import FAMILIES
from anomaly_desk.errors import BadInputError, Cancelled
from anomaly_desk.ingest import ImportOptions, MappingOptions, import_file
from anomaly_desk.model import DatasetKind, FilterSpec, SortSpec
from anomaly_desk.progress import Progress
from anomaly_desk.store import Workspace
from tests.conftest import logical_snapshot

SCRIPT = Path(sys.executable).parent / "anomaly-desk"


@pytest.fixture
def taxi(ws: Workspace, nab_dir: Path) -> Workspace:
    path = nab_dir / "data" / "realKnownCause" / "nyc_taxi.csv"
    import_file(ws, path, ImportOptions(mapping=MappingOptions(timezone="UTC")))
    return ws


def test_run_stores_findings_with_their_provenance(taxi: Workspace) -> None:
    run = run_detection(taxi, "nyc_taxi", sensitivity=0.5)
    assert run.anomaly_count > 0
    assert run.config == {
        "preset": "auto",
        "sensitivity": 0.5,
        "kind": "timeseries",
        "detectors": list(FAMILIES),  # all of them, named: a run says what it used
    }
    assert run.versions["detectors"]["series"].startswith("series-auto/")
    assert run.versions["libraries"]["numpy"]
    assert len(run.input_sha256) == 64
    rows, _ = taxi.anomalies(FilterSpec(dataset_ids=(run.dataset_id,)), SortSpec("score"))
    top, explanation = taxi.anomaly(rows[0].id)
    assert top.summary and explanation["narrative"] == top.summary
    assert explanation["contributions"]


def test_rerun_gives_identical_scores(taxi: Workspace) -> None:
    first = run_detection(taxi, "nyc_taxi")
    second = run_detection(taxi, "nyc_taxi")
    assert first.input_sha256 == second.input_sha256

    def scores(run_id: int) -> list[tuple[str, int, int, float, str]]:
        spec = FilterSpec(run_ids=(run_id,))
        rows, _ = taxi.anomalies(spec, SortSpec("start", descending=False), None, 10_000)
        return sorted(
            (r.type, r.start_ns, r.end_ns, r.score, r.summary)
            for r in rows
            if taxi.anomaly(r.id)[0].id and r.id in _ids(taxi, run_id)
        )

    assert scores(first.id) == scores(second.id)
    # The default view shows the latest run only (nothing judged yet in the older one).
    assert taxi.count_anomalies(FilterSpec()) == second.anomaly_count


def _ids(ws: Workspace, run_id: int) -> set[int]:
    raw = ws._conn.connection.driver_connection
    return {r[0] for r in raw.execute("SELECT id FROM anomalies WHERE run_id = ?", (run_id,))}


def test_cancelled_run_leaves_the_workspace_unchanged(
    taxi: Workspace, workspace_path: Path
) -> None:
    before = logical_snapshot(workspace_path)
    progress = Progress()
    seen: list[float] = []

    def cancel_late(fraction: float, _message: str) -> None:
        seen.append(fraction)
        if fraction >= 0.9:
            progress.cancel()

    progress._callback = cancel_late
    with pytest.raises(Cancelled):
        run_detection(taxi, "nyc_taxi", progress=progress)
    assert logical_snapshot(workspace_path) == before


def test_bad_requests_are_refused_clearly(taxi: Workspace) -> None:
    with pytest.raises(BadInputError, match="sensitivity must be between 0 and 1"):
        run_detection(taxi, "nyc_taxi", sensitivity=2.0)
    with pytest.raises(BadInputError, match="unknown preset"):
        run_detection(taxi, "nyc_taxi", preset="magic")


def test_a_run_records_the_families_it_ran(taxi: Workspace) -> None:
    run = run_detection(taxi, "nyc_taxi", detectors=frozenset({"trend", "shape"}))
    assert run.config["detectors"] == ["deviation", "shape", "trend"]  # always with deviation
    (stored,) = taxi.detection_runs()
    assert stored.config["detectors"] == ["deviation", "shape", "trend"]


def test_an_unknown_family_is_refused_and_nothing_is_stored(
    taxi: Workspace, workspace_path: Path
) -> None:
    before = logical_snapshot(workspace_path)
    with pytest.raises(BadInputError) as raised:
        run_detection(taxi, "nyc_taxi", detectors=frozenset({"shape", "wavelets"}))
    message = str(raised.value)
    assert "unknown detector family 'wavelets'" in message
    assert "choose from deviation, scales, shape, trend, flatline, gaps, multiseries" in message
    assert logical_snapshot(workspace_path) == before


def test_the_cross_series_family_runs_only_when_chosen(ws: Workspace, tmp_path: Path) -> None:
    rng = np.random.default_rng(2)
    n = 4000
    stamps = pd.Timestamp("2025-01-06T00:00Z") + pd.to_timedelta(np.arange(n) * 300, unit="s")
    frames = []
    for i in range(6):
        load = rng.normal(10, 1, n)
        if i < 3:  # three series moderately unusual together: a joint deviation
            load[3000:3003] += 4.5
        text = stamps.strftime("%Y-%m-%dT%H:%M:%SZ")
        frames.append(pd.DataFrame({"timestamp": text, "host": f"s{i}", "load": load.round(3)}))
    pd.concat(frames).to_csv(tmp_path / "load.csv", index=False)
    import_file(ws, tmp_path / "load.csv", ImportOptions(mapping=MappingOptions(timezone="UTC")))

    def across(detectors: frozenset[str]) -> list[str]:
        run = run_detection(ws, "load", sensitivity=1.0, detectors=detectors)
        rows, _ = ws.anomalies(FilterSpec(run_ids=(run.id,)), SortSpec("score"), None, 1000)
        return [r.summary for r in rows if r.series_id is None]

    (joint,) = across(frozenset({"multiseries"}))
    assert "3 of 6 series were unusual at the same time" in joint
    assert across(frozenset()) == []


def test_families_are_refused_for_event_datasets(ws: Workspace, tmp_path: Path) -> None:
    logins = tmp_path / "logins.csv"
    logins.write_text(
        "timestamp,user,host\n"
        + "".join(f"2025-01-06T00:{m:02d}:00Z,u{m % 3},h{m % 2}\n" for m in range(40)),
        encoding="utf-8",
    )
    options = ImportOptions(
        mapping=MappingOptions(kind=DatasetKind.EVENTS, timezone="UTC", fields=("user", "host"))
    )
    import_file(ws, logins, options)
    with pytest.raises(BadInputError, match="'logins' holds events, not time series"):
        run_detection(ws, "logins", detectors=frozenset({"shape"}))
    assert ws.detection_runs() == []
    assert "detectors" not in run_detection(ws, "logins").config  # they run all of theirs


def test_detect_and_anomalies_commands(tmp_path: Path, nab_dir: Path) -> None:
    ws = str(tmp_path / "ws.sqlite")
    path = nab_dir / "data" / "realKnownCause" / "nyc_taxi.csv"

    def run(*args: str) -> subprocess.CompletedProcess[str]:
        return subprocess.run(
            [str(SCRIPT), *args, "-w", ws], capture_output=True, text=True, check=False
        )

    assert run("import", str(path), "--tz", "UTC").returncode == 0
    done = run("detect", "nyc_taxi", "--sensitivity", "0.6")
    assert done.returncode == 0, done.stderr
    assert "anomalies in 'nyc_taxi'" in done.stdout
    listed = json.loads(run("anomalies", "--format", "json", "--limit", "5").stdout)
    assert 1 <= len(listed) <= 5
    assert listed == sorted(listed, key=lambda r: -r["score"])
    critical = json.loads(run("anomalies", "--severity", "critical", "--format", "json").stdout)
    assert all(r["score"] >= 75 for r in critical)
    csv_out = run("anomalies", "--format", "csv", "--limit", "3").stdout.splitlines()
    assert csv_out[0].startswith("id,score,severity,start,end,dataset,series,type")
