"""The benchmark entry points the CLI calls: print-free cores and formatters."""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
import scipy.io

from anomaly_desk.detect.bench import format_nab, format_odds, run_nab, run_odds
from anomaly_desk.errors import BadInputError
from anomaly_desk.progress import Progress


def tiny_nab(root: Path) -> Path:
    rng = np.random.default_rng(0)
    times = pd.date_range("2020-01-01", periods=1500, freq="5min")
    values = rng.normal(10, 1, 1500)
    values[1000:] += 15  # a level shift inside the window
    folder = root / "data" / "synthetic"
    folder.mkdir(parents=True)
    pd.DataFrame({"timestamp": times.strftime("%Y-%m-%d %H:%M:%S"), "value": values}).to_csv(
        folder / "shift.csv", index=False
    )
    window = [
        times[950].strftime("%Y-%m-%d %H:%M:%S.000000"),
        times[1100].strftime("%Y-%m-%d %H:%M:%S.000000"),
    ]
    (root / "windows.json").write_text(json.dumps({"synthetic/shift.csv": [window]}))
    return root


def test_run_nab_writes_results_and_reports_three_profiles(tmp_path: Path) -> None:
    seen: list[float] = []
    result = run_nab(
        tiny_nab(tmp_path / "nab"), tmp_path / "out", Progress(lambda f, _: seen.append(f))
    )
    assert set(result["summary"]) == {"standard", "reward_low_FP_rate", "reward_low_FN_rate"}
    # The shift is found in its window; noise records elsewhere cost a few false positives.
    assert result["rows"][0]["detected_windows"] == 1
    assert result["summary"]["standard"] > 70
    assert (tmp_path / "out" / "anomalydesk" / "synthetic" / "anomalydesk_shift.csv").is_file()
    assert seen[-1] == 1.0
    text = format_nab(result)
    assert json.loads(text.splitlines()[-1]).keys() == result["summary"].keys()


def test_run_odds_and_its_format(tmp_path: Path) -> None:
    rng = np.random.default_rng(0)
    X = np.vstack([rng.normal(0, 1, (200, 4)), rng.normal(8, 1, (10, 4))])
    y = np.r_[np.zeros(200), np.ones(10)][:, None]
    scipy.io.savemat(tmp_path / "toy.mat", {"X": X, "y": y})
    result = run_odds(tmp_path)
    assert result["rows"][0]["dataset"] == "toy"
    assert result["rows"][0]["ours"] > 0.99
    last = json.loads(format_odds(result).splitlines()[-1])
    assert set(last) == {"ours", "isolation_forest"}


def test_run_odds_needs_mat_files(tmp_path: Path) -> None:
    with pytest.raises(BadInputError, match=r"no \.mat"):
        run_odds(tmp_path)
    (tmp_path / "bad.mat").write_text("not matlab")
    with pytest.raises(BadInputError, match=r"bad\.mat"):
        run_odds(tmp_path)
