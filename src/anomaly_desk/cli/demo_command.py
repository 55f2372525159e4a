"""``anomaly-desk demo``: the demo workspace, built on first use, then opened."""

from __future__ import annotations

from pathlib import Path

import click

from anomaly_desk.cli.common import handle_errors, inherit_workspace, progress_bar
from anomaly_desk.paths import default_demo_path


@click.command("demo")
@click.option(
    "--workspace",
    "-w",
    type=click.Path(dir_okay=False, path_type=Path),
    default=None,
    callback=inherit_workspace,
    help="Where the demo workspace lives (default: demo.sqlite in your user data directory).",
)
@click.option("--rebuild", is_flag=True, help="Build it afresh even if it exists.")
@click.option("--headless", is_flag=True, help="Print what it holds instead of opening a window.")
@handle_errors
def demo_command(workspace: Path | None, rebuild: bool, headless: bool) -> None:
    """Build the demo workspace (first time) and open it."""
    path = workspace or default_demo_path()
    if rebuild and path.exists():
        for stale in (path, Path(f"{path}-wal"), Path(f"{path}-shm")):
            stale.unlink(missing_ok=True)
    from anomaly_desk.gui import display_available  # Qt-free: Qt loads only for a window

    if not headless and display_available():
        from anomaly_desk.gui.app import run_app

        # The window builds the demo workspace itself, in a worker with a progress bar.
        raise SystemExit(run_app(path, demo=True))
    from anomaly_desk.cli.summary import print_workspace_summary
    from anomaly_desk.demo import build_demo_workspace
    from anomaly_desk.store import Workspace

    if not path.exists():
        with progress_bar("building the demo workspace") as progress:
            build_demo_workspace(path, progress)
        click.echo(f"built the demo workspace at {path}")
    with Workspace.open(path, create=False) as ws:
        print_workspace_summary(ws)
    if not headless:
        click.echo("(no display found: this is the headless view)")
