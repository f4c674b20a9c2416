"""Interactions: who (a character) does what (a label) to whom (a character, the group, someone
off-screen, unknown), over a free span of frames, with its state, annotator, source and evidence.

Revision ID: 0006
Revises: 0005
Create Date: 2026-12-07
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0006"
down_revision = "0005"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "interactions",
        sa.Column("id", sa.Integer(), primary_key=True),
        sa.Column("video_id", sa.Integer(), sa.ForeignKey("videos.id", ondelete="CASCADE", name="fk_interactions_video_id_videos"), nullable=False),
        sa.Column("actor_id", sa.Integer(), sa.ForeignKey("people_characters.id", ondelete="CASCADE",
                  name="fk_interactions_actor_id_people_characters"), nullable=False),
        sa.Column("label", sa.String(), nullable=False),
        sa.Column("target_kind", sa.String(), nullable=False),
        sa.Column("target_id", sa.Integer(), sa.ForeignKey("people_characters.id", ondelete="CASCADE",
                  name="fk_interactions_target_id_people_characters"), nullable=True),
        sa.Column("start_frame", sa.Integer(), nullable=False),
        sa.Column("end_frame", sa.Integer(), nullable=False),
        sa.Column("state", sa.String(), nullable=False),
        sa.Column("annotator", sa.String(), nullable=False),
        sa.Column("source", sa.String(), nullable=False),
        sa.Column("evidence", sa.String(), nullable=True),
        sa.Column("created_at", sa.String(), nullable=False),
        sa.Column("updated_at", sa.String(), nullable=False),
        sa.CheckConstraint("state IN ('present', 'absent', 'unreviewed')", name=op.f("ck_interactions_state")),
        sa.CheckConstraint("target_kind IN ('character', 'group', 'offscreen', 'unknown')", name=op.f("ck_interactions_target_kind")),
        sa.CheckConstraint("source IN ('annotator', 'suggestion', 'import')", name=op.f("ck_interactions_source")),
        sa.CheckConstraint("end_frame > start_frame", name=op.f("ck_interactions_span")),
    )
    op.create_index("ix_interactions_video_id_annotator", "interactions", ["video_id", "annotator"])
    op.create_index("ix_interactions_actor_id", "interactions", ["actor_id"])
    op.create_index("ix_interactions_target_id", "interactions", ["target_id"])


def downgrade() -> None:
    op.drop_table("interactions")
