"""Thumbs up/down with an optional comment on every answer, kept locally in SQLite."""

from __future__ import annotations

import csv
import io
import json
import sqlite3
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from assistant.records.sqlite import SqliteFile, utc_now

SCHEMA = """
CREATE TABLE IF NOT EXISTS feedback (
    id INTEGER PRIMARY KEY AUTOINCREMENT, created_at TEXT NOT NULL, rating INTEGER NOT NULL,
    comment TEXT NOT NULL DEFAULT '', question TEXT NOT NULL, answer TEXT NOT NULL,
    citations TEXT NOT NULL, mode TEXT NOT NULL, user TEXT NOT NULL DEFAULT ''
);
"""
FIELDS = ("id", "created_at", "rating", "comment", "question", "answer", "citations", "mode", "user")


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

    def to_json(self) -> dict[str, Any]:
        return {name: getattr(self, name) for name in FIELDS}


def _add_user_column(connection: sqlite3.Connection) -> None:
    columns = {row[1] for row in connection.execute("PRAGMA table_info(feedback)")}
    if "user" not in columns:  # a log written before sign-in existed
        connection.execute("ALTER TABLE feedback ADD COLUMN user TEXT NOT NULL DEFAULT ''")


class FeedbackLog:
    def __init__(self, path: Path) -> None:
        self.path = path
        self._file = SqliteFile(path, SCHEMA, upgrade=_add_user_column)

    def record(
        self, rating: int, question: str, answer: str, citations: list[dict[str, Any]], mode: str, comment: str = "",
        user: str = "",
    ) -> int:
        """Store one judgement (+1 or -1) with what was asked, answered and cited; returns its id."""
        if rating not in (1, -1):
            raise ValueError("rating must be 1 (thumbs up) or -1 (thumbs down)")
        return self._file.run(
            "INSERT INTO feedback(created_at, rating, comment, question, answer, citations, mode, user) "
            "VALUES (?,?,?,?,?,?,?,?)",
            (utc_now(), rating, comment.strip(), question, answer, json.dumps(citations, ensure_ascii=False), mode, user),
        ).last_id

    def records(self) -> list[FeedbackRecord]:
        rows = self._file.run(f"SELECT {', '.join(FIELDS)} FROM feedback ORDER BY id").rows
        return [FeedbackRecord(*row[:6], json.loads(row[6]), row[7], row[8]) for row in rows]

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
                writer.writerow([r.id, r.created_at, r.rating, r.comment, r.question, r.answer, json.dumps(r.citations), r.mode, r.user])
            return buffer.getvalue()
        raise ValueError("format must be jsonl or csv")
