"""Adjudicated interactions: an adjudicator's final decision on who does what to whom is kept as an
interaction of the reserved annotator ``@adjudicated`` whose source names the adjudicator
(``adjudication:NAME``), as clip-level adjudications are kept; the source check admits it.

Revision ID: 0008
Revises: 0007
Create Date: 2026-12-07
"""

from __future__ import annotations

from alembic import op

revision = "0008"
down_revision = "0007"
branch_labels = None
depends_on = None

OLD = "source IN ('annotator', 'suggestion', 'import')"
NEW = "source IN ('annotator', 'suggestion', 'import') OR source LIKE 'adjudication:%'"


def upgrade() -> None:
    with op.batch_alter_table("interactions") as batch:
        batch.drop_constraint(op.f("ck_interactions_source"), type_="check")
        batch.create_check_constraint(op.f("ck_interactions_source"), NEW)


def downgrade() -> None:
    op.execute("DELETE FROM interactions WHERE source LIKE 'adjudication:%'")
    with op.batch_alter_table("interactions") as batch:
        batch.drop_constraint(op.f("ck_interactions_source"), type_="check")
        batch.create_check_constraint(op.f("ck_interactions_source"), OLD)
