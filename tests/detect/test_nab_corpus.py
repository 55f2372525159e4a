"""Reading a NAB-layout folder and writing NAB's results layout."""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from anomaly_desk.detect.nab_corpus import load_corpus, run_corpus
from anomaly_desk.errors import BadInputError


def make_folder(root: Path, windows_name: str = "windows.json") -> Path:
    times = pd.date_range("2020-01-01", periods=200, freq="5min")
    for category, name in (("cat_a", "one.csv"), ("cat_b", "two.csv")):
        folder = root / "data" / category
        folder.mkdir(parents=True)
        values = np.arange(200.0)
        pd.DataFrame({"timestamp": times.strftime("%Y-%m-%d %H:%M:%S"), "value": values}).to_csv(
            folder / name, index=False
        )
    windows = {
        "cat_a/one.csv": [["2020-01-01 10:00:00.000000", "2020-01-01 11:00:00.000000"]],
        "cat_b/two.csv": [],
    }
    path = root / windows_name
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(json.dumps(windows))
    return root


def test_windows_become_inclusive_row_ranges(tmp_path: Path) -> None:
    corpus = load_corpus(make_folder(tmp_path))
    assert [s.relative_path for s in corpus] == ["cat_a/one.csv", "cat_b/two.csv"]
    assert corpus[0].windows == ((120, 132),)  # 10:00 is row 120, 11:00 row 132
    assert corpus[0].labels.sum() == 13
    assert corpus[1].windows == ()


def test_labels_folder_layout_is_accepted(tmp_path: Path) -> None:
    corpus = load_corpus(make_folder(tmp_path, "labels/combined_windows.json"))
    assert corpus[0].windows == ((120, 132),)


def test_results_layout_and_scores(tmp_path: Path) -> None:
    data = make_folder(tmp_path / "in")
    out = tmp_path / "out"

    def perfect(values: np.ndarray) -> np.ndarray:
        scores = np.zeros(len(values))
        if values[0] == 0:  # both files look alike; score by the window we know is in file one
            scores[120:133] = 1.0
        return scores

    results = run_corpus(data, out, "my_detector", perfect)
    written = out / "mydetector" / "cat_a" / "mydetector_one.csv"
    frame = pd.read_csv(written)
    assert list(frame.columns) == ["timestamp", "value", "anomaly_score", "label"]
    assert frame["label"].sum() == 13
    assert frame["timestamp"].iloc[0] == "2020-01-01 00:00:00"
    assert (out / "mydetector" / "cat_b" / "mydetector_two.csv").is_file()
    # The detector fires in file two as well (same values), at rows 120..132: false positives.
    assert results["standard"].false_positives == 13
    assert results["standard"].true_positives == 1


def test_missing_windows_entry_is_an_error(tmp_path: Path) -> None:
    root = make_folder(tmp_path)
    (root / "windows.json").write_text(json.dumps({"cat_a/one.csv": []}))
    with pytest.raises(BadInputError, match=r"cat_b/two\.csv"):
        load_corpus(root)


def test_missing_windows_file_is_an_error(tmp_path: Path) -> None:
    root = make_folder(tmp_path)
    (root / "windows.json").unlink()
    with pytest.raises(BadInputError, match="no anomaly windows"):
        load_corpus(root)
