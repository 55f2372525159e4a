"""A message plus, when the input was bad, a table of row / column / value / problem."""

from __future__ import annotations

import re

from PySide6.QtWidgets import QHeaderView, QLabel, QTableView, QVBoxLayout, QWidget

from anomaly_desk.errors import BadInputError
from anomaly_desk.gui.errors import describe_error
from anomaly_desk.gui.table_models import ProblemsModel

# The core's messages and hints name command-line options; in the window they name controls.
GUI_WORDS = (
    (
        "--bad-values missing imports such values as missing",
        "choose 'Import them as missing' (mapping page) to import such values as missing",
    ),
    ("--timestamp-format", "the timestamp format on the mapping page"),
    ("--timestamp COLUMN", "the timestamp column on the mapping page"),
    ("--value COLUMN", "the value columns on the mapping page"),
    ("--kind events", "the kind 'Events' on the mapping page"),
    ("--delimiter", "the delimiter on the preview page"),
    (" with --name", " (the dataset name on the mapping page)"),
)
CLI_FLAG = re.compile(r"\s*\(--[a-z-]+(?: [A-Z]+)?\)")


def for_the_window(text: str) -> str:
    """Say a core message in the window's words instead of the command line's."""
    for cli, gui in GUI_WORDS:
        text = text.replace(cli, gui)
    return CLI_FLAG.sub("", text)


class ProblemsPanel(QWidget):
    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.message = QLabel(self)
        self.message.setWordWrap(True)
        self.model = ProblemsModel(self)
        self.table = QTableView(self)
        self.table.setModel(self.model)
        self.table.setAlternatingRowColors(True)
        self.table.verticalHeader().setVisible(False)
        header = self.table.horizontalHeader()
        header.setSectionResizeMode(QHeaderView.ResizeMode.ResizeToContents)
        header.setStretchLastSection(True)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addWidget(self.message)
        layout.addWidget(self.table, 1)
        self.setVisible(False)

    def show_error(self, exc: BaseException, context: str) -> None:
        if isinstance(exc, BadInputError):
            count = len(exc.problems) + exc.more
            what = "one problem" if count == 1 else f"{count:,} problems"
            hint = f"\nHint: {for_the_window(exc.hint)}" if exc.hint else ""
            self.message.setText(
                f"{exc.source} cannot be imported: {what}. Nothing was changed.{hint}"
            )
            self.model.set_problems(exc.problems, exc.more)
            self.table.setVisible(True)
        else:
            self.message.setText(for_the_window(describe_error(exc, context).text))
            self.model.set_problems([])
            self.table.setVisible(False)
        self.setVisible(True)

    def clear(self) -> None:
        self.model.set_problems([])
        self.setVisible(False)
