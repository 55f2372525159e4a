"""The Qt-free work behind the anomaly views, tested alone (no widgets)."""

from __future__ import annotations

from pathlib import Path

import numpy as np

from anomaly_desk.gui.anomaly_tasks import (
    cells,
    count_summary,
    duration_text,
    fetch_page,
    load_markers,
    top_lanes,
)
from anomaly_desk.gui.detail_tasks import band_arrays, compute_band, envelope, load_detail
from anomaly_desk.gui.detection_tasks import counts_by_position
from anomaly_desk.gui.filter_state import CUSTOM, NS, FilterState, Selection, live_matches
from anomaly_desk.gui.severity import SEVERITY_HEX, scores_to_rgba
from anomaly_desk.model import FilterSpec, Severity, SortSpec, Status, Swimlane
from anomaly_desk.progress import silent
from anomaly_desk.query import Names, parse
from anomaly_desk.store import Workspace
from tests.gui.conftest import stored_counts

END = 1_700_000_000 * NS


def test_durations_read_like_a_person_writes_them() -> None:
    assert [duration_text(s * NS) for s in (0, 42, 300, 3600, 5400, 90_000 * 2)] == [
        "0 s", "42 s", "5 min", "1 h", "1 h 30 min", "2.1 d",
    ]  # fmt: skip


def test_pages_are_formatted_in_the_worker_and_end_with_a_short_page(detected_ws: Path) -> None:
    stored, critical, _ = stored_counts(detected_ws)
    page = 10  # the demo finds a few dozen anomalies: small pages still make three of them
    with Workspace.open(detected_ws, create=False) as ws:
        total = ws.count_anomalies()
        first = fetch_page(silent(), ws, FilterSpec(), SortSpec("score", True), None, page)
        second = fetch_page(silent(), ws, FilterSpec(), SortSpec("score", True), first.cursor, page)
        rest = fetch_page(silent(), ws, FilterSpec(), SortSpec("score", True), second.cursor, total)
        counts = count_summary(silent(), ws, FilterSpec())
    assert total == stored == counts.total > 2 * page
    assert len(first.rows) == len(second.rows) == page and second.cursor is not None
    assert len(rest.rows) == total - 2 * page and rest.cursor is None  # short: no empty trip
    top = first.rows[0]
    assert top.cells == cells(top.row)
    assert top.cells[0] == "critical" and top.cells[4] == top.row.series
    scores = [r.row.score for r in first.rows + second.rows + rest.rows]
    assert scores == sorted(scores, reverse=True)
    assert counts.text().startswith(f"{total} anomalies · {critical} critical")


def test_swimlane_keeps_the_strongest_lanes() -> None:
    lane = Swimlane(
        lanes=("a", "b", "c"),
        lane_series_ids=(1, 2, 3),
        start_ns=0,
        width_ns=10,
        scores=((5.0, 0.0), (0.0, 90.0), (40.0, 0.0)),
    )
    view = top_lanes(lane, keep=2)
    assert view.lanes == ("b", "c") and view.series_ids == (2, 3) and view.hidden == 1
    assert view.scores.tolist() == [[0.0, 90.0], [40.0, 0.0]]
    rgba = scores_to_rgba(view.scores)
    assert rgba.shape == (2, 2, 4)
    assert rgba[0, 0, 3] == 0  # nothing found: transparent
    red = SEVERITY_HEX[Severity.CRITICAL].lstrip("#")
    assert bytes(rgba[0, 1, :3]).hex() == red


def test_preview_counts_follow_the_thresholds() -> None:
    scores = np.array([10.0, 30.0, 60.0, 80.0, 95.0])
    thresholds = np.array([0.75, 0.5, 0.25])
    passing, critical = counts_by_position(scores, thresholds)
    assert passing.tolist() == [2, 3, 4] and critical.tolist() == [2, 2, 2]


def test_filter_state_counts_time_back_from_the_end_of_the_data() -> None:
    state = FilterState(time_preset="24h", severities=(Severity.CRITICAL,), min_score=0.0)
    spec = state.spec(END)
    assert (spec.since_ns, spec.until_ns) == (END - 86_400 * NS, END)
    assert spec.severities == (Severity.CRITICAL,) and spec.min_score is None
    assert FilterState().spec(END) == FilterSpec()
    custom = FilterState(time_preset=CUSTOM, since_ns=5, until_ns=9, max_score=100.0)
    assert (custom.spec(END).since_ns, custom.spec(END).until_ns) == (5, 9)
    assert custom.spec(END).max_score is None
    assert FilterState.from_json(custom.to_json()) == custom


