"""All NAB series import cleanly and export back value-identical, in every export format."""

from __future__ import annotations

import json
from pathlib import Path

import pandas as pd
import pytest

from anomaly_desk.ingest import ImportOptions, MappingOptions, import_file
from anomaly_desk.report import export_dataset
from anomaly_desk.store import Workspace

EXPECTED_FILES = 31


def _nab_files(nab_dir: Path) -> list[Path]:
    return sorted((nab_dir / "data").glob("*/*.csv"))


def test_all_nab_series_import_and_export_identically(
    nab_dir: Path, ws: Workspace, tmp_path: Path
) -> None:
    files = _nab_files(nab_dir)
    assert len(files) == EXPECTED_FILES
    utc = ImportOptions(mapping=MappingOptions(timezone="UTC"))
    for path in files:
        info, plan = import_file(ws, path, utc)
        original = pd.read_csv(path)
        assert info.rows == len(original), path.name
        assert plan.mapping.values == ("value",) and plan.mapping.entity is None
        assert info.report.non_numeric == 0 and info.report.missing_values == 0
        dest = tmp_path / f"{path.stem}.csv"
        export_dataset(ws, info, "csv", dest)
        exported = pd.read_csv(dest)
        assert list(exported.columns) == ["timestamp", "value"]
        # Exact float equality: the shortest round-trip repr must give the same doubles back.
        assert exported["value"].tolist() == original["value"].tolist(), path.name
        instants = pd.to_datetime(exported["timestamp"], utc=True)
        expected = pd.to_datetime(original["timestamp"]).dt.tz_localize("UTC")
        assert (instants.to_numpy() == expected.to_numpy()).all(), path.name


@pytest.mark.parametrize("fmt", ["parquet", "jsonl"])
def test_other_export_formats_round_trip_through_import(
    nab_dir: Path, ws: Workspace, tmp_path: Path, fmt: str
) -> None:
    path = nab_dir / "data" / "realKnownCause" / "nyc_taxi.csv"
    info, _ = import_file(ws, path, ImportOptions(mapping=MappingOptions(timezone="UTC")))
    dest = tmp_path / f"taxi.{fmt}"
    export_dataset(ws, info, fmt, dest)
    again, _ = import_file(ws, dest, ImportOptions(name="again"))
    first = ws.read_series(ws.series(info)[0].id)
    second = ws.read_series(ws.series(again)[0].id)
    assert first[0].tolist() == second[0].tolist()
    assert first[1].tolist() == second[1].tolist()
    if fmt == "jsonl":
        line = json.loads(dest.read_text().splitlines()[0])
        assert line == {"timestamp": "2014-07-01T00:00:00+0000", "value": 10844.0}
