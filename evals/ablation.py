"""Try retrieval and answering configurations one change at a time: ``python -m evals.ablation``.

Each configuration gets its own index in a temporary folder, answers both question sets, and is scored.
"""

from __future__ import annotations

import argparse
import json
import sys
import tempfile
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from assistant.embeddings import LocalEmbeddings
from assistant.ingestion import Ingestor
from assistant.pipeline import PolicyAssistant
from assistant.settings import PROJECT_ROOT, Settings
from evals.questionset import read_questions
from evals.run import run_questions
from evals.score import score

QUESTION_SETS = (
    PROJECT_ROOT / "evals" / "dev_questions.jsonl",
    PROJECT_ROOT / "evals" / "questions.jsonl",
    PROJECT_ROOT / "evals" / "holdout_questions.jsonl",
)

# One row per configuration: a name and the settings it changes from the defaults.
CONFIGURATIONS: list[tuple[str, dict[str, Any]]] = [
    ("default (hybrid + sentence rerank)", {}),
    ("no sentence rerank (plain RRF)", {"sentence_rerank_weight": 0.0, "sentence_dense_weight": 0.0}),
    ("rerank: word coverage only", {"sentence_dense_weight": 0.0}),
    ("rerank: sentence meaning only", {"sentence_rerank_weight": 0.0}),
    ("rerank weights 0.3 / 0.3", {"sentence_rerank_weight": 0.3, "sentence_dense_weight": 0.3}),
    ("rerank weights 0.4 / 0.4", {"sentence_rerank_weight": 0.4, "sentence_dense_weight": 0.4}),
    ("dense only", {"keyword_weight": 0.0, "sentence_rerank_weight": 0.0, "sentence_dense_weight": 0.0}),
    ("keyword (BM25) only", {"dense_weight": 0.0, "sentence_rerank_weight": 0.0, "sentence_dense_weight": 0.0}),
    ("no preference for a document the question names", {"referenced_document_boost": 0.0}),
    ("keyword weight 1.5 in RRF", {"keyword_weight": 1.5}),
    ("RRF k = 20", {"rrf_k": 20}),
    ("chunks of 100 word pieces", {"chunk_max_tokens": 100}),
    ("chunks of 200 word pieces", {"chunk_max_tokens": 200}),
    ("answer with 1 sentence at most", {"max_answer_sentences": 1}),
    ("decline threshold 0.20", {"decline_threshold": 0.20}),
    ("decline threshold 0.30", {"decline_threshold": 0.30}),
]


@dataclass
class ConfigurationResult:
    name: str
    overrides: dict[str, Any]
    chunks: int
    metrics: dict[str, dict[str, Any]] = field(default_factory=dict)
    results: dict[str, list[dict[str, Any]]] = field(default_factory=dict)

    def row(self) -> dict[str, Any]:
        return {"name": self.name, "overrides": self.overrides, "chunks": self.chunks, "metrics": self.metrics}


def evaluate(name: str, overrides: dict[str, Any], embeddings: LocalEmbeddings) -> ConfigurationResult:
    with tempfile.TemporaryDirectory(prefix="ablation-") as data_dir:
        settings = Settings.from_env(data_dir=Path(data_dir)).with_overrides(**overrides)
        Ingestor(settings, embeddings).run()
        assistant = PolicyAssistant(settings, embeddings)
        outcome = ConfigurationResult(name, overrides, assistant.chunk_count())
        for path in QUESTION_SETS:
            questions = read_questions(path)
            results = list(run_questions(assistant, questions))
            outcome.results[path.stem] = results
            outcome.metrics[path.stem] = score(questions, results, settings.corpus_dir)
        assistant.store.close()
        return outcome


def summary_line(outcome: ConfigurationResult) -> str:
    parts = []
    for stem, m in outcome.metrics.items():
        parts.append(
            f"{stem}: mrr {m['mrr@10']:.3f} r@1 {m['recall@1']:.3f} r@3 {m['recall@3']:.3f} acc {m['answer_accuracy']:.3f} "
            f"refuse {m['refusal_accuracy']:.2f}/{m['false_refusal_rate']:.2f}"
        )
    return f"{outcome.name:<36} chunks {outcome.chunks:>4}  " + "  ".join(parts)


def run_all(only: list[str] | None = None) -> list[ConfigurationResult]:
    embeddings = LocalEmbeddings()
    outcomes = []
    for name, overrides in CONFIGURATIONS:
        if only and name not in only:
            continue
        outcome = evaluate(name, overrides, embeddings)
        print(summary_line(outcome), flush=True)
        outcomes.append(outcome)
    return outcomes


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m evals.ablation", description=__doc__)
    parser.add_argument("--out", type=Path, default=PROJECT_ROOT / "evals" / "ablation.jsonl")
    parser.add_argument("--only", nargs="*", help="names of the configurations to run")
    args = parser.parse_args(argv)
    outcomes = run_all(args.only)
    with args.out.open("w", encoding="utf-8") as handle:
        for outcome in outcomes:
            handle.write(json.dumps(outcome.row()) + "\n")
    return 0


if __name__ == "__main__":
    sys.exit(main())
