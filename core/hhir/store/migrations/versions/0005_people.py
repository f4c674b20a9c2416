"""People: characters, their tracks and boxes, and speech turns by voice.

Revision ID: 0005
Revises: 0004
Create Date: 2026-12-07
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0005"
down_revision = "0004"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "people_characters",
        sa.Column("id", sa.Integer(), primary_key=True),
        sa.Column("video_id", sa.Integer(), sa.ForeignKey("videos.id", ondelete="CASCADE", name="fk_people_characters_video_id_videos"), nullable=False),
        sa.Column("number", sa.Integer(), nullable=False),
        sa.Column("name", sa.String(), nullable=True),
        sa.Column("confirmed", sa.Boolean(), nullable=False),
        sa.Column("annotator", sa.String(), nullable=True),
        sa.Column("updated_at", sa.String(), nullable=False),
        sa.UniqueConstraint("video_id", "number", name="uq_people_characters_video_id_number"),
    )
    op.create_index("ix_people_characters_video_id", "people_characters", ["video_id"])
    op.create_table(
        "people_tracks",
        sa.Column("id", sa.Integer(), primary_key=True),
        sa.Column("video_id", sa.Integer(), sa.ForeignKey("videos.id", ondelete="CASCADE", name="fk_people_tracks_video_id_videos"), nullable=False),
        sa.Column("shot_index", sa.Integer(), nullable=False),
        sa.Column("start_frame", sa.Integer(), nullable=False),
        sa.Column("end_frame", sa.Integer(), nullable=False),
        sa.Column("character_id", sa.Integer(), sa.ForeignKey("people_characters.id", ondelete="SET NULL",
                  name="fk_people_tracks_character_id_people_characters"), nullable=True),
        sa.Column("assigned_by", sa.String(), nullable=True),
        sa.Column("source", sa.String(), nullable=False),
    )
    op.create_index("ix_people_tracks_video_id_shot_index", "people_tracks", ["video_id", "shot_index"])
    op.create_index("ix_people_tracks_character_id", "people_tracks", ["character_id"])
    op.create_table(
        "people_boxes",
        sa.Column("id", sa.Integer(), primary_key=True),
        sa.Column("track_id", sa.Integer(), sa.ForeignKey("people_tracks.id", ondelete="CASCADE", name="fk_people_boxes_track_id_people_tracks"), nullable=False),
        sa.Column("frame", sa.Integer(), nullable=False),
        sa.Column("x0", sa.Double(), nullable=False),
        sa.Column("y0", sa.Double(), nullable=False),
        sa.Column("x1", sa.Double(), nullable=False),
        sa.Column("y1", sa.Double(), nullable=False),
        sa.Column("confidence", sa.Double(), nullable=False),
        sa.Column("source", sa.String(), nullable=False),
        sa.Column("face", sa.JSON(), nullable=True),
        sa.UniqueConstraint("track_id", "frame", name="uq_people_boxes_track_id_frame"),
    )
    op.create_table(
        "speech_turns",
        sa.Column("id", sa.Integer(), primary_key=True),
        sa.Column("video_id", sa.Integer(), sa.ForeignKey("videos.id", ondelete="CASCADE", name="fk_speech_turns_video_id_videos"), nullable=False),
        sa.Column("start_s", sa.Double(), nullable=False),
        sa.Column("end_s", sa.Double(), nullable=False),
        sa.Column("speaker", sa.Integer(), nullable=False),
        sa.Column("track_id", sa.Integer(), sa.ForeignKey("people_tracks.id", ondelete="SET NULL", name="fk_speech_turns_track_id_people_tracks"), nullable=True),
        sa.Column("character_id", sa.Integer(), sa.ForeignKey("people_characters.id", ondelete="SET NULL",
                  name="fk_speech_turns_character_id_people_characters"), nullable=True),
        sa.Column("confidence", sa.Double(), nullable=True),
        sa.Column("source", sa.String(), nullable=False),
    )
    op.create_index("ix_speech_turns_video_id", "speech_turns", ["video_id"])


def downgrade() -> None:
    op.drop_table("speech_turns")
    op.drop_table("people_boxes")
    op.drop_table("people_tracks")
    op.drop_table("people_characters")
