"""Incidents and annotations from the command line.

``incidents --propose`` shows what cross-series correlation suggests; ``incident create``
stores one (from a proposal's ids, or any ids). Each change is one audit record.
"""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import click

from anomaly_desk.cli.common import (
    anomaly_record,
    format_option,
    handle_errors,
    print_json,
    print_table,
)
from anomaly_desk.cli.common import workspace_option as ws_option
from anomaly_desk.model import AnomalyRow, IncidentInfo, IncidentProposal, IncidentStatus

actor_option = click.option("--actor", help="Who makes the change (default: your OS user name).")


def actor_name(actor: str | None) -> str:
    from anomaly_desk.store.triage_audit import default_actor

    return actor or default_actor()


def iso(ns: int | None) -> str | None:
    if ns is None:
        return None
    return datetime.fromtimestamp(ns / 1e9, tz=UTC).isoformat().replace("+00:00", "Z")


def _count(n: int) -> str:
    return f"{n} {'anomaly' if n == 1 else 'anomalies'}"


def _ids(ids: tuple[int, ...], shown: int = 12) -> str:
    text = " ".join(str(i) for i in ids[:shown])
    return text + (f" … (+{len(ids) - shown})" if len(ids) > shown else "")


@click.command("incidents")
@ws_option
@click.option("--propose", is_flag=True, help="Suggest incidents from cross-series correlation.")
@click.option("--dataset", help="Only this dataset (with --propose).")
@format_option
@handle_errors
def incidents_command(
    workspace: Path | None, propose: bool, dataset: str | None, output_format: str
) -> None:
    """List incidents, or (--propose) groups of anomalies that look like one incident."""
    from anomaly_desk.store import Workspace

    with Workspace.open(workspace, create=False) as ws:
        if propose:
            dataset_id = None if dataset is None else ws.dataset(dataset).id
            _print_proposals(ws.propose_incidents(dataset_id), output_format)
            return
        found = ws.incidents()
        if dataset is not None:
            wanted = ws.dataset(dataset).name
            found = [i for i in found if wanted in _datasets(ws, i)]
    if output_format == "json":
        print_json([_incident_record(i) for i in found])
        return
    print_table([_incident_record(i) for i in found], ["id", "status", "start", "size", "title"])


def _datasets(ws: Any, info: IncidentInfo) -> set[str]:
    return {str(r.dataset) for r in ws.incident(info.id)[1]}


def _print_proposals(proposals: list[IncidentProposal], output_format: str) -> None:
    records = [
        {
            "score": p.score,
            "start": iso(p.start_ns),
            "end": iso(p.end_ns),
            "title": p.title,
            "anomaly_ids": list(p.anomaly_ids),
            "series": list(p.series),
            "links": [k.__dict__ for k in p.links],
        }
        for p in proposals
    ]
    if output_format == "json":
        print_json(records)
        return
    for n, (p, r) in enumerate(zip(proposals, records, strict=True), start=1):
        r["#"], r["anomalies"] = n, _ids(p.anomaly_ids)
        r["size"] = f"{len(p.anomaly_ids)} on {len(p.series)} series"
    print_table(records, ["#", "score", "start", "size", "anomalies", "title"])
    if proposals:
        best = proposals[0]
        click.echo(f"\nwhy #1: {best.links[0].reason}" if best.links else "", err=True)
        click.echo(
            f'store one: anomaly-desk incident create "TITLE" {_ids(best.anomaly_ids, 99)}',
            err=True,
        )


def _incident_record(info: IncidentInfo) -> dict[str, Any]:
    return {
        "id": info.id,
        "uid": info.uid,
        "status": info.status.value,
        "title": info.title,
        "summary": info.summary,
        "start": iso(info.start_ns),
        "end": iso(info.end_ns),
        "size": len(info.anomaly_ids),
        "anomaly_ids": list(info.anomaly_ids),
        "created_at": info.created_at,
        "created_by": info.created_by,
    }


@click.group("incident")
def incident_group() -> None:
    """Create, change and show incidents (groups of related anomalies)."""


@incident_group.command("create")
@click.argument("title")
@click.argument("anomaly_ids", nargs=-1, type=int, required=True)
@click.option("--summary", default="", help="What happened, in a few sentences.")
@ws_option
@actor_option
@handle_errors
def create_command(
    title: str, anomaly_ids: tuple[int, ...], summary: str, workspace: Path | None,
    actor: str | None,
) -> None:  # fmt: skip
    """Group anomalies into a new open incident, e.g. incident create "db-01 slow" 16 45 100"""
    from anomaly_desk.store import Workspace

    with Workspace.open(workspace, create=False) as ws:
        info = ws.create_incident(title, anomaly_ids, actor_name(actor), summary)
    click.echo(f"incident {info.id} created: {info.title!r}, {_count(len(info.anomaly_ids))}")


