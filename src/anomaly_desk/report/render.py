"""A ``Case`` as one self-contained HTML page, and the same page as a PDF.

One Jinja2 template serves both: the browser ignores its ``@page`` rules, WeasyPrint uses them
for page size, running header and page numbers. Everything is inline (CSS in ``<style>``, plots
as PNG ``data:`` URIs) so the HTML file is the whole report, readable offline and years later.
Autoescaping is on: narratives, comments and names are user text.

Where the time goes (48 demo anomalies, 37 pages, CPU seconds): WeasyPrint's layout and PDF
writing about 2.7 s, the plots about 1.1 s (one reused figure, ``report/plots.py``), loading the
libraries about 1.6 s (0.6 s of it scikit-learn, which ``detect/base.py`` loads on the way to the
expected band), reading the case 0.2 s. WeasyPrint's time follows the number of table cells and
boxes more than the number of pages, so the template keeps tables to what is tabular (overview,
triage history, audit), gives each a fixed layout, uses no flexbox, and writes each finding's
facts and contributions as lines of text: that took WeasyPrint from 4.2 s to 2.7 s, and the
report from 45 pages to 37. Plots are drawn in this process, one after another: a process pool
saved 0.5 s on two cores only with ``fork``, which is unsafe in the window's worker threads, and
with ``spawn`` each worker spends longer importing matplotlib than drawing its share.
"""

from __future__ import annotations

import json
import logging
import warnings
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import jinja2

from anomaly_desk.model import AuditRecord, Severity
from anomaly_desk.progress import Progress, silent
from anomaly_desk.report.case import Case
from anomaly_desk.report.plots import SEVERITY_HEX, ContextPlotter

NS = 1_000_000_000


def _when(ns: int | None) -> str:
    if ns is None:
        return "–"
    return datetime.fromtimestamp(ns / NS, tz=UTC).strftime("%Y-%m-%d %H:%M:%S UTC")


def _minute(ns: int) -> str:
    """A start time short enough for one line of the overview table (which says "UTC")."""
    return datetime.fromtimestamp(ns / NS, tz=UTC).strftime("%Y-%m-%d %H:%M")


def _stamp(text: str) -> str:
    """An ISO time from the store (audit ``at``, comment time) shown as the rest of the report."""
    try:
        when = datetime.fromisoformat(text)
    except ValueError:
        return text
    return when.astimezone(UTC).strftime("%Y-%m-%d %H:%M:%S UTC")


def _duration(ns: int) -> str:
    if ns <= 0:
        return "one point"
    seconds = ns / NS
    if seconds < 60:
        return f"{seconds:g} s"
    if seconds < 3600:
        return f"{seconds / 60:.0f} min"
    if seconds < 86_400 * 2:
        return f"{seconds / 3600:.1f} h"
    return f"{seconds / 86_400:.1f} days"


def _num(value: float | None) -> str:
    if value is None:
        return "–"
    if value != value:  # NaN
        return "–"
    return f"{value:,.0f}" if abs(value) >= 1000 else f"{value:,.4g}"


def _changes(record: AuditRecord) -> list[tuple[str, str, str]]:
    """(field, before, after) for each field an audit record names, as short text."""
    before = json.loads(record.before) if record.before else {}
    after = json.loads(record.after) if record.after else {}
    keys = list(dict.fromkeys([*before, *after]))

    def show(value: Any) -> str:
        if value is None:
            return "–"
        if isinstance(value, list):
            return ", ".join(str(v) for v in value) or "–"
        return str(value)

    return [(k, show(before.get(k)), show(after.get(k))) for k in keys]


def _pretty(value: Any) -> str:
    return json.dumps(value, indent=2, sort_keys=True, ensure_ascii=False, default=str)


def _environment() -> jinja2.Environment:
    env = jinja2.Environment(
        loader=jinja2.PackageLoader("anomaly_desk.report", "templates"),
        autoescape=True,
        undefined=jinja2.StrictUndefined,  # a misspelt field fails a test, not a reader
        trim_blocks=True,
        lstrip_blocks=True,
    )
    env.filters.update(
        when=_when,
        minute=_minute,
        stamp=_stamp,
        duration=_duration,
        num=_num,
        changes=_changes,
        pretty=_pretty,
    )
    env.globals.update(severity_hex={s.value: SEVERITY_HEX[s] for s in Severity})
    return env


def render_html(case: Case, progress: Progress | None = None) -> str:
    """The report as one HTML document (plots drawn here: most of the time goes to them)."""
    progress = progress or silent()
    plots: dict[int, str] = {}
    plotter = ContextPlotter()  # one figure for every plot: see report/plots.py
    for i, item in enumerate(case.anomalies):
        progress.check()
        plots[item.row.id] = plotter.png(item.row, item.context)
        progress.update((i + 1) / max(1, len(case.anomalies)), "drawing plots")
    css = (Path(__file__).parent / "templates" / "case.css").read_text(encoding="utf-8")
    return _environment().get_template("case.html.j2").render(case=case, plots=plots, css=css)


def render_pdf(html: str) -> bytes:
    """The same HTML laid out as A4 pages by WeasyPrint (no network: nothing is fetched)."""
    # WeasyPrint reports unsupported CSS through logging; the template uses none on purpose,
    # and the logger would otherwise print to stderr in the middle of CLI output.
    logging.getLogger("weasyprint").setLevel(logging.ERROR)
    logging.getLogger("fontTools").setLevel(logging.ERROR)
    with warnings.catch_warnings():
        # WeasyPrint warns (DeprecationWarning) when the optional HarfBuzz-subset library is
        # missing; fonts are then embedded whole. Size, not correctness: not the user's problem.
        warnings.filterwarnings("ignore", message="HarfBuzz-Subset", category=DeprecationWarning)
        import weasyprint

        # Only data: URIs: a report that refers to anything else is a bug, and must not make
        # the PDF depend on (or leak to) the network or the local disk.
        fetcher = weasyprint.URLFetcher(allowed_protocols={"data"}, fail_on_errors=True)
        document = weasyprint.HTML(string=html, url_fetcher=fetcher)
        pdf: bytes = document.write_pdf()
    return pdf


def write_report(
    case: Case,
    html_path: Path | None,
    pdf_path: Path | None = None,
    progress: Progress | None = None,
) -> str:
    """Write the HTML and/or PDF (each via a temporary name, so no half file is left under the
    asked-for name); returns the HTML text."""
    html = render_html(case, progress)
    if html_path is not None:
        _atomic_write(html_path, html.encode("utf-8"))
    if pdf_path is not None:
        _atomic_write(pdf_path, render_pdf(html))
    return html


def _atomic_write(dest: Path, data: bytes) -> None:
    tmp = dest.with_name(dest.name + ".partial")
    try:
        tmp.write_bytes(data)
        tmp.replace(dest)
    finally:
        tmp.unlink(missing_ok=True)
