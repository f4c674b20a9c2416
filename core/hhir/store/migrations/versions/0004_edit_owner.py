"""Who made each undo step, so undo in a team project undoes your own edits only.

Steps logged before this revision have no owner (NULL): anyone may undo them, as before.

Revision ID: 0004
Revises: 0003
Create Date: 2025-01-04
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0004"
down_revision = "0003"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.add_column("edits", sa.Column("annotator", sa.String(), nullable=True))
    op.create_index("ix_edits_video_id_annotator", "edits", ["video_id", "annotator"], unique=False)


def downgrade() -> None:
    op.drop_index("ix_edits_video_id_annotator", table_name="edits")
    with op.batch_alter_table("edits") as batch:
        batch.drop_column("annotator")
