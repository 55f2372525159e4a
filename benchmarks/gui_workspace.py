"""The GUI benchmark's workspace, generated once and cached in ``benchmarks/.work/gui/``.

Written straight through the store's public API (``Workspace.add_dataset`` with numpy arrays,
``Workspace.add_detection_run`` with synthetic anomalies): no CSV, no detection, a fixed seed.

- ``fleet``: SERIES series x POINTS points (1,000 x 10,000 = 10M points at full size), a daily
  cycle plus noise at one-minute steps;
- ``big``: one series of BIG_POINTS points (10M at full size), for the timeline redraw;
- ANOMALIES synthetic anomalies (1M at full size) spread over the fleet's series, scores
  skewed low as real ones are (a few critical, many warnings).

A second, small workspace holds ``detect_me`` (a few seasonal series with planted spikes): the
event-loop lag measurement runs a real detection on a scratch copy of it, so the cached
benchmark workspace is never written to by a measurement.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from anomaly_desk.model import DatasetKind, ImportReport, Mapping, NewAnomaly, NewRun
from anomaly_desk.store import NewDataset, NewSeries, Workspace

VERSION = 1
STEP_NS = 60 * 1_000_000_000
START_NS = 1_704_067_200 * 1_000_000_000  # 2024-01-01 00:00 UTC
TYPES = ("spike", "dip", "level_shift", "variance", "seasonal_break")


@dataclass(frozen=True)
class Sizes:
    series: int
    points: int
    big_points: int
    anomalies: int
    detect_series: int
    detect_points: int

    @property
    def total_points(self) -> int:
        return self.series * self.points + self.big_points


FULL = Sizes(1000, 10_000, 10_000_000, 1_000_000, 8, 8_640)
QUICK = Sizes(40, 2_000, 200_000, 20_000, 3, 4_320)


def paths(folder: Path, sizes: Sizes) -> tuple[Path, Path]:
    stem = f"gui-{sizes.series}x{sizes.points}-big{sizes.big_points}-a{sizes.anomalies}-v{VERSION}"
    return folder / f"{stem}.sqlite", folder / f"{stem}-detect.sqlite"


def ensure(folder: Path, sizes: Sizes, log: object = print) -> tuple[Path, Path]:
    """The two workspaces, generated unless already cached (all or nothing: tmp + rename)."""
    folder.mkdir(parents=True, exist_ok=True)
    main, detect = paths(folder, sizes)
    for path, build in ((main, _build_main), (detect, _build_detect)):
        if path.exists():
            continue
        log(f"gui benchmark: generating {path.name} (once; then cached)")  # type: ignore[operator]
        tmp = path.with_name(path.name + ".partial")
        for leftover in (tmp, Path(f"{tmp}-wal"), Path(f"{tmp}-shm")):
            leftover.unlink(missing_ok=True)
        build(tmp, sizes)
        tmp.replace(path)
    return main, detect


def _mapping() -> Mapping:
    return Mapping(DatasetKind.TIMESERIES, "timestamp", entity="host", values=("value",))


def _series(name: str, n: int, rng: np.random.Generator, spikes: int = 0) -> NewSeries:
    t = np.arange(n, dtype=np.int64)
    values = 50 + 20 * np.sin(2 * np.pi * t / 1440) + rng.normal(0, 2, n)
    for at in rng.integers(2 * 1440, n - 20, size=spikes):
        values[at : at + 15] += 60
    return NewSeries(name, name.split("/")[0], "value", START_NS + t * STEP_NS, values, 60.0)


def _dataset(name: str, series: list[NewSeries]) -> NewDataset:
    rows = sum(len(s.ts_ns) for s in series)
    report = ImportReport(rows=rows, series=len(series))
    return NewDataset(name, "generated", "0" * 64, 0, _mapping(), report, rows, series)


def _build_main(path: Path, sizes: Sizes) -> None:
    rng = np.random.default_rng(20240101)
    with Workspace.open(path) as ws:
        fleet = ws.add_dataset(
            _dataset(
                "fleet",
                [_series(f"host-{i:04d}/value", sizes.points, rng) for i in range(sizes.series)],
            )
        )
        ws.add_dataset(_dataset("big", [_series("sensor/value", sizes.big_points, rng)]))
        ids = [s.id for s in ws.series(fleet)]
        run = NewRun(fleet.id, "auto", {"synthetic": True}, {}, 0, "0" * 64)
        anomalies = _anomalies(rng, ids, sizes.points, sizes.anomalies)
        ws.add_detection_run(run, anomalies, "2024-01-01T00:00:00Z")


def _anomalies(
    rng: np.random.Generator, ids: list[int], points: int, count: int
) -> Iterator[NewAnomaly]:
    starts = rng.integers(0, points - 30, size=count)
    lengths = rng.integers(1, 30, size=count)
    scores = np.round(100 * rng.random(count) ** 3, 2)
    hosts = rng.integers(0, len(ids), size=count)
    for k in range(count):
        start = START_NS + int(starts[k]) * STEP_NS
        kind = TYPES[k % len(TYPES)]
        yield NewAnomaly(
            type=kind,
            start_ns=start,
            end_ns=start + int(lengths[k]) * STEP_NS,
            peak_ns=start,
            score=float(scores[k]),
            series_id=ids[int(hosts[k])],
            actual=95.0,
            expected=50.0,
            band_low=30.0,
            band_high=70.0,
            summary=f"host-{int(hosts[k]):04d}/value {kind}: 95 against a typical 50",
            explanation={"narrative": "synthetic", "contributions": []},
        )


def _build_detect(path: Path, sizes: Sizes) -> None:
    rng = np.random.default_rng(7)
    series = [
        _series(f"app-{i}/value", sizes.detect_points, rng, spikes=3)
        for i in range(sizes.detect_series)
    ]
    with Workspace.open(path) as ws:
        ws.add_dataset(_dataset("detect_me", series))
