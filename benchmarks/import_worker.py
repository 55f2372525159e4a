"""One measurement of the import benchmark, in a process of its own (see ``bench_import``).

``python -m benchmarks.import_worker CONTENDER CSV WARMUP_CSV SCRATCH_DIR`` prints one JSON
line: ``rows``, ``seconds``, ``cpu_seconds`` (all threads) and ``peak_bytes``; the ``read``
contender prints ``points``, ``seconds`` (median), ``first_seconds`` and ``reads``. Each
contender first does its work once on the small WARMUP_CSV, so that lazy imports and one-off
set-up are not timed; then it is timed doing its work on CSV. Peak memory is that of the
whole process (Python and its libraries included, the same for every contender).
"""

from __future__ import annotations

import json
import statistics
import sys
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

from benchmarks.machine import peak_rss_bytes

READS = 9


def ours(csv: Path, scratch: Path) -> int:
    """Import into a new workspace, as ``anomaly-desk import`` does."""
    from anomaly_desk.ingest import import_file
    from anomaly_desk.store import Workspace

    with Workspace.open(scratch / f"{csv.stem}.sqlite") as ws:
        info, _ = import_file(ws, csv)
    return info.rows


def naive(csv: Path, scratch: Path) -> int:
    """What a user would write: read the CSV with pandas' defaults, store it with to_sql."""
    import sqlite3
    from contextlib import closing

    import pandas as pd

    frame = pd.read_csv(csv)
    with closing(sqlite3.connect(scratch / f"{csv.stem}.db")) as connection:
        frame.to_sql("metrics", connection, index=False)
    return len(frame)


def parse(csv: Path, scratch: Path) -> int:
    """The parse alone: a DataFrame in memory, stored nowhere."""
    import pandas as pd

    frame = pd.read_csv(csv, engine="pyarrow")
    return len(frame)


CONTENDERS: dict[str, Callable[[Path, Path], int]] = {
    "ours": ours,
    "naive": naive,
    "parse": parse,
}


def timed(contender: str, csv: Path, warmup: Path, scratch: Path) -> dict[str, Any]:
    work = CONTENDERS[contender]
    work(warmup, scratch)
    start, cpu_start = time.perf_counter(), time.process_time()
    rows = work(csv, scratch)
    seconds, cpu = time.perf_counter() - start, time.process_time() - cpu_start
    return {"rows": rows, "seconds": seconds, "cpu_seconds": cpu, "peak_bytes": peak_rss_bytes()}


def read_back(csv: Path, warmup: Path, scratch: Path) -> dict[str, Any]:
    """Import a single-series file, then time reading the series back (fresh connection)."""
    from anomaly_desk.store import Workspace

    ours(csv, scratch)
    with Workspace.open(scratch / f"{csv.stem}.sqlite", create=False) as ws:
        series = ws.series(ws.datasets()[0])[0]
        times = []
        for _ in range(READS):
            start = time.perf_counter()
            ts, values = ws.read_series(series.id)
            times.append(time.perf_counter() - start)
    if not len(ts) == len(values) == series.points:
        raise RuntimeError(f"read {len(ts)} points of {series.points}")
    return {
        "points": series.points,
        "seconds": statistics.median(times),
        "first_seconds": times[0],
        "reads": READS,
        "peak_bytes": peak_rss_bytes(),
    }


def main(argv: list[str]) -> None:
    contender, csv, warmup, scratch = argv
    paths = Path(csv), Path(warmup), Path(scratch)
    result = read_back(*paths) if contender == "read" else timed(contender, *paths)
    print(json.dumps(result))


if __name__ == "__main__":
    main(sys.argv[1:])
