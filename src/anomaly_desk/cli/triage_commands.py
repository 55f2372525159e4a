"""Triage from the command line: change anomalies, read comments and history, verify the log."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import click

from anomaly_desk.cli.common import (
    EXIT_VERIFY_FAILED,
    format_option,
    handle_errors,
    print_json,
    print_table,
    workspace_option,
)
from anomaly_desk.model import AuditRecord, Severity, Status

_STATUSES = [s.value for s in Status] + [s.value.replace("_", "-") for s in Status if "_" in s]
_SHOWN = 20  # changed anomalies listed one by one; beyond that, only the counts


def _actor(actor: str | None) -> str:
    from anomaly_desk.store.triage_audit import default_actor

    return actor or default_actor()


@click.command("triage")
@click.argument("anomaly_ids", nargs=-1, type=int, required=True)
@workspace_option
@click.option("--status", type=click.Choice(_STATUSES), help="New status (lifecycle enforced).")
@click.option("--assign", "assignee", help="Assign to this person.")
@click.option("--unassign", is_flag=True, help="Remove the assignee.")
@click.option(
    "--severity",
    type=click.Choice([s.value for s in Severity] + ["auto"]),
    help="Override the severity ('auto': back to the one from the score); needs --reason.",
)
@click.option("--reason", default="", help="Why (required with --severity; kept in the log).")
@click.option("--tag", "tags", multiple=True, help="Add a tag (repeatable).")
@click.option("--untag", "untags", multiple=True, help="Remove a tag (repeatable).")
@click.option("--star/--unstar", "starred", default=None, help="Star or unstar.")
@click.option("--comment", default="", help="Add a comment; #123 links to anomaly 123.")
@click.option("--actor", help="Who makes the change (default: your OS user name).")
@handle_errors
def triage_command(
    anomaly_ids: tuple[int, ...],
    workspace: Path | None,
    status: str | None,
    assignee: str | None,
    unassign: bool,
    severity: str | None,
    reason: str,
    tags: tuple[str, ...],
    untags: tuple[str, ...],
    starred: bool | None,
    comment: str,
    actor: str | None,
) -> None:
    """Triage one or several anomalies at once (all change, or none does).

    e.g.: anomaly-desk triage 12 13 14 --status triaged --assign ann --tag dns
    """
    from anomaly_desk.model import TriageChange
    from anomaly_desk.store import Workspace

    change = TriageChange(
        status=None if status is None else Status(status.replace("-", "_")),
        assignee=assignee,
        unassign=unassign,
        severity=Severity(severity) if severity and severity != "auto" else None,
        clear_severity=severity == "auto",
        reason=reason,
        add_tags=tags,
        remove_tags=untags,
        starred=starred,
        comment=comment,
    )
    with Workspace.open(workspace, create=False) as ws:
        result = ws.triage(anomaly_ids, change, _actor(actor))
        lines = [
            f"anomaly {i}: {describe_change(_last_change(ws.history(i)))}"
            for i in result.changed[:_SHOWN]
        ]
    for line in lines:
        click.echo(line)
    click.echo(
        f"{_count(len(result.changed), 'anomaly', 'anomalies')} changed"
        + (f", {len(result.unchanged)} already so" if result.unchanged else "")
        + (
            f", {_count(len(result.comments), 'comment', 'comments')} added"
            if result.comments
            else ""
        )
    )


@click.command("comments")
@click.argument("anomaly_id", type=int)
@workspace_option
@format_option
@handle_errors
def comments_command(anomaly_id: int, workspace: Path | None, output_format: str) -> None:
    """Show the comments on an anomaly and the comments elsewhere that mention it."""
    from anomaly_desk.store import Workspace

    with Workspace.open(workspace, create=False) as ws:
        own = ws.comments(anomaly_id)
        mentioned = ws.mentions(anomaly_id)
    if output_format == "json":
        print_json(
            {"comments": [c.__dict__ for c in own], "mentioned_in": [c.__dict__ for c in mentioned]}
        )
        return
    if not own:
        click.echo("(no comments)")
    for c in own:
        links = f"  (links: {', '.join(f'#{i}' for i in c.links)})" if c.links else ""
        click.echo(f"{c.created_at}  {c.author}{links}")
        click.echo("".join(f"    {line}\n" for line in c.body.splitlines()), nl=False)
    for c in mentioned:
        click.echo(f"mentioned in a comment on #{c.anomaly_id} by {c.author} at {c.created_at}")


@click.command("history")
@click.argument("anomaly_id", type=int)
@workspace_option
@format_option
@handle_errors
def history_command(anomaly_id: int, workspace: Path | None, output_format: str) -> None:
    """Show the audit records of an anomaly (and of its comments), oldest first."""
    from anomaly_desk.store import Workspace

    with Workspace.open(workspace, create=False) as ws:
        records = ws.history(anomaly_id)
    if output_format == "json":
        print_json([r.__dict__ for r in records])
        return
    rows = [
        {
            "seq": r.seq,
            "at": r.at,
            "actor": r.actor,
            "action": f"{r.object_type} {r.action}",
            "change": describe_change(r),
        }
        for r in records
    ]
    print_table(rows, ["seq", "at", "actor", "action", "change"])


@click.command("verify")
@workspace_option
@click.option(
    "--head",
    "anchor",
    metavar="SEQ:HASH",
    help="Also check against a head kept elsewhere (an export, a report, the team server).",
)
@handle_errors
def verify_command(workspace: Path | None, anchor: str | None) -> None:
    """Check the audit log's hash chain; exit 4 naming the first bad record and why."""
    from anomaly_desk.errors import BadInputError
    from anomaly_desk.store import Workspace
    from anomaly_desk.triage.audit import parse_head

    try:
        expected = None if anchor is None else parse_head(anchor)
    except ValueError as exc:
        raise BadInputError("--head", str(exc)) from None
    with Workspace.open(workspace, create=False) as ws:
        result = ws.verify_audit(expected)
        where = ws.path
    if result.first_bad is not None:
        click.echo(f"audit chain BROKEN in {where}: {result.first_bad.describe()}", err=True)
        raise SystemExit(EXIT_VERIFY_FAILED)
    head = "none" if result.head is None else str(result.head)
    click.echo(f"audit chain intact: {_count(result.records, 'record', 'records')}, head {head}")


