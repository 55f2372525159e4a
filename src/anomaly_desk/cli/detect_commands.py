"""Commands over findings: detect, anomalies, bench."""

from __future__ import annotations

import csv
import io
import sys
from datetime import UTC, datetime
from pathlib import Path
from typing import TYPE_CHECKING

import click

from anomaly_desk.cli.common import (
    handle_errors,
    print_json,
    print_table,
    progress_bar,
    workspace_option,
)
from anomaly_desk.model import AnomalyRow, AnomalyType, FilterSpec, Severity, SortSpec, Status

if TYPE_CHECKING:
    from anomaly_desk.store import Workspace

OUTPUT_FORMATS = ("table", "json", "csv")


@click.command("detect")
@click.argument("dataset")
@workspace_option
@click.option("--preset", type=click.Choice(["auto"]), default="auto", show_default=True,
              help="Which detectors run; auto picks them by dataset kind and length.")  # fmt: skip
@click.option(
    "--sensitivity",
    type=click.FloatRange(0.0, 1.0),
    default=0.5,
    show_default=True,
    help="0 = only the most striking findings, 1 = everything unusual.",
)
@click.option(
    "--seed", type=int, default=0, show_default=True, help="Seed for randomised detectors."
)
@handle_errors
def detect_command(
    dataset: str, workspace: Path | None, preset: str, sensitivity: float, seed: int
) -> None:
    """Run detection over a dataset and store the findings as one run."""
    from anomaly_desk.analysis import run_detection
    from anomaly_desk.store import Workspace

    with (
        Workspace.open(workspace, create=False) as ws,
        progress_bar(f"detecting in {dataset}") as p,
    ):
        run = run_detection(ws, dataset, preset, sensitivity, seed, p)
        by_severity = {
            s.value: ws.count_anomalies(FilterSpec(run_ids=(run.id,), severities=(s,)))
            for s in Severity
        }
    digest = run.input_sha256[:12]
    click.echo(f"run {run.id}: {run.anomaly_count} anomalies in {dataset!r} (input {digest})")
    click.echo("  " + ", ".join(f"{count} {name}" for name, count in by_severity.items() if count))


def _parse_time(text: str | None, option: str) -> int | None:
    if text is None:
        return None
    try:
        when = datetime.fromisoformat(text)
    except ValueError:
        raise click.BadParameter(f"{text!r} is not an ISO 8601 time", param_hint=option) from None
    if when.tzinfo is None:
        when = when.replace(tzinfo=UTC)
    return int(when.timestamp() * 1e9)


@click.command("anomalies")
@workspace_option
@click.option("--dataset", "datasets", multiple=True, help="Only this dataset (repeatable).")
@click.option("--series", "series_names", multiple=True, help="Only this series (repeatable).")
@click.option("--severity", multiple=True, type=click.Choice([s.value for s in Severity]))
@click.option("--status", multiple=True, type=click.Choice([s.value for s in Status]))
@click.option("--type", "types", multiple=True, type=click.Choice([t.value for t in AnomalyType]))
@click.option("--since", help="Only anomalies ending at or after this time (ISO 8601, UTC).")
@click.option("--until", help="Only anomalies starting at or before this time.")
@click.option("--min-score", type=click.FloatRange(0, 100))
@click.option("--search", default="", help="Words to find in summaries, comments and tags.")
@click.option("--query", "-q", default="", help='Plain words: "critical open spikes last week".')
@click.option("--sort", type=click.Choice(["score", "severity", "start", "duration", "series",
              "type", "status", "assignee"]), default="score", show_default=True)  # fmt: skip
@click.option("--ascending", is_flag=True, help="Smallest first.")
@click.option("--limit", type=click.IntRange(1), default=50, show_default=True)
@click.option("--format", "output_format", type=click.Choice(OUTPUT_FORMATS), default="table")
@handle_errors
def anomalies_command(
    workspace: Path | None,
    datasets: tuple[str, ...],
    series_names: tuple[str, ...],
    severity: tuple[str, ...],
    status: tuple[str, ...],
    types: tuple[str, ...],
    since: str | None,
    until: str | None,
    min_score: float | None,
    search: str,
    query: str,
    sort: str,
    ascending: bool,
    limit: int,
    output_format: str,
) -> None:
    """List anomalies, filtered and sorted."""
    from anomaly_desk.store import Workspace

    with Workspace.open(workspace, create=False) as ws:
        dataset_ids = tuple(ws.dataset(name).id for name in datasets)
        series_ids = _series_ids(ws, series_names, dataset_ids)
        spec = FilterSpec(
            dataset_ids=dataset_ids,
            series_ids=series_ids,
            severities=tuple(Severity(s) for s in severity),
            statuses=tuple(Status(s) for s in status),
            types=types,
            since_ns=_parse_time(since, "--since"),
            until_ns=_parse_time(until, "--until"),
            min_score=min_score,
            text=search,
        )
        if query:
            spec = _merge_query(ws, spec, query)
        rows, _ = ws.anomalies(spec, SortSpec(sort, not ascending), None, limit)
        total = ws.count_anomalies(spec)
    _print_anomalies(rows, output_format)
    if output_format == "table":
        click.echo(f"({len(rows)} of {total} shown)", err=True)


