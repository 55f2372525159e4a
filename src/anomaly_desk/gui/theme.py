"""Light, dark or the system's colour scheme, as a QPalette on the Fusion style.

Fusion draws the same on every platform and follows the palette completely, so one palette is
the whole dark theme; plots get their colours from ``TimelineWidget.set_dark``.
"""

from __future__ import annotations

from PySide6.QtCore import Qt
from PySide6.QtGui import QColor, QGuiApplication, QPalette
from PySide6.QtWidgets import QApplication

Role = QPalette.ColorRole
Group = QPalette.ColorGroup


def system_prefers_dark() -> bool:
    hints = QGuiApplication.styleHints()
    scheme = getattr(hints, "colorScheme", None)  # Qt >= 6.5
    return scheme is not None and scheme() == Qt.ColorScheme.Dark


def dark_palette() -> QPalette:
    palette = QPalette()
    colours = {
        Role.Window: "#2b2d30",
        Role.WindowText: "#dfe1e5",
        Role.Base: "#1e1f22",
        Role.AlternateBase: "#26282b",
        Role.ToolTipBase: "#3c3f41",
        Role.ToolTipText: "#dfe1e5",
        Role.PlaceholderText: "#8c9096",
        Role.Text: "#dfe1e5",
        Role.Button: "#3a3d41",
        Role.ButtonText: "#dfe1e5",
        Role.BrightText: "#ff6b6b",
        Role.Light: "#4a4d51",
        Role.Midlight: "#404347",
        Role.Mid: "#2f3134",
        Role.Dark: "#1b1c1e",
        Role.Shadow: "#000000",
        Role.Highlight: "#2f65ca",
        Role.HighlightedText: "#ffffff",
        Role.Link: "#6fa8ff",
        Role.LinkVisited: "#b294ff",
    }
    for role, colour in colours.items():
        palette.setColor(role, QColor(colour))
    for role in (Role.WindowText, Role.Text, Role.ButtonText):
        palette.setColor(Group.Disabled, role, QColor("#7b7f85"))
    palette.setColor(Group.Disabled, Role.Base, QColor("#25272a"))
    palette.setColor(Group.Disabled, Role.Highlight, QColor("#44474b"))
    return palette


def apply_theme(app: QApplication, theme: str) -> bool:
    """Apply "light", "dark" or "system"; return whether the result is dark."""
    if app.style().name().lower() != "fusion":
        app.setStyle("Fusion")
    dark = theme == "dark" or (theme == "system" and system_prefers_dark())
    app.setPalette(dark_palette() if dark else app.style().standardPalette())
    return dark
