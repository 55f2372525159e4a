"""A corpus of malformed files, generated here: each one is refused with a message that names
the file and, where it makes sense, the row, column and offending value; the workspace is left
exactly as it was (the import is all or nothing).
"""

from __future__ import annotations

import gzip
import io
import random
import subprocess
import sys
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
import pyarrow as pa
import pyarrow.parquet as pq
import pytest

from anomaly_desk.errors import MAX_PROBLEMS_SHOWN, BadInputError, Cancelled, Problem
from anomaly_desk.ingest import ImportOptions, MappingOptions, import_file
from anomaly_desk.ingest.readers import BLOCK_BYTES
from anomaly_desk.ingest.source import SAMPLE_BYTES
from anomaly_desk.model import DatasetKind
from anomaly_desk.progress import Progress
from anomaly_desk.store import Workspace
from tests.conftest import logical_snapshot

SCRIPT = Path(sys.executable).parent / "anomaly-desk"
HEADER = "timestamp,value\n"
KEPT = "kept"  # the dataset already in every workspace, which a failed import must not touch


START = np.datetime64("2024-03-01T00:00:00", "s")


def stamps(start: int, n: int) -> list[str]:
    """The ISO times of rows ``start`` .. ``start + n - 1``: one row a minute from START."""
    minutes = START + np.arange(start, start + n) * np.timedelta64(60, "s")
    return [f"{t}Z" for t in np.datetime_as_string(minutes, unit="s")]


def stamp(i: int) -> str:
    return stamps(i, 1)[0]


def rows(n: int, start: int = 0) -> list[str]:
    return [f"{t},{i}.5\n" for i, t in enumerate(stamps(start, n), start=start)]


def series_csv(n: int = 10) -> str:
    return HEADER + "".join(rows(n))


def replace_row(n: int, row: int, line: str) -> str:
    """A series of ``n`` rows whose data row ``row`` (1-based) is ``line``."""
    body = rows(n)
    body[row - 1] = line
    return HEADER + "".join(body)


def big_series(min_bytes: int, last: str | None = None) -> bytes:
    """A valid series larger than ``min_bytes``; ``last`` replaces its final line."""
    n = min_bytes // 25 + 1
    body = rows(n)
    if last is not None:
        body[-1] = last
    return (HEADER + "".join(body)).encode()


def parquet_bytes() -> bytes:
    table = pa.table({"timestamp": [stamp(i) for i in range(500)], "value": list(range(500))})
    sink = io.BytesIO()
    pq.write_table(table, sink)
    return sink.getvalue()


def jsonl(n: int) -> list[str]:
    return [f'{{"timestamp": "{stamp(i)}", "value": {i}}}\n' for i in range(n)]


@dataclass(frozen=True)
class Case:
    """One malformed file and what its first problem must say (``None`` = not checked)."""

    id: str
    filename: str
    content: Callable[[], bytes]
    message: str  # a fragment of the first problem's message, compared case-insensitively
    row: int | None = None
    column: str | None = None
    value: str | None = None
    line: int | None = None
    options: ImportOptions = field(default_factory=ImportOptions)
    more: int | None = None  # problems counted beyond those listed


def text(make: Callable[[], str]) -> Callable[[], bytes]:
    return lambda: make().encode()


def garbage(seed: int, size: int, alphabet: bytes | None = None) -> bytes:
    rng = random.Random(seed)
    if alphabet is None:
        return rng.randbytes(size)
    return bytes(rng.choice(alphabet) for _ in range(size))


BIG_ROWS = BLOCK_BYTES // 25 + 1  # the data rows of big_series(BLOCK_BYTES)

