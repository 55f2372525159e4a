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
from anomaly_desk.ingest.source import Source, csv_error_text

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


def csv_records(source: Source, limit: int) -> list[tuple[int, list[str]]]:
    """Up to ``limit`` non-blank records of the sample, each with the line it ends on.

    newline="" lets the csv module treat a lone CR as a line end, as Arrow does.
    """
    reader = csv.reader(io.StringIO(source.sample, newline=""), delimiter=source.delimiter)
    records: list[tuple[int, list[str]]] = []
    try:
        for row in reader:
            if row:  # blank lines carry nothing
                records.append((reader.line_num, row))
                if len(records) >= limit:
                    break
    except csv.Error as exc:
        problem = Problem(csv_error_text(exc), line=reader.line_num + 1)
        raise BadInputError(source.label, [problem]) from None
    if not records:
        raise BadInputError(source.label, "no rows")
    return records


def csv_header(source: Source) -> tuple[list[str], int]:
    """The column names every reader must use, and how many lines precede the data.

    Arrow would keep a header's padding (" value") and blank names as they are, so the names
    are taken from here (checked like the preview's) and Arrow skips the header lines.
    """
    line, first = csv_records(source, 1)[0]
    if source.has_header:
        return check_names(source.label, first), line
    return [f"column_{i + 1}" for i in range(len(first))], 0


def _csv_preview(source: Source, rows: int) -> pd.DataFrame:
    records = csv_records(source, rows + 1)
    if source.has_header:
        names, body = check_names(source.label, records[0][1]), records[1:]
    else:
        names, body = [f"column_{i + 1}" for i in range(len(records[0][1]))], records
    problems = []
    for number, (line, row) in enumerate(body, start=1):
        if len(row) != len(names):
            problems.append(
                Problem(
                    f"expected {len(names)} fields, found {len(row)}",
                    row=number,
                    line=line,
                    value=source.delimiter.join(row),
                )
            )
    if problems and len(names) > 1:
        raise BadInputError(source.label, problems, hint="is the delimiter right? (--delimiter)")
    return pd.DataFrame(
        [
            [cell if cell != "" else None for cell in row]
            for _, row in body
            if len(row) == len(names)
        ],
        columns=names,
        dtype=object,
    )


def _jsonl_preview(source: Source, rows: int) -> pd.DataFrame:
    records: list[dict[str, object]] = []
    # Split on LF only, as Arrow does: str.splitlines() also breaks at U+2028 and friends,
    # which JSON allows inside strings.
    for number, line in enumerate(source.sample.split("\n"), start=1):
        if not line.strip():
            continue
        row = len(records) + 1  # data rows are the non-blank lines
        try:
            value = json.loads(line)
        except json.JSONDecodeError as exc:
            problem = Problem(f"not valid JSON ({exc.msg})", row=row, line=number, value=line)
            raise BadInputError(source.label, [problem]) from None
        if not isinstance(value, dict):
            problem = Problem("each line must be a JSON object", row=row, line=number, value=line)
            raise BadInputError(source.label, [problem])
        records.append(value)
        if len(records) >= rows:
            break
    names = list(dict.fromkeys(key for record in records for key in record))
    texts = [[cell_text(record.get(name)) for name in names] for record in records]
    return pd.DataFrame(texts, columns=names, dtype=object)


def cell_text(value: object) -> str | None:
    """A JSON value as the text of one table cell."""
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
        name: [cell_text(v) for v in batch.column(i).to_pylist()] for i, name in enumerate(names)
    }
    return pd.DataFrame(columns, dtype=object)
