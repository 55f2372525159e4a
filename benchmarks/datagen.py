"""Generated input files, written once into the cache folder and reused.

The files look like a real metrics export: ISO 8601 UTC timestamps at 1-minute steps, in time
order, every entity's reading for a minute before the next minute (entities interleaved),
values with 3 decimals following a daily cycle plus noise. The same arguments always give the
same bytes.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc

SEED = 20240101
VERSION = 1  # bump when the content changes, so cached files are regenerated
START = np.datetime64("2024-01-01T00:00:00", "s")
STEP = np.timedelta64(60, "s")
MINUTES_PER_DAY = 1440
CHUNK_ROWS = 1_000_000


def entity_names(count: int) -> list[str]:
    return [f"host-{i:04d}" for i in range(1, count + 1)]


def metrics_csv(folder: Path, rows: int, entities: int) -> Path:
    """A long-format CSV ``timestamp,host,value`` of ``rows`` data rows."""
    path = folder / f"metrics-{rows}x{entities}-seed{SEED}-v{VERSION}.csv"
    if not path.exists():
        _write(path, rows, entities, with_entity=True)
    return path


def series_csv(folder: Path, points: int) -> Path:
    """A single-series CSV ``timestamp,value`` of ``points`` data rows."""
    path = folder / f"series-{points}-seed{SEED}-v{VERSION}.csv"
    if not path.exists():
        _write(path, points, 1, with_entity=False)
    return path


def head_csv(path: Path, lines: int = 2001) -> Path:
    """The header and first rows of ``path``: a tiny file of the same shape, for warm-ups."""
    head = path.with_name(path.stem + ".head.csv")
    if not head.exists():
        with path.open("rb") as src:
            head.write_bytes(b"".join(src.readline() for _ in range(lines)))
    return head


def _write(path: Path, rows: int, entities: int, *, with_entity: bool) -> None:
    rng = np.random.default_rng(SEED)
    base = rng.uniform(20.0, 80.0, entities)
    phase = rng.uniform(0.0, 2 * np.pi, entities)
    names = pa.array(entity_names(entities))
    partial = path.with_name(path.name + ".partial")
    path.parent.mkdir(parents=True, exist_ok=True)
    with partial.open("wb") as out:
        out.write(b"timestamp,host,value\n" if with_entity else b"timestamp,value\n")
        for first in range(0, rows, CHUNK_ROWS):
            row = np.arange(first, min(rows, first + CHUNK_ROWS))
            minute, entity = np.divmod(row, entities)
            cycle = np.sin(2 * np.pi * minute / MINUTES_PER_DAY + phase[entity])
            level = base[entity] * (1 + 0.25 * cycle)
            values = np.abs(level + rng.normal(0.0, 0.05, len(row)) * base[entity])
            columns = [_timestamps(minute)]
            if with_entity:
                columns.append(names.take(pa.array(entity)))
            columns.append(_three_decimals(values))
            lines = pc.binary_join_element_wise(*columns, ",")
            out.write(_joined_lines(lines))
    partial.replace(path)


def _timestamps(minute: np.ndarray) -> pa.Array:
    """``YYYY-MM-DDTHH:MM:SSZ`` of each minute, formatting each distinct minute once."""
    first = int(minute[0])
    distinct = START + np.arange(first, int(minute[-1]) + 1) * STEP
    text = pa.array(np.char.add(np.datetime_as_string(distinct, unit="s"), "Z").tolist())
    return text.take(pa.array(minute - first))


def _three_decimals(values: np.ndarray) -> pa.Array:
    """Non-negative numbers as text with exactly three decimals (``12.300``)."""
    milli = np.rint(values * 1000).astype(np.int64)
    whole = pc.cast(pa.array(milli // 1000), pa.string())
    fraction = pc.utf8_lpad(pc.cast(pa.array(milli % 1000), pa.string()), 3, "0")
    return pc.binary_join_element_wise(whole, fraction, ".")


def _joined_lines(lines: pa.Array) -> memoryview:
    """The values of a string array, each followed by a newline, as one run of bytes."""
    with_newline = pc.binary_join_element_wise(lines, "", "\n")
    assert isinstance(with_newline, pa.StringArray) and with_newline.null_count == 0
    _, offsets, data = with_newline.buffers()
    assert offsets is not None and data is not None
    bounds = np.frombuffer(offsets, dtype=np.int32)
    start = with_newline.offset
    return memoryview(data)[bounds[start] : bounds[start + len(with_newline)]]
