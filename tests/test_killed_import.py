"""``anomaly-desk import`` killed with SIGKILL at random moments leaves a sound workspace.

The real console script imports a 480k-row file (1-1.5 s) and is killed at seeded random
moments: before it starts, while it reads, while it writes, and while it commits (watched
through the size of the write-ahead log). After every kill SQLite's own integrity check
passes, nothing dangles, and the dataset is either absent or complete and exact; the dataset
that was there before is untouched. A last, unkilled import then succeeds.
"""

from __future__ import annotations

import random
import sqlite3
import subprocess
import sys
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pyarrow as pa
import pyarrow.csv as pacsv
import pytest

from anomaly_desk.ingest import ImportOptions, import_file
from anomaly_desk.store import Workspace
from tests.conftest import logical_snapshot

SCRIPT = Path(sys.executable).parent / "anomaly-desk"
MINUTES, HOSTS = 400, 1200  # 480k rows, 2,400 series: about 1-1.5 s for the whole command
ROWS = MINUTES * HOSTS
VALUES = ("cpu", "mem")
NAME = "metrics"
KEPT = "kept"
T0_NS = int(np.datetime64("2024-01-01T00:00:00", "ns").astype(np.int64))
SEED = 20240301

pytestmark = pytest.mark.slow


def expected(host: int, column: str) -> tuple[np.ndarray, np.ndarray]:
    """The timestamps (ns) and values the file holds for one host: exact in binary."""
    minutes = np.arange(MINUTES, dtype=np.int64)
    i = minutes * HOSTS + host
    values = (i * 7919 % 10007) / 4.0 if column == "cpu" else (i * 104729 % 1009) / 8.0
    return T0_NS + minutes * 60_000_000_000, values


def write_metrics(path: Path) -> None:
    minutes = np.repeat(np.arange(MINUTES), HOSTS)
    hosts = np.tile(np.arange(HOSTS), MINUTES)
    i = np.arange(ROWS)
    stamps = np.datetime64("2024-01-01T00:00:00", "s") + minutes * np.timedelta64(60, "s")
    table = pa.table(
        {
            "timestamp": pa.array(np.char.add(np.datetime_as_string(stamps, unit="s"), "Z")),
            "host": pa.array(np.char.add("host-", hosts.astype(str))),
            "cpu": (i * 7919 % 10007) / 4.0,
            "mem": (i * 104729 % 1009) / 8.0,
        }
    )
    pacsv.write_csv(table, path, pacsv.WriteOptions(quoting_style="none"))


@dataclass
class Kill:
    """When to kill: ``after`` seconds from the start, once the WAL holds ``wal_bytes``, or
    as soon as the committed dataset is visible (before the command has closed and exited).
    """

    after: float | None = None
    wal_bytes: int | None = None
    committed: bool = False


@dataclass
class Outcome:
    returncode: int
    killed: bool
    wal_at_kill: int  # bytes in the write-ahead log when the kill was sent (0: none)


def start_import(data: Path, ws: Path) -> subprocess.Popen[bytes]:
    return subprocess.Popen(
        [str(SCRIPT), "import", str(data), "--workspace", str(ws), "--name", NAME],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
    )


def wal_size(ws: Path) -> int:
    wal = ws.with_name(ws.name + "-wal")
    try:
        return wal.stat().st_size
    except FileNotFoundError:
        return 0


def run_and_kill(data: Path, ws: Path, kill: Kill) -> Outcome:
    watcher = sqlite3.connect(ws)  # autocommit reads: never holds a snapshot between polls
    try:
        return _run_and_kill(data, ws, kill, watcher)
    finally:
        watcher.close()


def _run_and_kill(data: Path, ws: Path, kill: Kill, watcher: sqlite3.Connection) -> Outcome:
    started = time.monotonic()
    process = start_import(data, ws)
    due: Callable[[], bool]
    if kill.committed:
        query = "SELECT 1 FROM datasets WHERE name = ?"
        due = lambda: watcher.execute(query, (NAME,)).fetchone() is not None  # noqa: E731
    elif kill.wal_bytes is not None:
        threshold = kill.wal_bytes
        due = lambda: wal_size(ws) >= threshold  # noqa: E731
    else:
        deadline = started + (kill.after or 0.0)
        due = lambda: time.monotonic() >= deadline  # noqa: E731
    killed = False
    wal_at_kill = 0
    while process.poll() is None:
        if due():
            wal_at_kill = wal_size(ws)
            process.kill()  # SIGKILL on POSIX: no handler, no cleanup, no rollback
            killed = True
            break
        time.sleep(0.001)
    _, stderr = process.communicate(timeout=60)
    if not killed or process.returncode != -9:
        # It finished first (or the kill raced its exit): then it must have succeeded.
        assert process.returncode in (0, -9), stderr.decode(errors="replace")
    return Outcome(process.returncode, killed and process.returncode == -9, wal_at_kill)


