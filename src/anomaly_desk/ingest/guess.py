"""Guessing how a file's columns map onto a dataset; every guess can be overridden.

The guess is deliberately conservative: an integer column only counts as epoch time when its
name says it is a time, and an ambiguous file becomes a time series (the commonest case) with
a note saying how to ask for something else.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field, replace

import pandas as pd
import tzlocal

from anomaly_desk.errors import BadInputError
from anomaly_desk.ingest import timeparse
from anomaly_desk.model import DatasetKind, Mapping

_TIME_NAME = re.compile(r"time|date|^ts$|_ts$|^ts_|when|created|submitted|epoch|^t$", re.I)
NUMERIC_SHARE = 0.8
MOSTLY_TIMES = 0.5  # share of a time-named column's sample that must parse as timestamps
_ENTITY_NAME = re.compile(r"entity|series|host|name|metric|sensor|device|source|node|id$", re.I)


@dataclass(frozen=True)
class MappingOptions:
    """What the user said about the mapping; None means "guess"."""

    kind: DatasetKind | None = None
    timestamp: str | None = None
    timestamp_format: str | None = None
    timezone: str | None = None
    entity: str | None = None
    values: tuple[str, ...] = ()
    fields: tuple[str, ...] = ()
    no_timestamp: bool = False


@dataclass
class Guess:
    mapping: Mapping
    numeric: list[str]
    text: list[str]
    notes: list[str] = field(default_factory=list)


def machine_timezone() -> str:
    try:
        return str(tzlocal.get_localzone_name() or "UTC")
    except Exception:  # noqa: BLE001 - any failure to read the zone means "UTC", said in notes
        return "UTC"


def guess_mapping(label: str, frame: pd.DataFrame, options: MappingOptions) -> Guess:
    names = list(frame.columns)
    _check_named(label, names, options)
    notes: list[str] = []
    ts_col, ts_fmt = _pick_timestamp(frame, options)
    if options.timestamp and ts_fmt is None:
        raise BadInputError(
            label,
            f"column {options.timestamp!r} does not look like timestamps in any known format",
            hint="give the format with --timestamp-format (strptime, epoch_s or epoch_ms)",
        )
    # Columns the user named as values are numeric whatever the sample says (bad cells are
    # then reported or, with --bad-values missing, imported as missing).
    numeric = [n for n in names if n != ts_col and (n in options.values or _is_numeric(frame[n]))]
    text = [n for n in names if n not in numeric and n != ts_col]
    kind = options.kind or (
        DatasetKind.TIMESERIES if options.values else _pick_kind(ts_col, numeric, text)
    )
    if kind is not DatasetKind.RECORDS and ts_col is None:
        raise BadInputError(
            label,
            f"a {kind.value} dataset needs a timestamp column and none was recognised "
            f"(columns: {', '.join(names)})",
            hint="name it with --timestamp COLUMN (and --timestamp-format if needed)",
        )
    tz = options.timezone or machine_timezone()
    if ts_col and not options.timezone:
        samples = frame[ts_col].dropna().astype(str).tolist()
        if ts_fmt in (timeparse.EPOCH_S, timeparse.EPOCH_MS) or timeparse.has_offset(samples):
            notes.append(f"timestamps carry their own offset; {tz} is used for display only")
        else:
            notes.append(f"timestamps have no offset: read as local time in {tz} (--timezone)")
    base = Mapping(kind=kind, timestamp=ts_col, timestamp_format=ts_fmt, timezone=tz)
    if kind is DatasetKind.TIMESERIES:
        mapping = _series_mapping(label, base, numeric, text, options, notes)
    else:
        fields = options.fields or tuple(n for n in names if n != ts_col)
        mapping = replace(base, fields=fields, entity=options.entity)
    return Guess(mapping=mapping, numeric=numeric, text=text, notes=notes)


def _check_named(label: str, names: list[str], options: MappingOptions) -> None:
    asked = [options.timestamp, options.entity, *options.values, *options.fields]
    unknown = [name for name in asked if name is not None and name not in names]
    if unknown:
        raise BadInputError(
            label,
            f"no column named {', '.join(map(repr, unknown))} (columns: {', '.join(names)})",
        )


def _pick_timestamp(frame: pd.DataFrame, options: MappingOptions) -> tuple[str | None, str | None]:
    if options.no_timestamp:
        return None, None
    if options.timestamp:
        samples = frame[options.timestamp].dropna().astype(str).tolist()
        fmt = options.timestamp_format or timeparse.infer_format(samples)
        return options.timestamp, fmt or timeparse.infer_format_most(samples, MOSTLY_TIMES)
    found: list[tuple[int, str, str]] = []
    for name in frame.columns:
        samples = frame[name].dropna().astype(str).tolist()
        fmt = options.timestamp_format or timeparse.infer_format(samples)
        if fmt is None:
            continue
        named = bool(_TIME_NAME.search(name))
        if fmt in (timeparse.EPOCH_S, timeparse.EPOCH_MS) and not named:
            continue  # a column of large integers is not a clock unless its name says so
        found.append((0 if named else 1, name, fmt))
    if not found:
        return _mostly_timestamps(frame)
    _, name, fmt = min(found, key=lambda item: item[0])
    return name, fmt


def _mostly_timestamps(frame: pd.DataFrame) -> tuple[str | None, str | None]:
    """A column named like a time whose sample mostly parses: its few bad values are errors
    to report by row ("yesterday" in row 3), not a reason to import the file without a clock.
    """
    for name in frame.columns:
        if _TIME_NAME.search(name):
            samples = frame[name].dropna().astype(str).tolist()
            fmt = timeparse.infer_format_most(samples, MOSTLY_TIMES)
            if fmt is not None:
                return name, fmt
    return None, None


def _is_numeric(column: pd.Series) -> bool:
    values = column.dropna()
    if values.empty:
        return False
    converted = pd.to_numeric(values, errors="coerce")
    # Mostly numbers means a numeric column with some bad cells, which are then reported
    # row by row; a lower bar would turn code columns ("404", "OK") into numbers.
    return bool(converted.notna().mean() >= NUMERIC_SHARE)


def _pick_kind(ts_col: str | None, numeric: list[str], text: list[str]) -> DatasetKind:
    if ts_col is None:
        return DatasetKind.RECORDS
    if numeric and len(text) <= 1:
        return DatasetKind.TIMESERIES
    return DatasetKind.EVENTS


def _series_mapping(
    label: str,
    base: Mapping,
    numeric: list[str],
    text: list[str],
    options: MappingOptions,
    notes: list[str],
) -> Mapping:
    entity = options.entity
    if entity is None and text:
        named = [n for n in text if _ENTITY_NAME.search(n)]
        entity = (named or text)[0]
    values = options.values or tuple(n for n in numeric if n != entity)
    if not values:
        raise BadInputError(
            label,
            "no numeric value column found for a time series",
            hint="name the value columns with --value COLUMN, or import as --kind events",
        )
    layout = "long" if entity or len(values) == 1 else "wide"
    if entity is None and len(values) > 1:
        notes.append(f"wide layout: one series per column ({', '.join(values)})")
    elif entity:
        notes.append(f"long layout: one series per {entity!r} value and value column")
    return replace(base, entity=entity, values=tuple(values), layout=layout)
