"""Import a file into a workspace: plan (cheap, shown to the user), load (validate), store.

``plan_import`` reads only the head of the file. ``load`` reads it all and validates every
row before anything touches the workspace; ``import_file`` then stores the result in one
transaction. Any failure raises ``BadInputError`` (or ``Cancelled``) and changes nothing.
"""

from __future__ import annotations

import hashlib
import threading
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path
from typing import Literal

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc

from anomaly_desk.errors import BadInputError, Problem
from anomaly_desk.ingest import report as reporting
from anomaly_desk.ingest.diagnose import check_number, diagnose
from anomaly_desk.ingest.guess import Guess, MappingOptions, guess_mapping
from anomaly_desk.ingest.preview import preview
from anomaly_desk.ingest.readers import ColumnType, ReadFailure, read_table
from anomaly_desk.ingest.source import Format, Source, inspect
from anomaly_desk.ingest.timeparse import (
    EPOCH_MS,
    EPOCH_S,
    ISO,
    ParsedTimes,
    any_offset,
    has_offset,
    parse_column,
    why_not_time,
)
from anomaly_desk.model import DatasetInfo, DatasetKind, ImportReport, Mapping
from anomaly_desk.progress import Progress, silent
from anomaly_desk.store import NewDataset, NewSeries, Workspace

BadValues = Literal["error", "missing"]


@dataclass(frozen=True)
class ImportOptions:
    name: str | None = None
    mapping: MappingOptions = field(default_factory=MappingOptions)
    format: Format | None = None
    delimiter: str | None = None
    has_header: bool | None = None
    bad_values: BadValues = "error"


@dataclass
class ImportPlan:
    source: Source
    name: str
    preview: pd.DataFrame
    guess: Guess
    bad_values: BadValues = "error"

    @property
    def mapping(self) -> Mapping:
        return self.guess.mapping


def dataset_name_for(path: Path) -> str:
    name = path.name
    for suffix in (".gz",):
        name = name.removesuffix(suffix)
    return Path(name).stem or name


def plan_import(path: Path, options: ImportOptions | None = None) -> ImportPlan:
    options = options or ImportOptions()
    source = inspect(
        Path(path),
        format=options.format,
        delimiter=options.delimiter,
        has_header=options.has_header,
    )
    head = preview(source)
    guess = guess_mapping(source.label, head, options.mapping)
    name = options.name or dataset_name_for(source.path)
    if not name.strip():
        raise BadInputError(source.label, "the dataset name is empty (--name)")
    return ImportPlan(source, name.strip(), head, guess, options.bad_values)


def import_file(
    ws: Workspace,
    path: Path,
    options: ImportOptions | None = None,
    progress: Progress | None = None,
) -> tuple[DatasetInfo, ImportPlan]:
    progress = progress or silent()
    plan = plan_import(path, options)
    if ws.has_dataset(plan.name):
        raise BadInputError(
            plan.source.label,
            f"the workspace already has a dataset named {plan.name!r}",
            hint="import under another name with --name, or delete the old one first",
        )
    new = load(plan, progress)
    info = ws.add_dataset(new, _scaled(progress, 0.9, 1.0))
    return info, plan


def _scaled(progress: Progress, start: float, end: float) -> Progress:
    def forward(fraction: float, message: str) -> None:
        progress.update(start + (end - start) * fraction, message or "storing")

    scaled = Progress(forward)
    # Cancelling the outer progress must stop the inner work too.
    scaled._cancelled = progress._cancelled
    return scaled


def load(plan: ImportPlan, progress: Progress | None = None) -> NewDataset:
    """Read and validate the whole file; raise ``BadInputError`` listing what is wrong."""
    progress = progress or silent()
    source, mapping = plan.source, plan.mapping
    types = _column_types(plan)
    stop_hashing = threading.Event()
    # Hashing runs beside the parse (hashlib releases the GIL), so it costs no wall time.
    with ThreadPoolExecutor(max_workers=1) as pool:
        digest = pool.submit(_sha256, source.path, progress, stop_hashing)
        try:
            table = _read(plan, types, progress)
        except ReadFailure as failure:
            stop_hashing.set()
            if failure.kind == "other" and source.format == "parquet":
                raise BadInputError(source.label, f"cannot read the file: {failure}") from None
            raise diagnose(source, types, str(failure)) from None
        except BaseException:
            stop_hashing.set()
            raise
        sha256 = digest.result()
    progress.update(0.8, "validating")
    report = ImportReport(rows=table.num_rows, columns=list(plan.preview.columns))
    report.notes.extend(plan.guess.notes)
    if table.num_rows == 0:
        raise BadInputError(source.label, "no data rows")
    new = NewDataset(
        name=plan.name,
        source_path=str(source.path.resolve()),
        source_sha256=sha256,
        source_size=source.size,
        mapping=mapping,
        report=report,
        rows=table.num_rows,
    )
    times = _parse_times(plan, table, report) if mapping.timestamp else None
    if mapping.kind is DatasetKind.TIMESERIES:
        assert times is not None
        new.series = _build_series(plan, table, times, report)
    else:
        new.table = _build_table(plan, table, times, report)
    return new


