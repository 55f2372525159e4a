"""The context plot of one anomaly as an SVG ``data:`` URI (no file, no display, no pyplot).

``matplotlib.figure.Figure`` is used directly rather than ``pyplot``: no global figure registry,
no GUI backend is ever chosen, and ``savefig(format="svg")`` renders through the SVG backend.
Each plot is its own SVG document inside an ``<img>``, so the ids matplotlib gives clip paths
cannot collide between plots of one page. Text stays text (``svg.fonttype = none``): smaller
files, selectable in the HTML and found by ``pdftotext`` in the PDF.
"""

from __future__ import annotations

import base64
import io
from datetime import UTC, datetime

import matplotlib as mpl
import numpy as np
from matplotlib.dates import AutoDateLocator, ConciseDateFormatter
from matplotlib.figure import Figure

from anomaly_desk.model import AnomalyRow, Severity
from anomaly_desk.report.context import NS, Context

SEVERITY_HEX = {  # the GUI's palette (gui/severity.py), so a report looks like the app
    Severity.CRITICAL: "#fe5050",
    Severity.MAJOR: "#fba740",
    Severity.MINOR: "#fdec25",
    Severity.WARNING: "#8bc8fb",
    Severity.LOW: "#a9b4be",
}
LINE = "#2f4b7c"
BAND = "#9bbf9b"
SIZE_IN = (7.0, 2.3)
MAX_PLOT_POINTS = 2000  # a window wider than this is thinned: the SVG stays small

_STYLE = {
    "svg.fonttype": "none",
    "svg.hashsalt": "anomaly-desk",  # stable ids: the same data gives the same bytes
    "font.family": "DejaVu Sans",
    "font.size": 7.5,
    "axes.edgecolor": "#8a94a0",
    "axes.linewidth": 0.6,
    "axes.spines.top": False,
    "axes.spines.right": False,
    "xtick.color": "#4a5560",
    "ytick.color": "#4a5560",
    "grid.color": "#e3e7eb",
    "grid.linewidth": 0.6,
}


def _dates(ts_ns: np.ndarray) -> np.ndarray:
    return np.asarray(ts_ns, dtype="datetime64[ns]").astype("datetime64[ms]").astype(object)


def _when(ns: int) -> datetime:
    return datetime.fromtimestamp(ns / NS, tz=UTC).replace(tzinfo=None)


def context_svg(row: AnomalyRow, context: Context) -> str:
    """The series around ``row`` with its span shaded, the expected band and the peak marked,
    as ``data:image/svg+xml;base64,...``; an empty string when there is nothing to draw."""
    if not len(context.ts_ns):
        return ""
    step = max(1, len(context.ts_ns) // MAX_PLOT_POINTS)
    ts, values = context.ts_ns[::step], context.values[::step]
    colour = SEVERITY_HEX[row.severity]
    with mpl.rc_context(_STYLE):
        fig = Figure(figsize=SIZE_IN, layout="constrained")
        ax = fig.add_subplot()
        x = _dates(ts)
        if context.has_band:
            ax.fill_between(
                x,
                context.band_low[::step],
                context.band_high[::step],
                color=BAND,
                alpha=0.35,
                linewidth=0,
                label="expected band (±2σ)",
            )
        ax.axvspan(
            _when(row.start_ns), _when(max(row.end_ns, row.start_ns + 1)),
            color=colour, alpha=0.22, linewidth=0, label="anomaly",
        )  # fmt: skip
        ax.plot(x, values, color=LINE, linewidth=0.9, label=row.series or "value")
        if row.actual is not None:
            ax.scatter([_when(row.peak_ns)], [row.actual], s=22, color=colour, zorder=5,
                       edgecolors="#333333", linewidths=0.5, label="actual at peak")  # fmt: skip
        if row.expected is not None:
            ax.scatter([_when(row.peak_ns)], [row.expected], s=22, marker="D", zorder=5,
                       facecolors="white", edgecolors="#2d7d2d", linewidths=1.0,
                       label="expected at peak")  # fmt: skip
        locator = AutoDateLocator(maxticks=8)
        ax.xaxis.set_major_locator(locator)
        ax.xaxis.set_major_formatter(ConciseDateFormatter(locator, show_offset=True))
        ax.grid(True, axis="y")
        ax.margins(x=0)
        ax.set_ylabel(row.series or "value")
        ax.legend(loc="upper left", fontsize=6.5, frameon=False, ncols=5,
                  bbox_to_anchor=(0, 1.18))  # fmt: skip
        buffer = io.BytesIO()
        fig.savefig(buffer, format="svg", metadata={"Date": None})
    encoded = base64.b64encode(buffer.getvalue()).decode("ascii")
    return f"data:image/svg+xml;base64,{encoded}"
