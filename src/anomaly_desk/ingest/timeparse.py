"""Timestamps: guessing the format from a sample, parsing whole columns, UTC in the end.

Naive timestamps are local times in the dataset's time zone. Local clocks repeat an hour when
daylight saving ends (ambiguous) and skip one when it starts (nonexistent); both are counted
and reported, with the rule applied (earlier instant; shifted forward), never hidden.
"""

from __future__ import annotations

import math
import re
from dataclasses import dataclass, field
from datetime import datetime

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc

from anomaly_desk.store.points import I64

ISO = "iso"
EPOCH_S = "epoch_s"
EPOCH_MS = "epoch_ms"
UTC_NAMES = {"UTC", "Etc/UTC", "Etc/GMT", "GMT", "Z", "utc"}

_ISO_RE = re.compile(
    r"^\d{4}-\d{2}-\d{2}([T ]\d{2}:\d{2}(:\d{2}(\.\d{1,9})?)?)?(Z|[+-]\d{2}:?\d{2})?$"
)
_ISO_OFFSET_RE = re.compile(r"(Z|[+-]\d{2}:?\d{2})$")
# Tried in order when the values are not ISO 8601; day-first and month-first are both tried and
# the data decides (a day above 12), month-first winning a tie as in most exported logs.
STRPTIME_FORMATS = (
    "%Y-%m-%d %H:%M",
    "%Y/%m/%d %H:%M:%S",
    "%Y/%m/%d %H:%M",
    "%Y/%m/%d",
    "%m/%d/%Y %H:%M:%S",
    "%m/%d/%Y %H:%M",
    "%m/%d/%Y %I:%M:%S %p",
    "%m/%d/%Y",
    "%d/%m/%Y %H:%M:%S",
    "%d/%m/%Y %H:%M",
    "%d/%m/%Y",
    "%d.%m.%Y %H:%M:%S",
    "%d.%m.%Y %H:%M",
    "%d.%m.%Y",
    "%d-%b-%Y %H:%M:%S",
    "%d %b %Y %H:%M:%S",
    "%b %d %Y %H:%M:%S",
    "%a, %d %b %Y %H:%M:%S %z",
    "%Y%m%dT%H%M%S",
    "%Y%m%d%H%M%S",
)
# Plausible epochs: 1990-01-01 .. 2100-01-01.
_EPOCH_S_RANGE = (631_152_000, 4_102_444_800)


def is_utc(tz: str) -> bool:
    return tz in UTC_NAMES


def infer_format(samples: list[str]) -> str | None:
    """The one format that parses every non-empty sample, or None if nothing does."""
    values = [s.strip() for s in samples if s and s.strip()]
    if not values:
        return None
    if all(_ISO_RE.match(v) for v in values):
        return ISO
    if all(re.fullmatch(r"-?\d+(\.\d+)?", v) for v in values):
        numbers = [float(v) for v in values]
        lo, hi = _EPOCH_S_RANGE
        if all(lo <= n <= hi for n in numbers):
            return EPOCH_S
        if all(lo * 1000 <= n <= hi * 1000 for n in numbers):
            return EPOCH_MS
        return None
    for fmt in STRPTIME_FORMATS:
        if all(_parses(v, fmt) for v in values):
            return fmt
    return None


def infer_format_most(samples: list[str], share: float) -> str | None:
    """The format that parses the most non-empty samples, if that is more than ``share`` of
    them (earlier formats win ties). Slower than ``infer_format``; used only when that found
    nothing for a column that should hold times, so that its bad values are reported by row.
    """
    values = [s.strip() for s in samples if s and s.strip()]
    counts: dict[str, int] = {ISO: sum(bool(_ISO_RE.match(v)) for v in values)}
    numbers = [float(v) for v in values if re.fullmatch(r"-?\d+(\.\d+)?", v)]
    lo, hi = _EPOCH_S_RANGE
    counts[EPOCH_S] = sum(lo <= n <= hi for n in numbers)
    counts[EPOCH_MS] = sum(lo * 1000 <= n <= hi * 1000 for n in numbers)
    for fmt in STRPTIME_FORMATS:
        counts[fmt] = sum(_parses(v, fmt) for v in values)
    best = max(counts, key=lambda fmt: counts[fmt])  # the first of the best, in order
    return best if values and counts[best] > share * len(values) else None


def parse_one(text: str, fmt: str) -> bool:
    """Whether one value parses in ``fmt`` (used to locate the bad rows of a column)."""
    text = text.strip()
    if fmt == ISO:
        return bool(_ISO_RE.match(text)) and _parses_iso(text)
    if fmt in (EPOCH_S, EPOCH_MS):
        try:
            float(text)
        except ValueError:
            return False
        return True
    return _parses(text, fmt)


def _parses(text: str, fmt: str) -> bool:
    try:
        datetime.strptime(text, fmt)
    except ValueError:
        return False
    return True


def _parses_iso(text: str) -> bool:
    try:
        datetime.fromisoformat(text)
    except ValueError:
        return False
    return True


def has_offset(samples: list[str]) -> bool:
    return any(_ISO_OFFSET_RE.search(s.strip()) for s in samples if s)


