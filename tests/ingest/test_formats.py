"""Each supported file shape imports into the dataset a user would expect."""

from __future__ import annotations

import gzip
import json
from pathlib import Path

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.parquet as pq
import pytest

from anomaly_desk.ingest import ImportOptions, MappingOptions, import_file, plan_import
from anomaly_desk.model import DatasetKind
from anomaly_desk.store import Workspace
from tests.conftest import write

LONG_CSV = """timestamp,host,cpu,mem
2024-03-01T00:00:00Z,web-1,10.5,40
2024-03-01T00:00:00Z,web-2,20.25,41
2024-03-01T00:05:00Z,web-1,11,42
2024-03-01T00:05:00Z,web-2,21,43
2024-03-01T00:10:00Z,web-1,12,44
2024-03-01T00:10:00Z,web-2,,45
"""


def _ns(text: str) -> int:
    return int(pd.Timestamp(text).value)


def _series(ws: Workspace, dataset: str) -> dict[str, tuple[np.ndarray, np.ndarray]]:
    info = ws.dataset(dataset)
    return {s.name: ws.read_series(s.id) for s in ws.series(info)}


def test_long_csv_one_series_per_entity_and_value(ws: Workspace, tmp_path: Path) -> None:
    info, plan = import_file(ws, write(tmp_path / "metrics.csv", LONG_CSV))
    assert info.name == "metrics" and info.kind is DatasetKind.TIMESERIES
    assert plan.mapping.entity == "host" and plan.mapping.values == ("cpu", "mem")
    series = _series(ws, "metrics")
    assert sorted(series) == ["web-1/cpu", "web-1/mem", "web-2/cpu", "web-2/mem"]
    ts, cpu = series["web-2/cpu"]
    assert list(ts) == [
        _ns("2024-03-01T00:00Z"),
        _ns("2024-03-01T00:05Z"),
        _ns("2024-03-01T00:10Z"),
    ]
    assert cpu[:2].tolist() == [20.25, 21.0] and np.isnan(cpu[2])
    assert info.report.missing_values == 1
    assert info.report.step_seconds == 300


def test_wide_tsv_one_series_per_column(ws: Workspace, tmp_path: Path) -> None:
    text = "date\teu\tus\n2024-01-01 00:00\t1\t2\n2024-01-01 01:00\t3\t4\n2024-01-01 02:00\t5\t6\n"
    _info, plan = import_file(
        ws,
        write(tmp_path / "orders.tsv", text),
        ImportOptions(mapping=MappingOptions(timezone="UTC")),
    )
    assert plan.source.delimiter == "\t" and plan.mapping.layout == "wide"
    series = _series(ws, "orders")
    assert series["us"][1].tolist() == [2.0, 4.0, 6.0]
    assert series["eu"][0][0] == _ns("2024-01-01T00:00Z")


def test_gzip_jsonl_and_parquet_give_the_same_points(ws: Workspace, tmp_path: Path) -> None:
    frame = pd.DataFrame(
        {
            "time": ["2024-03-01T00:00:00+01:00", "2024-03-01T00:01:00+01:00"],
            "value": [1.5, 2.5],
        }
    )
    gz = tmp_path / "a.csv.gz"
    gz.write_bytes(gzip.compress(frame.to_csv(index=False).encode()))
    jsonl = tmp_path / "b.jsonl"
    jsonl.write_text("".join(json.dumps(r) + "\n" for r in frame.to_dict("records")))
    parquet = tmp_path / "c.parquet"
    pq.write_table(pa.Table.from_pandas(frame), parquet)
    for path in (gz, jsonl, parquet):
        import_file(ws, path)
    expected = [_ns("2024-02-29T23:00Z"), _ns("2024-02-29T23:01Z")]
    for name in ("a", "b", "c"):
        ts, values = _series(ws, name)["value"]
        assert ts.tolist() == expected, name
        assert values.tolist() == [1.5, 2.5], name


@pytest.mark.parametrize(
    ("cells", "options", "first_utc"),
    [
        (["1700000000", "1700000060"], MappingOptions(timestamp="epoch"), "2023-11-14T22:13:20Z"),
        (["1700000000000", "1700000060000"], MappingOptions(timestamp="epoch"), "2023-11-14T22:13:20Z"),
        (["13/02/2024 10:00", "14/02/2024 10:00"], MappingOptions(timezone="UTC"), "2024-02-13T10:00Z"),
        (["02/13/2024 10:00", "02/14/2024 10:00"], MappingOptions(timezone="UTC"), "2024-02-13T10:00Z"),
        (["2024-02-13 10:00:00", "2024-02-13 11:00:00"], MappingOptions(timezone="America/New_York"), "2024-02-13T15:00Z"),
        (["2024-02-13T10:00:00.250+05:30", "2024-02-13T11:00:00+05:30"], MappingOptions(), "2024-02-13T04:30:00.250Z"),
    ],
)  # fmt: skip
def test_timestamp_formats(
    ws: Workspace, tmp_path: Path, cells: list[str], options: MappingOptions, first_utc: str
) -> None:
    name = options.timestamp or "when"
    text = f"{name},value\n" + "".join(f"{c},{i}\n" for i, c in enumerate(cells))
    info, _ = import_file(ws, write(tmp_path / "t.csv", text), ImportOptions(mapping=options))
    ts, _ = _series(ws, "t")["value"]
    assert ts[0] == _ns(first_utc)
    assert info.mapping.timezone == (options.timezone or info.mapping.timezone)


