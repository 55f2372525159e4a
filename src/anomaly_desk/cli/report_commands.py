"""Commands that hand work over: report, export-anomalies, bundle, verify-bundle.

The report modules pull in matplotlib, Jinja2 and WeasyPrint: they are imported inside the
commands so ``anomaly-desk --help`` and every other command stay quick.
"""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING

import click

from anomaly_desk.cli.common import (
    EXIT_VERIFY_FAILED,
    handle_errors,
    progress_bar,
    workspace_option,
)
from anomaly_desk.cli.filter_options import FilterOptions, filter_options

if TYPE_CHECKING:
    from anomaly_desk.store import Workspace

DEFAULT_LIMIT = 200

ids_argument = click.argument("ids", nargs=-1, type=click.IntRange(1))
limit_option = click.option(
    "--limit",
    type=click.IntRange(1),
    default=DEFAULT_LIMIT,
    show_default=True,
    help="With filters: at most this many anomalies, strongest first.",
)
title_option = click.option("--title", default=None, help="Report title (default: what it covers).")
summary_option = click.option(
    "--summary", default="", help="A case summary shown under the title (plain text)."
)
author_option = click.option(
    "--author", default=None, help="Who generated it (default: the OS user)."
)


def _selected(ws: Workspace, ids: tuple[int, ...], filters: FilterOptions, limit: int) -> list[int]:
    from anomaly_desk.report import select_ids

    if ids and filters.given:
        raise click.UsageError("give anomaly ids or filters, not both")
    chosen, total = select_ids(ws, ids, None if ids else filters.spec(ws), limit)
    if not chosen:
        raise click.UsageError("no anomalies match; nothing to report")
    if total > len(chosen):
        click.echo(
            f"note: {total} anomalies match; the {len(chosen)} strongest are included "
            "(raise --limit for more)",
            err=True,
        )
    return chosen


def _incident(
    ws: Workspace,
    incident_id: int,
    ids: tuple[int, ...],
    filters: FilterOptions,
    title: str | None,
    summary: str,
) -> tuple[list[int], str, str]:
    """The incident's members, and its title and summary unless given on the command line."""
    if ids or filters.given:
        raise click.UsageError("give --incident or anomaly ids or filters, not several")
    info, members = ws.incident(incident_id)
    if not members:
        raise click.UsageError(f"incident {incident_id} has no anomalies; nothing to report")
    return [m.id for m in members], title or info.title, summary or info.summary


@click.command("report")
@ids_argument
@workspace_option
@filter_options
@limit_option
@click.option("--output", "-o", type=click.Path(dir_okay=False, path_type=Path), required=True,
              help="The HTML file to write (self-contained).")  # fmt: skip
@click.option("--pdf", "pdf_path", type=click.Path(dir_okay=False, path_type=Path),
              help="Also write the same report as PDF here.")  # fmt: skip
@click.option("--incident", "incident_id", type=click.IntRange(1), default=None,
              help="Report on this incident: its members, its title and summary.")  # fmt: skip
@title_option
@summary_option
@author_option
@handle_errors
def report_command(
    ids: tuple[int, ...],
    workspace: Path | None,
    filters: FilterOptions,
    limit: int,
    output: Path,
    pdf_path: Path | None,
    incident_id: int | None,
    title: str | None,
    summary: str,
    author: str | None,
) -> None:
    """Write a case report (HTML, and PDF with --pdf) for anomaly IDS, those the filters
    select, or an --incident's members: plots, explanations, triage history, comments, audit
    hashes, input hashes."""
    from anomaly_desk.report import build_case, write_report
    from anomaly_desk.store import Workspace

    with Workspace.open(workspace, create=False) as ws, progress_bar("writing report") as p:
        if incident_id is not None:
            chosen, title, summary = _incident(ws, incident_id, ids, filters, title, summary)
        else:
            chosen = _selected(ws, ids, filters, limit)
        case = build_case(ws, chosen, title=title, summary=summary, author=author, progress=p)
        write_report(case, output, pdf_path, p)
    head = case.chain.head
    click.echo(f"report on {len(case.anomalies)} anomalies: {output}")
    if pdf_path is not None:
        click.echo(f"pdf: {pdf_path}")
    click.echo(f"audit chain head at export: {head if head else 'none'}")


