"""Metrics of FORMAT.md for a question set and its results: ``python -m evals.score QUESTIONS RESULTS``."""

from __future__ import annotations

import argparse
import json
import statistics
import sys
from collections import defaultdict
from pathlib import Path
from typing import Any

from assistant.settings import PROJECT_ROOT
from assistant.text.matching import normalize_for_match
from evals.questionset import read_jsonl, read_questions


def corpus_texts(corpus_dir: Path) -> list[str]:
    """The raw corpus, normalised, read independently of the assistant's own cleaning."""
    texts: list[str] = []
    for path in sorted(corpus_dir.rglob("*")):
        suffix = path.suffix.lower()
        if suffix in (".txt", ".md"):
            texts.append(normalize_for_match(path.read_text(encoding="utf-8", errors="replace")))
        elif suffix == ".pdf":
            from pypdf import PdfReader

            try:
                reader = PdfReader(str(path))
                texts.append(normalize_for_match("\n".join(page.extract_text() or "" for page in reader.pages)))
            except Exception:  # an unreadable PDF simply contributes no text to compare against
                continue
    return texts


def first_gold_rank(question: dict[str, Any], result: dict[str, Any], depth: int = 10) -> int | None:
    golds = [normalize_for_match(g) for g in question["gold_passages"]]
    for passage in sorted(result.get("passages", []), key=lambda p: p["rank"])[:depth]:
        text = normalize_for_match(passage["text"])
        if any(g in text for g in golds):
            return int(passage["rank"])
    return None


def rank_metrics(ranks: list[int | None]) -> dict[str, float]:
    """recall@k and MRR@10 from the rank of each question's first gold passage (None: not in the top 10)."""
    if not ranks:
        return {**{f"recall@{k}": 0.0 for k in (1, 3, 5, 10)}, "mrr@10": 0.0}
    return {
        **{f"recall@{k}": round(sum(r is not None and r <= k for r in ranks) / len(ranks), 4) for k in (1, 3, 5, 10)},
        "mrr@10": round(statistics.fmean([1 / r if r else 0.0 for r in ranks]), 4),
    }


def answer_correct(question: dict[str, Any], result: dict[str, Any]) -> bool:
    answer = result.get("answer", "").lower()
    must = all(s.lower() in answer for s in question["answer_must_contain"])
    any_of = not question["answer_any_of"] or any(s.lower() in answer for s in question["answer_any_of"])
    return bool(result.get("answerable")) and must and any_of


def outcome_of(result: dict[str, Any]) -> str:
    """``answered``, ``unsure`` or ``declined``; a result without the field: every non-answer is a decline."""
    outcome = result.get("outcome")
    if outcome in ("answered", "unsure", "declined"):
        return str(outcome)
    return "answered" if result.get("answerable") else "declined"


def harm(questions: list[dict[str, Any]], by_id: dict[str, dict[str, Any]]) -> dict[str, float]:
    """The failures users remember: a wrong answer (on all questions) and "the documents don't say" when they do."""
    answerable = [q for q in questions if q["answerable"]]
    outcomes = {q["id"]: outcome_of(by_id[q["id"]]) for q in questions}
    wrong = [
        outcomes[q["id"]] == "answered" and (not q["answerable"] or not answer_correct(q, by_id[q["id"]]))
        for q in questions
    ]

    def share(flags: list[bool]) -> float:
        return round(sum(flags) / len(flags), 4) if flags else 0.0

    return {
        "wrong_answer_rate": share(wrong),
        "false_absence_rate": share([outcomes[q["id"]] == "declined" for q in answerable]),
        "unsure_rate": share([outcomes[q["id"]] == "unsure" for q in questions]),
    }


def cites_gold(question: dict[str, Any], result: dict[str, Any]) -> bool:
    golds = [normalize_for_match(g) for g in question["gold_passages"]]
    return any(any(g in normalize_for_match(c.get("quote", "")) for g in golds) for c in result.get("citations", []))


