"""The context plot of one anomaly as a PNG ``data:`` URI (no file, no display, no pyplot).

``matplotlib.figure.Figure`` is used directly rather than ``pyplot``: no global figure registry,
no GUI backend is ever chosen, and ``savefig(format="png")`` renders with Agg.

PNG rather than SVG: measured on 46 NYC-taxi anomalies, WeasyPrint lays out the PDF in 3.0 s
with PNG plots and 5.1 s with SVG ones (it draws each SVG itself), and Agg renders a plot a
little faster than the SVG backend writes one. At 130 dpi the plots print sharply; the numbers
that matter (actual, expected, range) are in the text beside each plot, selectable and found
by ``pdftotext``.
"""

from __future__ import annotations

import base64
import io
from typing import Any

import matplotlib as mpl
import numpy as np
from matplotlib.dates import AutoDateLocator, ConciseDateFormatter
from matplotlib.figure import Figure

from anomaly_desk.model import AnomalyRow, Severity
from anomaly_desk.report.context import Context

SEVERITY_HEX = {  # the GUI's palette (gui/severity.py), so a report looks like the app
    Severity.CRITICAL: "#fe5050",
    Severity.MAJOR: "#fba740",
    Severity.MINOR: "#fdec25",
    Severity.WARNING: "#8bc8fb",
    Severity.LOW: "#a9b4be",
}
LINE = "#2f4b7c"
BAND = "#9bbf9b"
SIZE_IN = (7.0, 1.9)
MAX_PLOT_POINTS = 2000  # a window wider than this is thinned: drawing stays fast
DPI = 130
DAY_NS = 86_400 * 1_000_000_000

_STYLE: dict[Any, Any] = {  # Any: matplotlib types the keys as a long Literal
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


def _x(ts_ns: np.ndarray) -> np.ndarray:
    """matplotlib's date numbers (days since its ``date.epoch``) for UTC nanosecond timestamps;
    computed here because ``dates.date2num`` goes through datetime64 and is untyped."""
    epoch = np.datetime64(mpl.rcParams["date.epoch"], "ns").astype(np.int64)
    return (np.asarray(ts_ns, dtype=np.int64) - epoch) / DAY_NS


def _at(ns: int) -> float:
    return float(_x(np.array([ns], dtype=np.int64))[0])


def context_png(row: AnomalyRow, context: Context) -> str:
    """The series around ``row`` with its span shaded, the expected band and the peak marked,
    as ``data:image/png;base64,...``; an empty string when there is nothing to draw."""
    if not len(context.ts_ns):
        return ""
    step = max(1, len(context.ts_ns) // MAX_PLOT_POINTS)
    ts, values = context.ts_ns[::step], context.values[::step]
    colour = SEVERITY_HEX[row.severity]
    with mpl.rc_context(_STYLE):
        # Fixed margins rather than constrained layout: that costs a second draw per plot.
        fig = Figure(figsize=SIZE_IN)
        fig.subplots_adjust(left=0.085, right=0.97, top=0.95, bottom=0.2)
        ax = fig.add_subplot()
        x = _x(ts)
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
        if row.end_ns > row.start_ns:
            ax.axvspan(_at(row.start_ns), _at(row.end_ns), color=colour, alpha=0.25,
                       linewidth=0, label="anomaly")  # fmt: skip
        else:  # a one-point finding: a span of zero width would not show
            ax.axvline(_at(row.start_ns), color=colour, alpha=0.5, linewidth=4, label="anomaly")
        ax.plot(x, values, color=LINE, linewidth=0.9, label=row.series or "value")
        if row.actual is not None:
            ax.scatter([_at(row.peak_ns)], [row.actual], s=22, color=colour, zorder=5,
                       edgecolors="#333333", linewidths=0.5, label="actual at peak")  # fmt: skip
        if row.expected is not None:
            ax.scatter([_at(row.peak_ns)], [row.expected], s=22, marker="D", zorder=5,
                       facecolors="white", edgecolors="#2d7d2d", linewidths=1.0,
                       label="expected at peak")  # fmt: skip
        locator = AutoDateLocator()  # type: ignore[no-untyped-call]
        ax.xaxis.set_major_locator(locator)
        formatter = ConciseDateFormatter(locator, show_offset=True)  # type: ignore[no-untyped-call]
        ax.xaxis.set_major_formatter(formatter)
        ax.grid(True, axis="y")
        ax.margins(x=0)
        ax.set_ylabel(row.series or "value")
        buffer = io.BytesIO()
        # No "Software" entry: the same data gives the same bytes whatever matplotlib did it.
        fig.savefig(buffer, format="png", dpi=DPI, metadata={"Software": None})
    encoded = base64.b64encode(buffer.getvalue()).decode("ascii")
    return f"data:image/png;base64,{encoded}"
