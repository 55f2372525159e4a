"""The timeline widget's shortcuts draw what the long way would: UTC ticks without per-tick
time-zone conversions, axes kept as pixmaps, one fill path per band, shared marker symbols."""

from __future__ import annotations

from datetime import UTC, datetime

import numpy as np
import pyqtgraph as pg
import pytest
from PySide6.QtGui import QImage, QPainter
from PySide6.QtWidgets import QGraphicsItem
from pytestqt.qtbot import QtBot

from anomaly_desk.gui.detail_tasks import Band
from anomaly_desk.gui.loaders import SeriesData
from anomaly_desk.gui.timeline import MIN_TICK_PX, TimelineWidget, UtcDateAxis
from anomaly_desk.gui.timeline_peaks import Peaks
from anomaly_desk.model import AnomalyRow, SeriesInfo, Severity, Status

START = 1_704_067_200.0  # 2024-01-01 00:00 UTC
DAY = 86_400.0


def _data(n: int = 200_000, step: float = 60.0) -> SeriesData:
    x = START + step * np.arange(n)
    y = np.sin(np.arange(n) / 500.0)
    y[1000:1010] = np.nan
    info = SeriesInfo(1, 1, "host/value", "host", "value", n, None, None, step)
    return SeriesData(info, "metrics", x, y, False, Peaks.build(y))


def _timeline(qtbot: QtBot) -> TimelineWidget:
    widget = TimelineWidget()
    qtbot.addWidget(widget)
    widget.resize(900, 400)
    widget.show()
    return widget


@pytest.mark.parametrize(
    ("span", "first_of"),
    [
        (20 * 365 * DAY, "year"),
        (200 * DAY, "month"),
        (20 * DAY, "day"),
        (2 * DAY, "hour"),
        (3 * 3600.0, "hour"),
    ],
)
def test_date_ticks_fall_on_utc_boundaries(qtbot: QtBot, span: float, first_of: str) -> None:
    axis = _drawn_axis(qtbot, UtcDateAxis())
    levels = axis.tickValues(START + 0.3 * DAY, START + 0.3 * DAY + span, 900)
    ticks = [t for _, level in levels for t in level]
    assert len(ticks) >= 2
    coarsest = [datetime.fromtimestamp(t, tz=UTC) for t in levels[0][1]]
    assert all(d.minute == 0 and d.second == 0 for d in coarsest)
    if first_of != "hour":
        assert all(d.hour == 0 for d in coarsest)
    if first_of in ("year", "month"):
        assert all(d.day == 1 for d in coarsest)
    if first_of == "year":
        assert all(d.month == 1 for d in coarsest)


def _drawn_axis(qtbot: QtBot, axis: pg.DateAxisItem, width: int = 900) -> pg.DateAxisItem:
    """The axis in a plot drawn once: it measures its labels with the font it drew with."""
    plot = pg.PlotWidget(axisItems={"bottom": axis})
    qtbot.addWidget(plot)
    plot.resize(width, 200)
    plot.grab()
    axis.plot_widget = plot  # the axis only holds its view weakly: keep the plot alive
    return axis


def test_date_ticks_are_pyqtgraphs_for_a_utc_clock_less_the_too_dense(qtbot: QtBot) -> None:
    ours = _drawn_axis(qtbot, UtcDateAxis())
    theirs = _drawn_axis(qtbot, pg.DateAxisItem(orientation="bottom", utcOffset=0))
    dropped = 0
    for span in (20 * 365 * DAY, 5 * 365 * DAY, 40 * DAY, 3 * DAY, 6 * 3600.0, 600.0):
        low, high = START + 12_345.0, START + 12_345.0 + span
        expected = theirs.tickValues(low, high, 900)
        sparse = expected[:1] + [lv for lv in expected[1:] if len(lv[1]) * MIN_TICK_PX <= 900]
        assert ours.tickValues(low, high, 900) == sparse
        dropped += len(expected) - len(sparse)
    assert dropped == 1  # twenty years' months, 4 px apart


def _pixels(image: QImage) -> np.ndarray:
    image = image.convertToFormat(QImage.Format.Format_RGBA8888)
    return np.array(image.constBits()).reshape(image.height(), image.width(), 4).astype(int)


