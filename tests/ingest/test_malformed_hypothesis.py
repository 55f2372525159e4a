"""Generated malformed CSVs: valid time series files corrupted at random (fields dropped and
added, dates garbled, non-numbers, inf, wrong delimiters, duplicate headers, stray quotes,
random bytes, truncation...). Each either imports as a consistent dataset or is refused with a
``BadInputError`` naming the file; anything else fails. A refusal leaves the workspace as it was.

Deterministic (``derandomize=True``) so that CI does not flake; one workspace serves every
example, and each successful import is deleted so that the next example starts clean.
"""

from __future__ import annotations

import gzip
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta, timezone
from pathlib import Path

import numpy as np
import pytest
from hypothesis import HealthCheck, event, find, given, settings
from hypothesis import strategies as st

from anomaly_desk.errors import BadInputError
from anomaly_desk.ingest import ImportOptions, import_file
from anomaly_desk.model import DatasetKind
from anomaly_desk.store import Workspace
from tests.conftest import logical_snapshot

NAME = "generated"
KEPT = "kept"
SETTINGS = settings(
    max_examples=1000,
    deadline=None,
    derandomize=True,
    database=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
)
T0 = datetime(2024, 3, 30, 22, 0, tzinfo=UTC)  # the 2024 EU spring-forward night is near
IST = timezone(timedelta(hours=5, minutes=30))

TIME_FORMATS = {
    "iso_z": lambda t: t.strftime("%Y-%m-%dT%H:%M:%SZ"),
    "iso_offset": lambda t: t.astimezone(IST).strftime("%Y-%m-%dT%H:%M:%S%z"),
    "iso_naive": lambda t: t.strftime("%Y-%m-%d %H:%M:%S"),
    "day_first": lambda t: t.strftime("%d/%m/%Y %H:%M"),
    "epoch_s": lambda t: str(int(t.timestamp())),
    "epoch_ms": lambda t: str(int(t.timestamp() * 1000)),
}
# fmt: off
JUNK_VALUES = [
    "", " ", "abc", "NaN", "nan", "null", "NA", "inf", "-inf", "Infinity", "1e999", "-1e999",
    "1,5", "1.2.3", "--1", "0x1F", "1_000", "١٢", "−3", "+", ".", "e5", "TRUE", '"', '""',
    "'", "\\", ";", "\t", ",", "\r", "\n", "\x00", "\ufeff", "é", "💥", "=1+1", "0" * 400,
]
JUNK_DATES = [
    "", "yesterday", "2024-13-01T00:00:00Z", "2024-02-30T00:00:00Z", "2024-03-01T24:00:00Z",
    "2024-03-01T00:00:00+25:00", "2024-03-01T00:00:00", "2024-03-01", "31/02/2024 10:00",
    "1/1/1", "0", "-1", "99999999999999999999", "1e10", "2024-03-01T00:00:00ZZ", "T", "NaT",
    "2024-03-31T02:30:00", "0000-00-00 00:00:00", "2024‐03‐01T00:00:00Z", "9999-12-31T00:00:00Z",
]
# fmt: on
DELIMITERS = [";", "\t", "|", ", ", " "]


