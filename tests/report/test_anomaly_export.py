"""Exports of the filtered anomalies read back with pandas: same anomalies, same numbers."""

from __future__ import annotations

import json
from pathlib import Path

import pandas as pd
import pytest

from anomaly_desk.errors import BadInputError
from anomaly_desk.model import FilterSpec, Severity, SortSpec
from anomaly_desk.report import export_anomalies
from anomaly_desk.store import Workspace
from tests.report.conftest import Built


def _expected(ws: Workspace, spec: FilterSpec) -> dict[int, float]:
    rows, _ = ws.anomalies(spec, SortSpec("start", descending=False), None, 10_000)
    return {r.id: r.score for r in rows}


@pytest.mark.parametrize("fmt", ["csv", "json", "parquet"])
def test_export_round_trips(taxi: Workspace, tmp_path: Path, fmt: str) -> None:
    spec = FilterSpec(severities=(Severity.CRITICAL, Severity.MAJOR))
    dest = tmp_path / f"anomalies.{fmt}"
    count = export_anomalies(taxi, spec, fmt, dest)
    expected = _expected(taxi, spec)
    frame = {
        "csv": lambda: pd.read_csv(dest),
        "json": lambda: pd.read_json(dest),
        "parquet": lambda: pd.read_parquet(dest),
    }[fmt]()
    assert count == len(expected) == len(frame) > 0
    assert dict(zip(frame["id"], frame["score"], strict=True)) == expected
    assert {"narrative", "severity", "status", "start", "end", "actual", "expected"} <= set(
        frame.columns
    )
    assert not dest.with_name(dest.name + ".partial").exists()


def test_csv_has_iso_times_and_joined_tags(taxi: Workspace, built: Built, tmp_path: Path) -> None:
    dest = tmp_path / "a.csv"
    export_anomalies(taxi, FilterSpec(), "csv", dest, ids=(built.triaged[2],))
    frame = pd.read_csv(dest, dtype=str, keep_default_na=False)
    row, explanation = taxi.anomaly(built.triaged[2])
    assert frame.loc[0, "tags"] == "holiday, taxi"
    assert frame.loc[0, "start"].endswith("Z") and "T" in frame.loc[0, "start"]
    assert pd.Timestamp(frame.loc[0, "start"]).value == row.start_ns
    assert frame.loc[0, "narrative"] == explanation["narrative"]
    assert frame.loc[0, "status"] == "triaged" and frame.loc[0, "assignee"] == "ann"


def test_json_keeps_the_structured_explanation(
    taxi: Workspace, built: Built, tmp_path: Path
) -> None:
    dest = tmp_path / "a.json"
    export_anomalies(taxi, FilterSpec(), "json", dest, ids=built.triaged)
    items = json.loads(dest.read_text(encoding="utf-8"))
    assert [i["id"] for i in items] == list(built.triaged)
    for item in items:
        assert item["explanation"] == taxi.anomaly(item["id"])[1]
        assert isinstance(item["tags"], list)
    assert items[2]["tags"] == ["holiday", "taxi"]


def test_parquet_times_are_typed(taxi: Workspace, tmp_path: Path) -> None:
    dest = tmp_path / "a.parquet"
    export_anomalies(taxi, FilterSpec(), "parquet", dest)
    frame = pd.read_parquet(dest)
    assert str(frame["start"].dt.tz) == "UTC"


def test_unknown_format_is_refused(taxi: Workspace, tmp_path: Path) -> None:
    with pytest.raises(BadInputError, match="xlsx"):
        export_anomalies(taxi, FilterSpec(), "xlsx", tmp_path / "a.xlsx")
    assert not (tmp_path / "a.xlsx").exists()
