"""How well the model path's claim checks keep faithful claims and remove unfaithful ones.

``python -m evals.claims [--json OUT]`` indexes the corpus and the extra documents, then, for each pair of
``evals/claims.jsonl`` (a claim a model might write and the passage it cites), passes the claim through the same
grounding as a model's answer, twice: quote-first (the claim cites the passage *and* the exact words it relies
on, as the prompt asks) and plain (only ``[n]``, the fallback when a model ignores the format). Prints, per kind
and per language, the share of faithful claims kept and of unfaithful claims removed, and precision of both.
"""

from __future__ import annotations

import argparse
import json
import tempfile
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Any

import numpy as np
from sklearn.model_selection import GroupKFold, StratifiedKFold

from assistant.answering.claims import SUPPORT_FEATURES, ClaimChecker
from assistant.answering.grounding import ground, quoted_span
from assistant.answering.prompting import PromptPassage
from assistant.index.embeddings import LocalEmbeddings
from assistant.index.store import Store
from assistant.search.ranker import LinearModel
from assistant.search.retrieval import Passage
from assistant.settings import SUPPORT_MODEL_PATH, Settings
from assistant.text.matching import normalize_for_match
from evals.learn import linear_model
from evals.questionset import EVALS, indexed_corpora, read_jsonl

CLAIMS = EVALS / "claims.jsonl"
TARGETS = {"faithful kept": 0.95, "name/figure/date removed": 0.98, "negation/invented removed": 0.90}
MODES = ("quoted", "plain")
FOLDS = 5


@dataclass(frozen=True)
class Verdict:
    claim: dict[str, Any]
    mode: str
    kept: bool
    shown: str
    notices: tuple[str, ...]

    @property
    def correct(self) -> bool:
        return self.kept == (self.claim["label"] == "keep")


def cited_answer(claim: str, evidence: str, mode: str) -> str:
    """The claim as a model would write it: ``… [1: "exact words"].`` or ``… [1].``"""
    body = claim.rstrip()
    end = body[-1] if body and body[-1] in ".!?" else ""
    body = body[: len(body) - len(end)].rstrip()
    marker = f'[1: "{evidence}"]' if mode == "quoted" else "[1]"
    return f"{body} {marker}{end or '.'}"


def passage_with(store: Store, source: str, evidence: str) -> PromptPassage:
    """The indexed passage of ``source`` that holds ``evidence``, as the model would be given it."""
    wanted = normalize_for_match(evidence)
    chunks = store.chunks(sorted(store.chunk_ids_of(source)))
    for chunk in chunks.values():
        if wanted in normalize_for_match(chunk.text):
            return PromptPassage(1, chunk.text, Passage(chunk, 1.0))
    raise ValueError(f"{CLAIMS.name}: no passage of {source} contains {evidence!r}")


def is_english(claim: dict[str, Any]) -> bool:
    """Answers come in the question's language; each claim's ``language`` stands for its question's."""
    return claim["language"] == "en"


def judge(claims: Iterable[dict[str, Any]], store: Store, checker: ClaimChecker) -> list[Verdict]:
    verdicts: list[Verdict] = []
    for claim in claims:
        given = [passage_with(store, claim["source"], claim["evidence"])]
        for mode in MODES:
            answer = cited_answer(claim["claim"], claim["evidence"], mode)
            grounded = ground(answer, given, checker, english=is_english(claim))
            kept = bool(grounded.citations) and not grounded.declined
            verdicts.append(Verdict(claim, mode, kept, grounded.text, tuple(grounded.notices)))
    return verdicts


def support_examples(claims: Iterable[dict[str, Any]], store: Store, checker: ClaimChecker) -> list[tuple[dict[str, float], bool]]:
    """For English claims whose names, figures, dates and negation match their sentence: the support features and
    whether the claim is faithful. These are the claims the support classifier alone decides."""
    examples = []
    for claim in claims:
        if not is_english(claim):
            continue
        passage = passage_with(store, claim["source"], claim["evidence"])
        span = quoted_span(passage, claim["evidence"])
        assert span is not None, claim["id"]
        if checker.check_facts(claim["claim"], span.text, passage.text, english=True) is None:
            examples.append((checker.support_features(claim["claim"], span.text), claim["label"] == "keep"))
    return examples


def keeping_threshold(probabilities: np.ndarray, faithful: np.ndarray, keep: float = TARGETS["faithful kept"]) -> float:
    """The highest threshold that still keeps ``keep`` of the faithful claims: the target for faithful claims is
    met first, and every unfaithful claim below it is removed."""
    return float(np.quantile(probabilities[faithful], 1.0 - keep, method="lower"))


def fit_support(examples: list[tuple[dict[str, float], bool]]) -> LinearModel:
    """The support classifier, its threshold chosen on out-of-fold probabilities of these examples."""
    rows = [features for features, _ in examples]
    labels = np.array([label for _, label in examples])
    held_out = np.zeros(len(rows))
    for train, test in StratifiedKFold(FOLDS, shuffle=True, random_state=0).split(rows, labels):
        model = linear_model([rows[i] for i in train], labels[train], SUPPORT_FEATURES)
        held_out[test] = model.probabilities(model.rows([rows[i] for i in test]))
    model = linear_model(rows, labels, SUPPORT_FEATURES)
    return replace(model, threshold=keeping_threshold(held_out, labels))


