"""Reading a whole source into an Arrow table, fast, with progress and cancellation.

The fast path trusts the column types guessed from the preview. When Arrow refuses a value it
does not say which row; ``ReadFailure`` then sends the importer to ``diagnose``, which re-reads
slowly and names rows, columns and values.
"""

from __future__ import annotations

import gzip
import json
from collections.abc import Iterator
from typing import IO, Any, Literal, cast

import pyarrow as pa
import pyarrow.csv as pacsv
import pyarrow.json as pajson
import pyarrow.parquet as pq

from anomaly_desk.errors import BadInputError
from anomaly_desk.ingest.preview import cell_text, csv_header
from anomaly_desk.ingest.quotes import UNCLOSED_HINT, unclosed_quote
from anomaly_desk.ingest.source import Source
from anomaly_desk.progress import Progress

BLOCK_BYTES = 8 * 1024 * 1024
# Cells that mean "no value". A literal inf is not here: it is refused as not finite.
NULL_VALUES = ["", "NA", "N/A", "n/a", "NaN", "nan", "NULL", "null", "None", "#N/A"]

# "category": text with few distinct values (an entity), read dictionary-encoded.
ColumnType = Literal["string", "float", "int", "category", "timestamp", "timestamp_utc"]
_ARROW_TYPES: dict[str, pa.DataType] = {
    "string": pa.string(),
    "float": pa.float64(),
    "int": pa.int64(),
    "category": pa.dictionary(pa.int32(), pa.string()),
    "timestamp": pa.timestamp("ns"),
    "timestamp_utc": pa.timestamp("ns", "UTC"),
}


class ReadFailure(Exception):
    """Arrow could not read the file with the expected types; ``kind`` says how it failed."""

    def __init__(self, kind: Literal["parse", "convert", "other"], message: str) -> None:
        super().__init__(message)
        self.kind = kind


def read_table(
    source: Source,
    types: dict[str, ColumnType],
    progress: Progress,
    timestamp_format: str | None = None,
) -> pa.Table:
    """The columns named in ``types`` (in that order), read whole.

    ``timestamp_format`` (strptime) tells Arrow how to read "timestamp" columns that are not
    ISO 8601.
    """
    arrow_types = {n: _ARROW_TYPES[t] for n, t in types.items()}
    try:
        if source.format == "csv":
            batches = _csv_batches(source, arrow_types, progress, timestamp_format)
        elif source.format == "jsonl":
            batches = _jsonl_batches(source, list(types), progress)
        else:
            batches = _parquet_batches(source, list(types), progress)
        table = pa.Table.from_batches(list(batches))
    except pa.ArrowInvalid as exc:
        text = str(exc)
        kind: Literal["parse", "convert", "other"] = (
            "convert" if "conversion error" in text or "invalid value" in text else "parse"
        )
        raise ReadFailure(kind, text) from None
    except (pa.ArrowException, OSError, EOFError, ValueError) as exc:
        raise ReadFailure("other", str(exc)) from None
    missing = [n for n in types if n not in table.column_names]
    if missing:
        raise ReadFailure("other", f"columns not found: {', '.join(missing)}")
    return table.select(list(types))


def _csv_batches(
    source: Source,
    types: dict[str, pa.DataType],
    progress: Progress,
    timestamp_format: str | None,
) -> Iterator[pa.RecordBatch]:
    # The names the preview showed (Arrow would keep " value" padded and leave blank names
    # blank, and then not find the columns it is asked for); Arrow skips the header lines.
    names, header_lines = csv_header(source)
    read_options = pacsv.ReadOptions(
        block_size=BLOCK_BYTES, column_names=names, skip_rows=header_lines
    )
    parse_options = pacsv.ParseOptions(
        delimiter=source.delimiter,
        newlines_in_values=_has_multiline_fields(source),
        ignore_empty_lines=True,
    )
    convert_options = pacsv.ConvertOptions(
        column_types=types,
        include_columns=list(types),
        null_values=NULL_VALUES,
        strings_can_be_null=True,
        quoted_strings_can_be_null=True,
        timestamp_parsers=[timestamp_format] if timestamp_format else None,
    )
    with source.path.open("rb") as raw:
        stream: IO[bytes] = raw
        if source.compression == "gzip":
            stream = cast(IO[bytes], gzip.GzipFile(fileobj=raw, mode="rb"))
        # read_csv parses blocks on all cores (twice as fast as the streaming reader here);
        # progress and cancellation ride on the reads it makes from this stream.
        reporting = _ReportingStream(stream, raw, source.size, progress)
        table = pacsv.read_csv(
            reporting,
            read_options=read_options,
            parse_options=parse_options,
            convert_options=convert_options,
        )
    if reporting.quotes % 2:
        # Arrow reads a quoted field that is never closed to the end of the file without a
        # word, swallowing every row after it. An odd count of quotes is the cheap sign (a
        # literal quote inside an unquoted field, which is legal, also makes it odd).
        problem = unclosed_quote(source)
        if problem is not None:
            raise BadInputError(source.label, [problem], hint=UNCLOSED_HINT)
    yield from table.to_batches()