@st.composite
def corrupted_csv(draw: st.DrawFn) -> bytes:
    """A valid time series CSV, then one to five corruptions of its cells, rows or header."""
    n = draw(st.integers(1, 40))
    header = ["timestamp", "value", *draw(st.sampled_from([[], ["host"], ["v2"], ["host", "v2"]]))]
    fmt = TIME_FORMATS[draw(st.sampled_from(sorted(TIME_FORMATS)))]
    step = timedelta(seconds=draw(st.sampled_from([1, 60, 3600, 86400])))
    rng = draw(st.randoms(use_true_random=False))
    filler = {"host": lambda i: f"web-{i % 3}", "v2": lambda i: str(rng.randint(0, 99))}
    rows = [
        [fmt(T0 + i * step), f"{rng.uniform(-1e3, 1e3):.3f}", *(filler[c](i) for c in header[2:])]
        for i in range(n)
    ]
    junk = st.sampled_from(JUNK_VALUES) | st.text(max_size=6)
    for _ in range(draw(st.integers(1, 5))):
        kind = draw(st.integers(0, 11))
        r = draw(st.integers(0, len(rows) - 1)) if rows else 0
        row = rows[r] if rows else []
        c = draw(st.integers(0, max(0, len(row) - 1)))
        if kind == 0 and row:  # any cell: junk
            row[c] = draw(junk)
        elif kind == 1 and row:  # a garbled date
            row[0] = draw(st.sampled_from(JUNK_DATES) | st.builds(_garble, st.just(row[0]), junk))
        elif kind == 2 and len(row) > 1:  # a non-number, inf or empty value
            row[1] = draw(st.sampled_from(JUNK_VALUES))
        elif kind == 3 and row:  # a field dropped
            del row[c]
        elif kind == 4:  # a field added
            row.insert(c, draw(junk))
        elif kind == 5:  # a duplicate or blank header name, or a header dropped
            header[draw(st.integers(0, len(header) - 1))] = draw(
                st.sampled_from([*header, "", " ", "value "])
            )
        elif kind == 6:  # one row (or the header) with another delimiter
            delim = draw(st.sampled_from(DELIMITERS))
            target = header if draw(st.booleans()) else row
            target[:] = [delim.join(target)]
        elif kind == 7:  # a blank or junk line
            rows.insert(r, [draw(junk)] if draw(st.booleans()) else [])
        elif kind == 8 and rows:  # truncated: rows dropped and the last one cut short
            del rows[r + 1 :]
            line = ",".join(rows[-1])
            rows[-1] = [line[: draw(st.integers(0, len(line)))]]
        elif kind == 9 and row:  # a stray quote
            at = draw(st.integers(0, len(row[c])))
            row[c] = row[c][:at] + '"' + row[c][at:]
        elif kind == 10 and row:  # an empty cell
            row[c] = ""
        elif kind == 11:  # rows swapped (out of order times are allowed, but kept honest)
            rows.reverse()
    newline = draw(st.sampled_from(["\n", "\r\n", "\r"]))
    lines = [",".join(header), *(",".join(row) for row in rows)]
    text = newline.join(lines) + (newline if draw(st.booleans()) else "")
    return text.encode("utf-8")


def _garble(date: str, junk: str) -> str:
    at = len(date) // 2
    return date[:at] + junk + date[at + 1 :]


@st.composite
def corrupted_bytes(draw: st.DrawFn) -> tuple[str, bytes]:
    """A valid (or already corrupted) CSV whose bytes are then damaged, recoded or packed."""
    data = draw(corrupted_csv()) if draw(st.booleans()) else _valid_csv(draw(st.integers(1, 60)))
    for _ in range(draw(st.integers(1, 3))):
        kind = draw(st.integers(0, 5))
        at = draw(st.integers(0, len(data)))
        if kind == 0:  # truncated anywhere
            data = data[:at]
        elif kind == 1:  # random bytes inserted
            data = data[:at] + draw(st.binary(min_size=1, max_size=16)) + data[at:]
        elif kind == 2:  # bytes overwritten
            chunk = draw(st.binary(min_size=1, max_size=8))
            data = data[:at] + chunk + data[at + len(chunk) :]
        elif kind == 3:  # another encoding
            encoding = draw(st.sampled_from(["latin-1", "utf-16", "cp1252"]))
            recoded = data.decode("utf-8", "replace").replace("value", "valué")
            data = recoded.encode(encoding, "replace")
        elif kind == 4:  # a byte order mark
            data = b"\xef\xbb\xbf" + data
        elif kind == 5:  # NUL bytes
            data = data[:at] + b"\x00" + data[at:]
    suffix = draw(st.sampled_from([".csv", ".csv", ".tsv", ".txt", ".csv.gz"]))
    if suffix == ".csv.gz" and draw(st.booleans()):
        data = gzip.compress(data, mtime=0)
        if draw(st.booleans()):  # a truncated download
            data = data[: draw(st.integers(0, len(data)))]
    return suffix, data


