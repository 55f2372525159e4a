"""Commands over findings: detect, anomalies, bench."""

from __future__ import annotations

import csv
import io
import sys
from pathlib import Path

import click

from anomaly_desk.cli.common import (
    anomaly_record,
    handle_errors,
    print_json,
    print_table,
    progress_bar,
    workspace_option,
)
from anomaly_desk.cli.filter_options import FilterOptions, filter_options
from anomaly_desk.detect.catalog import ALL, FAMILIES, REQUIRED, ordered, parse
from anomaly_desk.errors import BadInputError
from anomaly_desk.model import AnomalyRow, FilterSpec, Severity, SortSpec

OUTPUT_FORMATS = ("table", "json", "csv")


def _families(
    _ctx: click.Context, _param: click.Parameter, value: str | None
) -> frozenset[str] | None:
    if value is None:
        return None
    try:
        return parse(value)
    except BadInputError as exc:  # a usage error, like a bad --preset: exit 2 with usage
        raise click.BadParameter("; ".join(p.describe() for p in exc.problems)) from None


# \b keeps click from rewrapping the list into one paragraph.
_FAMILY_HELP = "\b\nDetector families (--detectors) for time-series datasets:\n" + "\n".join(
    f"  {name:<12} {description}" for name, description in FAMILIES.items()
)


@click.command("detect", epilog=_FAMILY_HELP)
@click.argument("dataset")
@workspace_option
@click.option("--preset", type=click.Choice(["auto"]), default="auto", show_default=True,
              help="Which detectors run; auto picks them by dataset kind and length.")  # fmt: skip
@click.option(
    "--detectors",
    metavar="FAMILY,...",
    callback=_families,
    help=f"Comma-separated detector families to run on a time-series dataset (default: all; "
    f"{', '.join(REQUIRED)} is always on): {', '.join(FAMILIES)}. Listed below.",
)
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
    dataset: str,
    workspace: Path | None,
    preset: str,
    detectors: frozenset[str] | None,
    sensitivity: float,
    seed: int,
) -> None:
    """Run detection over a dataset and store the findings as one run."""
    from anomaly_desk.analysis import run_detection
    from anomaly_desk.store import Workspace

    with (
        Workspace.open(workspace, create=False) as ws,
        progress_bar(f"detecting in {dataset}") as p,
    ):
        run = run_detection(ws, dataset, preset, sensitivity, seed, p, detectors=detectors)
        by_severity = {
            s.value: ws.count_anomalies(FilterSpec(run_ids=(run.id,), severities=(s,)))
            for s in Severity
        }
    digest = run.input_sha256[:12]
    click.echo(f"run {run.id}: {run.anomaly_count} anomalies in {dataset!r} (input {digest})")
    click.echo("  " + ", ".join(f"{count} {name}" for name, count in by_severity.items() if count))
    used = run.config.get("detectors")
    if used is not None and set(used) != ALL:
        left_out = ordered(ALL - set(used))
        click.echo(f"  detectors: {', '.join(used)} (left out: {', '.join(left_out)})")


@click.command("anomalies")
@workspace_option
@filter_options
@click.option("--sort", type=click.Choice(["score", "severity", "start", "duration", "series",
              "type", "status", "assignee"]), default="score", show_default=True)  # fmt: skip
@click.option("--ascending", is_flag=True, help="Smallest first.")
@click.option("--limit", type=click.IntRange(1), default=50, show_default=True)
@click.option("--format", "output_format", type=click.Choice(OUTPUT_FORMATS), default="table")
@handle_errors
def anomalies_command(
    workspace: Path | None,
    filters: FilterOptions,
    sort: str,
    ascending: bool,
    limit: int,
    output_format: str,
) -> None:
    """List anomalies, filtered and sorted."""
    from anomaly_desk.store import Workspace

    with Workspace.open(workspace, create=False) as ws:
        spec = filters.spec(ws)
        rows, _ = ws.anomalies(spec, SortSpec(sort, not ascending), None, limit)
        total = ws.count_anomalies(spec)
    _print_anomalies(rows, output_format)
    if output_format == "table":
        click.echo(f"({len(rows)} of {total} shown)", err=True)


def _print_anomalies(rows: list[AnomalyRow], output_format: str) -> None:
    records = [anomaly_record(r) for r in rows]
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