def _series_ids(
    ws: Workspace, names: tuple[str, ...], dataset_ids: tuple[int, ...]
) -> tuple[int, ...]:
    if not names:
        return ()
    found = {
        s.name: s.id
        for d in ws.datasets()
        if not dataset_ids or d.id in dataset_ids
        for s in ws.series(d)
    }
    missing = [n for n in names if n not in found]
    if missing:
        raise click.BadParameter(f"no series named {', '.join(missing)}", param_hint="--series")
    return tuple(found[n] for n in names)


def _merge_query(ws: Workspace, spec: FilterSpec, query: str) -> FilterSpec:
    from dataclasses import replace

    from anomaly_desk.query import Names, parse

    datasets = ws.datasets()
    names = Names(
        datasets={d.name: d.id for d in datasets},
        series={s.name: s.id for d in datasets for s in ws.series(d)},
    )
    ends = [d.report.end for d in datasets if d.report.end]
    reference = int(max(ends).timestamp() * 1e9) if ends else None
    parsed = parse(query, names, reference).spec
    click.echo(
        "understood: " + (", ".join(parse(query, names, reference).chips) or "nothing"), err=True
    )
    return replace(
        parsed,
        dataset_ids=spec.dataset_ids or parsed.dataset_ids,
        series_ids=spec.series_ids or parsed.series_ids,
        text=" ".join(t for t in (spec.text, parsed.text) if t),
    )


def _record(row: AnomalyRow) -> dict[str, object]:
    def iso(ns: int) -> str:
        return datetime.fromtimestamp(ns / 1e9, tz=UTC).isoformat().replace("+00:00", "Z")

    return {
        "id": row.id,
        "score": round(row.score, 1),
        "severity": row.severity.value,
        "start": iso(row.start_ns),
        "end": iso(row.end_ns),
        "dataset": row.dataset,
        "series": row.series or row.entity,
        "type": row.type,
        "status": row.status.value,
        "assignee": row.assignee,
        "tags": ",".join(row.tags),
        "actual": row.actual,
        "expected": row.expected,
        "summary": row.summary,
    }


def _print_anomalies(rows: list[AnomalyRow], output_format: str) -> None:
    records = [_record(r) for r in rows]
    if output_format == "json":
        print_json(records)
    elif output_format == "csv":
        buffer = io.StringIO()
        writer = csv.DictWriter(buffer, fieldnames=list(records[0]) if records else ["id"])
        writer.writeheader()
        writer.writerows(records)
        sys.stdout.write(buffer.getvalue())
    else:
        for r in records:
            summary = str(r["summary"])
            r["summary"] = summary if len(summary) <= 70 else summary[:67] + "..."
        print_table(
            records, ["id", "score", "severity", "start", "series", "type", "status", "summary"]
        )


@click.group("bench")
def bench_group() -> None:
    """Measure the detectors on labelled data nobody here wrote (NAB, ODDS)."""


@bench_group.command("nab")
@click.option(
    "--data",
    type=click.Path(exists=True, file_okay=False, path_type=Path),
    required=True,
    help="A NAB-layout folder: data/<category>/<file>.csv and windows.json.",
)
@click.option("--out", type=click.Path(file_okay=False, path_type=Path), required=True,
              help="Where NAB's results layout is written.")  # fmt: skip
@handle_errors
def bench_nab(data: Path, out: Path) -> None:
    """Run the default streaming detector over NAB and score it (last line: JSON)."""
    from anomaly_desk.detect.bench import format_nab, run_nab

    with progress_bar("scoring NAB") as progress:
        result = run_nab(data, out, progress)
    click.echo(format_nab(result))


@bench_group.command("odds")
@click.option(
    "--data",
    type=click.Path(exists=True, file_okay=False, path_type=Path),
    required=True,
    help="A folder of ODDS .mat files.",
)
@handle_errors
def bench_odds(data: Path) -> None:
    """ROC-AUC per ODDS dataset: our record detector and IsolationForest (last line: JSON)."""
    from anomaly_desk.detect.bench import format_odds, run_odds

    with progress_bar("scoring ODDS") as progress:
        result = run_odds(data, progress)
    click.echo(format_odds(result))
