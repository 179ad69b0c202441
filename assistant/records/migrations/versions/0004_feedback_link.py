"""Feedback names the answer it judges (its permalink key), so the secretariat can open it.

Revision ID: 0004
Revises: 0003
"""

import sqlalchemy as sa
from alembic import op

revision = "0004"
down_revision = "0003"


def upgrade() -> None:
    with op.batch_alter_table("feedback") as feedback:
        feedback.add_column(sa.Column("link", sa.String(32), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("feedback") as feedback:
        feedback.drop_column("link")