def _read(plan: ImportPlan, types: dict[str, ColumnType], progress: Progress) -> pa.Table:
    """Typed fast read; if Arrow refuses a value, read everything as text so that validation
    can name each bad row (Arrow's own message does not say where)."""
    fmt = plan.mapping.timestamp_format
    strptime_format = fmt if fmt and fmt not in (ISO, EPOCH_S, EPOCH_MS) else None
    try:
        return read_table(plan.source, types, _scaled(progress, 0.0, 0.8), strptime_format)
    except ReadFailure as failure:
        if failure.kind != "convert":
            raise
    as_text: dict[str, ColumnType] = dict.fromkeys(types, "string")
    return read_table(plan.source, as_text, _scaled(progress, 0.0, 0.8))


def _column_types(plan: ImportPlan) -> dict[str, ColumnType]:
    mapping = plan.mapping
    # With --bad-values missing, numbers are read as text and coerced, so nothing is refused.
    number: ColumnType = "float" if plan.bad_values == "error" else "string"
    types: dict[str, ColumnType] = {}
    if mapping.timestamp:
        types[mapping.timestamp] = _timestamp_type(plan)
    if mapping.kind is DatasetKind.TIMESERIES:
        if mapping.entity:
            types[mapping.entity] = "category"
        for value in mapping.values:
            types[value] = number
    else:
        for name in mapping.fields:
            types[name] = number if name in plan.guess.numeric else "string"
    return types


def _timestamp_type(plan: ImportPlan) -> ColumnType:
    """Let Arrow parse timestamps while reading (multi-threaded) when the sample is uniform."""
    mapping = plan.mapping
    assert mapping.timestamp is not None
    if plan.source.format != "csv":
        return "string"
    fmt = mapping.timestamp_format
    samples = plan.preview[mapping.timestamp].dropna().astype(str).tolist()
    if fmt in (EPOCH_S, EPOCH_MS):
        return "int" if all(s.strip().lstrip("-").isdigit() for s in samples) else "float"
    if fmt == ISO:
        return "timestamp_utc" if has_offset(samples) else "timestamp"
    if fmt and "%z" not in fmt and "%p" not in fmt:
        return "timestamp"
    return "string"


def _sha256(path: Path, progress: Progress, stop: threading.Event) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as fh:
        while chunk := fh.read(4 * 1024 * 1024):
            if progress.cancelled or stop.is_set():
                return ""
            digest.update(chunk)
    return digest.hexdigest()


def _problem_rows(
    label: str,
    rows: np.ndarray,
    column: str,
    values: pa.ChunkedArray,
    message: str | Callable[[str], str] | None,
    hint: str | None = None,
) -> BadInputError:
    """Name each bad row; ``message`` is fixed, or says why each value is bad (None: asks
    ``check_number``)."""
    shown = rows[:20]
    texts = values.take(pa.array(shown)).to_pylist()
    problems = []
    for row, text in zip(shown, texts, strict=True):
        if text is None:  # a fixed message ("missing entity") says more than "empty"
            why = message if isinstance(message, str) else "empty"
        else:
            why = (
                message(str(text))
                if callable(message)
                else message or check_number(str(text)) or "not a number"
            )
        value = None if text is None else str(text)
        problems.append(Problem(why, row=int(row) + 1, column=column, value=value))
    return BadInputError(label, problems, more=max(0, len(rows) - len(shown)), hint=hint)


BAD_NUMBER_HINT = "--bad-values missing imports such values as missing (and reports them)"


def _parse_times(plan: ImportPlan, table: pa.Table, report: ImportReport) -> ParsedTimes:
    mapping = plan.mapping
    assert mapping.timestamp is not None
    column = table.column(mapping.timestamp)
    times = parse_column(column, mapping.timestamp_format, mapping.timezone)
    if len(times.bad_rows):
        fmt, offsets = mapping.timestamp_format, any_offset(column)
        raise _problem_rows(
            plan.source.label,
            times.bad_rows,
            mapping.timestamp,
            column,
            lambda text: why_not_time(text, fmt, offsets),
        )
    report.dst_ambiguous = times.ambiguous
    report.dst_nonexistent = times.nonexistent
    if times.ambiguous:
        rows = ", ".join(str(r + 1) for r in times.ambiguous_rows[:5])
        report.notes.append(
            f"{times.ambiguous} local times fall in a repeated DST hour (rows {rows}...); "
            f"{times.ambiguous_rule}"
        )
    if times.nonexistent:
        rows = ", ".join(str(r + 1) for r in times.nonexistent_rows[:5])
        report.notes.append(
            f"{times.nonexistent} local times do not exist (DST gap; rows {rows}...); "
            "moved forward past the gap"
        )
    return times


