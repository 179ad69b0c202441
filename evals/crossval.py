"""Held-out evaluation: ``python -m evals.crossval [--folds 5] [--audit]``.

The union of our question sets is split into k folds, stratified by kind, a follow-up kept in the fold of the
question that opened its conversation. For each fold the passage ranker and the decline classifier (with its
threshold) are fitted on the other folds only (``evals.learn``), and the fold's questions are then answered end to
end. The figures printed are those of the held-out answers, per question set and pooled, beside the baselines
(``evals.baselines``), which fit nothing. ``--audit`` adds a row per rule or feature group taken out, each refitted
and scored the same way: what does not pay on held-out questions is a candidate for deletion.
"""

from __future__ import annotations

import argparse
import json
import sys
import tempfile
from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from sklearn.model_selection import StratifiedGroupKFold

from assistant.answering.absence import DECLINE_FEATURES
from assistant.index.embeddings import LocalEmbeddings
from assistant.pipeline import PolicyAssistant
from assistant.search.ranker import RANKER_FEATURES
from assistant.settings import PROJECT_ROOT, Settings
from evals.baselines import baseline_rankers
from evals.learn import RankerExample, assistants_for, fit_all, ranker_examples
from evals.questionset import PooledQuestion, indexed_corpora, question_pool, shared_gold_groups
from evals.score import answer_correct, first_gold_rank, rank_metrics, score

POOLED = "all sets"


@dataclass(frozen=True)
class Variant:
    """A configuration scored under cross-validation: settings changed and/or features left out."""

    name: str
    overrides: dict[str, Any] = field(default_factory=dict)
    drop_ranker: tuple[str, ...] = ()
    drop_decline: tuple[str, ...] = ()
    harm_objective: bool = True
    on_correct: bool = True
    """The decline classifier learns whether the answer would be right rather than whether the question is answerable."""
    """The answer threshold chosen for fewest wrong answers (``evals.learn.harm_threshold``), else for refusals."""


DEFAULT = Variant("learned ranker + decline classifier")
AUDIT = (
    Variant("a written-out title does not name its document", {"titles_name_documents": False}),
    Variant("a lead-in quoted with its first items only, not its whole list", {"whole_lists": False}),
    Variant("keyword search without equivalent words", {"expand_equivalents": False}),
    Variant("ranker: no answer-type features", drop_ranker=("answer_type_given", "answer_type_missing")),
    Variant("ranker: no document-named feature", drop_ranker=("named_document",)),
    Variant("ranker: no coverage beyond the title", drop_ranker=("coverage_beyond_title",)),
    Variant("ranker: no sentence-level features", drop_ranker=(
        "sentence_coverage", "sentence_similarity", "sentence_similarity_gap")),
    Variant("ranker: no structure features (length, opening, fragments)", drop_ranker=(
        "log_length", "opening_passage", "fragment_share")),
    Variant("decline: no moved-typed-answer rule", drop_decline=("moved_typed_answer",)),
    Variant("decline: no named-speaker rule", drop_decline=("speaker_absent",)),
    Variant("decline: no year-absent feature", drop_decline=("year_absent",)),
    Variant("decline: no unknown-name rule", drop_decline=("unmentioned_name", "unknown_share")),
)
SECOND_OPINION = (
    Variant(
        "classifier of answerability, threshold by refusal accuracy (as before issue 20)",
        harm_objective=False, on_correct=False,
    ),
    Variant("decline classifier fitted on answerability, not on the answer being right", on_correct=False),
    Variant("decline: no second opinion (query likelihood)", drop_decline=("likelihood_gain", "likelihood_low_gain")),
    Variant("second opinion also chooses the sentence (weight 0.05)", {"likelihood_weight": 0.05}),
    Variant("second opinion also chooses the sentence (weight 0.1)", {"likelihood_weight": 0.1}),
)


def folds_of(pool: Sequence[PooledQuestion], k: int, seed: int = 0) -> list[list[int]]:
    """Indices of the held-out questions of each fold (``seed``: which of the possible grouped splits)."""
    kinds = [p.question["kind"] for p in pool]
    groups = shared_gold_groups(list(pool))
    splitter = StratifiedGroupKFold(n_splits=k, shuffle=True, random_state=seed)
    return [list(test) for _, test in splitter.split(list(range(len(pool))), kinds, groups)]


def score_by_set(
    pool: Sequence[PooledQuestion], results: dict[str, dict[str, Any]], corpora: dict[str, Settings]
) -> dict[str, dict[str, Any]]:
    """Metrics per question set and over all sets (quotes checked against the extended corpus, which holds all)."""
    by_set: dict[str, list[PooledQuestion]] = defaultdict(list)
    for pooled in pool:
        by_set[pooled.set_name].append(pooled)
    metrics = {
        name: score([p.question for p in members], [results[p.key] for p in members], corpora[members[0].corpus].corpus_dir)
        for name, members in by_set.items()
    }
    renamed = [dict(p.question, id=p.key) for p in pool]
    metrics[POOLED] = score(renamed, [dict(results[p.key], id=p.key) for p in pool], corpora["extended"].corpus_dir)
    return metrics