def any_offset(column: pa.ChunkedArray) -> bool:
    """Whether some value of a text column ends in a UTC offset (for error messages)."""
    text = pc.utf8_trim_whitespace(column.cast(pa.string()))
    return bool(pc.any(pc.match_substring_regex(text, _ISO_OFFSET_RE.pattern)).as_py())


def why_not_time(text: str, fmt: str | None, offsets_elsewhere: bool) -> str:
    """Why ``text`` was refused as a timestamp in ``fmt``.

    Among values with offsets a naive one is refused although it parses: which instant it
    means depends on a zone nobody gave, so saying "not a timestamp" would mislead.
    """
    iso = fmt in (None, ISO)
    text = text.strip()
    if iso and offsets_elsewhere and _ISO_RE.match(text) and not has_offset([text]):
        return "no UTC offset, while other rows have one (which instant is meant?)"
    if _out_of_range(text, fmt):
        return "a time outside the years 1678 to 2261, which cannot be stored"
    return f"not a timestamp in the format {'ISO 8601' if iso else fmt}"


def _out_of_range(text: str, fmt: str | None) -> bool:
    """Whether ``text`` is a well-formed time that int64 nanoseconds cannot hold."""
    try:
        if fmt in (EPOCH_S, EPOCH_MS):
            seconds = float(text) / (1000 if fmt == EPOCH_MS else 1)
            return math.isfinite(seconds) and abs(seconds) > _NS_LIMIT_FLOAT / 1e9
        when = datetime.fromisoformat(text) if fmt in (None, ISO) else datetime.strptime(text, fmt)
    except (ValueError, OverflowError):
        return False
    return not 1678 <= when.year <= 2261


@dataclass
class ParsedTimes:
    ns: I64
    bad_rows: np.ndarray  # 0-based positions whose value did not parse (empty = all good)
    ambiguous_rows: list[int] = field(default_factory=list)
    nonexistent_rows: list[int] = field(default_factory=list)
    ambiguous: int = 0
    nonexistent: int = 0
    ambiguous_rule: str = ""


def parse_column(column: pa.ChunkedArray | pa.Array, fmt: str | None, tz: str) -> ParsedTimes:
    """Parse a whole column to int64 ns UTC; failures are returned as row positions."""
    arr = column.combine_chunks() if isinstance(column, pa.ChunkedArray) else column
    if isinstance(arr, pa.DictionaryArray):
        arr = arr.cast(pa.string())
    # Unsigned integers take the float path: above 2**63 they would wrap to negative int64.
    signed = pa.types.is_signed_integer(arr.type)
    if arr.null_count == 0 and (pa.types.is_timestamp(arr.type) or signed):
        return _parse_clean_numeric(arr, fmt, tz)
    nulls = arr.is_null()
    aware = False
    if pa.types.is_timestamp(arr.type):
        ns, outside = _to_ns(arr.cast(pa.int64()).fill_null(0).to_numpy(), _NS_PER[arr.type.unit])
        mask = outside | nulls.to_numpy(zero_copy_only=False)
        parsed = pa.array(ns, mask=mask).cast(pa.timestamp("ns", arr.type.tz))
        aware = arr.type.tz is not None
    elif pa.types.is_integer(arr.type) or pa.types.is_floating(arr.type):
        unit = 1_000_000 if fmt == EPOCH_MS else 1_000_000_000
        # Unsafe: Arrow refuses integers above 2**53 otherwise; those are out of range anyway.
        numbers = pc.cast(arr, pa.float64(), safe=False).to_numpy(zero_copy_only=False)
        ns = np.round(numbers * unit)
        ns[np.abs(ns) > _NS_LIMIT_FLOAT] = np.nan  # beyond 1677..2262 (and inf): not a time
        parsed = pa.array(ns, mask=np.isnan(ns), type=pa.float64()).cast(pa.int64())
        parsed = parsed.cast(pa.timestamp("ns", "UTC"))
        aware = True
    else:
        text = pc.utf8_trim_whitespace(arr.cast(pa.string()))
        if fmt in (EPOCH_S, EPOCH_MS):
            numbers = _to_float(text)
            return parse_column(numbers, fmt, tz)
        if fmt is None or fmt == ISO:
            parsed, aware = _parse_iso(text)
        else:
            aware = "%z" in fmt
            parsed = pc.strptime(text, format=fmt, unit="ns", error_is_null=True)
    failed = pc.and_(pc.is_null(parsed), pc.invert(nulls))
    bad_rows = np.flatnonzero(failed.to_numpy(zero_copy_only=False))
    ns_values = parsed.cast(pa.int64()).fill_null(0).to_numpy(zero_copy_only=False)
    ns_values = ns_values.astype(np.int64, copy=False)
    null_rows = np.flatnonzero(nulls.to_numpy(zero_copy_only=False))
    if len(null_rows):
        bad_rows = np.union1d(bad_rows, null_rows)
    result = ParsedTimes(ns=ns_values, bad_rows=bad_rows)
    if not aware and not is_utc(tz):
        _localize(result, tz)
    return result


