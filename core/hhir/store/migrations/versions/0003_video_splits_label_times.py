"""Each video's fixed side (train / validation / test) and when each label was added.

The split is kept in the project so every later model holds out the same videos; a label's
creation time tells which reviews happened before it existed (those clips were never judged for it).

Revision ID: 0003
Revises: 0002
Create Date: 2025-01-03
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
        "video_splits",
        sa.Column("fingerprint", sa.String(), nullable=False),
        sa.Column("film", sa.String(), nullable=True),
        sa.Column("side", sa.String(), nullable=False),
        sa.Column("seed", sa.Integer(), nullable=False),
        sa.Column("assigned_at", sa.String(), nullable=False),
        sa.Column("moved_at", sa.String(), nullable=True),
        sa.CheckConstraint("side IN ('train', 'validation', 'test')", name=op.f("ck_video_splits_side")),
        sa.PrimaryKeyConstraint("fingerprint", name=op.f("pk_video_splits")),
    )
    op.create_index("ix_video_splits_film", "video_splits", ["film"], unique=False)
    # NULL: the label existed before its creation time was recorded (as old as every review).
    op.add_column("labels", sa.Column("created_at", sa.String(), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("labels") as batch:
        batch.drop_column("created_at")
    op.drop_index("ix_video_splits_film", table_name="video_splits")
    op.drop_table("video_splits")
