"""Reading a NAB-layout folder, running a detector over it and writing NAB's results layout.

Input layout: ``DIR/data/<category>/<file>.csv`` (columns ``timestamp,value``) and the windows in
``DIR/windows.json`` or ``DIR/labels/combined_windows.json`` (``{"<category>/<file>.csv":
[["start", "end"], ...]}``, both ends inclusive). Output layout:
``OUT/<detector>/<category>/<detector>_<file>.csv`` with ``timestamp,value,anomaly_score,label``.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pandas as pd

from anomaly_desk.detect.nab import PROFILES, FloatArray, LabelledFile, Profile, ProfileResult
from anomaly_desk.detect.nab import score_corpus as score_files
from anomaly_desk.errors import BadInputError
from anomaly_desk.progress import Progress

WINDOW_FILES = ("windows.json", "labels/combined_windows.json")

SeriesScorer = Callable[[FloatArray], FloatArray]
"""Scores one whole series causally: values in, one score in [0, 1] per value out."""


@dataclass(frozen=True)
class NabSeries:
    """One NAB data file with its windows converted to inclusive row ranges."""

    relative_path: str  # "<category>/<file>.csv", the key used in windows.json
    timestamps: pd.Series  # as written in the file (strings), for the results files
    values: FloatArray
    windows: tuple[tuple[int, int], ...]

    @property
    def labels(self) -> FloatArray:
        label = np.zeros(len(self.values))
        for start, end in self.windows:
            label[start : end + 1] = 1.0
        return label


def find_windows_file(data_dir: Path) -> Path:
    for name in WINDOW_FILES:
        if (data_dir / name).is_file():
            return data_dir / name
    raise BadInputError(str(data_dir), f"no anomaly windows: expected one of {WINDOW_FILES}")


def _window_rows(
    times: pd.DatetimeIndex, windows: list[list[str]], source: str
) -> tuple[tuple[int, int], ...]:
    """Inclusive row ranges of the windows.

    A window edge is the first row carrying exactly that timestamp, as in NAB (real files have
    the odd timestamp out of order, so no sorted search); without an exact match, the first row
    at or after the start and the last row at or before the end.
    """
    stamps = times.to_numpy()
    rows = []
    for start_text, end_text in windows:
        start_time, end_time = pd.Timestamp(start_text), pd.Timestamp(end_text)
        exact_start = np.flatnonzero(stamps == start_time)
        exact_end = np.flatnonzero(stamps == end_time)
        after = np.flatnonzero(stamps >= start_time)
        before = np.flatnonzero(stamps <= end_time)
        if not (len(exact_start) or len(after)) or not (len(exact_end) or len(before)):
            raise BadInputError(source, f"window {start_text} .. {end_text} holds no row")
        start = int(exact_start[0] if len(exact_start) else after[0])
        end = int(exact_end[0] if len(exact_end) else before[-1])
        if start > end:
            raise BadInputError(source, f"window {start_text} .. {end_text} holds no row")
        rows.append((start, end))
    return tuple(rows)


def read_series(path: Path, relative_path: str, windows: list[list[str]]) -> NabSeries:
    frame = pd.read_csv(path, dtype={"timestamp": str})
    if list(frame.columns[:2]) != ["timestamp", "value"]:
        raise BadInputError(str(path), "expected the columns timestamp,value")
    times = pd.DatetimeIndex(pd.to_datetime(frame["timestamp"]))
    values = frame["value"].to_numpy(dtype=np.float64)
    return NabSeries(
        relative_path, frame["timestamp"], values, _window_rows(times, windows, path.name)
    )


def load_corpus(data_dir: Path | str) -> list[NabSeries]:
    """Every ``data/<category>/<file>.csv`` under ``data_dir``, sorted by relative path.

    A data file without an entry in the windows file is an error, not silently unlabelled.
    """
    root = Path(data_dir)
    windows_file = find_windows_file(root)
    all_windows: dict[str, list[list[str]]] = json.loads(windows_file.read_text())
    files = sorted((root / "data").glob("*/*.csv"))
    if not files:
        raise BadInputError(str(root), "no data/<category>/<file>.csv found")
    corpus = []
    for path in files:
        relative = f"{path.parent.name}/{path.name}"
        if relative not in all_windows:
            raise BadInputError(str(windows_file), f"no entry for {relative}")
        corpus.append(read_series(path, relative, all_windows[relative]))
    return corpus


def results_path(out_dir: Path, detector: str, relative_path: str) -> Path:
    category, file_name = relative_path.split("/")
    return out_dir / detector / category / f"{detector}_{file_name}"


def write_results(out_dir: Path, detector: str, series: NabSeries, scores: FloatArray) -> Path:
    path = results_path(out_dir, detector, series.relative_path)
    path.parent.mkdir(parents=True, exist_ok=True)
    frame = pd.DataFrame(
        {
            "timestamp": series.timestamps,
            "value": series.values,
            "anomaly_score": scores,
            "label": series.labels.astype(np.int64),
        }
    )
    frame.to_csv(path, index=False)
    return path


def detector_folder_name(name: str) -> str:
    """NAB splits result file names on underscores, so detector names must not contain any."""
    return name.replace("_", "")


def score_series_list(
    corpus: list[NabSeries],
    scores: list[FloatArray],
    profiles: Mapping[str, Profile] = PROFILES,
) -> dict[str, ProfileResult]:
    files = [
        LabelledFile(s.relative_path, np.asarray(sc, dtype=np.float64), s.windows)
        for s, sc in zip(corpus, scores, strict=True)
    ]
    return score_files(files, profiles)


def run_corpus(
    data_dir: Path | str,
    out_dir: Path | str | None,
    detector: str,
    scorer: SeriesScorer,
    progress: Progress | None = None,
) -> dict[str, ProfileResult]:
    """Run ``scorer`` on every file, write NAB results (unless ``out_dir`` is None), score them."""
    corpus = load_corpus(data_dir)
    folder = detector_folder_name(detector)
    scores = []
    for k, series in enumerate(corpus):
        if progress is not None:
            progress.update(k / len(corpus), series.relative_path)
        file_scores = np.asarray(scorer(series.values), dtype=np.float64)
        if file_scores.shape != series.values.shape:
            raise ValueError(
                f"{detector} returned {file_scores.shape} scores for {series.values.shape}"
            )
        if out_dir is not None:
            write_results(Path(out_dir), folder, series, file_scores)
        scores.append(file_scores)
    if progress is not None:
        progress.update(1.0, "scoring")
    return score_series_list(corpus, scores)
