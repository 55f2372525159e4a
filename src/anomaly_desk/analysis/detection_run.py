"""A detection run over a workspace dataset: read, detect, explain, store — all or nothing.

The run records what it needs to be repeated and trusted: its configuration (for time series,
the detector families it ran), the versions of the app, the detectors and the numeric
libraries, the seed and a SHA-256 of exactly the data it analysed. Detection happens before
the write transaction opens, series by series, with progress and cancellation between series;
the findings are then stored in one transaction.
"""

from __future__ import annotations

import hashlib
import importlib.metadata
import json
from collections.abc import Callable, Iterator
from datetime import UTC, datetime
from typing import Any

from anomaly_desk import __version__
from anomaly_desk.detect.catalog import choose, ordered
from anomaly_desk.detect.findings import Finding
from anomaly_desk.errors import BadInputError
from anomaly_desk.model import DatasetInfo, DatasetKind, DetectionRunInfo, NewAnomaly, NewRun
from anomaly_desk.progress import Progress, silent
from anomaly_desk.store import Workspace

PRESETS = ("auto",)
LIBRARIES = ("numpy", "pandas", "scipy", "scikit-learn", "pyarrow")

FindingsSink = Callable[[list[NewAnomaly]], None]


def versions(detectors: dict[str, str]) -> dict[str, Any]:
    libs: dict[str, str | None] = {}
    for name in LIBRARIES:
        try:
            libs[name] = importlib.metadata.version(name)
        except importlib.metadata.PackageNotFoundError:
            libs[name] = None
    return {"anomaly-desk": __version__, "detectors": detectors, "libraries": libs}


def run_detection(
    ws: Workspace,
    dataset_name: str,
    preset: str = "auto",
    sensitivity: float = 0.5,
    seed: int = 0,
    progress: Progress | None = None,
    on_findings: FindingsSink | None = None,
    detectors: frozenset[str] | None = None,
) -> DetectionRunInfo:
    """Detect anomalies in a dataset and store them as one run.

    ``on_findings`` sees each batch of findings as soon as it is computed (the GUI streams
    them into its views); the workspace only changes at the end, in one transaction.
    ``detectors``: the detector families of a time-series dataset (``detect.catalog``; None =
    all); event and record datasets run their own detectors whole and refuse a choice.
    """
    progress = progress or silent()
    if preset not in PRESETS:
        raise BadInputError("detect", f"unknown preset {preset!r} (choose {', '.join(PRESETS)})")
    if not 0.0 <= sensitivity <= 1.0:
        raise BadInputError("detect", f"sensitivity must be between 0 and 1, not {sensitivity}")
    chosen = choose(detectors)
    dataset = ws.dataset(dataset_name)
    config: dict[str, Any] = {
        "preset": preset,
        "sensitivity": sensitivity,
        "kind": dataset.kind.value,
    }
    if dataset.kind is DatasetKind.TIMESERIES:
        config["detectors"] = ordered(chosen)
    elif detectors is not None:
        raise BadInputError(
            "detect",
            f"{dataset.name!r} holds {dataset.kind.value}, not time series: detector families "
            "are chosen for time series only (event and record datasets run all of their own)",
        )
    started = datetime.now(UTC).isoformat(timespec="milliseconds")
    digest = hashlib.sha256(json.dumps(dataset.mapping.to_json(), sort_keys=True).encode())
    anomalies: list[NewAnomaly] = []
    for batch in _detect(ws, dataset, sensitivity, seed, chosen, digest, progress):
        anomalies.extend(batch)
        if on_findings is not None and batch:
            on_findings(batch)
    run = NewRun(
        dataset_id=dataset.id,
        preset=preset,
        config=config,
        versions=versions(_detector_versions(dataset.kind)),
        seed=seed,
        input_sha256=digest.hexdigest(),
    )
    progress.update(0.95, "storing")
    return ws.add_detection_run(run, anomalies, started, progress)


def _detector_versions(kind: DatasetKind) -> dict[str, str]:
    if kind is DatasetKind.TIMESERIES:
        from anomaly_desk.detect.auto import VERSION

        return {"series": VERSION}
    return {kind.value: "families/1"}


def _detect(
    ws: Workspace,
    dataset: DatasetInfo,
    sensitivity: float,
    seed: int,
    detectors: frozenset[str],
    digest: Any,
    progress: Progress,
) -> Iterator[list[NewAnomaly]]:
    if dataset.kind is DatasetKind.TIMESERIES:
        yield from _detect_series(ws, dataset, sensitivity, seed, detectors, digest, progress)
    else:
        yield _detect_table(ws, dataset, sensitivity, seed, digest, progress)


