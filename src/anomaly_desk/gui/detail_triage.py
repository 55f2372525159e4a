"""The detail pane's triage part: comments (with ``#123`` links), a box to add one, the
anomaly's history from the audit log, and similar past anomalies with how they were judged.

It shows a ``TriageInfo`` (loaded in a worker) and emits what the user asks for; the triage
controller does the writing.
"""

from __future__ import annotations

import html
import re

from PySide6.QtCore import Qt, QUrl, Signal, Slot
from PySide6.QtWidgets import (
    QHBoxLayout,
    QLabel,
    QListWidget,
    QListWidgetItem,
    QPlainTextEdit,
    QPushButton,
    QTextBrowser,
    QVBoxLayout,
    QWidget,
)

from anomaly_desk.gui.anomaly_tasks import when
from anomaly_desk.gui.audit_tasks import describe, when_text
from anomaly_desk.gui.triage_tasks import TriageInfo
from anomaly_desk.model import Comment, SimilarAnomaly

NO_COMMENTS = "No comments yet."
NO_HISTORY = "No changes recorded yet."
NO_SIMILAR = "No similar past anomalies."
LINK_SCHEME = "anomaly"
_MENTION = re.compile(r"(?<![\w#&])#(\d{1,18})(?!\w)")  # as triage.mentions reads them


def comment_html(comment: Comment) -> str:
    """The body as HTML, with a link for every ``#id`` the store resolved to an anomaly."""
    links = set(comment.links)

    def link(match: re.Match[str]) -> str:
        anomaly_id = int(match.group(1))
        if anomaly_id not in links:
            return match.group(0)
        return f'<a href="{LINK_SCHEME}:{anomaly_id}">#{anomaly_id}</a>'

    body = _MENTION.sub(link, html.escape(comment.body)).replace("\n", "<br>")
    return (
        f"<p><b>{html.escape(comment.author)}</b> "
        f"<span style='color:gray'>{when_text(comment.created_at)} UTC</span><br>{body}</p>"
    )


def similar_text(other: SimilarAnomaly) -> str:
    judged = other.verdict.value.replace("_", " ") if other.verdict else "no verdict"
    return (
        f"#{other.id}  {when(other.start_ns)}  score {other.score:.0f}  "
        f"{other.status.value.replace('_', ' ')} · {judged}"
    )


class TriageSection(QWidget):
    comment_submitted = Signal(int, str)  # anomaly id, body
    anomaly_clicked = Signal(int)

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.anomaly_id: int | None = None
        self.info: TriageInfo | None = None
        self.comments = QTextBrowser(self)
        self.comments.setOpenLinks(False)  # a link is a jump inside the app, not a URL
        self.comments.setMaximumHeight(150)
        self.comments.anchorClicked.connect(self._on_anchor)
        self.comment_box = QPlainTextEdit(self)
        self.comment_box.setPlaceholderText("Add a comment; #123 links to anomaly 123")
        self.comment_box.setMaximumHeight(60)
        self.comment_box.textChanged.connect(self._update_button)
        self.comment_button = QPushButton("Add comment", self)
        self.comment_button.clicked.connect(self.submit)
        self.history = QListWidget(self)
        self.history.setMaximumHeight(120)
        self.history.setWordWrap(True)  # a change line must be read whole, not scrolled to
        self.similar = QListWidget(self)
        self.similar.setMaximumHeight(120)
        self.similar.setWordWrap(True)
        self.similar.itemActivated.connect(self._on_similar)
        self.similar.itemClicked.connect(self._on_similar)
        row = QHBoxLayout()
        row.addWidget(self.comment_box, 1)
        row.addWidget(self.comment_button, 0, Qt.AlignmentFlag.AlignBottom)
        column = QVBoxLayout(self)
        column.setContentsMargins(0, 0, 0, 0)
        column.setSpacing(6)
        self.headings: list[QLabel] = []
        for title, widget in (
            ("Comments", self.comments),
            ("", row),
            ("History", self.history),
            ("Similar past anomalies and how they were judged", self.similar),
        ):
            if title:
                label = QLabel(title, self)
                font = label.font()
                font.setBold(True)
                label.setFont(font)
                self.headings.append(label)
                column.addWidget(label)
            if isinstance(widget, QHBoxLayout):
                column.addLayout(widget)
            else:
                column.addWidget(widget)
        self.clear()

    def clear(self, anomaly_id: int | None = None) -> None:
        """Nothing loaded (yet) for ``anomaly_id``; None or a live finding: nothing to edit."""
        self.anomaly_id = anomaly_id if anomaly_id is not None and anomaly_id > 0 else None
        self.info = None
        self.comments.setPlainText(NO_COMMENTS)
        self.history.clear()
        self.similar.clear()
        self._update_button()

    def show_info(self, info: TriageInfo) -> None:
        self.anomaly_id = info.anomaly_id
        self.info = info
        parts = [comment_html(c) for c in info.comments]
        if info.mentions:
            parts.append("<p><i>Mentioned in comments on:</i> " + ", ".join(
                f'<a href="{LINK_SCHEME}:{c.anomaly_id}">#{c.anomaly_id}</a>'
                for c in info.mentions
            ) + "</p>")  # fmt: skip
        if parts:
            self.comments.setHtml("".join(parts))
        else:
            self.comments.setPlainText(NO_COMMENTS)
        self.history.clear()
        for record in reversed(info.history):  # newest first: what just happened is on top
            text = f"{when_text(record.at)}  {record.actor}  {describe(record)}"
            QListWidgetItem(text, self.history).setToolTip(text)
        if not info.history:
            self.history.addItem(NO_HISTORY)
        self.similar.clear()
        for other in info.similar:
            item = QListWidgetItem(similar_text(other), self.similar)
            item.setData(Qt.ItemDataRole.UserRole, other.id)
        if not info.similar:
            self.similar.addItem(NO_SIMILAR)
        self._update_button()

    def comment_texts(self) -> str:
        return self.comments.toPlainText()

    def history_texts(self) -> list[str]:
        return [self.history.item(i).text() for i in range(self.history.count())]

    @Slot()
    def submit(self) -> None:
        body = self.comment_box.toPlainText().strip()
        if body and self.anomaly_id is not None:
            self.comment_button.setEnabled(False)  # until the comment is stored (or fails)
            self.comment_submitted.emit(self.anomaly_id, body)

    @Slot()
    def comment_stored(self) -> None:
        self.comment_box.clear()
        self._update_button()

    @Slot()
    def comment_failed(self) -> None:
        self._update_button()  # the text stays: the user can fix it and try again

    @Slot()
    def _update_button(self) -> None:
        has_text = bool(self.comment_box.toPlainText().strip())
        self.comment_button.setEnabled(has_text and self.anomaly_id is not None)
        self.comment_box.setEnabled(self.anomaly_id is not None)

    @Slot(QUrl)
    def _on_anchor(self, url: QUrl) -> None:
        if url.scheme() == LINK_SCHEME and url.path().isdigit():
            self.anomaly_clicked.emit(int(url.path()))

    @Slot(QListWidgetItem)
    def _on_similar(self, item: QListWidgetItem) -> None:
        anomaly_id = item.data(Qt.ItemDataRole.UserRole)
        if isinstance(anomaly_id, int):
            self.anomaly_clicked.emit(anomaly_id)
