"""Answer every question of a set: ``python -m evals.run QUESTIONS.jsonl --out RESULTS.jsonl``."""

from __future__ import annotations

import argparse
import json
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import Any

from assistant.errors import AssistantError
from assistant.index.ingestion import Ingestor
from assistant.pipeline import PolicyAssistant
from assistant.settings import Settings
from evals.questionset import read_questions


def run_questions(assistant: PolicyAssistant, questions: list[dict[str, Any]]) -> Iterator[dict[str, Any]]:
    """One result object per question, history included, in the format of FORMAT.md."""
    assistant.warm_up()
    for question in questions:
        result = assistant.ask(question["question"], question.get("history") or [])
        yield result.to_json(question["id"])


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m evals.run", description=__doc__)
    parser.add_argument("questions", type=Path)
    parser.add_argument("--out", type=Path, required=True, help="where to write the results (JSONL)")
    parser.add_argument("--data-dir", type=Path, help="index folder (default: settings)")
    parser.add_argument("--corpus", type=Path, help="corpus folder (default: settings)")
    args = parser.parse_args(argv)
    settings = Settings.from_env(data_dir=args.data_dir, corpus_dir=args.corpus)
    try:
        questions = read_questions(args.questions)
        report = Ingestor(settings).run()
        if not report.ok:
            print(f"warning: {len(report.failures)} corpus files failed to ingest", file=sys.stderr)
        assistant = PolicyAssistant(settings)
        args.out.parent.mkdir(parents=True, exist_ok=True)
        with args.out.open("w", encoding="utf-8") as handle:
            for count, result in enumerate(run_questions(assistant, questions), start=1):
                handle.write(json.dumps(result, ensure_ascii=False) + "\n")
        print(f"{count if questions else 0} results written to {args.out} (mode: {assistant.answerer.mode})")
    except (AssistantError, OSError, ValueError) as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
