"""Reading question sets and result files (formats of FORMAT.md)."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

REQUIRED_FIELDS = ("id", "question", "history", "answerable", "gold_passages", "answer_must_contain", "answer_any_of", "kind")


def read_jsonl(path: Path) -> list[dict[str, Any]]:
    """Objects of a JSONL file; a malformed line is an error naming the file and line."""
    records: list[dict[str, Any]] = []
    with path.open(encoding="utf-8") as handle:
        for number, line in enumerate(handle, start=1):
            if not line.strip():
                continue
            try:
                records.append(json.loads(line))
            except json.JSONDecodeError as exc:
                raise ValueError(f"{path}:{number}: not valid JSON ({exc.msg})") from exc
    return records


def read_questions(path: Path) -> list[dict[str, Any]]:
    questions = read_jsonl(path)
    for number, question in enumerate(questions, start=1):
        missing = [name for name in REQUIRED_FIELDS if name not in question]
        if missing:
            raise ValueError(f"{path}: question {number} ({question.get('id', '?')}) lacks {', '.join(missing)}")
    return questions
