"""Exporting a dataset back to a file, in the shape it was imported.

Time series come back in long layout (timestamp, entity, one column per value column), rows
grouped by entity and in file order within it; events and records come back as they were.
Timestamps are written in the dataset's time zone with their UTC offset, at the finest unit
the data needs, so a re-import gives the same instants; floats are written in their shortest
round-trip form, so values come back identical.
"""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.csv as pacsv
import pyarrow.parquet as pq

from anomaly_desk.errors import WorkspaceError
from anomaly_desk.model import DatasetInfo, DatasetKind
from anomaly_desk.progress import Progress, silent
from anomaly_desk.store import Workspace

EXPORT_FORMATS = ("csv", "parquet", "jsonl")
_UNITS = (("s", 1_000_000_000), ("ms", 1_000_000), ("us", 1_000), ("ns", 1))


def dataset_frame(
    ws: Workspace, dataset: DatasetInfo, progress: Progress | None = None
) -> pa.Table:
    """The dataset as one Arrow table, timestamps as ``timestamp[ns, UTC]``."""
    progress = progress or silent()
    if dataset.kind is not DatasetKind.TIMESERIES:
        frame = ws.read_table(dataset)
        return pa.Table.from_pandas(frame, preserve_index=False)
    mapping = dataset.mapping
    ts_name = mapping.timestamp or "timestamp"
    by_entity: dict[str | None, dict[str, np.ndarray]] = {}
    all_series = ws.series(dataset)
    for i, series in enumerate(all_series):
        ts, values = ws.read_series(series.id)
        columns = by_entity.setdefault(series.entity, {ts_name: ts})
        columns[series.value_column] = values
        progress.update((i + 1) / max(1, len(all_series)), "reading series")
    parts = []
    for entity, columns in by_entity.items():
        n = len(columns[ts_name])
        data: dict[str, pa.Array] = {
            ts_name: pa.array(columns[ts_name]).cast(pa.timestamp("ns", "UTC"))
        }
        if mapping.entity:
            data[mapping.entity] = pa.array([entity] * n, pa.string())
        for name in mapping.values:
            data[name] = pa.array(columns[name], type=pa.float64(), from_pandas=True)
        parts.append(pa.table(data))
    return pa.concat_tables(parts)


def _format_times(column: pa.ChunkedArray, tz: str) -> pa.Array:
    ns = column.combine_chunks().cast(pa.int64())
    valid = ns.drop_null().to_numpy()
    unit = next(u for u, size in _UNITS if not np.any(valid % size)) if len(valid) else "s"
    local = column.cast(pa.timestamp(unit, "UTC")).cast(pa.timestamp(unit, tz))
    text = pc.strftime(local, format="%Y-%m-%dT%H:%M:%S%z")
    return text.combine_chunks() if isinstance(text, pa.ChunkedArray) else text


def _write_jsonl(table: pa.Table, dest: Path) -> None:
    # Python's float repr is the shortest that round-trips; pandas' writer stops at 15 digits.
    with dest.open("w", encoding="utf-8") as fh:
        for batch in table.to_batches(max_chunksize=50_000):
            for row in batch.to_pylist():
                clean = {
                    k: (None if isinstance(v, float) and v != v else v) for k, v in row.items()
                }
                fh.write(json.dumps(clean, ensure_ascii=False) + "\n")


def export_dataset(
    ws: Workspace,
    dataset: DatasetInfo,
    fmt: str,
    dest: Path,
    timezone: str | None = None,
    progress: Progress | None = None,
) -> int:
    """Write ``dataset`` to ``dest``; returns the number of rows. Writes to a temporary name
    first, so an interrupted export never leaves a half file under the asked-for name."""
    if fmt not in EXPORT_FORMATS:
        raise WorkspaceError(f"unknown export format {fmt!r} (choose {', '.join(EXPORT_FORMATS)})")
    table = dataset_frame(ws, dataset, progress)
    tz = timezone or dataset.mapping.timezone
    if fmt != "parquet":
        for i, field in enumerate(table.schema):
            if pa.types.is_timestamp(field.type):
                table = table.set_column(i, field.name, _format_times(table.column(i), tz))
    tmp = dest.with_name(dest.name + ".partial")
    try:
        if fmt == "csv":
            pacsv.write_csv(table, tmp)
        elif fmt == "parquet":
            pq.write_table(table, tmp)
        else:
            _write_jsonl(table, tmp)
        tmp.replace(dest)
    finally:
        tmp.unlink(missing_ok=True)
    return int(table.num_rows)
