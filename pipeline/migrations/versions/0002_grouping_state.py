"""Grouping state: labels.grouped (work found by flag, not by scan) and the cumulative
development summary (independent sources, best article confidence, headline facilities).

Revision ID: 0002
Revises: 0001
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0002"
down_revision = "0001"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("developments") as batch_op:
        batch_op.add_column(sa.Column("independent_source_ids", sa.JSON(), nullable=False, server_default="[]"))
        batch_op.add_column(sa.Column("max_article_confidence", sa.Float(), nullable=False, server_default="0"))
        batch_op.add_column(sa.Column("headline_facility_ids", sa.JSON(), nullable=False, server_default="[]"))
    # Existing developments keep their confidence as their best article's.
    op.execute("UPDATE developments SET max_article_confidence = confidence")
    with op.batch_alter_table("labels") as batch_op:
        batch_op.add_column(sa.Column("grouped", sa.Boolean(), nullable=False, server_default=sa.false()))
        batch_op.create_index("ix_labels_pending_grouping", ["is_ceasefire_development", "grouped"], unique=False)
    # Articles already placed in a development were grouped by the earlier version.
    op.execute("UPDATE labels SET grouped = true WHERE article_id IN (SELECT article_id FROM development_articles)")


def downgrade() -> None:
    with op.batch_alter_table("labels") as batch_op:
        batch_op.drop_index("ix_labels_pending_grouping")
        batch_op.drop_column("grouped")
    with op.batch_alter_table("developments") as batch_op:
        batch_op.drop_column("headline_facility_ids")
        batch_op.drop_column("max_article_confidence")
        batch_op.drop_column("independent_source_ids")