class _ReportingStream:
    """A read-only file object that reports how far into the file reading has got."""

    closed = False

    def __init__(self, stream: IO[bytes], raw: IO[bytes], size: int, progress: Progress) -> None:
        self._stream = stream
        self._raw = raw
        self._size = max(1, size)
        self._progress = progress
        self.quotes = 0  # quote characters seen so far

    def read(self, size: int = -1) -> bytes:
        data = self._stream.read(size)
        if b'"' in data:  # memchr-fast; counting every block costs 0.25 s on 380 MB
            self.quotes += data.count(b'"')
        self._progress.update(0.9 * self._raw.tell() / self._size, "reading")
        return data

    def readable(self) -> bool:
        return True

    def seekable(self) -> bool:
        return False

    def close(self) -> None:
        pass


def _has_multiline_fields(source: Source) -> bool:
    # Quoted line breaks force Arrow's slower serial parser; only pay for it when seen.
    return '"' in source.sample and any(line.count('"') % 2 for line in source.sample.splitlines())


def json_object(line: str) -> Any:
    """One JSON value; ``ValueError`` says what is wrong (a key given twice included, which
    Arrow refuses and ``json`` would silently resolve to the last value)."""

    def unique(pairs: list[tuple[str, Any]]) -> dict[str, Any]:
        record: dict[str, Any] = {}
        for key, value in pairs:
            if key in record:
                raise ValueError(f"the key {key!r} appears twice")
            record[key] = value
        return record

    return json.loads(line, object_pairs_hook=unique)


def _jsonl_batches(
    source: Source, columns: list[str], progress: Progress
) -> Iterator[pa.RecordBatch]:
    try:
        with source.open_binary() as fh:
            table = pajson.read_json(
                fh,
                read_options=pajson.ReadOptions(block_size=BLOCK_BYTES),
                parse_options=pajson.ParseOptions(newlines_in_values=False),
            )
    except pa.ArrowInvalid:
        # Arrow gives up on a column whose type changes (a number, then "abc") and does not
        # say where; read it as text so that validation names the row.
        yield from _jsonl_as_text(source, columns, progress).to_batches()
        return
    progress.update(0.9, "reading")
    # Nested values are kept as their JSON text: a table cell holds one value.
    for i, field in enumerate(table.schema):
        if pa.types.is_struct(field.type) or pa.types.is_list(field.type):
            texts = [None if v is None else json.dumps(v) for v in table.column(i).to_pylist()]
            table = table.set_column(i, field.name, pa.array(texts, pa.string()))
    yield from table.to_batches()


def _jsonl_as_text(source: Source, columns: list[str], progress: Progress) -> pa.Table:
    """The slow path: ``columns`` as text, line by line; ``ReadFailure`` on a bad line."""
    cells: dict[str, list[str | None]] = {name: [] for name in columns}
    seen: set[str] = set()
    with source.open_binary() as fh:
        for number, raw in enumerate(fh, start=1):
            if number % 10_000 == 0:
                progress.check()
            if number == 1 and raw.startswith(b"\xef\xbb\xbf"):
                raw = raw[3:]
            line = raw.decode("utf-8")  # UnicodeDecodeError: a ValueError, diagnosed later
            if not line.strip():
                continue
            try:
                record = json_object(line)
            except ValueError as exc:
                raise ReadFailure("parse", f"line {number}: {exc}") from None
            if not isinstance(record, dict):
                raise ReadFailure("parse", f"line {number}: not a JSON object")
            seen.update(record)
            for name in columns:
                cells[name].append(cell_text(record.get(name)))
    progress.update(0.9, "reading")
    return pa.table({name: pa.array(cells[name], pa.string()) for name in columns if name in seen})


def _parquet_batches(
    source: Source, columns: list[str], progress: Progress
) -> Iterator[pa.RecordBatch]:
    if source.compression:
        with source.open_binary() as fh:
            parquet = pq.ParquetFile(pa.BufferReader(fh.read()))
    else:
        parquet = pq.ParquetFile(source.path)
    total = max(1, parquet.metadata.num_rows)
    done = 0
    for batch in parquet.iter_batches(columns=columns, batch_size=256_000):
        done += batch.num_rows
        progress.update(0.9 * done / total, "reading")
        yield batch
