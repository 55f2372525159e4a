"""Severity colours, one scale for the table, the swimlane and the timeline markers.

The bands are the model's (critical >= 75, major >= 50, minor >= 25, warning >= 3, low below);
the colours follow Kibana's anomaly scale (red, orange, yellow, blue, grey) so that an
investigator coming from Elastic reads them at a glance.
"""

from __future__ import annotations

from functools import cache

import numpy as np
from PySide6.QtCore import Qt
from PySide6.QtGui import QColor, QIcon, QPainter, QPixmap

from anomaly_desk.model import Severity

SEVERITY_ORDER = (
    Severity.CRITICAL,
    Severity.MAJOR,
    Severity.MINOR,
    Severity.WARNING,
    Severity.LOW,
)
SEVERITY_HEX = {
    Severity.CRITICAL: "#fe5050",
    Severity.MAJOR: "#fba740",
    Severity.MINOR: "#fdec25",
    Severity.WARNING: "#8bc8fb",
    Severity.LOW: "#a9b4be",
}
SEVERITY_LABEL = {s: s.value.capitalize() for s in SEVERITY_ORDER}
ICON_SIZE = 12


def severity_colour(severity: Severity) -> QColor:
    return QColor(SEVERITY_HEX[severity])


def score_colour(score: float) -> QColor:
    return severity_colour(Severity.from_score(score))


@cache
def severity_icon(severity: Severity) -> QIcon:
    """A filled dot in the severity's colour (cached: the table asks for it on every paint)."""
    pixmap = QPixmap(ICON_SIZE, ICON_SIZE)
    pixmap.fill(Qt.GlobalColor.transparent)
    painter = QPainter(pixmap)
    painter.setRenderHint(QPainter.RenderHint.Antialiasing)
    painter.setPen(severity_colour(severity).darker(130))
    painter.setBrush(severity_colour(severity))
    painter.drawEllipse(1, 1, ICON_SIZE - 2, ICON_SIZE - 2)
    painter.end()
    return QIcon(pixmap)


def score_lut() -> np.ndarray:
    """RGBA (uint8) for scores 0..100 by integer step; index 0 (nothing found) is transparent."""
    lut = np.zeros((101, 4), dtype=np.uint8)
    for score in range(1, 101):
        colour = score_colour(float(score))
        lut[score] = (colour.red(), colour.green(), colour.blue(), 255)
    return lut


def scores_to_rgba(scores: np.ndarray) -> np.ndarray:
    """A (lanes, buckets) score matrix as an RGBA image; cells with score 0 stay transparent.

    A cell with any finding (score > 0) gets at least the "low" colour, even below 1.
    """
    index = np.where(scores > 0, np.clip(np.ceil(scores), 1, 100), 0).astype(np.intp)
    return _LUT[index]


_LUT = score_lut()
