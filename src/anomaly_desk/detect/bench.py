"""Benchmarks the CLI runs: NAB for the streaming detector, ODDS for the record detector.

``run_nab`` and ``run_odds`` are print-free and return rows plus a summary; ``format_nab`` and
``format_odds`` turn those into the text the CLI prints, whose last line is JSON.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import numpy as np
import scipy.io
from sklearn.ensemble import IsolationForest
from sklearn.metrics import roc_auc_score

from anomaly_desk.detect.arrays import FloatArray
from anomaly_desk.detect.nab_corpus import run_corpus
from anomaly_desk.detect.records import EnsembleRecordDetector
from anomaly_desk.detect.streaming import StreamingDetector
from anomaly_desk.errors import BadInputError
from anomaly_desk.progress import Progress

NAB_DETECTOR_NAME = "anomalydesk"  # NAB result folders may not contain underscores
BASELINE_SEED = 0  # IsolationForest() defaults, seeded so that a run can be repeated


def _default_streaming_scores(values: FloatArray) -> FloatArray:
    return StreamingDetector().fit_score(values)


def run_nab(
    data_dir: Path | str, out_dir: Path | str | None, progress: Progress | None = None
) -> dict[str, Any]:
    """Run the default streaming detector over a NAB folder, write NAB results, score them.

    Returns ``{"rows": [per-profile dicts], "summary": {profile: normalised score}}``.
    """
    results = run_corpus(data_dir, out_dir, NAB_DETECTOR_NAME, _default_streaming_scores, progress)
    rows = [
        {
            "profile": name,
            "score": r.normalised,
            "threshold": r.threshold,
            "windows": r.windows,
            "detected_windows": r.true_positives,
            "false_positives": r.false_positives,
        }
        for name, r in results.items()
    ]
    return {"rows": rows, "summary": {name: r.normalised for name, r in results.items()}}


def format_nab(result: dict[str, Any]) -> str:
    lines = [f"{'profile':<20} {'score':>7} {'threshold':>10} {'windows':>12} {'FP':>5}"]
    for row in result["rows"]:
        found = f"{row['detected_windows']}/{row['windows']}"
        lines.append(
            f"{row['profile']:<20} {row['score']:>7.2f} {row['threshold']:>10.4f} "
            f"{found:>12} {row['false_positives']:>5}"
        )
    summary = {k: round(v, 4) for k, v in result["summary"].items()}
    lines.append(json.dumps(summary))
    return "\n".join(lines)


def load_mat(path: Path) -> tuple[FloatArray, FloatArray]:
    """``X`` and ``y`` (1 = outlier) of an ODDS ``.mat`` file."""
    try:
        data = scipy.io.loadmat(path)
    except (ValueError, NotImplementedError, OSError, scipy.io.matlab.MatReadError) as exc:
        raise BadInputError(str(path), f"not a readable MATLAB v5 file: {exc}") from exc
    if "X" not in data or "y" not in data:
        raise BadInputError(str(path), "expected the variables X and y")
    X = np.asarray(data["X"], dtype=np.float64)
    y = np.asarray(data["y"], dtype=np.float64).ravel()
    if X.ndim != 2 or len(X) != len(y):
        raise BadInputError(str(path), f"X has shape {X.shape} but y has {len(y)} labels")
    return X, y


def run_odds(data_dir: Path | str, progress: Progress | None = None) -> dict[str, Any]:
    """ROC-AUC of the default record detector and of ``IsolationForest()`` on every ``.mat``.

    Unsupervised: each detector is fitted on all of ``X`` and scores all of ``X``.
    Returns ``{"rows": [...], "summary": {"ours": mean, "isolation_forest": mean}}``.
    """
    files = sorted(Path(data_dir).glob("*.mat"))
    if not files:
        raise BadInputError(str(data_dir), "no .mat files found")
    rows = []
    for k, path in enumerate(files):
        if progress is not None:
            progress.update(k / len(files), path.stem)
        X, y = load_mat(path)
        ours = EnsembleRecordDetector().fit_score(X)
        forest = IsolationForest(random_state=BASELINE_SEED).fit(X)
        baseline = -forest.score_samples(X)
        rows.append(
            {
                "dataset": path.stem,
                "rows": int(X.shape[0]),
                "features": int(X.shape[1]),
                "outlier_share": float(y.mean()),
                "ours": float(roc_auc_score(y, ours)),
                "isolation_forest": float(roc_auc_score(y, baseline)),
            }
        )
    if progress is not None:
        progress.update(1.0, "done")
    summary = {
        "ours": float(np.mean([r["ours"] for r in rows])),
        "isolation_forest": float(np.mean([r["isolation_forest"] for r in rows])),
    }
    return {"rows": rows, "summary": summary}


def format_odds(result: dict[str, Any]) -> str:
    lines = [f"{'dataset':<14} {'rows':>7} {'features':>8} {'ours':>7} {'iforest':>8}"]
    for row in result["rows"]:
        lines.append(
            f"{row['dataset']:<14} {row['rows']:>7} {row['features']:>8} "
            f"{row['ours']:>7.4f} {row['isolation_forest']:>8.4f}"
        )
    summary = result["summary"]
    lines.append(
        f"{'mean':<14} {'':>7} {'':>8} {summary['ours']:>7.4f} {summary['isolation_forest']:>8.4f}"
    )
    lines.append(json.dumps({k: round(v, 4) for k, v in summary.items()}))
    return "\n".join(lines)
