"""Thumbs up/down with an optional comment on every answer, kept in the records database."""

from __future__ import annotations

import csv
import io
import json
from dataclasses import dataclass
from typing import Any

from sqlalchemy import Engine, insert, select

from assistant.records.database import feedback_table, utc_now

FIELDS = ("id", "created_at", "rating", "comment", "question", "answer", "citations", "mode", "user", "link")


@dataclass(frozen=True)
class FeedbackRecord:
    id: int
    created_at: str
    rating: int
    comment: str
    question: str
    answer: str
    citations: list[dict[str, Any]]
    mode: str
    user: str = ""
    """The signed-in user's e-mail; empty when sign-in is off."""
    link: str | None = None
    """The judged answer's permalink key (None when it was not kept, or for feedback given before links existed)."""

    def to_json(self) -> dict[str, Any]:
        return {name: getattr(self, name) for name in FIELDS}


class FeedbackLog:
    def __init__(self, engine: Engine) -> None:
        self.engine = engine

    def record(
        self, rating: int, question: str, answer: str, citations: list[dict[str, Any]], mode: str, comment: str = "",
        user: str = "", link: str | None = None,
    ) -> int:
        """Store one judgement (+1 or -1) with what was asked, answered and cited; returns its id."""
        if rating not in (1, -1):
            raise ValueError("rating must be 1 (thumbs up) or -1 (thumbs down)")
        with self.engine.begin() as connection:
            added = connection.execute(insert(feedback_table).values(
                created_at=utc_now(), rating=rating, comment=comment.strip(), question=question, answer=answer,
                citations=json.dumps(citations, ensure_ascii=False), mode=mode, user=user, link=link,
            ))
        return int(added.inserted_primary_key[0])

    def records(self) -> list[FeedbackRecord]:
        with self.engine.connect() as connection:
            columns = (feedback_table.c[name] for name in FIELDS)
            rows = connection.execute(select(*columns).order_by(feedback_table.c.id)).all()
        return [FeedbackRecord(*row[:6], json.loads(row[6]), *row[7:]) for row in rows]

    def export(self, fmt: str) -> str:
        """The whole log as JSON lines or CSV."""
        records = self.records()
        if fmt == "jsonl":
            return "".join(json.dumps(r.to_json(), ensure_ascii=False) + "\n" for r in records)
        if fmt == "csv":
            buffer = io.StringIO()
            writer = csv.writer(buffer)
            writer.writerow(FIELDS)
            for r in records:
                writer.writerow([json.dumps(r.citations) if name == "citations" else getattr(r, name) for name in FIELDS])
            return buffer.getvalue()
        raise ValueError("format must be jsonl or csv")
