"""Every question asked (chat and API) with its answer and outcome: the secretariat's view, and history.

Revision ID: 0002
Revises: 0001
"""

import sqlalchemy as sa
from alembic import op

revision = "0002"
down_revision = "0001"


def upgrade() -> None:
    op.create_table(
        "questions",
        sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
        sa.Column("asked_at", sa.String(40), nullable=False, index=True),
        sa.Column("user", sa.String(320), nullable=False, index=True),
        sa.Column("channel", sa.String(40), nullable=False),
        sa.Column("conversation", sa.String(64), nullable=False),
        sa.Column("question", sa.Text, nullable=False),
        sa.Column("answer", sa.Text, nullable=False),
        sa.Column("outcome", sa.String(20), nullable=False),
        sa.Column("mode", sa.String(200), nullable=False),
        sa.Column("result", sa.Text, nullable=False),
    )


def downgrade() -> None:
    op.drop_table("questions")
