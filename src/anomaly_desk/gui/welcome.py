"""What the window shows with no workspace open: the first start offers the demo workspace.

A panel inside the window, not a modal dialog: nothing blocks, and tests click its buttons.
"""

from __future__ import annotations

from PySide6.QtCore import Signal
from PySide6.QtWidgets import QFrame, QHBoxLayout, QLabel, QPushButton, QVBoxLayout, QWidget


class WelcomePanel(QWidget):
    demo_requested = Signal()
    new_requested = Signal()
    open_requested = Signal()

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        card = QFrame(self)
        card.setFrameShape(QFrame.Shape.StyledPanel)
        card.setMaximumWidth(620)
        title = QLabel("Welcome to Anomaly Desk", card)
        font = title.font()
        font.setPointSizeF(font.pointSizeF() * 1.6)
        font.setBold(True)
        title.setFont(font)
        text = QLabel(
            "A workspace is one file that holds your datasets, the anomalies found in them and "
            "your triage. Start with the demo workspace to look around: server metrics, shop "
            "orders across a DST change, login events and expense claims, with planted "
            "incidents to find.",
            card,
        )
        text.setWordWrap(True)
        self.demo_button = QPushButton("Open demo workspace", card)
        self.demo_button.setDefault(True)
        self.new_button = QPushButton("New workspace…", card)
        self.open_button = QPushButton("Open…", card)
        self.demo_button.clicked.connect(self.demo_requested)
        self.new_button.clicked.connect(self.new_requested)
        self.open_button.clicked.connect(self.open_requested)
        buttons = QHBoxLayout()
        buttons.addWidget(self.demo_button)
        buttons.addWidget(self.new_button)
        buttons.addWidget(self.open_button)
        buttons.addStretch(1)
        inner = QVBoxLayout(card)
        inner.setContentsMargins(28, 24, 28, 24)
        inner.setSpacing(14)
        inner.addWidget(title)
        inner.addWidget(text)
        inner.addLayout(buttons)
        # Stretches, not alignment flags: an aligned widget gets its size hint, which ignores
        # the wrapped text's height-for-width and cuts it off.
        row = QHBoxLayout()
        row.addStretch(1)
        row.addWidget(card)
        row.addStretch(1)
        outer = QVBoxLayout(self)
        outer.addStretch(1)
        outer.addLayout(row)
        outer.addStretch(2)
