"""Commands over datasets: import, datasets, series, export, delete, backup."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING

import click

from anomaly_desk.cli.common import (
    format_option,
    handle_errors,
    print_json,
    print_table,
    progress_bar,
    workspace_option,
)
from anomaly_desk.model import DatasetKind

if TYPE_CHECKING:
    from anomaly_desk.ingest import ImportPlan

# Kept here, not imported from report/, so that loading the CLI does not load pyarrow.
EXPORT_FORMATS = ("csv", "parquet", "jsonl")


@click.command("import")
@click.argument("file", type=click.Path(path_type=Path))
@workspace_option
@click.option("--name", "-n", help="Dataset name (default: the file's stem).")
@click.option(
    "--kind",
    type=click.Choice([k.value for k in DatasetKind]),
    help="timeseries, events or records (default: guessed from the columns).",
)
@click.option("--timestamp", "-t", help="The timestamp column.")
@click.option(
    "--timestamp-format",
    help="strptime format (e.g. '%d/%m/%Y %H:%M'), or epoch_s / epoch_ms, or iso.",
)
@click.option(
    "--timezone",
    "--tz",
    help="Time zone of timestamps without an offset (default: this machine's).",
)
@click.option("--no-timestamp", is_flag=True, help="The file has no time column (records).")
@click.option("--entity", "-e", help="Column naming the entity / series (long layout).")
@click.option("--value", "values", multiple=True, help="A value column (repeatable).")
@click.option("--field", "fields", multiple=True, help="An event / record column (repeatable).")
@click.option(
    "--file-format", type=click.Choice(["csv", "jsonl", "parquet"]), help="Default: sniffed."
)
@click.option("--delimiter", help="CSV delimiter (default: sniffed).")
@click.option("--header/--no-header", default=None, help="Whether row 1 names the columns.")
@click.option(
    "--bad-values",
    type=click.Choice(["error", "missing"]),
    default="error",
    show_default=True,
    help="Refuse non-numeric values, or import them as missing (counted in the report).",
)
@click.option("--dry-run", is_flag=True, help="Show the mapping and stop.")
@handle_errors
def import_command(
    file: Path,
    workspace: Path | None,
    name: str | None,
    kind: str | None,
    timestamp: str | None,
    timestamp_format: str | None,
    timezone: str | None,
    no_timestamp: bool,
    entity: str | None,
    values: tuple[str, ...],
    fields: tuple[str, ...],
    file_format: str | None,
    delimiter: str | None,
    header: bool | None,
    bad_values: str,
    dry_run: bool,
) -> None:
    """Import a CSV / TSV / JSON lines / Parquet file (optionally .gz) as a dataset.

    The mapping (kind, timestamp, entity, values) is guessed and printed; any part of it can
    be given instead. The import is all or nothing.
    """
    from anomaly_desk.ingest import ImportOptions, MappingOptions, import_file, plan_import
    from anomaly_desk.ingest.report import describe
    from anomaly_desk.store import Workspace

    if delimiter == "\\t":
        delimiter = "\t"
    options = ImportOptions(
        name=name,
        mapping=MappingOptions(
            kind=DatasetKind(kind) if kind else None,
            timestamp=timestamp,
            timestamp_format=timestamp_format,
            timezone=timezone,
            entity=entity,
            values=values,
            fields=fields,
            no_timestamp=no_timestamp,
        ),
        format=file_format,  # type: ignore[arg-type]
        delimiter=delimiter,
        has_header=header,
        bad_values=bad_values,  # type: ignore[arg-type]
    )
    plan = plan_import(file, options)
    _echo_plan(plan)
    if dry_run:
        return
    with Workspace.open(workspace) as ws, progress_bar(f"importing {plan.name}") as progress:
        info, _ = import_file(ws, file, options, progress)
    click.echo(f"imported {info.name!r} into {ws.path}")
    for line in describe(info.report):
        click.echo(f"  {line}")


def _echo_plan(plan: ImportPlan) -> None:
    m = plan.mapping
    source = plan.source
    fmt = source.format + (f" (delimiter {source.delimiter!r})" if source.format == "csv" else "")
    click.echo(f"{source.path.name}: {fmt}{', gzip' if source.compression else ''}")
    click.echo(f"  dataset    {plan.name} ({m.kind.value})")
    if m.timestamp:
        click.echo(f"  timestamp  {m.timestamp} [{m.timestamp_format}] zone {m.timezone}")
    if m.kind is DatasetKind.TIMESERIES:
        click.echo(f"  entity     {m.entity or '-'}")
        click.echo(f"  values     {', '.join(m.values)}")
    else:
        click.echo(f"  fields     {', '.join(m.fields)}")


@click.command("datasets")
@workspace_option
@format_option
@handle_errors
def datasets_command(workspace: Path | None, output_format: str) -> None:
    """List the datasets in the workspace."""
    from anomaly_desk.store import Workspace

    with Workspace.open(workspace, create=False) as ws:
        rows = [
            {
                "name": d.name,
                "kind": d.kind.value,
                "rows": d.rows,
                "series": d.series_count,
                "start": d.report.start.isoformat() if d.report.start else None,
                "end": d.report.end.isoformat() if d.report.end else None,
                "source": Path(d.source_path).name,
                "sha256": d.source_sha256[:12],
            }
            for d in ws.datasets()
        ]
    if output_format == "json":
        print_json(rows)
    else:
        print_table(rows, ["name", "kind", "rows", "series", "start", "end", "source", "sha256"])


@click.command("series")
@click.argument("dataset")
@workspace_option
@format_option
@handle_errors
def series_command(dataset: str, workspace: Path | None, output_format: str) -> None:
    """List the series of a time series dataset, with their time hygiene."""
    from anomaly_desk.store import Workspace

    with Workspace.open(workspace, create=False) as ws:
        info = ws.dataset(dataset)
        hygiene = {s.name: s for s in info.report.per_series}
        rows = []
        for s in ws.series(info):
            h = hygiene.get(s.name)
            rows.append(
                {
                    "series": s.name,
                    "points": s.points,
                    "start": s.start.isoformat() if s.start else None,
                    "end": s.end.isoformat() if s.end else None,
                    "step_s": s.step_seconds,
                    "gaps": h.gaps if h else None,
                    "duplicates": h.duplicates if h else None,
                    "missing": h.missing_values if h else None,
                }
            )
    if output_format == "json":
        print_json(rows)
    else:
        print_table(rows, list(rows[0]) if rows else ["series"])


@click.command("export")
@click.argument("dataset")
@workspace_option
@click.option(
    "--format", "fmt", type=click.Choice(EXPORT_FORMATS), default="csv", show_default=True
)
@click.option(
    "--output",
    "-o",
    type=click.Path(dir_okay=False, path_type=Path),
    help="Output file (default: DATASET.FORMAT in the current directory).",
)
@click.option("--timezone", "--tz", help="Zone for written timestamps (default: the dataset's).")
@click.option("--force", is_flag=True, help="Overwrite an existing output file.")
@handle_errors
def export_command(
    dataset: str,
    workspace: Path | None,
    fmt: str,
    output: Path | None,
    timezone: str | None,
    force: bool,
) -> None:
    """Export a dataset as CSV, Parquet or JSON lines."""
    from anomaly_desk.report import export_dataset
    from anomaly_desk.store import Workspace

    dest = output or Path(f"{dataset}.{fmt}")
    if dest.exists() and not force:
        raise click.UsageError(f"{dest} exists; use --force to overwrite it")
    with Workspace.open(workspace, create=False) as ws, progress_bar("exporting") as progress:
        rows = export_dataset(ws, ws.dataset(dataset), fmt, dest, timezone, progress)
    click.echo(f"wrote {rows:,} rows to {dest}")


@click.command("delete")
@click.argument("dataset")
@workspace_option
@click.option("--yes", is_flag=True, help="Do not ask for confirmation.")
@handle_errors
def delete_command(dataset: str, workspace: Path | None, yes: bool) -> None:
    """Delete a dataset and everything found in it."""
    from anomaly_desk.store import Workspace

    with Workspace.open(workspace, create=False) as ws:
        ws.dataset(dataset)
        if not yes:
            click.confirm(f"delete dataset {dataset!r} from {ws.path}?", abort=True)
        ws.delete_dataset(dataset)
    click.echo(f"deleted {dataset!r}")


@click.command("backup")
@click.argument("dest", type=click.Path(dir_okay=False, path_type=Path))
@workspace_option
@handle_errors
def backup_command(dest: Path, workspace: Path | None) -> None:
    """Write a consistent copy of the workspace to DEST (SQLite backup API)."""
    from anomaly_desk.store import Workspace

    with Workspace.open(workspace, create=False) as ws:
        ws.backup(dest)
    click.echo(f"backed up {ws.path} to {dest}")
