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
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from assistant.embeddings import LocalEmbeddings
from assistant.grounding import ground
from assistant.prompting import PromptPassage
from assistant.retrieval import Passage
from assistant.settings import Settings
from assistant.store import Store
from assistant.text import normalize_for_match
from evals.questionset import EVALS, indexed_corpora, read_jsonl

CLAIMS = EVALS / "claims.jsonl"
FAITHFUL_KINDS = ("exact", "paraphrase")
TARGETS = {"faithful kept": 0.95, "name/figure/date removed": 0.98, "negation/invented removed": 0.90}
MODES = ("quoted", "plain")


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


def passage_with(store: Store, source: str, evidence: str) -> Passage:
    """The indexed passage of ``source`` that holds ``evidence``."""
    wanted = normalize_for_match(evidence)
    chunks = store.chunks(sorted(store.chunk_ids_of(source)))
    for chunk in chunks.values():
        if wanted in normalize_for_match(chunk.text):
            return Passage(chunk, 1.0)
    raise ValueError(f"{CLAIMS.name}: no passage of {source} contains {evidence!r}")


def judge(claims: Iterable[dict[str, Any]], store: Store) -> list[Verdict]:
    verdicts: list[Verdict] = []
    for claim in claims:
        passage = passage_with(store, claim["source"], claim["evidence"])
        given = [PromptPassage(1, passage.chunk.text, passage)]
        for mode in MODES:
            grounded = ground(cited_answer(claim["claim"], claim["evidence"], mode), given, store.document_frequencies)
            kept = bool(grounded.citations) and not grounded.declined
            verdicts.append(Verdict(claim, mode, kept, grounded.text, tuple(grounded.notices)))
    return verdicts


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
    args = parser.parse_args(argv)
    claims = read_jsonl(args.claims)
    embeddings = LocalEmbeddings(Settings.from_env().embedding_model)
    with tempfile.TemporaryDirectory() as work:
        settings = indexed_corpora(Path(work), embeddings, Settings.from_env())["extended"]
        store = Store(settings.store_path)
        try:
            verdicts = judge(claims, store)
        finally:
            store.close()
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