def _valid_csv(n: int) -> bytes:
    lines = ["timestamp,host,value"] + [
        f"{(T0 + timedelta(minutes=i)):%Y-%m-%dT%H:%M:%SZ},web-{i % 2},{i * 0.5}" for i in range(n)
    ]
    return ("\n".join(lines) + "\n").encode()


@pytest.fixture(scope="module")
def shared(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[Workspace, Path]]:
    """One workspace for every example (speed), holding a dataset a failure must not touch."""
    folder = tmp_path_factory.mktemp("hypothesis")
    good = folder / "good.csv"
    good.write_bytes(_valid_csv(30))
    with Workspace.open(folder / "ws.sqlite") as ws:
        import_file(ws, good, ImportOptions(name=KEPT))
        yield ws, folder


def check_import(ws: Workspace, path: Path, data: bytes) -> str:
    """Import ``path``; return "ok" or "refused" and check what each outcome promises."""
    path.write_bytes(data)
    before = logical_snapshot(ws.path)
    try:
        info, _ = import_file(ws, path, ImportOptions(name=NAME))
    except BadInputError as exc:
        message = str(exc)
        assert message.startswith(f"{path}: "), message
        assert exc.problems and all(p.message.strip() for p in exc.problems), message
        assert all(p.row is None or p.row >= 1 for p in exc.problems), message
        assert all(p.line is None or p.line >= 1 for p in exc.problems), message
        assert "Traceback" not in message
        assert logical_snapshot(ws.path) == before, "a refused import changed the workspace"
        assert [d.name for d in ws.datasets()] == [KEPT]
        event(f"refused: {exc.problems[0].message[:40]}")  # --hypothesis-show-statistics
        return "refused"
    try:
        check_consistent(ws, info.name)
    finally:
        ws.delete_dataset(NAME)
    assert logical_snapshot(ws.path) == before, "deleting the dataset left something behind"
    event(f"imported as {info.kind.value}")
    return "ok"


def check_consistent(ws: Workspace, name: str) -> None:
    info = ws.dataset(name)
    assert info.rows > 0 and info.report.rows == info.rows
    if info.kind is DatasetKind.TIMESERIES:
        series = ws.series(info)
        assert len(series) == info.series_count == info.report.series > 0
        # Every row gives one point to each value column (of its entity, in long layout).
        assert sum(s.points for s in series) == info.rows * len(info.mapping.values)
        for s in series:
            ts, values = ws.read_series(s.id)
            assert len(ts) == len(values) == s.points
            assert ts.dtype == np.int64 and not np.isinf(values).any()
            if s.points:
                assert s.start is not None and s.end is not None
    else:
        table = ws.read_table(info)
        assert len(table) == info.rows
        assert set(info.mapping.fields) <= set(table.columns)


@SETTINGS
@given(data=corrupted_csv())
def test_corrupted_csv_is_imported_whole_or_refused_cleanly(
    shared: tuple[Workspace, Path], data: bytes
) -> None:
    ws, folder = shared
    check_import(ws, folder / "corrupted.csv", data)


@settings(SETTINGS, max_examples=300)
@given(packed=corrupted_bytes())
def test_damaged_bytes_are_imported_whole_or_refused_cleanly(
    shared: tuple[Workspace, Path], packed: tuple[str, bytes]
) -> None:
    ws, folder = shared
    suffix, data = packed
    check_import(ws, folder / f"damaged{suffix}", data)


@pytest.mark.parametrize("outcome", ["ok", "refused"])
def test_generated_files_reach_both_outcomes(shared: tuple[Workspace, Path], outcome: str) -> None:
    """The strategy is not degenerate: it makes files that import and files that are refused."""
    ws, folder = shared
    found = find(
        corrupted_csv(),
        lambda data: check_import(ws, folder / "found.csv", data) == outcome,
        settings=settings(SETTINGS, max_examples=200),
    )
    assert found