def describe_change(rec: AuditRecord) -> str:
    """A record's before/after in words: "status: new -> triaged; assignee: - -> ann"."""
    before, after = _fields(rec.before), _fields(rec.after)
    if rec.object_type == "comment" and rec.action == "create":
        return f"comment: {_short(after.get('body', ''))}"
    if rec.before is None and rec.after is not None:
        return "created " + ", ".join(f"{k}={_value(v)}" for k, v in sorted(after.items()))
    if rec.after is None:
        return "deleted"
    parts = [f"{k}: {_value(before.get(k))} -> {_value(after[k])}" for k in after if k != "reason"]
    if "reason" in after:
        parts.append(f"reason: {_short(after['reason'])}")
    return "; ".join(parts)


def _fields(text: str | None) -> dict[str, Any]:
    if text is None:
        return {}
    try:
        data = json.loads(text)
    except ValueError:
        return {"?": text}  # a damaged record: show it as it is (verify says why)
    return data if isinstance(data, dict) else {"?": data}


def _value(value: Any) -> str:
    if value is None:
        return "-"
    if isinstance(value, list):
        return "[" + ", ".join(str(v) for v in value) + "]"
    return str(value)


def _short(text: str, limit: int = 60) -> str:
    text = " ".join(str(text).split())
    return text if len(text) <= limit else text[: limit - 3] + "..."


def _count(n: int, one: str, many: str) -> str:
    return f"{n} {one if n == 1 else many}"


def _last_change(records: list[AuditRecord]) -> AuditRecord:
    return next(r for r in reversed(records) if r.object_type == "anomaly")
