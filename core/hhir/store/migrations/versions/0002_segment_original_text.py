"""Keep the machine transcript when a person edits a segment; index annotations by annotator.

Revision ID: 0002
Revises: 0001
Create Date: 2025-01-02
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0002"
down_revision = "0001"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.add_column("transcript_segments", sa.Column("original_text", sa.String(), nullable=True))
    op.create_index("ix_annotations_video_id_annotator", "annotations", ["video_id", "annotator"], unique=False)


def downgrade() -> None:
    op.drop_index("ix_annotations_video_id_annotator", table_name="annotations")
    with op.batch_alter_table("transcript_segments") as batch:
        batch.drop_column("original_text")