def test_the_natural_language_box_writes_onto_the_controls() -> None:
    names = Names(datasets={"metrics": 1}, series={"web-01/cpu": 7})
    parsed = parse("critical open spikes on web-01/cpu last 7 days timeout", names, END)
    state = FilterState(severities=(Severity.LOW,)).with_parsed(parsed, "q")
    assert state.severities == (Severity.CRITICAL,)
    assert Status.NEW in state.statuses and state.types == ("spike",)
    assert state.series_ids == (7,) and state.time_preset == CUSTOM
    assert (state.since_ns, state.until_ns) == (END - 7 * 86_400 * NS, END)
    assert state.text == "timeout" and state.query == "q"


def test_a_selection_narrows_the_filter() -> None:
    spec = FilterSpec(series_ids=(1, 2), since_ns=100, until_ns=1000)
    narrowed = Selection("cell", (2,), 500, 2000).narrow(spec)
    assert (narrowed.series_ids, narrowed.since_ns, narrowed.until_ns) == ((2,), 500, 1000)
    assert Selection("cell", (3,)).narrow(spec).series_ids == (-1,)  # outside the filter: none
    assert Selection("range", (), 5, 6).narrow(FilterSpec()).series_ids == ()


def test_live_findings_are_filtered_like_stored_ones(detected_ws: Path) -> None:
    with Workspace.open(detected_ws, create=False) as ws:
        rows, _ = ws.anomalies(FilterSpec(), SortSpec("score", True), None, 1)
    row = rows[0]
    assert live_matches(FilterSpec(), row)
    assert live_matches(FilterSpec(severities=(Severity.CRITICAL,), min_score=90), row)
    assert not live_matches(FilterSpec(severities=(Severity.LOW,)), row)
    assert not live_matches(FilterSpec(until_ns=row.start_ns - 1), row)


def test_the_band_envelope_is_never_narrower() -> None:
    x = np.arange(10_000, dtype=np.float64)
    low = np.sin(x / 7)
    high = low + 1
    ex, elow, ehigh = envelope(x, low, high, points=100)
    assert len(ex) == 100
    for i in range(100):
        chunk = slice(i * 100, (i + 1) * 100)
        assert elow[i] == low[chunk].min() and ehigh[i] == high[chunk].max()


def test_the_expected_band_holds_a_seasonal_series() -> None:
    rng = np.random.default_rng(1)
    n = 288 * 20  # twenty days of 5-minute points
    ts = (1_700_000_000 + 300 * np.arange(n)).astype(np.int64) * NS
    values = 10 + 5 * np.sin(2 * np.pi * np.arange(n) / 288) + rng.normal(0, 0.3, n)
    kept, low, high = band_arrays(ts, values, "UTC")
    assert len(kept) > n // 2
    inside = (values[-len(kept) :] >= low) & (values[-len(kept) :] <= high)
    assert inside.mean() > 0.9
    assert np.median(high - low) < 3  # a band that follows the cycle, not a wide flat one


def test_detail_reads_context_band_and_related(detected_ws: Path) -> None:
    with Workspace.open(detected_ws, create=False) as ws:
        rows, _ = ws.anomalies(FilterSpec(), SortSpec("score", True), None, 1)
        detail = load_detail(silent(), ws, rows[0].id)
        band = compute_band(silent(), ws, rows[0].series_id or 0, "UTC")
        markers = load_markers(silent(), ws, rows[0].series_id or 0)
    row = detail.row
    assert "typical for" in detail.explanation["narrative"]
    assert detail.explanation["contributions"]
    assert len(detail.x) > 10 and detail.x[0] < row.start_ns / NS < detail.x[-1]
    assert len(detail.band_x) > 0
    assert detail.related and all(r.series_id != row.series_id for r in detail.related)
    assert all(r.start_ns <= row.end_ns + 3600 * NS for r in detail.related)
    assert len(band.x) > 0 and np.all(band.low <= band.high)
    assert markers.rows[0].id == row.id
