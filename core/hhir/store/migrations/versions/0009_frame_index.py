"""Frame index: each video's decoded frame count and every frame's timestamp, kept with the file
state it was decoded from, so the player never scans the file again.

Revision ID: 0009
Revises: 0008
Create Date: 2026-12-07
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0009"
down_revision = "0008"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "frame_indexes",
        sa.Column("video_id", sa.Integer(), sa.ForeignKey("videos.id", ondelete="CASCADE",
                  name="fk_frame_indexes_video_id_videos"), nullable=False),
        sa.Column("frame_count", sa.Integer(), nullable=False),
        sa.Column("time_base_num", sa.Integer(), nullable=False),
        sa.Column("time_base_den", sa.Integer(), nullable=False),
        sa.Column("origin_us", sa.BigInteger(), nullable=False),
        sa.Column("last_duration", sa.BigInteger(), nullable=False),
        sa.Column("pts", sa.LargeBinary(), nullable=False),
        sa.Column("file_size", sa.BigInteger(), nullable=False),
        sa.Column("file_mtime_ns", sa.BigInteger(), nullable=False),
        sa.Column("fingerprint", sa.String(), nullable=False),
        sa.Column("built_at", sa.String(), nullable=False),
        sa.PrimaryKeyConstraint("video_id", name=op.f("pk_frame_indexes")),
    )


def downgrade() -> None:
    op.drop_table("frame_indexes")