def _change(kind: str) -> Any:
    @incident_group.command(kind)
    @click.argument("incident_id", type=int)
    @click.argument("anomaly_ids", nargs=-1, type=int, required=True)
    @ws_option
    @actor_option
    @handle_errors
    def command(
        incident_id: int, anomaly_ids: tuple[int, ...], workspace: Path | None, actor: str | None
    ) -> None:
        from anomaly_desk.store import Workspace

        with Workspace.open(workspace, create=False) as ws:
            change = ws.add_to_incident if kind == "add" else ws.remove_from_incident
            info = change(incident_id, anomaly_ids, actor_name(actor))
        click.echo(f"incident {info.id}: {_count(len(info.anomaly_ids))}")

    command.__doc__ = (
        "Add anomalies to an incident (each must be in no other incident)."
        if kind == "add"
        else "Take anomalies out of an incident (they stay, in no incident)."
    )
    return command


add_command = _change("add")
remove_command = _change("remove")


@incident_group.command("merge")
@click.argument("incident_ids", nargs=-1, type=int, required=True)
@ws_option
@actor_option
@handle_errors
def merge_command(incident_ids: tuple[int, ...], workspace: Path | None, actor: str | None) -> None:
    """Merge incidents into the FIRST one given; the others are deleted."""
    from anomaly_desk.store import Workspace

    with Workspace.open(workspace, create=False) as ws:
        info = ws.merge_incidents(incident_ids, actor_name(actor))
    click.echo(f"incident {info.id}: {_count(len(info.anomaly_ids))} after the merge")


@incident_group.command("dissolve")
@click.argument("incident_id", type=int)
@ws_option
@actor_option
@handle_errors
def dissolve_command(incident_id: int, workspace: Path | None, actor: str | None) -> None:
    """Delete an incident; its anomalies stay, in no incident."""
    from anomaly_desk.store import Workspace

    with Workspace.open(workspace, create=False) as ws:
        ws.dissolve_incident(incident_id, actor_name(actor))
    click.echo(f"incident {incident_id} dissolved")


@incident_group.command("update")
@click.argument("incident_id", type=int)
@click.option("--title", help="New title.")
@click.option("--summary", help="New summary.")
@click.option("--status", type=click.Choice([s.value for s in IncidentStatus]))
@ws_option
@actor_option
@handle_errors
def update_command(
    incident_id: int, title: str | None, summary: str | None, status: str | None,
    workspace: Path | None, actor: str | None,
) -> None:  # fmt: skip
    """Change an incident's title, summary or status (open / closed)."""
    from anomaly_desk.store import Workspace

    with Workspace.open(workspace, create=False) as ws:
        info = ws.update_incident(
            incident_id,
            actor_name(actor),
            title=title,
            summary=summary,
            status=None if status is None else IncidentStatus(status),
        )
    click.echo(f"incident {info.id}: {info.status.value}, {info.title!r}")


@incident_group.command("show")
@click.argument("incident_id", type=int)
@ws_option
@format_option
@handle_errors
def show_command(incident_id: int, workspace: Path | None, output_format: str) -> None:
    """Show an incident and its anomalies."""
    from anomaly_desk.store import Workspace

    with Workspace.open(workspace, create=False) as ws:
        info, members = ws.incident(incident_id)
    if output_format == "json":
        print_json({**_incident_record(info), "anomalies": [_member(r) for r in members]})
        return
    click.echo(f"incident {info.id} [{info.status.value}] {info.title}")
    click.echo(f"  {iso(info.start_ns) or '-'} .. {iso(info.end_ns) or '-'}")
    click.echo(f"  created {info.created_at} by {info.created_by}")
    if info.summary:
        click.echo("".join(f"  {line}\n" for line in info.summary.splitlines()), nl=False)
    print_table(
        [_member(r) for r in members],
        ["id", "score", "severity", "start", "series", "type", "status", "summary"],
    )


def _member(row: AnomalyRow) -> dict[str, Any]:
    record = anomaly_record(row)
    summary = row.summary
    record["summary"] = summary if len(summary) <= 70 else summary[:67] + "..."
    return record