def test_cached_axes_draw_what_uncached_ones_draw(qtbot: QtBot) -> None:
    cached, plain = _timeline(qtbot), _timeline(qtbot)
    for plot in (plain.plot, plain.overview):
        for name in ("left", "bottom"):
            plot.getPlotItem().getAxis(name).setCacheMode(QGraphicsItem.CacheMode.NoCache)
    data = _data()
    steps = [
        lambda w: w.show_series(data),
        lambda w: w.resize(700, 300),  # a stale pixmap would keep the old size
        lambda w: w.focus(int(data.x[50_000] * 1e9), int(data.x[50_100] * 1e9)),  # new ticks
        lambda w: w.set_dark(True),  # new colours
    ]
    for step in steps:
        for widget in (cached, plain):
            step(widget)
        qtbot.wait(20)
        difference = np.abs(_pixels(cached.grab().toImage()) - _pixels(plain.grab().toImage()))
        # A stale pixmap differs in thousands of pixels; a grid line's end at the plot's edge
        # may be rounded differently in one.
        assert np.count_nonzero(difference.max(axis=2) > 2) < 50


def _band(x0: float, low: float, high: float) -> Band:
    x = x0 + 60.0 * np.arange(500)
    return Band(1, x, np.full(500, low), np.full(500, high))


def test_the_band_fill_follows_each_new_band_and_hides_without_one(qtbot: QtBot) -> None:
    widget = _timeline(qtbot)
    widget.show_series(_data())
    fill = widget.overlays.band_fill
    for band in (_band(START, -1.0, 1.0), _band(START + DAY, 2.0, 5.0)):
        widget.set_band(band)
        bounds = fill.path().boundingRect()  # of the drawn (peak-downsampled) edges
        assert fill.isVisible()
        assert band.x[0] <= bounds.left() < bounds.right() <= band.x[-1]
        assert (bounds.top(), bounds.bottom()) == (band.low[0], band.high[0])
    widget.set_band(Band(1, np.zeros(0), np.zeros(0), np.zeros(0), "no expected band"))
    assert not fill.isVisible()
    assert widget.overlays.band_low.getData()[0] is None  # no points left behind


def _row(i: int, severity: Severity, peak: float) -> AnomalyRow:
    ns = int(peak * 1e9)
    return AnomalyRow(
        id=i, uid=f"u{i}", dataset="metrics", series="host/value", entity="host", type="spike",
        start_ns=ns, end_ns=ns + 60_000_000_000, peak_ns=ns, score=float(i % 100),
        severity=severity, status=Status.NEW, assignee=None, tags=(), summary="",
        actual=None, expected=None, band_low=None, band_high=None, starred=False, series_id=1,
    )  # fmt: skip


def test_a_thousand_markers_render_one_symbol_per_severity(qtbot: QtBot) -> None:
    widget = _timeline(qtbot)
    data = _data()
    widget.show_series(data)
    severities = list(Severity)
    rows = tuple(_row(i, severities[i % len(severities)], data.x[i * 150]) for i in range(1000))
    widget.set_anomalies(1, rows)
    widget.set_anomalies(1, rows[:500])  # and again: nothing new to render
    markers = widget.overlays.markers
    assert len(markers.data) == 500
    assert len(markers.fragmentAtlas) <= len(severities)
    assert {p.data() for p in markers.points()} == {r.id for r in rows[:500]}
    spans = widget.overlays.regions.opts  # full height: the series' finite extremes
    finite = data.y[np.isfinite(data.y)]
    assert set(spans["y0"]) == {finite.min()} and set(spans["y1"]) == {finite.max()}


class _EveryLabel(UtcDateAxis):
    def _crowded(self, values: list[float], spacing: float) -> bool:
        return False


def _labels(axis: pg.DateAxisItem, low: float, high: float) -> list[str]:
    axis.linkedView().setXRange(low, high, padding=0)
    image = QImage(2000, 100, QImage.Format.Format_ARGB32_Premultiplied)
    painter = QPainter(image)
    try:
        return [text for _, _, text in axis.generateDrawSpecs(painter)[2]]
    finally:
        painter.end()


@pytest.mark.parametrize("width", [300, 900, 1600])
def test_crowded_labels_are_skipped_only_where_none_would_be_drawn(
    qtbot: QtBot, width: int
) -> None:
    ours, every = (_drawn_axis(qtbot, cls(), width) for cls in (UtcDateAxis, _EveryLabel))
    for days in (20 * 365, 3 * 365, 200, 40, 9, 2, 0.3, 0.05):
        low = START + 12_345.0
        assert _labels(ours, low, low + days * DAY) == _labels(every, low, low + days * DAY)
    # Months at least MIN_TICK_PX apart (they are drawn), too many for their labels.
    years = {300: 3, 900: 8, 1600: 14}[width]
    levels = ours.tickValues(START, START + years * 365 * DAY, width)
    months = levels[1][1]
    assert len(months) >= 10 * years and ours.tickStrings(months, 1.0, levels[1][0]) == []
