"""Small widgets of the filter bar: chips, severity toggles and multi-choice menu buttons."""

from __future__ import annotations

from collections.abc import Sequence

from PySide6.QtCore import Signal, Slot
from PySide6.QtGui import QAction
from PySide6.QtWidgets import (
    QHBoxLayout,
    QLabel,
    QMenu,
    QSizePolicy,
    QToolButton,
    QWidget,
)

from anomaly_desk.gui.severity import SEVERITY_HEX, SEVERITY_LABEL, SEVERITY_ORDER
from anomaly_desk.model import Severity


class ChipRow(QWidget):
    """Read-only pills ("severity: critical") showing what a query was understood as."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self._layout = QHBoxLayout(self)
        self._layout.setContentsMargins(0, 0, 0, 0)
        self._layout.setSpacing(4)
        self.caption = QLabel("", self)
        self._layout.addWidget(self.caption)
        self._layout.addStretch(1)
        self.labels: list[QLabel] = []

    def set_chips(self, caption: str, chips: Sequence[str]) -> None:
        for label in self.labels:
            self._layout.removeWidget(label)
            label.deleteLater()
        self.labels = []
        self.caption.setText(caption if chips else "")
        for i, chip in enumerate(chips):
            label = QLabel(chip, self)
            label.setObjectName("chip")
            label.setStyleSheet(
                "QLabel#chip { border: 1px solid palette(mid); border-radius: 9px;"
                " padding: 1px 8px; background: palette(alternate-base); }"
            )
            self._layout.insertWidget(1 + i, label)
            self.labels.append(label)
        self.setVisible(bool(chips))

    def texts(self) -> list[str]:
        return [label.text() for label in self.labels]


class SeverityToggles(QWidget):
    """One toggle per severity; none pressed means any severity."""

    toggled = Signal()

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        layout = QHBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.setSpacing(2)
        self.buttons: dict[Severity, QToolButton] = {}
        for severity in SEVERITY_ORDER:
            button = QToolButton(self)
            button.setText(SEVERITY_LABEL[severity])
            button.setCheckable(True)
            button.setToolTip(f"Show only {severity.value} anomalies (with any other pressed)")
            colour = SEVERITY_HEX[severity]
            button.setStyleSheet(
                f"QToolButton {{ border: 1px solid palette(mid); border-left: 5px solid {colour};"
                " border-radius: 3px; padding: 2px 6px; color: palette(window-text); }"
                f" QToolButton:checked {{ background: {colour}; color: #1d1d1d; }}"
            )
            button.toggled.connect(self._on_toggled)
            layout.addWidget(button)
            self.buttons[severity] = button

    def refresh_style(self) -> None:
        """Re-resolve ``palette(...)`` in the style sheets after a theme change (Qt resolves
        them once, when the widget is polished)."""
        for button in self.buttons.values():
            button.setStyleSheet(button.styleSheet())

    def selected(self) -> tuple[Severity, ...]:
        return tuple(s for s, b in self.buttons.items() if b.isChecked())

    def set_selected(self, severities: Sequence[Severity]) -> None:
        for severity, button in self.buttons.items():
            button.blockSignals(True)
            button.setChecked(severity in severities)
            button.blockSignals(False)

    @Slot(bool)
    def _on_toggled(self, _checked: bool) -> None:
        self.toggled.emit()


class ChoiceButton(QToolButton):
    """A button with a menu of checkable choices; none checked means any."""

    changed = Signal()

    def __init__(self, title: str, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.title = title
        self.setPopupMode(QToolButton.ToolButtonPopupMode.InstantPopup)
        self.setSizePolicy(QSizePolicy.Policy.Preferred, QSizePolicy.Policy.Fixed)
        self._menu = QMenu(self)
        self.setMenu(self._menu)
        self.actions_by_value: dict[str, QAction] = {}
        self._update_text()

    def set_choices(self, choices: Sequence[tuple[str, str]]) -> None:
        """``(value, label)`` pairs; keeps what was checked where it still exists."""
        checked = set(self.selected())
        self._menu.clear()
        self.actions_by_value = {}
        for value, label in choices:
            action = self._menu.addAction(label)
            action.setCheckable(True)
            action.setChecked(value in checked)
            action.setData(value)
            action.toggled.connect(self._on_toggled)
            self.actions_by_value[value] = action
        self._update_text()

    def selected(self) -> tuple[str, ...]:
        return tuple(v for v, a in self.actions_by_value.items() if a.isChecked())

    def set_selected(self, values: Sequence[str]) -> None:
        for value, action in self.actions_by_value.items():
            action.blockSignals(True)
            action.setChecked(value in values)
            action.blockSignals(False)
        self._update_text()

    def _update_text(self) -> None:
        chosen = [a.text() for a in self.actions_by_value.values() if a.isChecked()]
        shown = "any" if not chosen else chosen[0] if len(chosen) == 1 else f"{len(chosen)} chosen"
        self.setText(f"{self.title}: {shown}")

    @Slot(bool)
    def _on_toggled(self, _checked: bool) -> None:
        self._update_text()
        self.changed.emit()