@click.command("export-anomalies")
@ids_argument
@workspace_option
@filter_options
@click.option("--format", "fmt", type=click.Choice(["csv", "json", "parquet"]), required=True,
              help="csv / parquet: flat rows; json: with the structured explanation.")  # fmt: skip
@click.option("--output", "-o", type=click.Path(dir_okay=False, path_type=Path), required=True)
@handle_errors
def export_anomalies_command(
    ids: tuple[int, ...],
    workspace: Path | None,
    filters: FilterOptions,
    fmt: str,
    output: Path,
) -> None:
    """Export anomaly IDS, or all those the filters select, as CSV, JSON or Parquet."""
    from anomaly_desk.report import export_anomalies
    from anomaly_desk.store import Workspace

    if ids and filters.given:
        raise click.UsageError("give anomaly ids or filters, not both")
    with Workspace.open(workspace, create=False) as ws, progress_bar("exporting") as p:
        if ids:
            for anomaly_id in ids:
                ws.anomaly(anomaly_id)  # an unknown id fails before anything is written
        count = export_anomalies(ws, filters.spec(ws), fmt, output, p, ids=ids)
    click.echo(f"{count} anomalies written to {output} ({fmt})")


@click.command("bundle")
@ids_argument
@workspace_option
@filter_options
@limit_option
@click.option("--output", "-o", type=click.Path(dir_okay=False, path_type=Path), required=True,
              help="The zip file to write.")  # fmt: skip
@title_option
@summary_option
@author_option
@handle_errors
def bundle_command(
    ids: tuple[int, ...],
    workspace: Path | None,
    filters: FilterOptions,
    limit: int,
    output: Path,
    title: str | None,
    summary: str,
    author: str | None,
) -> None:
    """Write an evidence bundle (zip: report, data around each anomaly, audit chain, manifest)
    and print the manifest's SHA-256: keep it somewhere else to prove the bundle later."""
    from anomaly_desk.report import build_case, make_bundle
    from anomaly_desk.store import Workspace

    with Workspace.open(workspace, create=False) as ws, progress_bar("writing bundle") as p:
        chosen = _selected(ws, ids, filters, limit)
        case = build_case(ws, chosen, title=title, summary=summary, author=author, progress=p)
        result = make_bundle(ws, case, output, p)
    click.echo(f"bundle of {len(case.anomalies)} anomalies, {len(result.files)} files: {output}")
    click.echo(f"audit chain head: {result.audit_head if result.audit_head else 'none'}")
    click.echo(f"manifest sha256: {result.manifest_sha256}")


@click.command("verify-bundle")
@click.argument("bundle", type=click.Path(dir_okay=False, path_type=Path, exists=True))
@click.option("--manifest-sha256", "expected", default=None, metavar="HEX",
              help="The manifest hash printed when the bundle was made.")  # fmt: skip
@handle_errors
def verify_bundle_command(bundle: Path, expected: str | None) -> None:
    """Check an evidence bundle: exit 0 if intact, 4 naming the first file changed, added or
    missing (or the manifest edited or replaced)."""
    from anomaly_desk.report import verify_bundle

    check = verify_bundle(bundle, expected)
    if check.first_bad is not None:
        click.echo(f"bundle NOT intact: {check.first_bad.describe()}", err=True)
        raise SystemExit(EXIT_VERIFY_FAILED)
    anchored = " (matches the recorded hash)" if expected else ""
    click.echo(f"bundle intact: {check.files} files match the manifest")
    click.echo(f"manifest sha256: {check.manifest_sha256}{anchored}")
    click.echo(f"audit chain head: {check.audit_head if check.audit_head else 'none'}")
    click.echo(f"made with Anomaly Desk {check.app_version}")
