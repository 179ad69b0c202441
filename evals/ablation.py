"""Try retrieval and answering configurations one change at a time: ``python -m evals.ablation``.

Each configuration gets its own index in a temporary folder, answers both question sets, and is scored.
"""

from __future__ import annotations

import argparse
import json
import sys
import tempfile
from pathlib import Path
from typing import Any

from assistant.embeddings import LocalEmbeddings
from assistant.ingestion import Ingestor
from assistant.pipeline import PolicyAssistant
from assistant.settings import PROJECT_ROOT, Settings
from evals.questionset import read_questions
from evals.run import run_questions
from evals.score import score

QUESTION_SETS = (PROJECT_ROOT / "evals" / "dev_questions.jsonl", PROJECT_ROOT / "evals" / "questions.jsonl")

# One row per configuration: a name and the settings it changes from the defaults.
CONFIGURATIONS: list[tuple[str, dict[str, Any]]] = [
    ("default", {}),
    ("sent dense 0.2", {"extra": {"sent_dense": 0.2}}),
    ("sent dense 0.3", {"extra": {"sent_dense": 0.3}}),
    ("sent dense 0.3 cov 0.3", {"extra": {"sent_dense": 0.3}, "sentence_rerank_weight": 0.3}),
    ("sent dense 0.4 cov 0.4", {"extra": {"sent_dense": 0.4}, "sentence_rerank_weight": 0.4}),
    ("sent dense 0.3 hdr", {"extra": {"sent_dense": 0.3, "hdr": 1}}),
    ("no sentence rerank", {"sentence_rerank_weight": 0.0}),
    ("sentence rerank 0.3", {"sentence_rerank_weight": 0.3}),
    ("sentence rerank 0.7", {"sentence_rerank_weight": 0.7}),
    ("chunk 64 tokens", {"chunk_max_tokens": 64}),
    ("chunk 100 tokens", {"chunk_max_tokens": 100}),
    ("chunk 200 tokens", {"chunk_max_tokens": 200}),
    ("dense only", {"keyword_weight": 0.0}),
    ("keyword only", {"dense_weight": 0.0}),
    ("keyword weight 1.5", {"keyword_weight": 1.5}),
    ("rrf k 20", {"rrf_k": 20}),
]


def evaluate(name: str, overrides: dict[str, Any], embeddings: LocalEmbeddings) -> dict[str, Any]:
    with tempfile.TemporaryDirectory(prefix="ablation-") as data_dir:
        settings = Settings.from_env(data_dir=Path(data_dir)).with_overrides(**overrides)
        Ingestor(settings, embeddings).run()
        assistant = PolicyAssistant(settings, embeddings)
        row: dict[str, Any] = {"name": name, "overrides": overrides, "chunks": assistant.chunk_count()}
        for path in QUESTION_SETS:
            questions = read_questions(path)
            metrics = score(questions, list(run_questions(assistant, questions)), settings.corpus_dir)
            row[path.stem] = {k: v for k, v in metrics.items() if k not in ("by_kind",)}
        assistant.store.close()
        return row


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m evals.ablation", description=__doc__)
    parser.add_argument("--out", type=Path, default=PROJECT_ROOT / "evals" / "ablation.jsonl")
    parser.add_argument("--only", nargs="*", help="names of the configurations to run")
    args = parser.parse_args(argv)
    embeddings = LocalEmbeddings()
    rows = []
    for name, overrides in CONFIGURATIONS:
        if args.only and name not in args.only:
            continue
        row = evaluate(name, overrides, embeddings)
        rows.append(row)
        summary = "  ".join(
            f"{stem}: mrr {row[stem]['mrr@10']:.3f} r@1 {row[stem]['recall@1']:.3f} r@3 {row[stem]['recall@3']:.3f} "
            f"acc {row[stem]['answer_accuracy']:.3f} refuse {row[stem]['refusal_accuracy']:.2f}/{row[stem]['false_refusal_rate']:.2f}"
            for stem in (p.stem for p in QUESTION_SETS)
        )
        print(f"{name:<28} chunks {row['chunks']:>4}  {summary}", flush=True)
    with args.out.open("w", encoding="utf-8") as handle:
        for row in rows:
            handle.write(json.dumps(row) + "\n")
    return 0


if __name__ == "__main__":
    sys.exit(main())
