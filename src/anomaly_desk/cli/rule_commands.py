"""Rules and feedback from the command line: user rules, verdicts, suppressions."""

from __future__ import annotations

import getpass
from pathlib import Path

import click

from anomaly_desk.cli.common import handle_errors, print_table, workspace_option
from anomaly_desk.model import RuleKind, Severity


def _actor() -> str:
    return getpass.getuser()


@click.group("rule")
def rule_group() -> None:
    """User rules: thresholds, rates and absences that raise findings in every run."""


@rule_group.command("add")
@click.argument("name")
@click.argument("expression")
@workspace_option
@click.option("--severity", type=click.Choice([s.value for s in Severity]), default="major")
@click.option("--series", "series_glob", default="*", help="Series names it applies to (glob).")
@click.option("--dataset", help="Only this dataset.")
@handle_errors
def rule_add(
    name: str,
    expression: str,
    workspace: Path | None,
    severity: str,
    series_glob: str,
    dataset: str | None,
) -> None:
    """Add a rule, e.g.: anomaly-desk rule add hot "value > 90 for 10m" --severity critical."""
    from anomaly_desk.store import Workspace

    with Workspace.open(workspace, create=False) as ws:
        dataset_id = ws.dataset(dataset).id if dataset else None
        rule_id = ws.add_detection_rule(
            name, expression, severity, _actor(), series_glob, dataset_id
        )
    click.echo(f"rule {rule_id} {name!r} added; it applies from the next detection run")


@rule_group.command("list")
@workspace_option
@handle_errors
def rule_list(workspace: Path | None) -> None:
    """List rules, suppressions and maintenance windows."""
    from anomaly_desk.store import Workspace

    with Workspace.open(workspace, create=False) as ws:
        rows = [
            {
                "id": r.id,
                "kind": r.kind.value,
                "name": r.name,
                "series": r.series_glob,
                "definition": r.definition.get("expression") or r.definition.get("reason", ""),
                "by": r.created_by,
            }
            for r in ws.rules()
        ]
    print_table(rows, ["id", "kind", "name", "series", "definition", "by"])


@rule_group.command("delete")
@click.argument("rule_id", type=int)
@workspace_option
@handle_errors
def rule_delete(rule_id: int, workspace: Path | None) -> None:
    """Delete a rule; anomalies it muted are shown again."""
    from anomaly_desk.store import Workspace

    with Workspace.open(workspace, create=False) as ws:
        ws.delete_rule(rule_id)
    click.echo(f"rule {rule_id} deleted")


@click.command("verdict")
@click.argument("anomaly_id", type=int)
@click.argument("verdict", type=click.Choice(["confirmed", "false-positive", "none"]))
@workspace_option
@click.option(
    "--suppress",
    type=click.Choice(["pattern", "threshold"]),
    help="For a false positive: apply the proposed suppression after showing its count.",
)
@handle_errors
def verdict_command(
    anomaly_id: int, verdict: str, workspace: Path | None, suppress: str | None
) -> None:
    """Judge an anomaly; a false positive shows what suppressing its pattern would hide."""
    from anomaly_desk.detect.feedback import propose_suppressions
    from anomaly_desk.model import Verdict
    from anomaly_desk.store import Workspace

    value = None if verdict == "none" else Verdict(verdict.replace("-", "_"))
    with Workspace.open(workspace, create=False) as ws:
        ws.set_verdict(anomaly_id, value)
        click.echo(f"anomaly {anomaly_id}: {verdict}")
        if value is not Verdict.FALSE_POSITIVE:
            if suppress:
                raise click.UsageError("--suppress goes with a false-positive verdict")
            return
        row, _ = ws.anomaly(anomaly_id)
        proposals = dict(zip(("pattern", "threshold"), propose_suppressions(row), strict=True))
        for key, proposal in proposals.items():
            count = ws.preview_suppression(proposal)
            click.echo(f"  {key}: mute {proposal.name} -> would hide {count} anomalies now")
        if suppress:
            rule_id, muted = ws.add_suppression(proposals[suppress], _actor(), RuleKind.SUPPRESSION)
            click.echo(f"applied as rule {rule_id}: {muted} anomalies muted (still findable)")
        else:
            click.echo("  (apply one with --suppress pattern|threshold)")
