"""A set kept aside: ``python -m evals.unseen [--set Q.jsonl] [--out REPORT.json]``.

A kept-aside set is written before the change it judges and run once on the code before it: its first run, kept
in ``evals/first_runs/<set>.results.jsonl`` (written by this command when that file doesn't exist yet, labelled
with the commit it ran on). Later runs ask it of the current code with the shipped models (fitted on the pool
only: the set never was in it), over the corpus plus ``evals/extra_corpus/``, and score it beside its first run
and the baselines over the same passages in the same run. Run it once per change it judges: from then on the set
is a pool set. Default: ``evals/unseen_questions.jsonl`` (issue 20, a pool set since).
"""

from __future__ import annotations

import argparse
import json
import subprocess
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

FIRST_RUNS = EVALS / "first_runs"
SHOWN = ("recall@1", "recall@3", "mrr@10", "answer_accuracy", "wrong_answer_rate", "false_absence_rate",
         "unsure_rate", "cited_gold", "quotes_verbatim", "refusal_accuracy", "latency_p50_ms", "latency_p95_ms")


def first_run_of(question_set: Path) -> Path:
    return FIRST_RUNS / f"{question_set.stem}.results.jsonl"


def current_commit() -> str:
    found = subprocess.run(["git", "rev-parse", "--short", "HEAD"], capture_output=True, text=True, cwd=EVALS.parent)
    return found.stdout.strip() or "unknown commit"


def evaluate(questions: list[dict[str, Any]], work: Path, first_run: Path) -> dict[str, Any]:
    settings = Settings.from_env(corpus_dir=extended_corpus(Settings().corpus_dir, work / "corpus"), data_dir=work / "data")
    embeddings = LocalEmbeddings(settings.embedding_model)
    Ingestor(settings, embeddings).run()
    assistant = PolicyAssistant(settings, embeddings)
    results = list(run_questions(assistant, questions))
    rows: dict[str, Any] = {}
    if first_run.exists():
        label = first_run.with_suffix(".commit").read_text().strip()
        rows[f"first run ({label})"] = score(questions, read_jsonl(first_run), settings.corpus_dir)
    rows["now"] = score(questions, results, settings.corpus_dir)
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
    parser.add_argument("--set", type=Path, default=UNSEEN_SET, help="the kept-aside question set")
    parser.add_argument("--out", type=Path, help="the report (default: evals/<set>-report.json)")
    args = parser.parse_args(argv)
    out = args.out or EVALS / f"{args.set.stem.removesuffix('_questions')}-report.json"
    questions = read_questions(args.set)
    first_run = first_run_of(args.set)
    recording = not first_run.exists()
    with tempfile.TemporaryDirectory(prefix="unseen-") as work:
        outcome = evaluate(questions, Path(work), first_run)
    results = outcome.pop("results")
    if recording:
        # this run is the set's first: what every later run is compared with
        first_run.write_text("".join(json.dumps(r, ensure_ascii=False) + "\n" for r in results), encoding="utf-8")
        first_run.with_suffix(".commit").write_text(current_commit() + "\n", encoding="utf-8")
        print(f"first run recorded in {first_run}")
    out.write_text(json.dumps(outcome, indent=1) + "\n", encoding="utf-8")
    out.with_suffix(".results.jsonl").write_text(
        "".join(json.dumps(r, ensure_ascii=False) + "\n" for r in results), encoding="utf-8"
    )
    for name, metrics in outcome["rows"].items():
        print(f"{name:<62} " + "  ".join(f"{k} {v}" for k, v in metrics.items() if v is not None))
    print(f"wrote {out}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