def percentile(values: list[float], q: float) -> float:
    if not values:
        return 0.0
    ordered = sorted(values)
    index = min(len(ordered) - 1, max(0, round(q * (len(ordered) - 1))))
    return ordered[index]


def score(questions: list[dict[str, Any]], results: list[dict[str, Any]], corpus_dir: Path) -> dict[str, Any]:
    """All metrics, overall and per question kind, plus the ids of failing questions."""
    by_id = {r["id"]: r for r in results}
    missing = [q["id"] for q in questions if q["id"] not in by_id]
    if missing:
        raise ValueError(f"results lack {len(missing)} questions: {', '.join(missing[:10])}")
    corpus = corpus_texts(corpus_dir)
    answerable = [q for q in questions if q["answerable"]]
    unanswerable = [q for q in questions if not q["answerable"]]
    ranks = {q["id"]: first_gold_rank(q, by_id[q["id"]]) for q in answerable if q["gold_passages"]}
    ranked = list(ranks.values())
    quotes = [c.get("quote", "") for r in results for c in r.get("citations", [])]

    def share(flags: list[bool]) -> float:
        return round(sum(flags) / len(flags), 4) if flags else 0.0

    metrics: dict[str, Any] = {
        "questions": len(questions),
        "answerable": len(answerable),
        "unanswerable": len(unanswerable),
        **rank_metrics(ranked),
        "answer_accuracy": share([answer_correct(q, by_id[q["id"]]) for q in answerable]),
        **harm(questions, by_id),
        "cited_gold": share([cites_gold(q, by_id[q["id"]]) for q in answerable if q["gold_passages"]]),
        "quotes_verbatim": share([any(normalize_for_match(qt) in text for text in corpus) for qt in quotes]) if quotes else 1.0,
        "refusal_accuracy": share([not by_id[q["id"]]["answerable"] for q in unanswerable]),
        "false_refusal_rate": share([not by_id[q["id"]]["answerable"] for q in answerable]),
        "latency_p50_ms": round(percentile([r["latency_ms"] for r in results], 0.5), 1),
        "latency_p95_ms": round(percentile([r["latency_ms"] for r in results], 0.95), 1),
        "citations_per_answer": round(len(quotes) / max(1, sum(1 for r in results if r.get("answerable"))), 2),
    }
    kinds: dict[str, list[dict[str, Any]]] = defaultdict(list)
    for q in questions:
        kinds[q["kind"]].append(q)
    metrics["by_kind"] = {
        kind: {
            "n": len(qs),
            "correct": share(
                [answer_correct(q, by_id[q["id"]]) if q["answerable"] else not by_id[q["id"]]["answerable"] for q in qs]
            ),
        }
        for kind, qs in sorted(kinds.items())
    }
    metrics["failures"] = [
        q["id"] for q in questions
        if (q["answerable"] and (not answer_correct(q, by_id[q["id"]]) or ranks.get(q["id"], 1) != 1))
        or (not q["answerable"] and by_id[q["id"]]["answerable"])
    ]
    return metrics


def format_metrics(metrics: dict[str, Any]) -> str:
    lines = [f"{name:>22}: {value}" for name, value in metrics.items() if name not in ("by_kind", "failures")]
    lines.append("               by kind: " + ", ".join(f"{k} {v['correct']:.2f} (n={v['n']})" for k, v in metrics["by_kind"].items()))
    lines.append(f"{'failing':>22}: {', '.join(metrics['failures']) or 'none'}")
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m evals.score", description=__doc__)
    parser.add_argument("questions", type=Path)
    parser.add_argument("results", type=Path)
    parser.add_argument("--corpus", type=Path, default=PROJECT_ROOT / "corpus")
    parser.add_argument("--json", action="store_true", help="print the metrics as JSON")
    args = parser.parse_args(argv)
    try:
        metrics = score(read_questions(args.questions), read_jsonl(args.results), args.corpus)
    except (OSError, ValueError) as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 2
    print(json.dumps(metrics, indent=2) if args.json else format_metrics(metrics))
    return 0


if __name__ == "__main__":
    sys.exit(main())
