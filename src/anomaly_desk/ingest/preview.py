"""The first rows of a source as text, for guessing the mapping and for the import wizard."""

from __future__ import annotations

import csv
import io
import json
from collections import Counter

import pandas as pd
import pyarrow as pa
import pyarrow.parquet as pq

from anomaly_desk.errors import BadInputError, Problem
from anomaly_desk.ingest.source import Source

PREVIEW_ROWS = 500


def preview(source: Source, rows: int = PREVIEW_ROWS) -> pd.DataFrame:
    """Up to ``rows`` rows, every cell as text (None where empty), with checked column names."""
    if source.format == "csv":
        frame = _csv_preview(source, rows)
    elif source.format == "jsonl":
        frame = _jsonl_preview(source, rows)
    else:
        frame = _parquet_preview(source, rows)
    if frame.empty:
        raise BadInputError(source.label, "no data rows (only a header, or nothing)")
    return frame


def check_names(label: str, names: list[str]) -> list[str]:
    """Name unnamed columns ``column_N``; refuse duplicated names (which one would we use?)."""
    fixed = [name.strip() or f"column_{i + 1}" for i, name in enumerate(names)]
    dupes = [name for name, count in Counter(fixed).items() if count > 1]
    if dupes:
        raise BadInputError(
            label,
            [Problem("duplicate column name", line=1, column=name) for name in dupes],
            hint="rename the columns so each name is used once",
        )
    return fixed


def _csv_preview(source: Source, rows: int) -> pd.DataFrame:
    reader = csv.reader(io.StringIO(source.sample), delimiter=source.delimiter)
    try:
        records = [row for _, row in zip(range(rows + 1), reader, strict=False)]
    except csv.Error as exc:
        raise BadInputError(source.label, [Problem(str(exc), line=reader.line_num)]) from None
    records = [r for r in records if r]  # blank lines carry nothing
    if not records:
        raise BadInputError(source.label, "no rows")
    if source.has_header:
        names, body = check_names(source.label, records[0]), records[1:]
    else:
        names, body = [f"column_{i + 1}" for i in range(len(records[0]))], records
    problems = []
    for number, row in enumerate(body, start=1):
        if len(row) != len(names):
            problems.append(
                Problem(
                    f"expected {len(names)} fields, found {len(row)}",
                    row=number,
                    value=source.delimiter.join(row),
                )
            )
    if problems and len(names) > 1:
        raise BadInputError(source.label, problems, hint="is the delimiter right? (--delimiter)")
    body = [row for row in body if len(row) == len(names)]
    return pd.DataFrame(
        [[cell if cell != "" else None for cell in row] for row in body],
        columns=names,
        dtype=object,
    )


def _jsonl_preview(source: Source, rows: int) -> pd.DataFrame:
    records: list[dict[str, object]] = []
    for number, line in enumerate(source.sample.splitlines(), start=1):
        if not line.strip():
            continue
        try:
            value = json.loads(line)
        except json.JSONDecodeError as exc:
            raise BadInputError(
                source.label, [Problem(f"not valid JSON ({exc.msg})", line=number, value=line)]
            ) from None
        if not isinstance(value, dict):
            raise BadInputError(
                source.label, [Problem("each line must be a JSON object", line=number, value=line)]
            )
        records.append(value)
        if len(records) >= rows:
            break
    names = list(dict.fromkeys(key for record in records for key in record))
    texts = [[_text(record.get(name)) for name in names] for record in records]
    return pd.DataFrame(texts, columns=names, dtype=object)


def _text(value: object) -> str | None:
    if value is None:
        return None
    if isinstance(value, (dict, list)):
        return json.dumps(value)
    return str(value)


def _parquet_preview(source: Source, rows: int) -> pd.DataFrame:
    try:
        with source.open_binary() as fh:
            data = pq.ParquetFile(pa.BufferReader(fh.read())) if source.compression else None
            parquet = data or pq.ParquetFile(source.path)
            names = check_names(source.label, parquet.schema_arrow.names)
            batch = next(parquet.iter_batches(batch_size=rows), None)
    except (pa.ArrowException, OSError) as exc:
        raise BadInputError(source.label, f"not a readable Parquet file ({exc})") from None
    if batch is None:
        return pd.DataFrame(columns=names)
    columns = {
        name: [_text(v) for v in batch.column(i).to_pylist()] for i, name in enumerate(names)
    }
    return pd.DataFrame(columns, dtype=object)
