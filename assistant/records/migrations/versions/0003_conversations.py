"""Conversations (title, dates) per user, and a permalink key per answered question.

Revision ID: 0003
Revises: 0002
"""

import sqlalchemy as sa
from alembic import op

revision = "0003"
down_revision = "0002"


def upgrade() -> None:
    op.create_table(
        "conversations",
        sa.Column("user", sa.String(320), primary_key=True),
        sa.Column("id", sa.String(64), primary_key=True),
        sa.Column("title", sa.Text, nullable=False),
        sa.Column("started_at", sa.String(40), nullable=False),
        sa.Column("updated_at", sa.String(40), nullable=False, index=True),
    )
    with op.batch_alter_table("questions") as questions:  # batch: SQLite cannot add a unique column in place
        questions.add_column(sa.Column("link", sa.String(32), nullable=True))
        questions.create_unique_constraint("uq_questions_link", ["link"])
    # conversations asked before this revision get their row: title from the opening question
    questions = sa.table("questions", *(sa.column(name) for name in ("id", "user", "conversation", "question", "asked_at")))
    conversations = sa.table("conversations", *(sa.column(name) for name in ("user", "id", "title", "started_at", "updated_at")))
    rows = op.get_bind().execute(sa.select(
        questions.c.user, questions.c.conversation, questions.c.question, questions.c.asked_at
    ).order_by(questions.c.id)).all()
    found: dict[tuple[str, str], dict[str, str]] = {}
    for user, conversation, question, asked_at in rows:
        entry = found.setdefault((user, conversation), {
            "user": user, "id": conversation, "title": question[:120], "started_at": asked_at, "updated_at": asked_at,
        })
        entry["updated_at"] = asked_at
    if found:
        op.bulk_insert(conversations, list(found.values()))


def downgrade() -> None:
    with op.batch_alter_table("questions") as questions:
        questions.drop_constraint("uq_questions_link", type_="unique")
        questions.drop_column("link")
    op.drop_table("conversations")