def _detect_series(
    ws: Workspace,
    dataset: DatasetInfo,
    sensitivity: float,
    seed: int,
    detectors: frozenset[str],
    digest: Any,
    progress: Progress,
) -> Iterator[list[NewAnomaly]]:
    from anomaly_desk.detect.auto import detect_series, threshold_for
    from anomaly_desk.detect.rules import UserRule, evaluate_rule
    from anomaly_desk.model import RuleKind, Severity

    user_rules = [
        UserRule(
            r.name, r.definition["expression"], Severity(r.definition["severity"]), r.series_glob
        )
        for r in ws.rules(RuleKind.DETECTION)
        if r.enabled and r.dataset_id in (None, dataset.id)
    ]
    all_series = ws.series(dataset)
    together = CrossSeries(detectors)
    for i, series in enumerate(all_series):
        progress.update(0.9 * i / max(1, len(all_series)), f"detecting in {series.name}")
        ts, values = ws.read_series(series.id)
        digest.update(series.name.encode())
        digest.update(ts.tobytes())
        digest.update(values.tobytes())
        tz = dataset.mapping.timezone
        findings = detect_series(
            ts, values, series.name, tz, sensitivity, random_state=seed, detectors=detectors
        )
        for rule in user_rules:
            findings += evaluate_rule(rule, ts, values, series.name, tz)
        together.add(series.name, ts, values)
        yield [_anomaly(f, series.id) for f in findings]
    if len(together.series) > 1:
        progress.update(0.9, "comparing series")
        cross = together.findings(dataset.mapping.timezone)
        yield [_anomaly(f, None) for f in cross if f.score >= 100 * threshold_for(sensitivity)]


class CrossSeries:
    """The series the ``multiseries`` family compares, gathered while each series is read
    (so nothing is read twice): at most ``MAX_SERIES``, and none when the family is off."""

    def __init__(self, detectors: frozenset[str]) -> None:
        self.wanted = "multiseries" in detectors
        self.series: dict[str, tuple[Any, Any]] = {}

    def add(self, name: str, ts: Any, values: Any) -> None:
        from anomaly_desk.detect.multiseries import MAX_SERIES

        if self.wanted and len(self.series) < MAX_SERIES:
            self.series[name] = (ts, values)

    def findings(self, tz: str) -> list[Finding]:
        """Every finding the family could report; callers keep those past their threshold."""
        from anomaly_desk.detect.multiseries import align, correlation_breaks, joint_deviations

        aligned = align(self.series, tz) if len(self.series) > 1 else None
        if aligned is None:
            return []
        return correlation_breaks(aligned, tz) + joint_deviations(aligned, tz)


def _detect_table(
    ws: Workspace,
    dataset: DatasetInfo,
    sensitivity: float,
    seed: int,
    digest: Any,
    progress: Progress,
) -> list[NewAnomaly]:
    import pandas as pd

    frame = ws.read_table(dataset)
    digest.update(pd.util.hash_pandas_object(frame, index=False).to_numpy().tobytes())
    progress.update(0.1, "detecting")
    mapping = dataset.mapping
    findings: list[Finding]
    if dataset.kind is DatasetKind.EVENTS:
        from anomaly_desk.detect.families.graph import detect_events

        assert mapping.timestamp is not None
        findings = detect_events(
            frame, mapping.timestamp, list(mapping.fields), sensitivity=sensitivity, seed=seed
        )
    else:
        from anomaly_desk.detect.families.records import detect_records

        key = mapping.fields[0] if mapping.fields and _is_key(frame, mapping.fields[0]) else None
        features = [f for f in mapping.fields if f != key]
        findings = detect_records(
            frame,
            features,
            key=key,
            timestamp=mapping.timestamp,
            sensitivity=sensitivity,
            seed=seed,
        )
    progress.check()
    return [_anomaly(f, None) for f in findings]


def _is_key(frame: Any, column: str) -> bool:
    """A first column whose every value is distinct names the rows (claim id, order no.)."""
    import pandas as pd

    values = frame[column]
    textual = pd.api.types.is_string_dtype(values) or values.dtype == object
    return bool(textual and values.notna().all() and values.is_unique)


def _anomaly(finding: Finding, series_id: int | None) -> NewAnomaly:
    return NewAnomaly(
        type=finding.type,
        start_ns=finding.start_ns,
        end_ns=finding.end_ns,
        peak_ns=finding.peak_ns,
        score=finding.score,
        series_id=series_id,
        entity=finding.entity,
        actual=finding.actual,
        expected=finding.expected,
        band_low=finding.band_low,
        band_high=finding.band_high,
        summary=finding.narrative,
        explanation=finding.explanation(),
    )
