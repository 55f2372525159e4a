"""Help > About: what is running, for bug reports."""

from __future__ import annotations

import platform
from importlib.metadata import PackageNotFoundError, version

import PySide6
from PySide6.QtCore import Qt, qVersion
from PySide6.QtGui import QIcon
from PySide6.QtWidgets import QMessageBox, QWidget

from anomaly_desk import __version__


def versions() -> dict[str, str]:
    def of(package: str) -> str:
        try:
            return version(package)
        except PackageNotFoundError:
            return "not installed"

    return {
        "Anomaly Desk": __version__,
        "Qt": qVersion(),
        "PySide6": PySide6.__version__,
        "Python": platform.python_version(),
        "pyqtgraph": of("pyqtgraph"),  # read from metadata: no 0.8 s import just for this
    }


def about_html() -> str:
    rows = "".join(f"<tr><td>{k}</td><td>&nbsp;&nbsp;{v}</td></tr>" for k, v in versions().items())
    return (
        "<h3>Anomaly Desk</h3>"
        "<p>Find, understand, triage and report anomalies in time series, event logs and "
        "record tables, on your own workstation.</p>"
        f"<table>{rows}</table>"
    )


def about_box(parent: QWidget, icon: QIcon) -> QMessageBox:
    """The About box, non-modal and deleted on close."""
    box = QMessageBox(parent)
    box.setWindowTitle("About Anomaly Desk")
    box.setTextFormat(Qt.TextFormat.RichText)
    box.setText(about_html())
    box.setIconPixmap(icon.pixmap(64, 64))
    box.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
    box.setWindowModality(Qt.WindowModality.NonModal)
    box.show()
    return box
