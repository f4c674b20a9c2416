"""Initial schema: videos, structure, transcript, labels, models, predictions, annotations, reviews,
the undo log and the feature cache.

Revision ID: 0001
Revises:
Create Date: 2025-01-01
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0001"
down_revision = None
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table('features',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('fingerprint', sa.String(), nullable=False),
    sa.Column('start_ms', sa.Integer(), nullable=False),
    sa.Column('end_ms', sa.Integer(), nullable=False),
    sa.Column('encoder_id', sa.String(), nullable=False),
    sa.Column('dim', sa.Integer(), nullable=False),
    sa.Column('dtype', sa.String(), nullable=False),
    sa.Column('data', sa.LargeBinary(), nullable=False),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_features')),
    sa.UniqueConstraint('fingerprint', 'start_ms', 'end_ms', 'encoder_id', name=op.f('uq_features_fingerprint_start_ms_end_ms_encoder_id'))
    )
    op.create_table('labels',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('name', sa.String(), nullable=False),
    sa.Column('description', sa.String(), nullable=False),
    sa.Column('key', sa.String(), nullable=False),
    sa.Column('position', sa.Integer(), nullable=False),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_labels')),
    sa.UniqueConstraint('name', name=op.f('uq_labels_name'))
    )
    op.create_table('models',
    sa.Column('id', sa.String(), nullable=False),
    sa.Column('kind', sa.String(), nullable=False),
    sa.Column('path', sa.String(), nullable=False),
    sa.Column('parent', sa.String(), nullable=True),
    sa.Column('created_at', sa.String(), nullable=False),
    sa.Column('active', sa.Boolean(), nullable=False),
    sa.Column('metrics', sa.JSON(), nullable=False),
    sa.Column('label_set', sa.JSON(), nullable=False),
    sa.CheckConstraint("kind IN ('starter', 'trained', 'imported')", name=op.f('ck_models_kind')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_models'))
    )
    op.create_index('uq_models_active', 'models', ['active'], unique=True, sqlite_where=sa.text('active = 1'), postgresql_where=sa.text('active'))
    op.create_table('videos',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('path', sa.String(), nullable=False),
    sa.Column('fingerprint', sa.String(), nullable=False),
    sa.Column('duration_s', sa.Double(), nullable=False),
    sa.Column('fps', sa.Double(), nullable=False),
    sa.Column('frame_count', sa.Integer(), nullable=False),
    sa.Column('width', sa.Integer(), nullable=False),
    sa.Column('height', sa.Integer(), nullable=False),
    sa.Column('has_audio', sa.Boolean(), nullable=False),
    sa.Column('added_at', sa.String(), nullable=False),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_videos')),
    sa.UniqueConstraint('fingerprint', name=op.f('uq_videos_fingerprint'))
    )
    op.create_table('clips',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('video_id', sa.Integer(), nullable=False),
    sa.Column('index', sa.Integer(), nullable=False),
    sa.Column('first_shot', sa.Integer(), nullable=False),
    sa.Column('last_shot', sa.Integer(), nullable=False),
    sa.Column('start_s', sa.Double(), nullable=False),
    sa.Column('end_s', sa.Double(), nullable=False),
    sa.Column('start_frame', sa.Integer(), nullable=False),
    sa.Column('end_frame', sa.Integer(), nullable=False),
    sa.Column('text', sa.String(), nullable=False),
    sa.ForeignKeyConstraint(['video_id'], ['videos.id'], name=op.f('fk_clips_video_id_videos'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_clips'))
    )
    op.create_index(op.f('ix_clips_video_id'), 'clips', ['video_id'], unique=False)
    op.create_table('edits',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('video_id', sa.Integer(), nullable=False),
    sa.Column('seq', sa.Integer(), nullable=False),
    sa.Column('kind', sa.String(), nullable=False),
    sa.Column('description', sa.String(), nullable=False),
    sa.Column('targets', sa.JSON(), nullable=False),
    sa.Column('rows', sa.JSON(), nullable=False),
    sa.Column('undone', sa.Boolean(), nullable=False),
    sa.Column('created_at', sa.String(), nullable=False),
    sa.ForeignKeyConstraint(['video_id'], ['videos.id'], name=op.f('fk_edits_video_id_videos'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_edits')),
    sa.UniqueConstraint('video_id', 'seq', name=op.f('uq_edits_video_id_seq'))
    )
    op.create_table('shots',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('video_id', sa.Integer(), nullable=False),
    sa.Column('index', sa.Integer(), nullable=False),
    sa.Column('start_frame', sa.Integer(), nullable=False),
    sa.Column('end_frame', sa.Integer(), nullable=False),
    sa.Column('start_s', sa.Double(), nullable=False),
    sa.Column('end_s', sa.Double(), nullable=False),
    sa.ForeignKeyConstraint(['video_id'], ['videos.id'], name=op.f('fk_shots_video_id_videos'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_shots')),
    sa.UniqueConstraint('video_id', 'index', name=op.f('uq_shots_video_id_index'))
    )
    op.create_table('stages',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('video_id', sa.Integer(), nullable=False),
    sa.Column('stage', sa.String(), nullable=False),
    sa.Column('params', sa.String(), nullable=False),
    sa.Column('done_at', sa.String(), nullable=False),
    sa.ForeignKeyConstraint(['video_id'], ['videos.id'], name=op.f('fk_stages_video_id_videos'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_stages')),
    sa.UniqueConstraint('video_id', 'stage', name=op.f('uq_stages_video_id_stage'))
    )
    op.create_table('transcript_segments',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('video_id', sa.Integer(), nullable=False),
    sa.Column('start_s', sa.Double(), nullable=False),
    sa.Column('end_s', sa.Double(), nullable=False),
    sa.Column('text', sa.String(), nullable=False),
    sa.ForeignKeyConstraint(['video_id'], ['videos.id'], name=op.f('fk_transcript_segments_video_id_videos'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_transcript_segments'))
    )
    op.create_index(op.f('ix_transcript_segments_video_id'), 'transcript_segments', ['video_id'], unique=False)
    op.create_table('annotations',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('video_id', sa.Integer(), nullable=False),
    sa.Column('clip_id', sa.Integer(), nullable=True),
    sa.Column('is_scene', sa.Boolean(), nullable=False),
    sa.Column('orphan', sa.Boolean(), nullable=False),
    sa.Column('start_s', sa.Double(), nullable=True),
    sa.Column('end_s', sa.Double(), nullable=True),
    sa.Column('label', sa.String(), nullable=False),
    sa.Column('state', sa.String(), nullable=False),
    sa.Column('annotator', sa.String(), nullable=False),
    sa.Column('source', sa.String(), nullable=False),
    sa.Column('created_at', sa.String(), nullable=False),
    sa.Column('updated_at', sa.String(), nullable=False),
    sa.CheckConstraint("state IN ('present', 'absent')", name=op.f('ck_annotations_state')),
    sa.ForeignKeyConstraint(['clip_id'], ['clips.id'], name=op.f('fk_annotations_clip_id_clips'), ondelete='SET NULL'),
    sa.ForeignKeyConstraint(['video_id'], ['videos.id'], name=op.f('fk_annotations_video_id_videos'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_annotations')),
    sa.UniqueConstraint('video_id', 'clip_id', 'label', 'annotator', name=op.f('uq_annotations_video_id_clip_id_label_annotator'))
    )
    op.create_index(op.f('ix_annotations_clip_id'), 'annotations', ['clip_id'], unique=False)
    op.create_index('uq_annotations_scene', 'annotations', ['video_id', 'label', 'annotator'], unique=True, sqlite_where=sa.text('is_scene = 1'), postgresql_where=sa.text('is_scene'))
    op.create_table('predictions',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('model_id', sa.String(), nullable=False),
    sa.Column('video_id', sa.Integer(), nullable=False),
    sa.Column('clip_id', sa.Integer(), nullable=True),
    sa.Column('label', sa.String(), nullable=False),
    sa.Column('probability', sa.Double(), nullable=False),
    sa.ForeignKeyConstraint(['clip_id'], ['clips.id'], name=op.f('fk_predictions_clip_id_clips'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['model_id'], ['models.id'], name=op.f('fk_predictions_model_id_models'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['video_id'], ['videos.id'], name=op.f('fk_predictions_video_id_videos'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_predictions'))
    )
    op.create_index(op.f('ix_predictions_clip_id'), 'predictions', ['clip_id'], unique=False)
    op.create_index('ix_predictions_model_id_video_id', 'predictions', ['model_id', 'video_id'], unique=False)
    op.create_table('reviews',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('video_id', sa.Integer(), nullable=False),
    sa.Column('clip_id', sa.Integer(), nullable=True),
    sa.Column('annotator', sa.String(), nullable=False),
    sa.Column('reviewed_at', sa.String(), nullable=False),
    sa.ForeignKeyConstraint(['clip_id'], ['clips.id'], name=op.f('fk_reviews_clip_id_clips'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['video_id'], ['videos.id'], name=op.f('fk_reviews_video_id_videos'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_reviews')),
    sa.UniqueConstraint('video_id', 'clip_id', 'annotator', name=op.f('uq_reviews_video_id_clip_id_annotator'))
    )
    op.create_index(op.f('ix_reviews_clip_id'), 'reviews', ['clip_id'], unique=False)
    op.create_index('uq_reviews_scene', 'reviews', ['video_id', 'annotator'], unique=True, sqlite_where=sa.text('clip_id IS NULL'), postgresql_where=sa.text('clip_id IS NULL'))


def downgrade() -> None:
    op.drop_index('uq_reviews_scene', table_name='reviews', sqlite_where=sa.text('clip_id IS NULL'), postgresql_where=sa.text('clip_id IS NULL'))
    op.drop_index(op.f('ix_reviews_clip_id'), table_name='reviews')
    op.drop_table('reviews')
    op.drop_index('ix_predictions_model_id_video_id', table_name='predictions')
    op.drop_index(op.f('ix_predictions_clip_id'), table_name='predictions')
    op.drop_table('predictions')
    op.drop_index('uq_annotations_scene', table_name='annotations', sqlite_where=sa.text('is_scene = 1'), postgresql_where=sa.text('is_scene'))
    op.drop_index(op.f('ix_annotations_clip_id'), table_name='annotations')
    op.drop_table('annotations')
    op.drop_index(op.f('ix_transcript_segments_video_id'), table_name='transcript_segments')
    op.drop_table('transcript_segments')
    op.drop_table('stages')
    op.drop_table('shots')
    op.drop_table('edits')
    op.drop_index(op.f('ix_clips_video_id'), table_name='clips')
    op.drop_table('clips')
    op.drop_table('videos')
    op.drop_index('uq_models_active', table_name='models', sqlite_where=sa.text('active = 1'), postgresql_where=sa.text('active'))
    op.drop_table('models')
    op.drop_table('labels')
    op.drop_table('features')
