from __future__ import annotations

import sqlite3
from pathlib import Path

import numpy as np
import pytest

from anomaly_desk.errors import Cancelled
from anomaly_desk.model import (
    SORTABLE_COLUMNS,
    AnomalyRow,
    DatasetKind,
    FilterSpec,
    ImportReport,
    Mapping,
    NewAnomaly,
    NewRun,
    Severity,
    SortSpec,
    Status,
)
from anomaly_desk.progress import Progress
from anomaly_desk.store import NewDataset, NewSeries, Workspace
from tests.conftest import logical_snapshot

TYPES = ("spike", "dip", "level_shift", "flatline")


def _populate(ws: Workspace, n: int = 500) -> tuple[list[int], NewRun]:
    series = [
        NewSeries(f"host-{i}", f"host-{i}", "cpu", np.arange(10, dtype=np.int64), np.zeros(10))
        for i in range(3)
    ]
    info = ws.add_dataset(
        NewDataset(
            "metrics", "/x.csv", "0" * 64, 1,
            Mapping(DatasetKind.TIMESERIES, "t", entity="host", values=("cpu",)),
            ImportReport(), 30, series,
        )
    )  # fmt: skip
    series_ids = [s.id for s in ws.series(info)]
    run = NewRun(info.id, "auto", {"sensitivity": 0.5}, {"app": "test"}, 7, "ab" * 32)
    rng = np.random.default_rng(3)
    anomalies = [
        NewAnomaly(
            type=TYPES[i % 4],
            start_ns=int(rng.integers(0, 10**12)),
            end_ns=0,
            peak_ns=0,
            score=float(rng.choice([10.0, 30.0, 55.0, 80.0, 99.0])),  # ties on purpose
            series_id=series_ids[i % 3],
            summary=f"cpu {'spike' if i % 4 == 0 else 'change'} number {i}",
        )
        for i in range(n)
    ]
    anomalies = [
        NewAnomaly(**{**x.__dict__, "end_ns": x.start_ns + i * 1000, "peak_ns": x.start_ns})
        for i, x in enumerate(anomalies)
    ]
    ws.add_detection_run(run, anomalies, "2026-01-01T00:00:00Z")
    return series_ids, run


def _all_pages(ws: Workspace, spec: FilterSpec, sort: SortSpec, limit: int) -> list[AnomalyRow]:
    rows: list[AnomalyRow] = []
    cursor = None
    while True:
        page, cursor = ws.anomalies(spec, sort, cursor, limit)
        rows.extend(page)
        if len(page) < limit:
            return rows


@pytest.mark.parametrize("column", SORTABLE_COLUMNS)
@pytest.mark.parametrize("descending", [True, False])
def test_keyset_pages_equal_one_big_sorted_query(
    ws: Workspace, column: str, descending: bool
) -> None:
    _populate(ws)
    sort = SortSpec(column, descending)
    paged = _all_pages(ws, FilterSpec(), sort, limit=37)
    whole, _ = ws.anomalies(FilterSpec(), sort, None, limit=10_000)
    assert [r.id for r in paged] == [r.id for r in whole]
    assert len({r.id for r in paged}) == 500
    if column == "score":
        scores = [r.score for r in paged]
        assert scores == sorted(scores, reverse=descending)


def test_filters(ws: Workspace) -> None:
    series_ids, _ = _populate(ws)
    total = ws.count_anomalies()
    assert total == 500
    critical = FilterSpec(severities=(Severity.CRITICAL,))
    rows, _ = ws.anomalies(critical, limit=1000)
    assert rows and all(r.score >= 75 for r in rows)
    assert ws.count_anomalies(critical) == len(rows)
    one_series = FilterSpec(series_ids=(series_ids[1],), types=("dip",))
    rows, _ = ws.anomalies(one_series, limit=1000)
    assert rows and {(r.series, r.type) for r in rows} == {("host-1", "dip")}
    ranged = FilterSpec(min_score=50, max_score=60)
    assert {r.score for r in ws.anomalies(ranged, limit=1000)[0]} == {55.0}
    assert ws.count_anomalies(FilterSpec(statuses=(Status.RESOLVED,))) == 0


