"""The set kept aside: ``python -m evals.unseen [--out evals/unseen-report.json]``.

``evals/unseen_questions.jsonl`` was written before the issue-20 changes and run once on the code before them
(``evals/first_runs/unseen_questions.results.jsonl``). This asks it of the current code with the shipped models
(fitted on the pool only: the set never was in it), over the corpus plus ``evals/extra_corpus/``, and scores it
beside its first run and the baselines over the same passages in the same run. Run it once per change it judges:
from then on the set is a pool set.
"""

from __future__ import annotations

import argparse
import json
import sys
import tempfile
from pathlib import Path
from typing import Any

from assistant.index.embeddings import LocalEmbeddings
from assistant.index.ingestion import Ingestor
from assistant.pipeline import PolicyAssistant
from assistant.settings import Settings
from evals.baselines import baseline_rankers
from evals.questionset import EVALS, UNSEEN_SET, extended_corpus, read_jsonl, read_questions
from evals.run import run_questions
from evals.score import first_gold_rank, rank_metrics, score

FIRST_RUN = EVALS / "first_runs" / "unseen_questions.results.jsonl"
REPORT = EVALS / "unseen-report.json"
SHOWN = ("recall@1", "recall@3", "mrr@10", "answer_accuracy", "wrong_answer_rate", "false_absence_rate",
         "unsure_rate", "cited_gold", "quotes_verbatim", "refusal_accuracy", "latency_p50_ms", "latency_p95_ms")


def evaluate(questions: list[dict[str, Any]], work: Path) -> dict[str, Any]:
    settings = Settings.from_env(corpus_dir=extended_corpus(Settings().corpus_dir, work / "corpus"), data_dir=work / "data")
    embeddings = LocalEmbeddings(settings.embedding_model)
    Ingestor(settings, embeddings).run()
    assistant = PolicyAssistant(settings, embeddings)
    results = list(run_questions(assistant, questions))
    rows: dict[str, Any] = {
        "first run (8cf9f66)": score(questions, read_jsonl(FIRST_RUN), settings.corpus_dir),
        "now": score(questions, results, settings.corpus_dir),
    }
    answerable = [q for q in questions if q["answerable"] and q["gold_passages"]]
    for name, ranker in baseline_rankers(assistant.store, embeddings).items():
        ranks = [
            first_gold_rank(q, {"passages": [{"rank": r, "text": t} for r, t in enumerate(ranker(q["question"]), 1)]})
            for q in answerable
        ]
        rows[f"baseline: {name}"] = rank_metrics(ranks)
    assistant.store.close()
    return {"questions": len(questions), "rows": {n: {k: m.get(k) for k in SHOWN} for n, m in rows.items()},
            "failing now": rows["now"]["failures"], "results": results}


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m evals.unseen", description=__doc__)
    parser.add_argument("--out", type=Path, default=REPORT)
    args = parser.parse_args(argv)
    questions = read_questions(UNSEEN_SET)
    with tempfile.TemporaryDirectory(prefix="unseen-") as work:
        outcome = evaluate(questions, Path(work))
    results = outcome.pop("results")
    args.out.write_text(json.dumps(outcome, indent=1) + "\n", encoding="utf-8")
    args.out.with_suffix(".results.jsonl").write_text(
        "".join(json.dumps(r, ensure_ascii=False) + "\n" for r in results), encoding="utf-8"
    )
    for name, metrics in outcome["rows"].items():
        print(f"{name:<62} " + "  ".join(f"{k} {v}" for k, v in metrics.items() if v is not None))
    print(f"wrote {args.out}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
