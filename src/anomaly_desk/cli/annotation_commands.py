"""Annotations from the command line: notes on a time range of a series, listed and deleted.

Each note added or deleted is one audit record, like any triage change.
"""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import click

from anomaly_desk.cli.common import format_option, handle_errors, print_json, print_table
from anomaly_desk.cli.common import workspace_option as ws_option
from anomaly_desk.cli.incident_commands import actor_name, actor_option, iso


def _parse_time(text: str, option: str) -> int:
    """ISO 8601 -> ns since the epoch; a time without an offset is UTC, as everywhere."""
    try:
        when = datetime.fromisoformat(text)
    except ValueError:
        raise click.BadParameter(f"{text!r} is not an ISO 8601 time", param_hint=option) from None
    if when.tzinfo is None:
        when = when.replace(tzinfo=UTC)
    return int(when.timestamp()) * 1_000_000_000 + when.microsecond * 1_000


def _find_series(ws: Any, name: str, dataset: str | None) -> Any:
    """The series called ``name`` (in ``dataset``, or in the one dataset that has it)."""
    datasets = [ws.dataset(dataset)] if dataset else ws.datasets()
    found = [s for d in datasets for s in ws.series(d) if s.name == name]
    if not found:
        raise click.BadParameter(f"no series named {name!r}", param_hint="SERIES")
    if len(found) > 1:
        raise click.BadParameter(
            f"{len(found)} datasets have a series {name!r}; say which with --dataset",
            param_hint="SERIES",
        )
    return found[0]


@click.command("annotate")
@click.argument("series")
@click.argument("text")
@click.option("--from", "start", required=True, help="Start (ISO 8601; UTC if no offset).")
@click.option("--to", "end", required=True, help="End (ISO 8601; UTC if no offset).")
@click.option("--dataset", help="The dataset, when several have a series of that name.")
@ws_option
@actor_option
@handle_errors
def annotate_command(
    series: str, text: str, start: str, end: str, dataset: str | None,
    workspace: Path | None, actor: str | None,
) -> None:  # fmt: skip
    """Note something about a time range of a series (shown on its timeline).

    e.g.: anomaly-desk annotate db-01/latency_ms --from 2025-03-12T14:00 --to 2025-03-12T16:00
    "storage firmware update"
    """
    from anomaly_desk.store import Workspace

    start_ns, end_ns = _parse_time(start, "--from"), _parse_time(end, "--to")
    with Workspace.open(workspace, create=False) as ws:
        target = _find_series(ws, series, dataset)
        note = ws.add_annotation(text, start_ns, end_ns, actor_name(actor), series_id=target.id)
    click.echo(f"annotation {note.id} on {series}: {iso(note.start_ns)} .. {iso(note.end_ns)}")


@click.command("annotations")
@click.option("--series", help="Only notes on this series (and on its whole dataset).")
@click.option("--dataset", help="Only notes in this dataset.")
@click.option("--delete", "delete_id", type=int, help="Delete the annotation with this id.")
@ws_option
@actor_option
@format_option
@handle_errors
def annotations_command(
    series: str | None, dataset: str | None, delete_id: int | None, workspace: Path | None,
    actor: str | None, output_format: str,
) -> None:  # fmt: skip
    """List annotations, earliest first (or delete one with --delete ID)."""
    from anomaly_desk.store import Workspace

    with Workspace.open(workspace, create=False) as ws:
        if delete_id is not None:
            ws.delete_annotation(delete_id, actor_name(actor))
            click.echo(f"annotation {delete_id} deleted")
            return
        if series is not None:
            notes = ws.annotations(series_id=_find_series(ws, series, dataset).id)
        else:
            notes = ws.annotations(dataset_id=None if dataset is None else ws.dataset(dataset).id)
        names = {s.id: s.name for d in ws.datasets() for s in ws.series(d)}
        datasets = {d.id: d.name for d in ws.datasets()}
    records = [
        {
            "id": n.id,
            "dataset": datasets.get(n.dataset_id),
            "series": None if n.series_id is None else names.get(n.series_id),
            "start": iso(n.start_ns),
            "end": iso(n.end_ns),
            "text": n.text,
            "by": n.created_by,
            "at": n.created_at,
        }
        for n in notes
    ]
    if output_format == "json":
        print_json(records)
    else:
        print_table(records, ["id", "series", "start", "end", "by", "text"])
