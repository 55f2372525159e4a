"""Import of a 10M-row long-format CSV: ours against the naive way and the parse alone.

Contenders, each timed in a fresh process of its own (``benchmarks.import_worker``):

- ours: ``import_file`` into a new workspace (validated, stored, one transaction);
- naive: ``pandas.read_csv`` + ``DataFrame.to_sql`` into a new SQLite file, pandas' defaults;
- parse: ``pandas.read_csv(engine="pyarrow")``, a DataFrame in memory, stored nowhere.

Then reading one stored 1M-point series back as numpy arrays.
"""

from __future__ import annotations

import os
import shutil
import statistics
from pathlib import Path
from typing import Any

from benchmarks import datagen
from benchmarks.core import Context, Result, Target, log
from benchmarks.subproc import run_worker, wait_for_quiet, warm_page_cache

SECTION = "import-benchmark"
WORKER = "benchmarks.import_worker"
ENTITIES = 1000
FULL_ROWS = 10_000_000
QUICK_ROWS = 20_000
READ_POINTS = 1_000_000
QUICK_READ_POINTS = 20_000

# Targets (issue "Foundation"), judged at the sizes they are stated for.
MIN_SPEEDUP_VS_NAIVE = 5.0
MAX_RATIO_TO_PARSE = 2.0
MAX_PEAK_BYTES = 2_000_000_000
MAX_READ_MS = 100.0
QUIET_WAIT_S = 30.0  # longest wait, before each measurement, for the machine to be quiet
QUIET_PERCENT = 20.0  # quiet: other work uses less than this share of the CPUs

CONTENDERS = {  # key in the figures: label in the table
    "import": "anomaly-desk: import_file into a new workspace",
    "naive": "naive: pandas.read_csv + DataFrame.to_sql (SQLite)",
    "parse": 'parse alone: pandas.read_csv(engine="pyarrow")',
}
_WORKER_NAME = {"import": "ours", "naive": "naive", "parse": "parse"}

Runs = dict[str, list[dict[str, Any]]]


def run(ctx: Context) -> Result:
    rows = ctx.rows or (QUICK_ROWS if ctx.quick else FULL_ROWS)
    points = QUICK_READ_POINTS if ctx.quick else READ_POINTS
    quiet_wait = None if ctx.quick else QUIET_WAIT_S
    data = ctx.work_dir / "data"
    log(f"import benchmark: preparing a {rows:,}-row CSV in {data} (once; then cached)")
    csv = datagen.metrics_csv(data, rows, min(ENTITIES, rows))
    runs: Runs = {key: [] for key in CONTENDERS}
    for round_no in range(1, ctx.repeat + 1):
        for key in CONTENDERS:  # interleaved, so a slow spell of the machine hits all alike
            result = _measure(_WORKER_NAME[key], csv, ctx.work_dir, quiet_wait)
            if result["rows"] != rows:
                raise RuntimeError(f"{key} read {result['rows']:,} rows, expected {rows:,}")
            runs[key].append(result)
            log(f"  round {round_no}/{ctx.repeat}: {key:6} {result['seconds']:8.2f} s")
    log(f"import benchmark: reading back one stored {points:,}-point series")
    read = _measure("read", datagen.series_csv(data, points), ctx.work_dir, quiet_wait)
    return _result(rows, csv, runs, read, ctx)


def _measure(contender: str, csv: Path, work_dir: Path, quiet_wait: float | None) -> dict[str, Any]:
    scratch = work_dir / "scratch"
    shutil.rmtree(scratch, ignore_errors=True)
    scratch.mkdir(parents=True)
    warmup = datagen.head_csv(csv)
    try:
        warm_page_cache(csv)
        warm_page_cache(warmup)
        busy = None if quiet_wait is None else wait_for_quiet(quiet_wait, QUIET_PERCENT)
        result = run_worker(WORKER, contender, str(csv), str(warmup), str(scratch))
        return result | {"busy": busy}
    finally:
        shutil.rmtree(scratch, ignore_errors=True)