def check_sound(ws: Path) -> None:
    conn = sqlite3.connect(ws)  # opening recovers from the WAL as the app would
    try:
        assert conn.execute("PRAGMA integrity_check").fetchall() == [("ok",)]
        assert conn.execute("PRAGMA foreign_key_check").fetchall() == []
        orphans = conn.execute(
            "SELECT (SELECT count(*) FROM series WHERE dataset_id NOT IN"
            " (SELECT id FROM datasets)) + (SELECT count(*) FROM point_chunks WHERE series_id"
            " NOT IN (SELECT id FROM series))"
        ).fetchone()[0]
        assert orphans == 0
        tables = {r[0] for r in conn.execute("SELECT name FROM sqlite_master WHERE type='table'")}
        ids = {r[0] for r in conn.execute("SELECT id FROM datasets")}
        assert {t for t in tables if t.startswith("data_")} <= {f"data_{i}" for i in ids}
    finally:
        conn.close()


def check_complete(ws: Workspace) -> None:
    info = ws.dataset(NAME)
    assert info.rows == ROWS and info.series_count == HOSTS * len(VALUES)
    series = {s.name: s for s in ws.series(info)}
    assert len(series) == HOSTS * len(VALUES)
    assert sum(s.points for s in series.values()) == ROWS * len(VALUES)
    for host, column in ((0, "cpu"), (7, "mem"), (HOSTS - 1, "cpu")):
        ts, values = ws.read_series(series[f"host-{host}/{column}"].id)
        want_ts, want_values = expected(host, column)
        np.testing.assert_array_equal(ts, want_ts)
        np.testing.assert_array_equal(values, want_values)


def kill_schedule(duration: float, wal_growth: int) -> list[Kill]:
    rng = random.Random(SEED)
    return [
        Kill(after=0.0),  # before it starts
        Kill(after=0.0),
        *(Kill(after=rng.uniform(0, duration)) for _ in range(10)),
        *(Kill(after=rng.uniform(0.75 * duration, duration)) for _ in range(4)),  # storing
        # While writing, and (at 97-100% of the log) while committing.
        *(Kill(wal_bytes=int(f * wal_growth)) for f in (0.05, 0.3, 0.6, 0.9, 0.97, 0.99)),
        Kill(committed=True),  # committed, not yet closed
        Kill(committed=True),
    ]


@pytest.fixture(scope="module")
def metrics(tmp_path_factory: pytest.TempPathFactory) -> Path:
    path = tmp_path_factory.mktemp("killed") / "metrics.csv"
    write_metrics(path)
    return path


def new_workspace(path: Path) -> Path:
    """A workspace already holding a small dataset that no kill may touch."""
    good = path.with_name(path.stem + "-kept.csv")
    good.write_text(
        "timestamp,value\n" + "".join(f"2024-01-01T00:{m:02d}:00Z,{m}\n" for m in range(60)),
        encoding="utf-8",
    )
    with Workspace.open(path) as ws:
        import_file(ws, good, ImportOptions(name=KEPT))
    return path


def test_import_killed_at_random_moments_leaves_a_sound_workspace(
    metrics: Path, tmp_path: Path
) -> None:
    # A reference run: how long the command takes and how much it writes.
    reference = new_workspace(tmp_path / "reference.sqlite")
    size_before = reference.stat().st_size
    started = time.monotonic()
    done = start_import(metrics, reference)
    _, stderr = done.communicate(timeout=120)
    duration = time.monotonic() - started
    assert done.returncode == 0, stderr.decode(errors="replace")
    wal_growth = reference.stat().st_size - size_before
    with Workspace.open(reference) as ws:
        check_complete(ws)

    path = new_workspace(tmp_path / "ws.sqlite")
    baseline = logical_snapshot(path)
    outcomes: list[Outcome] = []
    for kill in kill_schedule(duration, wal_growth):
        outcome = run_and_kill(metrics, path, kill)
        outcomes.append(outcome)
        check_sound(path)
        with Workspace.open(path) as ws:
            names = [d.name for d in ws.datasets()]
            assert names in ([KEPT], [KEPT, NAME]), (kill, outcome, names)
            if kill.committed:
                assert NAME in names, (kill, outcome)
            if NAME in names:
                check_complete(ws)
                ws.delete_dataset(NAME)  # so that the next run starts from the baseline
        assert logical_snapshot(path) == baseline, (kill, outcome)

    assert len(outcomes) >= 20
    killed = [o for o in outcomes if o.killed]
    assert len(killed) >= 15, outcomes
    assert any(o.wal_at_kill > 0 for o in killed), "no kill landed while the import wrote"

    final = start_import(metrics, path)
    _, stderr = final.communicate(timeout=120)
    assert final.returncode == 0, stderr.decode(errors="replace")
    check_sound(path)
    with Workspace.open(path) as ws:
        assert [d.name for d in ws.datasets()] == [KEPT, NAME]
        check_complete(ws)