def _parse_clean_numeric(arr: pa.Array, fmt: str | None, tz: str) -> ParsedTimes:
    """The fast path: already-typed timestamps or integer epochs with no missing value."""
    if pa.types.is_timestamp(arr.type):
        aware = arr.type.tz is not None
        ns, outside = _to_ns(arr.cast(pa.int64()).to_numpy(), _NS_PER[arr.type.unit])
    else:
        aware = True
        raw = arr.to_numpy().astype(np.int64)
        ns, outside = _to_ns(raw, 1_000_000 if fmt == EPOCH_MS else 1_000_000_000)
    result = ParsedTimes(ns=ns, bad_rows=np.flatnonzero(outside))
    if not aware and not is_utc(tz):
        _localize(result, tz)
    return result


_NS_PER = {"s": 1_000_000_000, "ms": 1_000_000, "us": 1_000, "ns": 1}
_NS_MAX = int(np.iinfo(np.int64).max)
_NS_LIMIT_FLOAT = 9.2e18  # just inside int64 nanoseconds (about 1678..2261)


def _to_ns(values: np.ndarray, unit: int) -> tuple[I64, np.ndarray]:
    """``values * unit`` as int64 ns, and where that would overflow (left as 0 there).

    numpy's integer multiply wraps around silently: an epoch in seconds from the year 3000
    would otherwise become some instant in 1750 without a word.
    """
    if unit == 1 and values.dtype == np.int64:
        # Already nanoseconds: nothing can overflow, and three 80 MB copies are avoidable.
        return values, np.zeros(len(values), dtype=bool)
    limit = _NS_MAX // unit
    outside = (values > limit) | (values < -limit)
    ns = np.where(outside, 0, values).astype(np.int64) * unit
    return ns.astype(np.int64, copy=False), outside


def _to_float(text: pa.Array) -> pa.Array:
    numbers = pd.to_numeric(pd.Series(text.to_numpy(zero_copy_only=False)), errors="coerce")
    return pa.array(numbers.to_numpy(dtype=np.float64), from_pandas=True)


def _parse_iso(text: pa.Array) -> tuple[pa.Array, bool]:
    """ISO 8601, with or without offsets; offset values are converted to UTC."""
    with_offset = pc.match_substring_regex(text, r"(Z|[+-]\d\d:?\d\d)$")
    any_offset = pc.any(with_offset).as_py()
    all_offset = pc.all(pc.or_(with_offset, pc.is_null(text))).as_py()
    if any_offset and not all_offset:
        # Mixed naive and offset values: a naive one has no instant without a guess, so those
        # rows are reported rather than silently read in some zone.
        aware = _cast_or_null(pc.if_else(with_offset, text, None), pa.timestamp("ns", "UTC"))
        return aware, True
    target = pa.timestamp("ns", "UTC") if any_offset else pa.timestamp("ns")
    return _cast_or_null(text, target), bool(any_offset)


def _cast_or_null(text: pa.Array, target: pa.DataType) -> pa.Array:
    try:
        return pc.cast(text, target)
    except (pa.ArrowInvalid, pa.ArrowNotImplementedError):
        pass
    # Some value failed: parse one by one to find which (only on the failure path).
    values = text.to_pylist()
    out: list[int | None] = []
    for value in values:
        try:
            out.append(pc.cast(pa.scalar(value), target).cast(pa.int64()).as_py())
        except (pa.ArrowInvalid, pa.ArrowNotImplementedError, TypeError):
            out.append(None)
    return pa.array(out, type=pa.int64()).cast(target)


def _localize(result: ParsedTimes, tz: str) -> None:
    index = pd.DatetimeIndex(result.ns.view("datetime64[ns]"))
    probe = index.tz_localize(tz, ambiguous="NaT", nonexistent="NaT")
    missing = np.asarray(probe.isna())
    if missing.any():
        ambiguous_mask = missing & ~np.asarray(
            index.tz_localize(
                tz, ambiguous=np.ones(len(index), dtype=bool), nonexistent="NaT"
            ).isna()
        )
        nonexistent_mask = missing & ~ambiguous_mask
        result.ambiguous = int(ambiguous_mask.sum())
        result.nonexistent = int(nonexistent_mask.sum())
        result.ambiguous_rows = np.flatnonzero(ambiguous_mask)[:20].tolist()
        result.nonexistent_rows = np.flatnonzero(nonexistent_mask)[:20].tolist()
    # Ambiguous times: when the rows run in clock order pandas can tell the first pass of the
    # repeated hour from the second; otherwise the earlier instant (daylight time) is taken.
    # Nonexistent times are moved past the gap. The report says which rule applied.
    try:
        resolved = index.tz_localize(tz, ambiguous="infer", nonexistent="shift_forward")
        result.ambiguous_rule = "told apart by row order"
    except (ValueError, TypeError):
        resolved = index.tz_localize(
            tz, ambiguous=np.ones(len(index), dtype=bool), nonexistent="shift_forward"
        )
        result.ambiguous_rule = "read as the earlier instant (daylight time)"
    result.ns = resolved.tz_convert("UTC").asi8.astype(np.int64, copy=False)
