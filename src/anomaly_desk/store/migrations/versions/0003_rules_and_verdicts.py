"""Rules (detection, suppression, maintenance windows) and analyst verdicts on anomalies.

Revision ID: 0003
Revises: 0002
Create Date: 2026-11-27

``anomalies.suppressed_by`` names a rule without a foreign key: adding one would copy the
whole anomalies table (SQLite cannot add constraints in place), which is slow on a large
workspace. A trigger gives the same effect: deleting a rule un-mutes its anomalies.
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0003"
down_revision = "0002"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "rules",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("uid", sa.String(length=36), nullable=False),
        sa.Column("kind", sa.String(), nullable=False),
        sa.Column("name", sa.String(), nullable=False),
        sa.Column("dataset_id", sa.Integer(), nullable=True),
        sa.Column("series_glob", sa.String(), nullable=False),
        sa.Column("definition", sa.Text(), nullable=False),
        sa.Column("enabled", sa.Boolean(), nullable=False),
        sa.Column("created_at", sa.String(), nullable=False),
        sa.Column("created_by", sa.String(), nullable=False),
        sa.ForeignKeyConstraint(["dataset_id"], ["datasets.id"], ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("uid"),
    )
    op.add_column("anomalies", sa.Column("verdict", sa.String(), nullable=True))
    op.execute(
        "CREATE TRIGGER rules_unsuppress AFTER DELETE ON rules BEGIN "
        "UPDATE anomalies SET suppressed_by = NULL WHERE suppressed_by = old.id; END"
    )


def downgrade() -> None:
    op.execute("DROP TRIGGER IF EXISTS rules_unsuppress")
    with op.batch_alter_table("anomalies") as batch:
        batch.drop_column("verdict")
    op.drop_table("rules")
