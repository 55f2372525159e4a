"""Full-text search over anomaly summaries, comments and tags (SQLite FTS5).

Revision ID: 0002
Revises: 0001
Create Date: 2026-11-27

Triggers keep the index in step with every writer (GUI, CLI, sync), so no caller can forget.
"""

from __future__ import annotations

from alembic import op

revision = "0002"
down_revision = "0001"
branch_labels = None
depends_on = None

_COMMENTS = "(SELECT coalesce(group_concat(body, ' '), '') FROM comments WHERE anomaly_id = {id})"
_TAGS = (
    "(SELECT coalesce(group_concat(t.name, ' '), '') FROM anomaly_tags AS at "
    "JOIN tags AS t ON t.id = at.tag_id WHERE at.anomaly_id = {id})"
)

TRIGGERS = {
    "anomaly_fts_insert": "AFTER INSERT ON anomalies BEGIN "
    "INSERT INTO anomaly_fts (rowid, summary, comments, tags) "
    "VALUES (new.id, new.summary, '', ''); END",
    "anomaly_fts_delete": "AFTER DELETE ON anomalies BEGIN "
    "DELETE FROM anomaly_fts WHERE rowid = old.id; END",
    "anomaly_fts_summary": "AFTER UPDATE OF summary ON anomalies BEGIN "
    "UPDATE anomaly_fts SET summary = new.summary WHERE rowid = new.id; END",
    "anomaly_fts_comment_insert": "AFTER INSERT ON comments BEGIN "
    f"UPDATE anomaly_fts SET comments = {_COMMENTS.format(id='new.anomaly_id')} "
    "WHERE rowid = new.anomaly_id; END",
    "anomaly_fts_comment_delete": "AFTER DELETE ON comments BEGIN "
    f"UPDATE anomaly_fts SET comments = {_COMMENTS.format(id='old.anomaly_id')} "
    "WHERE rowid = old.anomaly_id; END",
    "anomaly_fts_tag_insert": "AFTER INSERT ON anomaly_tags BEGIN "
    f"UPDATE anomaly_fts SET tags = {_TAGS.format(id='new.anomaly_id')} "
    "WHERE rowid = new.anomaly_id; END",
    "anomaly_fts_tag_delete": "AFTER DELETE ON anomaly_tags BEGIN "
    f"UPDATE anomaly_fts SET tags = {_TAGS.format(id='old.anomaly_id')} "
    "WHERE rowid = old.anomaly_id; END",
}


def upgrade() -> None:
    op.execute("CREATE VIRTUAL TABLE anomaly_fts USING fts5(summary, comments, tags)")
    op.execute(
        "INSERT INTO anomaly_fts (rowid, summary, comments, tags) "
        f"SELECT a.id, a.summary, {_COMMENTS.format(id='a.id')}, {_TAGS.format(id='a.id')} "
        "FROM anomalies AS a"
    )
    for name, body in TRIGGERS.items():
        op.execute(f"CREATE TRIGGER {name} {body}")


def downgrade() -> None:
    for name in TRIGGERS:
        op.execute(f"DROP TRIGGER IF EXISTS {name}")
    op.execute("DROP TABLE IF EXISTS anomaly_fts")