def crossvalidate(
    variant: Variant, corpora: dict[str, Settings], embeddings: LocalEmbeddings, pool: Sequence[PooledQuestion],
    folds: Sequence[Sequence[int]], examples: dict[str, list[RankerExample]] | None = None,
) -> tuple[dict[str, dict[str, Any]], dict[str, dict[str, Any]]]:
    """Held-out results of every question under ``variant``: the metrics per set, and each question's outcome."""
    settings = {name: s.with_overrides(**variant.overrides) for name, s in corpora.items()}
    assistants = assistants_for(settings, embeddings)
    if examples is None or variant.overrides:
        examples = {p.key: ranker_examples(assistants[p.corpus], p) for p in pool}
    ranker_features = [f for f in RANKER_FEATURES if f not in variant.drop_ranker]
    decline_features = [f for f in DECLINE_FEATURES if f not in variant.drop_decline]
    results: dict[str, dict[str, Any]] = {}
    for held_out in folds:
        held = set(held_out)
        training = [p for i, p in enumerate(pool) if i not in held]
        ranker, decline, _ = fit_all(
            assistants, training, ranker_features, decline_features,
            [e for p in training for e in examples[p.key]], variant.harm_objective, variant.on_correct,
        )
        for assistant in assistants.values():
            assistant.searcher.ranker = ranker
            assistant.answerer.decline_model = decline
        for index in held_out:
            pooled = pool[index]
            answered = assistants[pooled.corpus].ask(pooled.question["question"], pooled.question.get("history") or [])
            results[pooled.key] = answered.to_json(pooled.question["id"])
    for assistant in assistants.values():
        assistant.store.close()
    outcomes = {
        p.key: {
            "answerable": p.question["answerable"], "declined": not results[p.key]["answerable"],
            "outcome": results[p.key].get("outcome"),
            "correct": answer_correct(p.question, results[p.key]) if p.question["answerable"]
            else not results[p.key]["answerable"],
            "gold_rank": first_gold_rank(p.question, results[p.key]) if p.question["gold_passages"] else None,
        }
        for p in pool
    }
    return score_by_set(pool, results, corpora), outcomes


def baseline_metrics(
    corpora: dict[str, Settings], embeddings: LocalEmbeddings, pool: Sequence[PooledQuestion]
) -> dict[str, dict[str, dict[str, float]]]:
    """Retrieval metrics of the baselines (nothing fitted, so every question is held out): per set and pooled."""
    assistants = {name: PolicyAssistant(s, embeddings) for name, s in corpora.items()}
    rankers = {name: baseline_rankers(a.store, embeddings) for name, a in assistants.items()}
    orderings = {"dense only": "dense", "plain RRF (dense + keyword)": "rrf", "keyword (FTS5) only": "keyword"}
    ranks: dict[str, dict[str, list[int | None]]] = defaultdict(lambda: defaultdict(list))
    for pooled in pool:
        question = pooled.question
        if not question["answerable"] or not question["gold_passages"]:
            continue
        assistant = assistants[pooled.corpus]
        prepared = assistant.prepare(question["question"], question.get("history") or [])
        query = prepared.question.standalone if prepared.question else question["question"]
        texts: dict[str, list[str]] = {name: rank(query) for name, rank in rankers[pooled.corpus].items()}
        found = assistant.searcher.candidates(query)
        for name, ranking in orderings.items():
            texts[name] = [found.chunks[cid].text for cid, _ in assistant.searcher.order(found, ranking)[:10]]
        for name, ranked in texts.items():
            result = {"passages": [{"rank": r, "text": t} for r, t in enumerate(ranked, start=1)]}
            rank = first_gold_rank(question, result)
            ranks[name][pooled.set_name].append(rank)
            ranks[name][POOLED].append(rank)
    for assistant in assistants.values():
        assistant.store.close()
    return {
        name: {set_name: rank_metrics(found) for set_name, found in by_set.items()}
        for name, by_set in ranks.items()
    }


def summary(name: str, metrics: dict[str, dict[str, Any]]) -> str:
    m = metrics[POOLED]
    parts = [f"{key} {m[key]:.3f}" for key in ("recall@1", "recall@3", "mrr@10") if key in m]
    parts += [f"{key} {m[key]:.3f}" for key in (
        "answer_accuracy", "wrong_answer_rate", "false_absence_rate", "unsure_rate", "cited_gold", "quotes_verbatim",
        "refusal_accuracy") if key in m]
    return f"{name:<60} " + "  ".join(parts)


def run(k: int, audit: bool, only: Sequence[str] = ()) -> dict[str, Any]:
    embeddings = LocalEmbeddings()
    pool = question_pool()
    folds = folds_of(pool, k)
    with tempfile.TemporaryDirectory(prefix="crossval-") as work:
        corpora = indexed_corpora(Path(work), embeddings, Settings.from_env())
        baselines = baseline_metrics(corpora, embeddings, pool)
        for name, metrics in baselines.items():
            print(summary(name, metrics), flush=True)
        assistants = assistants_for(corpora, embeddings)
        examples = {p.key: ranker_examples(assistants[p.corpus], p) for p in pool}
        variants: dict[str, dict[str, dict[str, Any]]] = {}
        questions: dict[str, dict[str, dict[str, Any]]] = {}
        chosen = [v for v in (*SECOND_OPINION, *AUDIT) if audit or v.name in only]
        for variant in (DEFAULT, *chosen):
            variants[variant.name], questions[variant.name] = crossvalidate(
                variant, corpora, embeddings, pool, folds, examples
            )
            print(summary(variant.name, variants[variant.name]), flush=True)
    return {"folds": k, "questions": len(pool), "baselines": baselines, "variants": variants, "outcomes": questions}


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m evals.crossval", description=__doc__)
    parser.add_argument("--folds", type=int, default=5)
    parser.add_argument("--audit", action="store_true", help="also score each rule or feature group taken out")
    parser.add_argument("--only", nargs="*", default=(), help="names of audit rows to run (without --audit)")
    parser.add_argument("--out", type=Path, default=PROJECT_ROOT / "evals" / "crossval.json")
    args = parser.parse_args(argv)
    outcome = run(args.folds, args.audit, args.only)
    args.out.write_text(json.dumps(outcome, indent=1, default=str), encoding="utf-8")
    print(f"wrote {args.out}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