def _numbers(plan: ImportPlan, table: pa.Table, name: str, report: ImportReport) -> np.ndarray:
    column = table.column(name)
    if pa.types.is_floating(column.type) or pa.types.is_integer(column.type):
        values = column.cast(pa.float64()).to_numpy()
        values = np.asarray(values, dtype=np.float64)
        bad = np.flatnonzero(np.isinf(values))
        message = "not a finite number"
    else:
        text = column.cast(pa.string())
        values = pd.to_numeric(
            pd.Series(text.to_numpy(zero_copy_only=False), dtype=object), errors="coerce"
        ).to_numpy(dtype=np.float64)
        present = np.asarray(pc.is_valid(text).to_numpy(zero_copy_only=False), dtype=bool)
        bad = np.flatnonzero((np.isnan(values) & present) | np.isinf(values))
        # Spelled-out missing markers ("NaN", "null") are missing values, not bad ones.
        if len(bad):
            bad = np.array([r for r in bad if check_number(text[int(r)].as_py())], dtype=np.int64)
        message = None
    if len(bad):
        if plan.bad_values == "missing":
            values = values.copy()  # Arrow and pandas hand out read-only buffers
            values[bad] = np.nan
            report.non_numeric += len(bad)
        else:
            raise _problem_rows(plan.source.label, bad, name, column, message, BAD_NUMBER_HINT)
    return np.asarray(values, dtype=np.float64)


def _build_series(
    plan: ImportPlan, table: pa.Table, times: ParsedTimes, report: ImportReport
) -> list[NewSeries]:
    mapping = plan.mapping
    ts = times.ns
    values = {name: _numbers(plan, table, name, report) for name in mapping.values}
    groups: list[tuple[str | None, slice]]
    if mapping.entity:
        entity_col = table.column(mapping.entity)
        missing = np.flatnonzero(entity_col.is_null().to_numpy(zero_copy_only=False))
        if len(missing):
            raise _problem_rows(
                plan.source.label, missing, mapping.entity, entity_col, "missing entity"
            )
        encoded = entity_col.combine_chunks()
        if not isinstance(encoded, pa.DictionaryArray):
            encoded = pc.dictionary_encode(encoded)
        encoded = (
            encoded.unify_dictionaries() if hasattr(encoded, "unify_dictionaries") else encoded
        )
        indices = encoded.indices
        names = encoded.dictionary.to_pylist()
        # Arrow's sort is stable (each entity keeps its file order) and counts small integer
        # keys instead of comparing them: 6x faster than numpy's stable argsort here.
        order = pc.array_sort_indices(indices).to_numpy()
        counts = np.bincount(indices.to_numpy(zero_copy_only=False), minlength=len(names))
        bounds = np.concatenate([[0], np.cumsum(counts)])
        # One gather of every column into entity order; each series is then a view (slice),
        # much cheaper than one fancy-index per entity.
        ts = ts[order]
        values = {name: column[order] for name, column in values.items()}
        groups = [(str(names[i]), slice(bounds[i], bounds[i + 1])) for i in range(len(names))]
    else:
        groups = [(None, slice(None))]
    result: list[NewSeries] = []
    per_series = []
    for entity, rows in groups:
        part_ts = ts[rows]
        for column in mapping.values:
            part_values = values[column][rows]
            if entity is None:
                name = column
            else:
                name = entity if len(mapping.values) == 1 else f"{entity}/{column}"
            hygiene = reporting.series_report(name, part_ts, part_values)
            per_series.append(hygiene)
            result.append(
                NewSeries(name, entity, column, part_ts, part_values, hygiene.step_seconds)
            )
    reporting.combine(report, per_series)
    return result


def _build_table(
    plan: ImportPlan, table: pa.Table, times: ParsedTimes | None, report: ImportReport
) -> pa.Table:
    mapping = plan.mapping
    columns: dict[str, pa.Array] = {}
    if mapping.timestamp and times is not None:
        columns[mapping.timestamp] = pa.array(times.ns.view("datetime64[ns]")).cast(
            pa.timestamp("ns", "UTC")
        )
        hygiene = reporting.series_report("events", times.ns, np.zeros(len(times.ns)))
        report.start, report.end = hygiene.start, hygiene.end
        report.out_of_order = hygiene.out_of_order
        report.duplicates = 0
    for name in mapping.fields:
        if name in plan.guess.numeric:
            values = _numbers(plan, table, name, report)
            report.missing_values += int(np.count_nonzero(np.isnan(values)))
            columns[name] = pa.array(values, type=pa.float64())
        else:
            column = table.column(name).cast(pa.string())
            report.missing_values += column.null_count
            columns[name] = column.combine_chunks()
    out = pa.table(columns)
    frame_hash = pd.util.hash_pandas_object(out.to_pandas(), index=False)
    report.duplicates = int(frame_hash.duplicated().sum())
    return out
