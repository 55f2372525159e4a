"""Feedback learning on NAB: an analyst marks the first three false positives of each series.

For every NAB file: import it into a fresh workspace, run detection (the app's batch Auto,
default sensitivity), then play an analyst who judges findings in time order using the
labelled windows as the truth. The first three findings outside every window are marked false
positive, and for each the "pattern" suppression the app proposes (same type on that series up
to its score, size and duration) is accepted through the real Workspace API, as the GUI does —
without looking at what it hides (the GUI shows that list; this analyst does not read it).

Reported: false positives after the third marked one, before and after the suppressions
(target: at least 50 % fewer), and the labelled windows that still have a visible finding
(target: none lost).
"""

from __future__ import annotations

import json
from pathlib import Path

import pandas as pd

from anomaly_desk.analysis import run_detection
from anomaly_desk.detect.feedback import propose_suppressions
from anomaly_desk.ingest import ImportOptions, MappingOptions, import_file
from anomaly_desk.model import AnomalyRow, FilterSpec, SortSpec, Verdict
from anomaly_desk.store import Workspace
from benchmarks.core import REPO, Context, Result, Target, log

SECTION = "feedback"
NAB = REPO.parent / "shared" / "data" / "nab"
MARKED = 3


def _windows(relative: str) -> list[tuple[int, int]]:
    raw = json.loads((NAB / "windows.json").read_text())[relative]
    return [
        (int(pd.Timestamp(a, tz="UTC").value), int(pd.Timestamp(b, tz="UTC").value)) for a, b in raw
    ]


def _in_window(row: AnomalyRow, windows: list[tuple[int, int]]) -> bool:
    return any(row.start_ns <= end and row.end_ns >= start for start, end in windows)


def _visible(ws: Workspace) -> list[AnomalyRow]:
    rows, _ = ws.anomalies(FilterSpec(), SortSpec("start", descending=False), None, 100_000)
    return rows


def _detected(rows: list[AnomalyRow], windows: list[tuple[int, int]]) -> int:
    return sum(any(r.start_ns <= e and r.end_ns >= s for r in rows) for s, e in windows)


def one_file(path: Path, relative: str, work: Path) -> dict[str, int]:
    workspace = work / f"{path.stem}.sqlite"
    for stale in work.glob(f"{path.stem}.sqlite*"):
        stale.unlink()
    windows = _windows(relative)
    with Workspace.open(workspace) as ws:
        import_file(ws, path, ImportOptions(mapping=MappingOptions(timezone="UTC")))
        run_detection(ws, path.stem)
        before = _visible(ws)
        false = [r for r in before if not _in_window(r, windows)]
        marked = false[:MARKED]
        cutoff = marked[-1].start_ns if len(marked) == MARKED else None
        for row in marked:
            ws.set_verdict(row.id, Verdict.FALSE_POSITIVE, actor="benchmark")
            pattern, _threshold = propose_suppressions(row)
            ws.add_suppression(pattern, actor="benchmark")
        after = _visible(ws)
    later = [r for r in false if cutoff is not None and r.start_ns > cutoff]
    later_after = [
        r for r in after
        if not _in_window(r, windows) and cutoff is not None and r.start_ns > cutoff
    ]  # fmt: skip
    return {
        "windows": len(windows),
        "detected_before": _detected(before, windows),
        "detected_after": _detected(after, windows),
        "later_fp_before": len(later),
        "later_fp_after": len(later_after),
    }


def run(ctx: Context) -> Result:
    files = sorted((NAB / "data").glob("*/*.csv"))
    if ctx.quick:
        files = files[:4]
    work = ctx.work_dir / "feedback"
    work.mkdir(parents=True, exist_ok=True)
    totals = dict.fromkeys(
        ("windows", "detected_before", "detected_after", "later_fp_before", "later_fp_after"), 0
    )
    lost: list[str] = []
    for path in files:
        relative = f"{path.parent.name}/{path.name}"
        log(f"feedback: {relative}")
        counts = one_file(path, relative, work)
        for key, value in counts.items():
            totals[key] += value
        if counts["detected_after"] < counts["detected_before"]:
            lost.append(f"{relative} ({counts['detected_before']} -> {counts['detected_after']})")
    before, after = totals["later_fp_before"], totals["later_fp_after"]
    drop = 100.0 * (before - after) / before if before else 0.0
    lost_windows = totals["detected_before"] - totals["detected_after"]
    windows = totals["windows"]
    rows = [
        ["NAB files", f"{len(files)}", ""],
        ["false positives after the 3rd marked one", f"{before:,}", f"{after:,}"],
        ["drop in those false positives", "", f"{drop:.1f} %"],
        ["labelled windows with a visible finding", f"{totals['detected_before']}/{windows}",
         f"{totals['detected_after']}/{windows}"],
    ]  # fmt: skip
    full = not ctx.quick
    return Result(
        title="Feedback learning: first three false positives marked per NAB series",
        header=["what", "before", "after suppressions"],
        rows=rows,
        figures={
            "feedback_later_fp_before": float(before),
            "feedback_later_fp_after": float(after),
            "feedback_fp_drop_pct": round(drop, 1),
            "feedback_windows_lost": float(lost_windows),
        },
        targets=[
            Target(
                ">= 50 % fewer later false positives", f"{drop:.1f} %", drop >= 50 if full else None
            ),
            Target("no window lost", f"{lost_windows} lost", lost_windows == 0 if full else None),
        ],
        notes=[f"windows lost in: {', '.join(lost)}"] if lost else [],
    )
