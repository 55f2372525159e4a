"""A plain-text account of what a workspace holds (the headless view)."""

from __future__ import annotations

import click

from anomaly_desk.ingest.report import describe
from anomaly_desk.model import DatasetKind
from anomaly_desk.store import Workspace

MAX_SERIES_SHOWN = 8


def print_workspace_summary(ws: Workspace) -> None:
    datasets = ws.datasets()
    click.echo(f"workspace {ws.path}: {len(datasets)} datasets")
    for info in datasets:
        click.echo(
            f"\n{info.name}  ({info.kind.value}, from {info.source_path.rsplit('/', 1)[-1]})"
        )
        for line in describe(info.report):
            click.echo(f"  {line}")
        if info.kind is DatasetKind.TIMESERIES:
            series = ws.series(info)
            names = ", ".join(s.name for s in series[:MAX_SERIES_SHOWN])
            more = (
                f" and {len(series) - MAX_SERIES_SHOWN} more"
                if len(series) > MAX_SERIES_SHOWN
                else ""
            )
            click.echo(f"  series: {names}{more}")
        else:
            click.echo(f"  columns: {', '.join(info.mapping.fields)}")