def _result(rows: int, csv: Path, runs: Runs, read: dict[str, Any], ctx: Context) -> Result:
    # The fastest run is the one least disturbed by other work (which only ever adds time);
    # the median and the slowest are shown beside it.
    seconds = {key: min(r["seconds"] for r in runs[key]) for key in CONTENDERS}
    cpu = {key: statistics.median(r["cpu_seconds"] for r in runs[key]) for key in CONTENDERS}
    peaks = {key: max(r["peak_bytes"] for r in runs[key]) for key in CONTENDERS}
    figures: dict[str, float] = {"rows": rows}
    for key in CONTENDERS:
        figures[f"{key}_s"] = round(seconds[key], 3)
        figures[f"{key}_median_s"] = round(statistics.median(r["seconds"] for r in runs[key]), 3)
        figures[f"{key}_cpu_s"] = round(cpu[key], 3)
        figures[f"{key}_rows_per_s"] = round(rows / seconds[key])
        figures[f"{key}_peak_mb"] = round(peaks[key] / 1e6)
    speedup = seconds["naive"] / seconds["import"]
    ratio = seconds["import"] / seconds["parse"]
    read_ms = read["seconds"] * 1000
    figures |= {
        "speedup_vs_naive": round(speedup, 2),
        "ratio_to_parse": round(ratio, 2),
        "read_points": read["points"],
        "read_ms": round(read_ms, 2),
        "read_first_ms": round(read["first_seconds"] * 1000, 2),
    }
    table = [
        [
            label,
            f"{rows:,}",
            _seconds_cell([r["seconds"] for r in runs[key]]),
            f"{cpu[key]:.2f}",
            f"{rows / seconds[key]:,.0f}",
            f"{peaks[key] / 1e6:,.0f}",
            f"{seconds[key] / seconds['import']:.2f}×",
        ]
        for key, label in CONTENDERS.items()
    ]
    return Result(
        title=f"Import of a {rows:,}-row long-format CSV into a new workspace",
        header=[
            "contender",
            "rows",
            "seconds: best (median, worst)",
            "CPU s",
            "rows/s",
            "peak RSS MB",
            "time vs ours",
        ],
        rows=table,
        figures=figures,
        targets=_targets(rows, speedup, ratio, peaks["import"], read_ms, read["points"]),
        notes=_notes(rows, csv, runs, read, ctx),
    )


def _targets(
    rows: int, speedup: float, ratio: float, peak: int, read_ms: float, points: int
) -> list[Target]:
    full_size = rows == FULL_ROWS
    return [
        Target(
            f"import ≥ {MIN_SPEEDUP_VS_NAIVE:g}× faster than the naive way",
            f"{speedup:.1f}×",
            speedup >= MIN_SPEEDUP_VS_NAIVE if full_size else None,
        ),
        Target(
            f"import within {MAX_RATIO_TO_PARSE:g}× of the parse alone",
            f"{ratio:.2f}× the parse time",
            ratio <= MAX_RATIO_TO_PARSE if full_size else None,
        ),
        Target(
            f"import peak memory < {MAX_PEAK_BYTES / 1e9:g} GB",
            f"{peak / 1e6:,.0f} MB",
            peak < MAX_PEAK_BYTES if full_size else None,
        ),
        Target(
            f"read one {READ_POINTS:,}-point series < {MAX_READ_MS:g} ms",
            f"{read_ms:.1f} ms ({points:,} points)",
            read_ms < MAX_READ_MS if points == READ_POINTS else None,
        ),
    ]


def _notes(rows: int, csv: Path, runs: Runs, read: dict[str, Any], ctx: Context) -> list[str]:
    read_ms, first_ms = read["seconds"] * 1000, read["first_seconds"] * 1000
    notes = [
        f"Input: {csv.stat().st_size / 1e6:,.0f} MB CSV, `timestamp,host,value`, "
        f"{min(ENTITIES, rows):,} entities interleaved at 1-minute steps "
        "(ISO 8601 UTC timestamps, 3-decimal values), generated with a fixed seed.",
        f"Each contender ran {ctx.repeat}× in a fresh process, interleaved with the others. "
        "Seconds: wall time of the work alone (after Python's imports and a warm-up on the "
        "file's first 2,000 rows, with the file in the page cache); the best run, which other "
        "work on the machine disturbed least, is the figure (rows/s, ratios, targets), the "
        "median and worst are in brackets. CPU s: median CPU time of the work, all threads. "
        "Peak RSS: the largest high-water mark of the process (Python and its libraries "
        "included). Time vs ours: > 1× means slower than ours.",
        f"Read-back: `Workspace.read_series` of one stored {read['points']:,}-point series to "
        f"(int64 ns, float64) numpy arrays on a reopened workspace: median {read_ms:.1f} ms "
        f"of {read['reads']} reads (first read {first_ms:.1f} ms).",
    ]
    busy = [r["busy"] for key in CONTENDERS for r in runs[key] if r["busy"] is not None]
    if busy:
        notes.append(
            f"Other work on the machine just before each measurement: {min(busy):.0f}–"
            f"{max(busy):.0f} % of its {os.cpu_count()} logical cores (each measurement waited "
            f"up to {QUIET_WAIT_S:g} s for this to fall under {QUIET_PERCENT:g} %)."
        )
        if max(busy) >= QUIET_PERCENT:
            notes.append(
                "**The machine was busy during this run**: every figure is slower than it "
                "would be on a quiet machine, the parse alone (which uses every core) most of "
                "all. Verdicts close to a threshold may flip; re-run on a quiet machine."
            )
    if rows != FULL_ROWS:
        notes.append(
            f"Not the {FULL_ROWS:,}-row size the targets are stated for: verdicts are n/a."
        )
    return notes


def _seconds_cell(values: list[float]) -> str:
    best = min(values)
    if len(values) == 1:
        return f"{best:.2f}"
    return f"{best:.2f} ({statistics.median(values):.2f}, {max(values):.2f})"