def test_naive_times_use_and_record_the_zone_and_report_dst(ws: Workspace, tmp_path: Path) -> None:
    # Europe/Berlin falls back at 03:00 on 2024-10-27: 02:00-02:59 happens twice.
    stamps = ["2024-10-27 01:30", "2024-10-27 02:00", "2024-10-27 02:30", "2024-10-27 02:00",
              "2024-10-27 02:30", "2024-10-27 03:00"]  # fmt: skip
    text = "ts,v\n" + "".join(f"{s},{i}\n" for i, s in enumerate(stamps))
    info, _ = import_file(
        ws,
        write(tmp_path / "berlin.csv", text),
        ImportOptions(mapping=MappingOptions(timezone="Europe/Berlin")),
    )
    assert info.mapping.timezone == "Europe/Berlin"
    assert info.report.dst_ambiguous == 4
    assert any("repeated DST hour" in note for note in info.report.notes)
    ts, _ = _series(ws, "berlin")["v"]
    # Told apart by order: strictly increasing instants, 30 minutes apart.
    assert np.all(np.diff(ts) == 30 * 60 * 10**9)


def test_report_counts_hygiene_without_fixing(ws: Workspace, tmp_path: Path) -> None:
    rows = ["00:00", "00:01", "00:01", "00:03", "00:02", "00:09", "00:10"]
    text = "timestamp,value\n" + "".join(f"2024-01-01T{r}:00Z,{i}\n" for i, r in enumerate(rows))
    info, _ = import_file(ws, write(tmp_path / "h.csv", text))
    report = info.report
    assert report.duplicates == 1
    assert report.out_of_order == 1
    assert report.step_seconds == 60
    assert report.gaps == 1  # 00:03 -> 00:09 (sorted), the only interval over 1.5 steps
    _ts, values = _series(ws, "h")["value"]
    assert values.tolist() == list(range(7))  # nothing dropped, file order kept


def test_events_and_records_tables(ws: Workspace, tmp_path: Path) -> None:
    events = (
        "timestamp,user,src,dst,action\n"
        "2024-01-01T10:00:00Z,alice,pc1,srv1,login\n"
        "2024-01-01T10:05:00Z,bob,pc2,srv1,login\n"
        "2024-01-01T10:05:00Z,bob,pc2,srv1,login\n"
    )
    info, plan = import_file(ws, write(tmp_path / "logins.csv", events))
    assert info.kind is DatasetKind.EVENTS
    assert plan.mapping.fields == ("user", "src", "dst", "action")
    frame = ws.read_table(info)
    assert frame["user"].tolist() == ["alice", "bob", "bob"]
    assert frame["timestamp"].iloc[0] == pd.Timestamp("2024-01-01T10:00Z")
    assert info.report.duplicates == 1
    records = "id,dept,amount,nights\n1,ops,10.5,1\n2,it,99,0\n3,ops,,2\n"
    info, _ = import_file(ws, write(tmp_path / "claims.csv", records))
    assert info.kind is DatasetKind.RECORDS
    frame = ws.read_table(info)
    assert frame["amount"].tolist()[:2] == [10.5, 99.0] and np.isnan(frame["amount"].iloc[2])
    assert frame["dept"].tolist() == ["ops", "it", "ops"]


def test_plan_guesses_without_touching_a_workspace(tmp_path: Path) -> None:
    plan = plan_import(write(tmp_path / "m.csv", LONG_CSV))
    assert plan.mapping.kind is DatasetKind.TIMESERIES
    assert plan.preview.shape == (6, 4)


def test_overrides_beat_the_guess(ws: Workspace, tmp_path: Path) -> None:
    options = ImportOptions(
        name="only_cpu",
        mapping=MappingOptions(kind=DatasetKind.TIMESERIES, entity="host", values=("cpu",)),
    )
    info, _plan = import_file(ws, write(tmp_path / "m.csv", LONG_CSV), options)
    assert info.name == "only_cpu"
    assert sorted(_series(ws, "only_cpu")) == ["web-1", "web-2"]


def test_bad_values_can_be_imported_as_missing_and_are_counted(
    ws: Workspace, tmp_path: Path
) -> None:
    text = "timestamp,value\n2024-01-01T00:00:00Z,1\n2024-01-01T00:01:00Z,oops\n"
    info, _ = import_file(
        ws,
        write(tmp_path / "b.csv", text),
        ImportOptions(bad_values="missing", mapping=MappingOptions(values=("value",))),
    )
    assert info.report.non_numeric == 1
    values = _series(ws, "b")["value"][1]
    assert values[0] == 1 and np.isnan(values[1])
