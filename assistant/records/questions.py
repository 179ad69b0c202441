"""Every question asked in the chat or through the API, with its answer and outcome (answered / unsure / declined):
what the secretariat reads to see which questions the documents fail to answer."""

from __future__ import annotations

import json
import secrets
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime, timedelta, timezone
from typing import Any

import numpy as np
from sqlalchemy import Engine, delete, insert, select

from assistant.records.conversations import touch
from assistant.records.database import conversations_table, questions_table, utc_now

OUTCOMES = ("answered", "unsure", "declined")


@dataclass(frozen=True)
class AskedQuestion:
    id: int
    asked_at: str
    user: str
    channel: str
    """``chat`` or ``api:<token name>``"""
    conversation: str
    question: str
    answer: str
    outcome: str
    mode: str
    link: str | None
    """The answer's permalink key (None for questions kept before permalinks existed)."""

    def row(self) -> dict[str, Any]:
        return {name: getattr(self, name) for name in self.__dataclass_fields__}


class QuestionLog:
    def __init__(self, engine: Engine, keep_days: int | None = None) -> None:
        """``keep_days``: questions older than this are deleted as new ones are recorded (None: kept)."""
        self.engine = engine
        self.keep_days = keep_days

    def record(self, user: str, channel: str, conversation: str, result: dict[str, Any]) -> str:
        """One asked question, in its conversation; ``result`` is the answer's JSON (``AskResult.to_json``), kept
        whole. Returns the answer's permalink key."""
        link = secrets.token_urlsafe(16)
        asked_at = utc_now()
        with self.engine.begin() as connection:
            if self.keep_days is not None:
                cutoff = (datetime.now(timezone.utc) - timedelta(days=self.keep_days)).isoformat(timespec="seconds")
                connection.execute(delete(questions_table).where(questions_table.c.asked_at < cutoff))
                connection.execute(delete(conversations_table).where(conversations_table.c.updated_at < cutoff))
            connection.execute(insert(questions_table).values(
                asked_at=asked_at, user=user, channel=channel, conversation=conversation,
                question=result.get("question", ""), answer=result.get("answer", ""),
                outcome=result.get("outcome", "declined"), mode=result.get("mode", ""),
                result=json.dumps(result, ensure_ascii=False), link=link,
            ))
            touch(connection, user, conversation, result.get("question", ""), asked_at)
        return link

    def entries(self, since: str | None = None, user: str | None = None) -> list[AskedQuestion]:
        columns = [questions_table.c[name] for name in AskedQuestion.__dataclass_fields__]
        query = select(*columns).order_by(questions_table.c.id)
        if since is not None:
            query = query.where(questions_table.c.asked_at >= since)
        if user is not None:
            query = query.where(questions_table.c.user == user)
        with self.engine.connect() as connection:
            return [AskedQuestion(*row) for row in connection.execute(query).all()]

    def forget(self, user: str) -> int:
        """Delete every question ``user`` asked, and their conversations; how many questions were deleted."""
        with self.engine.begin() as connection:
            connection.execute(delete(conversations_table).where(conversations_table.c.user == user))
            return connection.execute(delete(questions_table).where(questions_table.c.user == user)).rowcount


def outcomes_by_day(entries: list[AskedQuestion]) -> dict[str, dict[str, int]]:
    """For each day (UTC) with questions: how many were answered, unsure, declined."""
    days: dict[str, Counter[str]] = {}
    for entry in entries:
        days.setdefault(entry.asked_at[:10], Counter())[entry.outcome] += 1
    return {day: {outcome: counts.get(outcome, 0) for outcome in OUTCOMES} for day, counts in sorted(days.items())}


SAME_QUESTION = 0.8
"""Cosine of two questions' sentence vectors above which the secretariat's view counts them as one question asked
in other words (a display grouping, not a decision about answers)."""


def similar_groups(
    questions: list[str], embed: Callable[[list[str]], list[list[float]]], same: float = SAME_QUESTION
) -> list[list[str]]:
    """Questions grouped by meaning (each joins the first group whose opening question it is close to), the largest
    groups first."""
    if not questions:
        return []
    vectors = np.asarray(embed(questions), dtype=np.float32)
    groups: list[list[int]] = []
    for index in range(len(questions)):
        for group in groups:
            if float(vectors[group[0]] @ vectors[index]) >= same:
                group.append(index)
                break
        else:
            groups.append([index])
    groups.sort(key=len, reverse=True)
    return [[questions[i] for i in group] for group in groups]
