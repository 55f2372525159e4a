"""Triage: links from comments to the anomalies they mention, audit history by object.

Revision ID: 0004
Revises: 0003
Create Date: 2026-11-28

The audit chain's head is kept in ``workspace_meta['audit_head']`` from now on; a workspace
that already holds audit records gets its current last record as the head.
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0004"
down_revision = "0003"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "comment_links",
        sa.Column("comment_id", sa.Integer(), nullable=False),
        sa.Column("anomaly_id", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(["comment_id"], ["comments.id"], ondelete="CASCADE"),
        sa.ForeignKeyConstraint(["anomaly_id"], ["anomalies.id"], ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("comment_id", "anomaly_id"),
    )
    with op.batch_alter_table("comment_links", schema=None) as batch_op:
        batch_op.create_index("ix_comment_links_anomaly", ["anomaly_id"], unique=False)
    with op.batch_alter_table("audit_log", schema=None) as batch_op:
        batch_op.create_index("ix_audit_object", ["object_uid"], unique=False)
    op.execute(
        "INSERT INTO workspace_meta (key, value) "
        "SELECT 'audit_head', json_object('hash', hash, 'seq', seq) FROM audit_log "
        "ORDER BY seq DESC LIMIT 1"
    )


def downgrade() -> None:
    op.execute("DELETE FROM workspace_meta WHERE key = 'audit_head'")
    with op.batch_alter_table("audit_log", schema=None) as batch_op:
        batch_op.drop_index("ix_audit_object")
    op.drop_table("comment_links")