def test_text_search_covers_summary_comments_and_tags(ws: Workspace, workspace_path: Path) -> None:
    _populate(ws, n=20)
    assert ws.count_anomalies(FilterSpec(text="spike")) == 5
    assert ws.count_anomalies(FilterSpec(text="numb 7")) == 1  # prefix words, all must match
    assert ws.count_anomalies(FilterSpec(text='"); DROP TABLE anomalies; --')) == 0
    conn = sqlite3.connect(workspace_path)
    conn.execute(
        "INSERT INTO comments (uid, anomaly_id, author, body, created_at) "
        "VALUES ('c1', 3, 'ann', 'looks like the backup job', 'now')"
    )
    conn.execute("INSERT INTO tags (id, name) VALUES (1, 'maintenance')")
    conn.execute("INSERT INTO anomaly_tags (anomaly_id, tag_id) VALUES (4, 1)")
    conn.commit()
    conn.close()
    assert [r.id for r in ws.anomalies(FilterSpec(text="backup"))[0]] == [3]
    found = ws.anomalies(FilterSpec(text="maint"))[0]
    assert [(r.id, r.tags) for r in found] == [(4, ("maintenance",))]


def test_cancelled_run_leaves_nothing(ws: Workspace, workspace_path: Path) -> None:
    _, run = _populate(ws, n=10)
    before = logical_snapshot(workspace_path)
    progress = Progress()
    progress.cancel()
    many = (NewAnomaly("spike", i, i, i, 50.0) for i in range(25_000))
    with pytest.raises(Cancelled):
        ws.add_detection_run(run, many, "now", progress)
    assert logical_snapshot(workspace_path) == before


def test_run_records_its_configuration(ws: Workspace) -> None:
    _, _run = _populate(ws, n=10)
    (stored,) = ws.detection_runs()
    assert stored.config == {"sensitivity": 0.5} and stored.seed == 7
    assert stored.input_sha256 == "ab" * 32 and stored.anomaly_count == 10
    row, explanation = ws.anomaly(1)
    assert row.severity is Severity.from_score(row.score) and explanation == {}


def test_deleting_a_dataset_removes_its_anomalies_from_search(ws: Workspace) -> None:
    _populate(ws, n=20)
    ws.delete_dataset("metrics")
    assert ws.count_anomalies() == 0
    raw = ws._conn.connection.driver_connection
    assert raw.execute("SELECT count(*) FROM anomaly_fts").fetchone()[0] == 0


def test_swimlane_has_the_max_score_per_series_and_bucket(ws: Workspace) -> None:
    _populate(ws, n=300)
    lane = ws.swimlane(FilterSpec(), buckets=10)
    assert lane.lanes == ("host-0", "host-1", "host-2")
    rows, _ = ws.anomalies(FilterSpec(), limit=1000)
    for row in rows:
        i = lane.lanes.index(row.series or "")
        j = min(9, (row.start_ns - lane.start_ns) // lane.width_ns)
        assert lane.scores[i][j] >= row.score
    assert max(max(r) for r in lane.scores) == max(r.score for r in rows)
    assert ws.swimlane(FilterSpec(types=("nothing",))).lanes == ()


def test_version_changes_when_anomalies_change(ws: Workspace) -> None:
    before = ws.anomalies_version()
    _populate(ws, n=5)
    assert ws.anomalies_version() != before


def test_counts_by_severity_match_single_counts(ws: Workspace) -> None:
    _populate(ws, n=300)
    grouped = ws.count_by_severity(FilterSpec(types=("spike", "dip")))
    for severity, count in grouped.items():
        assert count == ws.count_anomalies(
            FilterSpec(types=("spike", "dip"), severities=(severity,))
        )
    assert sum(grouped.values()) == ws.count_anomalies(FilterSpec(types=("spike", "dip")))


def test_saved_views_live_in_the_workspace(ws: Workspace) -> None:
    ws.save_view("critical web", {"severities": ["critical"], "text": "web"})
    ws.save_view("critical web", {"severities": ["critical", "major"]})  # replaces
    assert ws.saved_views() == {"critical web": {"severities": ["critical", "major"]}}
    ws.delete_view("critical web")
    assert ws.saved_views() == {}


def test_anomalies_by_ids_in_one_query_keep_the_order(ws: Workspace) -> None:
    _populate(ws, n=20)
    rows = ws.anomalies_by_ids([5, 2, 999, 7])
    assert [r.id for r in rows] == [5, 2, 7]
    assert all(r.verdict is None and r.detected_severity is r.severity for r in rows)
