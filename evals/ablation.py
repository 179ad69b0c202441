"""Try retrieval and answering configurations one change at a time: ``python -m evals.ablation``.

Each configuration gets its own index in a temporary folder, answers both question sets, and is scored.
"""

from __future__ import annotations

import argparse
import json
import shutil
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
    PROJECT_ROOT / "evals" / "extra_questions.jsonl",
)
EXTRA_CORPUS = PROJECT_ROOT / "evals" / "extra_corpus"
"""Three documents the assistant was not tuned on, indexed beside the real corpus for ``extra_questions``."""
NEEDS_EXTRA_CORPUS = frozenset({"extra_questions"})

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
    ("typed answer from another passage: no extra evidence", {"moved_answer_evidence": 0.0}),
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


def extended_corpus(corpus_dir: Path, into: Path) -> Path:
    """The corpus and the extra documents together, in a new folder."""
    into.mkdir(parents=True, exist_ok=True)
    for path in [*corpus_dir.iterdir(), *EXTRA_CORPUS.iterdir()]:
        if path.is_file():
            shutil.copy(path, into / path.name)
    return into


def evaluate(name: str, overrides: dict[str, Any], embeddings: LocalEmbeddings) -> ConfigurationResult:
    with tempfile.TemporaryDirectory(prefix="ablation-") as work:
        base = Settings.from_env(data_dir=Path(work) / "data").with_overrides(**overrides)
        extended = base.with_overrides(
            corpus_dir=extended_corpus(base.corpus_dir, Path(work) / "extended-corpus"), data_dir=Path(work) / "extended-data"
        )
        outcome: ConfigurationResult | None = None
        for settings, wanted in ((base, False), (extended, True)):
            Ingestor(settings, embeddings).run()
            assistant = PolicyAssistant(settings, embeddings)
            outcome = outcome or ConfigurationResult(name, overrides, assistant.chunk_count())
            for path in QUESTION_SETS:
                if (path.stem in NEEDS_EXTRA_CORPUS) is wanted:
                    questions = read_questions(path)
                    results = list(run_questions(assistant, questions))
                    outcome.results[path.stem] = results
                    outcome.metrics[path.stem] = score(questions, results, settings.corpus_dir)
            assistant.store.close()
        assert outcome is not None
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