def cross_validated(claims: list[dict[str, Any]], store: Store, checker: ClaimChecker) -> list[Verdict]:
    """Each claim judged by a support classifier fitted without any claim about the same sentence."""
    groups = [claim["evidence"] for claim in claims]
    verdicts: list[Verdict] = []
    for train, test in GroupKFold(FOLDS).split(claims, groups=groups):
        model = fit_support(support_examples([claims[i] for i in train], store, checker))
        fold_checker = replace_model(checker, model)
        verdicts.extend(judge([claims[i] for i in test], store, fold_checker))
    return verdicts


def replace_model(checker: ClaimChecker, model: LinearModel) -> ClaimChecker:
    return ClaimChecker(checker.embed, checker.document_frequencies, model, checker.word_exists)


def rates(verdicts: list[Verdict]) -> dict[str, Any]:
    """Per kind (and language), the share handled correctly; overall precision and recall of keep and remove."""
    groups: dict[str, list[Verdict]] = defaultdict(list)
    for verdict in verdicts:
        claim = verdict.claim
        groups[f"{claim['kind']} ({claim['label']})"].append(verdict)
        groups[f"language {claim['language']} ({claim['label']})"].append(verdict)
    table = {name: {"n": len(items), "correct": sum(v.correct for v in items) / len(items)} for name, items in sorted(groups.items())}
    summary: dict[str, float] = {}
    for decision in ("keep", "remove"):
        decided = [v for v in verdicts if v.kept == (decision == "keep")]
        actual = [v for v in verdicts if v.claim["label"] == decision]
        summary[f"{decision} precision"] = sum(v.correct for v in decided) / len(decided) if decided else 1.0
        summary[f"{decision} recall"] = sum(v.correct for v in actual) / len(actual) if actual else 1.0
    by_target = {
        "faithful kept": [v for v in verdicts if v.claim["label"] == "keep"],
        "name/figure/date removed": [
            v for v in verdicts if v.claim["kind"] in ("name_swap", "figure_swap", "unit_swap", "date_swap")
        ],
        "negation/invented removed": [v for v in verdicts if v.claim["kind"] in ("negation", "invented_clause")],
    }
    targets = {name: sum(v.correct for v in items) / len(items) for name, items in by_target.items() if items}
    return {"kinds": table, "summary": summary, "targets": targets}


def print_report(verdicts: list[Verdict]) -> dict[str, Any]:
    report: dict[str, Any] = {}
    for mode in MODES:
        chosen = [v for v in verdicts if v.mode == mode]
        report[mode] = rates(chosen)
        print(f"\n## {mode}: {'claims cite the exact words they rely on' if mode == 'quoted' else 'claims cite [n] only'}")
        print("| group | n | handled correctly |\n|---|---|---|")
        for name, row in report[mode]["kinds"].items():
            print(f"| {name} | {row['n']} | {row['correct']:.3f} |")
        print("\n" + ", ".join(f"{name} {value:.3f}" for name, value in report[mode]["summary"].items()))
        for name, value in report[mode]["targets"].items():
            print(f"target {name}: {value:.3f} (target ≥ {TARGETS[name]:.2f}) {'met' if value >= TARGETS[name] else 'NOT met'}")
    return report


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m evals.claims", description=__doc__)
    parser.add_argument("--claims", type=Path, default=CLAIMS)
    parser.add_argument("--json", type=Path, help="also write the figures and every wrong verdict here")
    parser.add_argument("--show-errors", action="store_true", help="print each wrongly kept or removed claim")
    parser.add_argument("--fit", action="store_true", help=f"fit the support classifier on every claim and write {SUPPORT_MODEL_PATH.name}")
    args = parser.parse_args(argv)
    claims = read_jsonl(args.claims)
    embeddings = LocalEmbeddings(Settings.from_env().embedding_model)
    with tempfile.TemporaryDirectory() as work:
        settings = indexed_corpora(Path(work), embeddings, Settings.from_env())["extended"]
        store = Store(settings.store_path)
        try:
            checker = ClaimChecker(embeddings.embed_documents, store.document_frequencies, None, store.has_word_starting)
            if args.fit:
                model = fit_support(support_examples(claims, store, checker))
                SUPPORT_MODEL_PATH.write_text(model.to_json(fitted_on=f"{args.claims.name}: every English claim its facts don't settle"))
                print(f"wrote {SUPPORT_MODEL_PATH}")
            verdicts = cross_validated(claims, store, checker)
        finally:
            store.close()
    print(f"Held out: each claim judged by a support classifier fitted on the other {FOLDS - 1} folds (grouped by sentence).")
    report = print_report(verdicts)
    errors = [
        {"id": v.claim["id"], "mode": v.mode, "kind": v.claim["kind"], "label": v.claim["label"], "claim": v.claim["claim"],
         "shown": v.shown, "notices": list(v.notices)}
        for v in verdicts if not v.correct
    ]
    if args.show_errors:
        for error in errors:
            print(f"{error['mode']} {error['id']} {error['kind']}/{error['label']}: {error['claim']} -> {error['notices'] or error['shown']}")
    if args.json:
        args.json.write_text(json.dumps({"report": report, "errors": errors}, indent=1, ensure_ascii=False) + "\n")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
