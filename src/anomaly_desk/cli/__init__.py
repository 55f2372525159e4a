"""The ``anomaly-desk`` command line. With no command it opens the app (headless: a summary)."""

from __future__ import annotations

from pathlib import Path

import click

from anomaly_desk import __version__
from anomaly_desk.cli.annotation_commands import annotate_command, annotations_command
from anomaly_desk.cli.common import EXIT_BUG, handle_errors, workspace_option
from anomaly_desk.cli.data_commands import (
    backup_command,
    datasets_command,
    delete_command,
    export_command,
    import_command,
    series_command,
)
from anomaly_desk.cli.demo_command import demo_command
from anomaly_desk.cli.detect_commands import anomalies_command, bench_group, detect_command
from anomaly_desk.cli.incident_commands import incident_group, incidents_command
from anomaly_desk.cli.report_commands import (
    bundle_command,
    export_anomalies_command,
    report_command,
    verify_bundle_command,
)
from anomaly_desk.cli.rule_commands import rule_group, verdict_command
from anomaly_desk.cli.triage_commands import (
    comments_command,
    history_command,
    triage_command,
    verify_command,
)


@click.group(invoke_without_command=True, context_settings={"help_option_names": ["-h", "--help"]})
@workspace_option
@click.version_option(__version__, prog_name="anomaly-desk")
@click.pass_context
@handle_errors
def cli(ctx: click.Context, workspace: Path | None) -> None:
    """Anomaly Desk: find, understand, triage and report anomalies.

    Exit codes: 0 done, 1 bad input (nothing changed), 2 wrong usage, 3 workspace problem,
    4 audit chain or evidence bundle broken (verify, verify-bundle), 130 cancelled,
    70 internal error.
    """
    if ctx.invoked_subcommand is None:
        from anomaly_desk.gui import display_available  # Qt-free: Qt loads only for a window

        if display_available():
            from anomaly_desk.gui.app import run_app

            ctx.exit(run_app(workspace, demo=False))
        from anomaly_desk.cli.summary import print_workspace_summary
        from anomaly_desk.store import Workspace

        with Workspace.open(workspace) as ws:
            print_workspace_summary(ws)


for command in (
    import_command,
    datasets_command,
    series_command,
    export_command,
    delete_command,
    backup_command,
    demo_command,
    detect_command,
    anomalies_command,
    bench_group,
    rule_group,
    verdict_command,
    triage_command,
    comments_command,
    history_command,
    verify_command,
    incidents_command,
    incident_group,
    annotate_command,
    annotations_command,
    report_command,
    export_anomalies_command,
    bundle_command,
    verify_bundle_command,
):
    cli.add_command(command)


def main() -> None:
    try:
        cli()
    except SystemExit:
        raise
    except Exception:  # noqa: BLE001 - last line of defence: a bug, said plainly
        import traceback

        traceback.print_exc()
        click.echo("internal error: this is a bug in Anomaly Desk; please report it", err=True)
        raise SystemExit(EXIT_BUG) from None
