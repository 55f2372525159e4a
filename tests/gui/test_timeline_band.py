"""The timeline's expected band: refused for series too long for it, without reading them."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

import numpy as np
import pytest

from anomaly_desk.gui.detail_tasks import MAX_BAND_INPUT, compute_band, context_window, load_detail
from anomaly_desk.model import DatasetKind, FilterSpec, ImportReport, Mapping, NewAnomaly, NewRun
from anomaly_desk.progress import silent
from anomaly_desk.store import NewDataset, NewSeries, Workspace, points

NS = 1_000_000_000
START_NS = 1_700_000_000 * NS


def _series(name: str, n: int) -> NewSeries:
    t = np.arange(n, dtype=np.int64)
    values = 10 + 5 * np.sin(2 * np.pi * t / 288) + np.random.default_rng(3).normal(0, 0.3, n)
    return NewSeries(name, name, "value", START_NS + 300 * NS * t, values, 300.0)


@pytest.fixture(scope="module")
def band_ws(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """One series just over the band's limit and one short enough for a band."""
    path = tmp_path_factory.mktemp("band") / "band.sqlite"
    series = [_series("long", MAX_BAND_INPUT + 1), _series("short", 288 * 20)]
    rows = sum(len(s.ts_ns) for s in series)
    mapping = Mapping(DatasetKind.TIMESERIES, "timestamp", entity="host", values=("value",))
    report = ImportReport(rows=rows, series=len(series))
    with Workspace.open(path) as ws:
        info = ws.add_dataset(
            NewDataset("m", "generated", "0" * 64, 0, mapping, report, rows, series)
        )
        long_id = next(s.id for s in ws.series(info) if s.name == "long")
        start = START_NS + 300 * NS * 1_500_000
        found = NewAnomaly(
            "spike", start, start + 3_000 * NS, start, 80.0, long_id, summary="on the long one"
        )
        run = NewRun(info.id, "auto", {}, {}, 0, "0" * 64)
        ws.add_detection_run(run, [found], "2024-01-01T00:00:00Z")
    return path


def _spy_reads(ws: Workspace, monkeypatch: pytest.MonkeyPatch) -> list[int]:
    """The ids of the series read through ``ws.read_series`` (which still does the reading)."""
    read: list[int] = []
    original: Callable[..., Any] = ws.read_series

    def counting(series_id: int, *bounds: int | None) -> Any:
        read.append(series_id)
        return original(series_id, *bounds)

    monkeypatch.setattr(ws, "read_series", counting)
    return read


def test_a_series_over_the_limit_gets_a_note_and_is_never_read(
    band_ws: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    with Workspace.open(band_ws, create=False) as ws:
        (dataset,) = ws.datasets()
        ids = {s.name: s.id for s in ws.series(dataset)}
        read = _spy_reads(ws, monkeypatch)
        refused = compute_band(silent(), ws, ids["long"], "UTC")
        assert read == []  # decoding millions of points only to refuse them holds the GIL
        shown = compute_band(silent(), ws, ids["short"], "UTC")
    assert len(refused.x) == 0
    assert refused.note == f"no expected band: {MAX_BAND_INPUT + 1:,} points is more than 2,000,000"
    assert read == [ids["short"]]
    assert len(shown.x) > 0 and shown.note == "" and np.all(shown.low <= shown.high)


def test_the_detail_of_an_anomaly_on_a_long_series_reads_only_its_context(
    band_ws: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    with Workspace.open(band_ws, create=False) as ws:
        ((anomaly, _),) = [ws.anomaly(r.id) for r in ws.anomalies(FilterSpec())[0]]
        ts_all, values_all = ws.read_series(anomaly.series_id or 0)
        decoded: list[int] = []
        decode = points.decode

        def counting(chunks: list[tuple[int, bytes, bytes]], codecs: list[str]) -> object:
            decoded.extend(n for n, _, _ in chunks)
            return decode(chunks, codecs)

        monkeypatch.setattr(points, "decode", counting)
        detail = load_detail(silent(), ws, anomaly.id)
    lo, hi = context_window(anomaly, 300 * NS)
    inside = (ts_all >= lo) & (ts_all <= hi)
    np.testing.assert_array_equal(detail.x, ts_all[inside] / NS)
    np.testing.assert_array_equal(detail.y, values_all[inside])
    assert detail.x.min() < anomaly.start_ns / NS < anomaly.end_ns / NS < detail.x.max()
    assert 0 < sum(decoded) < MAX_BAND_INPUT // 10  # a few chunks, not two million points
