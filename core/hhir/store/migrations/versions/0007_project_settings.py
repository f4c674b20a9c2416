"""Project settings: choices that belong to the project, not to one person's app (who may
adjudicate a disagreement). One row per setting; a missing row means the default.

Revision ID: 0007
Revises: 0006
Create Date: 2026-12-07
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0007"
down_revision = "0006"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "project_settings",
        sa.Column("key", sa.String(), nullable=False),
        sa.Column("value", sa.String(), nullable=False),
        sa.PrimaryKeyConstraint("key", name=op.f("pk_project_settings")),
    )


def downgrade() -> None:
    op.drop_table("project_settings")
