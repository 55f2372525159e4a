"""Context plots drawn one after another on one figure: each plot shows its own data only (no
limits, markers or shading left over from the plot before), the same input always gives the
same bytes, and the PNG is opaque RGB (an alpha channel costs the PDF a second image)."""

from __future__ import annotations

import base64
import io

import numpy as np
from PIL import Image

from anomaly_desk.model import AnomalyRow, Severity, Status
from anomaly_desk.report.context import Context
from anomaly_desk.report.plots import BAND, LINE, SEVERITY_HEX, ContextPlotter

STEP = 300 * 1_000_000_000
T0 = 1_741_000_000 * 1_000_000_000


def _row(score: float, start: int, end: int, actual: float | None, expected: float | None) -> AnomalyRow:  # fmt: skip
    return AnomalyRow(
        id=1, uid="u1", dataset="d", series="host/metric", entity=None, type="spike",
        start_ns=T0 + start * STEP, end_ns=T0 + end * STEP, peak_ns=T0 + start * STEP,
        score=score, severity=Severity.from_score(score), status=Status.NEW, assignee=None,
        tags=(), summary="", actual=actual, expected=expected, band_low=None, band_high=None,
        starred=False, series_id=1, dataset_id=1,
    )  # fmt: skip


def _context(level: float, points: int = 300, band: bool = True) -> Context:
    rng = np.random.default_rng(1)
    ts = T0 + np.arange(points, dtype=np.int64) * STEP
    values = level + rng.normal(scale=level / 20, size=points)
    if not band:
        return Context(ts, values)
    return Context(ts, values, values - level / 10, values + level / 10)


def _image(uri: str) -> Image.Image:
    assert uri.startswith("data:image/png;base64,")
    return Image.open(io.BytesIO(base64.b64decode(uri.partition(",")[2])))


def _has(image: Image.Image, hex_colour: str, tolerance: int = 12) -> bool:
    pixels = np.asarray(image, dtype=np.int16)
    rgb = np.array([int(hex_colour[i : i + 2], 16) for i in (1, 3, 5)])
    return bool((np.abs(pixels - rgb).max(axis=2) <= tolerance).any())


def test_each_plot_shows_only_its_own_data() -> None:
    plotter = ContextPlotter()
    big = plotter.png(_row(90, 100, 120, 2_000.0, 1_000.0), _context(1_000.0))
    assert plotter.ax.get_ylim()[1] > 1_500
    small = plotter.png(_row(30, 10, 10, None, None), _context(1.0, band=False))
    low, high = plotter.ax.get_ylim()
    assert 0.5 < low < 1 < high < 1.5  # the first plot's range is gone
    assert len(plotter.actual.get_offsets()) == 0 == len(plotter.expected.get_offsets())
    assert len(plotter.ax.collections) == 2  # the two marker sets: no band left behind
    image = _image(small)
    assert image.mode == "RGB"
    assert _has(image, LINE) and not _has(image, BAND, tolerance=2)
    # Drawn again after another plot, a plot is the same to the byte: nothing leaks between.
    assert ContextPlotter().png(_row(90, 100, 120, 2_000.0, 1_000.0), _context(1_000.0)) == big
    assert plotter.png(_row(90, 100, 120, 2_000.0, 1_000.0), _context(1_000.0)) == big


def test_the_anomaly_is_shaded_in_its_severity_colour_and_nothing_to_draw_is_empty() -> None:
    plotter = ContextPlotter()
    critical = _image(plotter.png(_row(90, 100, 140, 1_300.0, 1_000.0), _context(1_000.0)))
    # The span is drawn at 25 % over white: compare with that blend, not the pure colour.
    rgb = np.array([int(SEVERITY_HEX[Severity.CRITICAL][i : i + 2], 16) for i in (1, 3, 5)])
    blend = "#" + "".join(f"{round(0.25 * c + 0.75 * 255):02x}" for c in rgb)
    assert _has(critical, blend, tolerance=6)
    assert plotter.png(_row(90, 1, 2, None, None), Context()) == ""


def test_plots_reuse_one_figure_and_leave_nothing_behind() -> None:
    """What makes a report's plots cheap: the axes are built once (a timing test would be
    flaky on a busy machine; the structure says it)."""
    plotter = ContextPlotter()
    axes, line = plotter.ax, plotter.line
    for i in range(5):
        one_point = i % 2 == 1
        row = _row(60 + i, 100, 100 if one_point else 110, 1_100.0, 1_000.0)
        assert plotter.png(row, _context(1_000.0 + i, band=i < 3))
        assert plotter.figure.axes == [axes] and plotter.ax.lines[0] is line
        # The curve, the markers, and this plot's band (if any) and span: nothing older.
        assert len(axes.lines) == 1 + one_point and len(axes.patches) == (not one_point)
        assert len(axes.collections) == 2 + (i < 3)
