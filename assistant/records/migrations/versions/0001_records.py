"""Feedback, audit log, API tokens and the record of imported files in one database.

Revision ID: 0001
Revises:
"""

import sqlalchemy as sa
from alembic import op

revision = "0001"
down_revision = None


def upgrade() -> None:
    op.create_table(
        "feedback",
        sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
        sa.Column("created_at", sa.String(40), nullable=False),
        sa.Column("rating", sa.Integer, nullable=False),
        sa.Column("comment", sa.Text, nullable=False),
        sa.Column("question", sa.Text, nullable=False),
        sa.Column("answer", sa.Text, nullable=False),
        sa.Column("citations", sa.Text, nullable=False),
        sa.Column("mode", sa.String(200), nullable=False),
        sa.Column("user", sa.String(320), nullable=False),
    )
    op.create_table(
        "audit",
        sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
        sa.Column("at", sa.String(40), nullable=False),
        sa.Column("who", sa.String(320), nullable=False),
        sa.Column("action", sa.String(200), nullable=False),
        sa.Column("target", sa.Text, nullable=False),
        sa.Column("result", sa.Text, nullable=False),
    )
    op.create_table(
        "api_tokens",
        sa.Column("name", sa.String(200), primary_key=True),
        sa.Column("sha256", sa.String(64), nullable=False, unique=True),
        sa.Column("created_at", sa.String(40), nullable=False),
        sa.Column("revoked_at", sa.String(40), nullable=True),
    )
    op.create_table(
        "imported_files",
        sa.Column("path", sa.String(1000), primary_key=True),
        sa.Column("imported_at", sa.String(40), nullable=False),
    )


def downgrade() -> None:
    for table in ("imported_files", "api_tokens", "audit", "feedback"):
        op.drop_table(table)