CASES = [
    Case("empty", "empty.csv", lambda: b"", "empty"),
    Case("header only", "header.csv", text(lambda: HEADER), "no data rows"),
    Case("blank lines only", "blank.csv", lambda: b"\n\n \n\n", "no"),
    Case(
        "truncated last line",
        "truncated.csv",
        text(lambda: series_csv(10) + stamp(10)[:13]),
        "expected 2 fields, found 1",
        row=11,
        line=12,
        value=stamp(10)[:13],
    ),
    Case(
        "truncated inside a quoted field",
        "notes.csv",
        text(lambda: "timestamp,note\n" + f'{stamp(0)},"ok"\n{stamp(1)},"the disk was fu'),
        "never closed",
        row=2,
        line=3,
    ),
    Case(
        "stray quote swallows the rows after it",
        "stray.csv",
        text(lambda: replace_row(10, 6, f'{stamp(5)},"5.5\n')),
        "never closed",
        row=6,
        line=7,
    ),
    Case(
        "wrong delimiter in the rows",
        "semicolons.csv",
        text(lambda: HEADER + "".join(r.replace(",", ";") for r in rows(10))),
        "expected 2 fields, found 1",
        row=1,
        line=2,
        value=rows(1)[0].strip().replace(",", ";"),
    ),
    Case(
        "wrong delimiter given",
        "commas.csv",
        text(lambda: series_csv(10)),
        "needs a timestamp column",
        options=ImportOptions(delimiter=";", mapping=MappingOptions(kind=DatasetKind.TIMESERIES)),
    ),
    Case(
        "bad date (not a date)",
        "bad_date.csv",
        text(lambda: replace_row(10, 3, "yesterday,2.5\n")),
        "not a timestamp",
        row=3,
        column="timestamp",
        value="yesterday",
    ),
    Case(
        "bad date (impossible day)",
        "feb30.csv",
        text(lambda: replace_row(10, 3, "2024-02-30T00:00:00Z,2.5\n")),
        "not a timestamp",
        row=3,
        column="timestamp",
        value="2024-02-30T00:00:00Z",
    ),
    Case(
        "bad date (day-first format)",
        "dayfirst.csv",
        text(
            lambda: (
                "date,value\n"
                + "".join(f"{d}/01/2024 10:00,{d}\n" for d in range(10, 31))
                + "32/01/2024 10:00,1\n"
            )
        ),
        "not a timestamp in the format %d/%m/%Y %H:%M",
        row=22,
        column="date",
        value="32/01/2024 10:00",
    ),
    Case(
        "bad epoch",
        "epoch.csv",
        text(
            lambda: (
                "epoch,value\n"
                + "".join(f"{1_700_000_000 + 60 * i},{i}\n" for i in range(9))
                + "17000x0000,9\n"
            )
        ),
        "not a timestamp",
        row=10,
        column="epoch",
        value="17000x0000",
    ),
    Case(
        "time outside the storable range",
        "far.csv",
        text(lambda: replace_row(10, 5, "9999-12-31T00:00:00Z,4.5\n")),
        "outside the years",
        row=5,
        column="timestamp",
        value="9999-12-31T00:00:00Z",
    ),
    Case(
        "epoch outside the storable range",
        "far_epoch.csv",
        text(
            lambda: (
                "epoch,value\n"
                + "".join(f"{1_700_000_000 + 60 * i},{i}\n" for i in range(9))
                + "99999999999,9\n"
            )
        ),
        "outside the years",
        row=10,
        column="epoch",
        value="99999999999",
    ),
    Case(
        "empty timestamp",
        "no_time.csv",
        text(lambda: replace_row(10, 7, ",6.5\n")),
        "empty",
        row=7,
        column="timestamp",
    ),
    Case(
        "mixed types",
        "mixed.csv",
        text(lambda: replace_row(10, 4, f"{stamp(3)},abc\n")),
        "not a number",
        row=4,
        column="value",
        value="abc",
    ),
    Case(
        "inf",
        "inf.csv",
        text(lambda: replace_row(10, 4, f"{stamp(3)},inf\n")),
        "not a finite number",
        row=4,
        column="value",
        value="inf",
    ),
    Case(
        "NaN is missing, -inf and overflow are not",
        "nan_inf.csv",
        text(
            lambda: replace_row(10, 2, f"{stamp(1)},NaN\n").replace(
                f"{stamp(4)},4.5", f"{stamp(4)},-inf"
            )
        ),
        "not a finite number",
        row=5,
        column="value",
        value="-inf",
    ),
    Case(
        "number too large for a float",
        "overflow.csv",
        text(lambda: replace_row(10, 8, f"{stamp(7)},1e999\n")),
        "not a finite number",
        row=8,
        column="value",
    ),
    Case(
        "duplicate columns",
        "dupes.csv",
        text(lambda: "timestamp,value,value\n" + "".join(r.strip() + ",1\n" for r in rows(5))),
        "duplicate column name",
        column="value",
        line=1,
    ),
    Case(
        "missing entity",
        "hosts.csv",
        text(
            lambda: (
                "timestamp,host,cpu\n"
                + "".join(f"{stamp(i)},web-{i % 2},{i}\n" for i in range(2, 10))
                + f"{stamp(10)},,1\n"
            )
        ),
        "missing entity",
        row=9,
        column="host",
    ),
    Case(
        "non-UTF-8 text",
        "latin1.csv",
        lambda: (
            b"timestamp,value,note\n"
            + "".join(r.strip() + ",ok\n" for r in rows(4)).encode()
            + f"{stamp(4)},4.5,caf\xe9\n".encode("latin-1")
        ),
        "not valid UTF-8",
        line=6,
    ),
    Case(
        "non-UTF-8 text after the sniffed head",
        "latin1_late.csv",
        lambda: (
            big_series(SAMPLE_BYTES * 2)
            + "timestamp,value\n".replace("value", "val\xfce").encode("latin-1")
        ),
        "not valid UTF-8",
        line=(SAMPLE_BYTES * 2) // 25 + 3,
    ),
    Case(
        "binary garbage",
        "garbage.csv",
        lambda: garbage(1, 4096),
        "binary data",
    ),
    Case(
        "binary garbage without NUL bytes",
        "garbage2.csv",
        lambda: garbage(2, 4096, bytes(range(128, 256))),
        "not valid UTF-8",
        line=1,
    ),
    Case(
        "a huge single field",
        "huge.csv",
        lambda: (series_csv(10) + stamp(10) + "," + "x" * (2 * BLOCK_BYTES) + "\n").encode(),
        "a field longer than",
        row=11,
        line=12,
    ),
    Case(
        "one huge line, no line break",
        "oneline.csv",
        lambda: b"a" * (SAMPLE_BYTES + 10),
        "no line break",
    ),
    Case(
        "compressed garbage",
        "data.csv.gz",
        lambda: b"\x1f\x8b\x08\x00" + garbage(3, 2048),
        "gzip data is damaged",
    ),
    Case(
        "truncated gzip",
        "cut.csv.gz",
        lambda: gzip.compress(series_csv(5000).encode())[:-100],
        "gzip data is damaged or truncated",
    ),
    Case(
        "gzip of garbage",
        "inner.csv.gz",
        lambda: gzip.compress(garbage(4, 4096)),
        "binary data",
    ),
    Case(
        ".gz name on plain text",
        "plain.csv.gz",
        text(lambda: series_csv(10)),
        "not gzip-compressed",
    ),
    Case(
        "JSON lines with a broken line",
        "events.jsonl",
        text(lambda: "".join(jsonl(5)).replace('"value": 2}', '"value": ')),
        "not valid JSON",
        row=3,
        line=3,
    ),
    Case(
        "JSON lines broken after the sniffed head",
        "late.jsonl",
        text(lambda: "".join(jsonl(SAMPLE_BYTES // 40)) + '{"timestamp": \n'),
        "not valid JSON",
        row=SAMPLE_BYTES // 40 + 1,
        line=SAMPLE_BYTES // 40 + 1,
    ),
    Case(
        "JSON lines whose value turns from number to text",
        "types.jsonl",
        text(lambda: "".join(jsonl(30)).replace('"value": 17}', '"value": "n/a 17"}')),
        "not a number",
        row=18,
        column="value",
        value="n/a 17",
    ),
    Case(
        "JSON line with a key given twice",
        "twice.jsonl",
        text(lambda: "".join(jsonl(5)).replace('"value": 3}', '"value": 3, "value": 4}')),
        "the key 'value' appears twice",
        row=4,
        line=4,
    ),
    Case(
        "JSON line that is not an object",
        "array.jsonl",
        text(lambda: "".join(jsonl(3)) + "[1, 2]\n"),
        "JSON object",
        row=4,
        line=4,
    ),
    Case(
        "parquet garbage",
        "garbage.parquet",
        lambda: b"PAR1" + garbage(5, 1000) + b"PAR1",
        "not a readable Parquet file",
    ),
    Case(
        "truncated parquet",
        "cut.parquet",
        lambda: parquet_bytes()[:-200],
        "Parquet",
    ),
    Case(
        "more than 20 bad values",
        "many_bad.csv",
        lambda: (
            HEADER
            + "".join(rows(600))
            + "".join(f"{stamp(i)},n/a{i}\n" for i in range(600, 650))
            + "".join(rows(350, start=650))
        ).encode(),
        "not a number",
        row=601,
        column="value",
        value="n/a600",
        more=50 - MAX_PROBLEMS_SHOWN,
    ),
    Case(
        "offset and naive timestamps mixed",
        "offsets.csv",
        text(lambda: replace_row(10, 4, f"{stamp(3).rstrip('Z')},3.5\n")),
        "no UTC offset",
        row=4,
        column="timestamp",
        value=stamp(3).rstrip("Z"),
    ),
    Case(
        "bad value on the last row of a file over one read block",
        "big_bad_value.csv",
        lambda: big_series(BLOCK_BYTES, last=f"{stamp(BIG_ROWS - 1)},12x5\n"),
        "not a number",
        row=BIG_ROWS,
        column="value",
        value="12x5",
    ),
    Case(
        "truncated last row of a file over one read block",
        "big_truncated.csv",
        lambda: big_series(BLOCK_BYTES, last=stamp(BIG_ROWS - 1)[:10]),
        "expected 2 fields, found 1",
        row=BIG_ROWS,
        line=BIG_ROWS + 1,
    ),
    Case(
        "value column that does not exist",
        "named.csv",
        text(lambda: series_csv(10)),
        "no column named 'cpu'",
        options=ImportOptions(mapping=MappingOptions(values=("cpu",))),
    ),
]


@pytest.fixture
def workspace(tmp_path: Path) -> Iterator[Workspace]:
    """A workspace that already holds a dataset, so "unchanged" means something."""
    good = tmp_path / "good.csv"
    good.write_text(series_csv(50), encoding="utf-8")
    with Workspace.open(tmp_path / "ws.sqlite") as ws:
        import_file(ws, good, ImportOptions(name=KEPT))
        yield ws


def check_problem(case: Case, problem: Problem) -> None:
    assert case.message.lower() in problem.message.lower(), problem
    for name in ("row", "column", "value", "line"):
        expected = getattr(case, name)
        if expected is not None:
            assert getattr(problem, name) == expected, (name, problem)


@pytest.mark.parametrize("case", CASES, ids=[c.id for c in CASES])
def test_malformed_file_is_refused_and_changes_nothing(
    case: Case, workspace: Workspace, tmp_path: Path
) -> None:
    path = tmp_path / case.filename
    path.write_bytes(case.content())
    before = logical_snapshot(workspace.path)
    with pytest.raises(BadInputError) as caught:
        import_file(workspace, path, case.options)
    error = caught.value
    message = str(error)
    assert message.startswith(str(path)), message
    assert error.problems and len(error.problems) <= MAX_PROBLEMS_SHOWN
    check_problem(case, error.problems[0])
    if case.more is not None:
        assert len(error.problems) == MAX_PROBLEMS_SHOWN and error.more == case.more
        assert f"and {case.more} more" in message
    for problem in error.problems:
        assert problem.describe() in message
    assert logical_snapshot(workspace.path) == before
    assert [d.name for d in workspace.datasets()] == [KEPT]


CLI_CASES = [
    c
    for c in CASES
    if c.id
    in {
        "empty",
        "truncated last line",
        "bad date (not a date)",
        "binary garbage",
        "compressed garbage",
        "JSON lines with a broken line",
        "more than 20 bad values",
    }
]


@pytest.mark.parametrize("case", CLI_CASES, ids=[c.id for c in CLI_CASES])
def test_cli_refuses_malformed_file_plainly(case: Case, tmp_path: Path) -> None:
    ws = tmp_path / "ws.sqlite"
    good = tmp_path / "good.csv"
    good.write_text(series_csv(20), encoding="utf-8")
    with Workspace.open(ws) as opened:
        import_file(opened, good, ImportOptions(name=KEPT))
    before = logical_snapshot(ws)
    path = tmp_path / case.filename
    path.write_bytes(case.content())
    done = subprocess.run(
        [str(SCRIPT), "import", str(path), "--workspace", str(ws)],
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert done.returncode == 1, done.stderr
    assert done.stderr.startswith("error: "), done.stderr
    assert str(path) in done.stderr
    assert case.message.lower() in done.stderr.lower()
    if case.row is not None:
        assert f"row {case.row}" in done.stderr
    assert "Traceback" not in done.stderr + done.stdout
    assert logical_snapshot(ws) == before


def test_cancelled_import_changes_nothing_wherever_it_stops(
    workspace: Workspace, tmp_path: Path
) -> None:
    """Cancelling at each progress report in turn (reading, validating, storing each series)
    raises ``Cancelled`` and leaves the workspace as it was."""
    path = tmp_path / "hosts.csv"
    path.write_text(
        "timestamp,host,cpu\n" + "".join(f"{stamp(i // 8)},web-{i % 8},{i}\n" for i in range(4000)),
        encoding="utf-8",
    )
    reports: list[float] = []
    counting = Progress(lambda fraction, _message: reports.append(fraction))
    info, _ = import_file(workspace, path, ImportOptions(name="probe"), counting)
    assert info.series_count == 8 and len(reports) >= 3  # reading, validating, storing
    workspace.delete_dataset("probe")
    before = logical_snapshot(workspace.path)
    for stop_at in range(1, len(reports) + 1):
        with pytest.raises(Cancelled):
            import_file(workspace, path, ImportOptions(name="cancelled"), cancel_at(stop_at))
        assert logical_snapshot(workspace.path) == before, stop_at
        assert [d.name for d in workspace.datasets()] == [KEPT]


def cancel_at(report: int) -> Progress:
    """A progress that is cancelled (as by the user) during its ``report``-th report."""
    calls = 0

    def count(_fraction: float, _message: str) -> None:
        nonlocal calls
        calls += 1
        if calls == report:
            progress.cancel()

    progress = Progress(count)
    return progress
