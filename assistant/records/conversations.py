"""A user's conversations, kept so they can be reopened, renamed, deleted, and one answer shared by its link."""

from __future__ import annotations

import json
from dataclasses import dataclass
from typing import Any

from sqlalchemy import Connection, Engine, delete, func, insert, select, update

from assistant.records.database import conversations_table, questions_table

TITLE_LENGTH = 120


@dataclass(frozen=True)
class Conversation:
    id: str
    title: str
    started_at: str
    updated_at: str
    questions: int


@dataclass(frozen=True)
class SharedAnswer:
    """One answer as its permalink shows it: who asked, when, and the answer's JSON as it was given."""

    link: str
    user: str
    asked_at: str
    result: dict[str, Any]


def touch(connection: Connection, user: str, conversation: str, question: str, at: str) -> None:
    """The conversation's row for one more question: created with the question as its title, else its date moved."""
    key = (conversations_table.c.user == user) & (conversations_table.c.id == conversation)
    moved = connection.execute(update(conversations_table).where(key).values(updated_at=at))
    if moved.rowcount == 0:
        connection.execute(insert(conversations_table).values(
            user=user, id=conversation, title=title_from(question), started_at=at, updated_at=at,
        ))


def title_from(question: str) -> str:
    words = " ".join(question.split())
    return words if len(words) <= TITLE_LENGTH else words[: TITLE_LENGTH - 1].rstrip() + "…"


class Conversations:
    def __init__(self, engine: Engine) -> None:
        self.engine = engine

    def of(self, user: str, limit: int = 50) -> list[Conversation]:
        """The user's conversations, the most recent first."""
        asked = (
            select(questions_table.c.conversation, func.count().label("questions"))
            .where(questions_table.c.user == user)
            .group_by(questions_table.c.conversation)
            .subquery()
        )
        c = conversations_table.c
        query = (
            select(c.id, c.title, c.started_at, c.updated_at, func.coalesce(asked.c.questions, 0))
            .join(asked, asked.c.conversation == c.id, isouter=True)
            .where(c.user == user)
            .order_by(c.updated_at.desc(), c.started_at.desc())
            .limit(limit)
        )
        with self.engine.connect() as connection:
            return [Conversation(*row) for row in connection.execute(query).all()]

    def turns(self, user: str, conversation: str) -> list[tuple[dict[str, Any], str | None]]:
        """Each answer of the user's conversation, in order, as its JSON and its permalink key; empty when the
        conversation is not theirs (or no longer kept)."""
        q = questions_table.c
        query = (
            select(q.result, q.link)
            .where((q.user == user) & (q.conversation == conversation))
            .order_by(q.id)
        )
        with self.engine.connect() as connection:
            return [(json.loads(result), link) for result, link in connection.execute(query).all()]

    def rename(self, user: str, conversation: str, title: str) -> bool:
        title = title_from(title)
        if not title:
            raise ValueError("A conversation's title cannot be empty.")
        c = conversations_table.c
        with self.engine.begin() as connection:
            return connection.execute(
                update(conversations_table).where((c.user == user) & (c.id == conversation)).values(title=title)
            ).rowcount > 0

    def delete(self, user: str, conversation: str) -> int:
        """The conversation and its questions deleted; how many questions went with it."""
        c, q = conversations_table.c, questions_table.c
        with self.engine.begin() as connection:
            connection.execute(delete(conversations_table).where((c.user == user) & (c.id == conversation)))
            return connection.execute(
                delete(questions_table).where((q.user == user) & (q.conversation == conversation))
            ).rowcount

    def shared(self, link: str) -> SharedAnswer | None:
        q = questions_table.c
        if not link:
            return None
        with self.engine.connect() as connection:
            row = connection.execute(select(q.user, q.asked_at, q.result).where(q.link == link)).first()
        return None if row is None else SharedAnswer(link, row.user, row.asked_at, json.loads(row.result))
