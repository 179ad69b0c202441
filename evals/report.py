"""Evaluation report: ``python -m evals.report [--audit]`` writes evals/REPORT.md from ``python -m evals.crossval``.

It runs the cross-validation (unless ``--from`` names a saved ``crossval.json``), so the figures in the report are
the ones this code produces now: held-out figures first, the baselines beside them, then (with ``--audit``) a row
per rule or feature group taken out, then the weights of the shipped models (fitted on every question by
``evals.learn``). Each configuration refits the ranker, the answer matcher (four fits: three to score the training
questions held out, one to answer) and the answer classifier in every fold: over an hour per fold for the 884 pool
questions on 2 cores, so the audit, eighteen configurations, is left to ``--audit``.
"""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path
from typing import Any

from assistant.search.ranker import LinearModel
from assistant.settings import DECLINE_PATH, RANKER_PATH
from evals.crossval import DEFAULT, POOLED, run
from evals.learn import coefficients_table
from evals.questionset import EVALS, NEEDS_EXTRA_CORPUS, QUESTION_SETS

ANSWER_METRICS = (
    ("wrong answers", "wrong_answer_rate"), ("false absence", "false_absence_rate"), ("unsure", "unsure_rate"),
    ("answer acc.", "answer_accuracy"), ("r@1", "recall@1"), ("r@3", "recall@3"), ("MRR@10", "mrr@10"),
    ("cited gold", "cited_gold"), ("verbatim", "quotes_verbatim"), ("refusal", "refusal_accuracy"),
    ("p50 ms", "latency_p50_ms"),
)


def cell(metrics: dict[str, Any], key: str) -> str:
    value = metrics.get(key)
    return "–" if value is None else (f"{value:.3f}" if isinstance(value, float) and value <= 1 else f"{value}")


def held_out_table(metrics: dict[str, dict[str, Any]]) -> list[str]:
    lines = ["| question set | n | " + " | ".join(label for label, _ in ANSWER_METRICS) + " |",
             "|---|---|" + "---|" * len(ANSWER_METRICS)]
    for name, m in metrics.items():
        lines.append(f"| {name} | {m['questions']} | " + " | ".join(cell(m, key) for _, key in ANSWER_METRICS) + " |")
    return lines


def comparison_table(outcome: dict[str, Any]) -> list[str]:
    """Every row on the pooled questions: baselines (retrieval only) and the variants (end to end)."""
    lines = ["| configuration | " + " | ".join(label for label, _ in ANSWER_METRICS[:-1]) + " |",
             "|---|" + "---|" * (len(ANSWER_METRICS) - 1)]
    for name, by_set in outcome["baselines"].items():
        lines.append(f"| baseline: {name} | " + " | ".join(cell(by_set[POOLED], k) for _, k in ANSWER_METRICS[:-1]) + " |")
    for name, by_set in outcome["variants"].items():
        lines.append(f"| {name} | " + " | ".join(cell(by_set[POOLED], k) for _, k in ANSWER_METRICS[:-1]) + " |")
    return lines


def baseline_by_set(outcome: dict[str, Any]) -> list[str]:
    sets = list(next(iter(outcome["variants"].values())).keys())
    lines = ["| MRR@10 | " + " | ".join(sets) + " |", "|---|" + "---|" * len(sets)]
    rows = {**{f"baseline: {n}": v for n, v in outcome["baselines"].items()}, DEFAULT.name: outcome["variants"][DEFAULT.name]}
    for name, by_set in rows.items():
        lines.append(f"| {name} | " + " | ".join(cell(by_set.get(s, {}), "mrr@10") for s in sets) + " |")
    return lines


def outcome_counts(outcome: dict[str, Any]) -> list[str]:
    """Per variant: questions answered rightly, answered wrongly (unanswerable, or the wrong sentence), unsure,
    declined, and the harm objective the answer threshold is chosen for (+1 right, -2 wrong)."""
    lines = ["| configuration | right | wrong: unanswerable answered | wrong: answerable, wrong sentence | unsure | "
             "declined | right − 2 × wrong |", "|---|---|---|---|---|---|---|"]
    for name, questions in outcome.get("outcomes", {}).items():
        right = wrong_unanswerable = wrong_sentence = unsure = declined = 0
        for result in questions.values():
            kind = result.get("outcome") or ("declined" if result["declined"] else "answered")
            if kind == "answered":
                if not result["answerable"]:
                    wrong_unanswerable += 1
                elif result["correct"]:
                    right += 1
                else:
                    wrong_sentence += 1
            elif kind == "unsure":
                unsure += 1
            else:
                declined += 1
        wrong = wrong_unanswerable + wrong_sentence
        lines.append(f"| {name} | {right} | {wrong_unanswerable} | {wrong_sentence} | {unsure} | {declined} | "
                     f"{right - 2 * wrong} |")
    return lines


def kept_aside_tables(out_dir: Path) -> list[str]:
    """Each kept-aside set's report (``python -m evals.unseen --set …``): its first run, its run on the change it
    judged ("now"), and the baselines in that run."""
    lines: list[str] = []
    for path in sorted(out_dir.glob("*-report.json")):
        report = json.loads(path.read_text(encoding="utf-8"))
        if "rows" not in report:
            continue
        lines += [f"### {path.name.removesuffix('-report.json')} ({report['questions']} questions)", "",
                  "| run | " + " | ".join(label for label, _ in ANSWER_METRICS) + " |",
                  "|---|" + "---|" * len(ANSWER_METRICS)]
        for name, metrics in report["rows"].items():
            lines.append(f"| {name} | " + " | ".join(cell(metrics, key) for _, key in ANSWER_METRICS) + " |")
        lines.append("")
    return lines or ["(not run: `python -m evals.unseen`)"]


def fitted_on(path: Path) -> str:
    return str(json.loads(path.read_text(encoding="utf-8")).get("fitted_on", "the pool"))


def write_report(outcome: dict[str, Any], out_dir: Path) -> Path:
    default = outcome["variants"][DEFAULT.name]
    extended = sorted({path.stem for path in QUESTION_SETS} & NEEDS_EXTRA_CORPUS)
    lines = [
        "# Evaluation report",
        "",
        f"Produced by `python -m evals.report` (offline, extractive). {outcome['folds']}-fold cross-validation over",
        f"the union of the pool question sets of that run ({outcome['questions']} questions), stratified by kind and",
        "grouped: a follow-up stays with its conversation, and questions whose gold snippets are the same passage text",
        "stay in one fold. The ranker, the answer matcher and the answer classifier (with its answer threshold and",
        "absence floor) are fitted on the training folds only, and every question is answered end to end by the models",
        f"of the fold that held it out. {', '.join(f'`{name}`' for name in extended)} are asked of the corpus plus",
        "`evals/extra_corpus/`. Harm first: wrong answers (answered but wrong, over all questions), false absence",
        "(\"the documents don't say\" although they do, over answerable questions) and unsure (the closest passage",
        "quoted, no claim of absence) lead every table.",
        "",
        "## Held-out figures (the ones we report)",
        "",
        *held_out_table(default),
        "",
        "## Against the baselines (all questions pooled)",
        "",
        "Baselines fit nothing, so every question is held out for them; they give retrieval figures only.",
        "",
        *comparison_table(outcome),
        "",
        "### MRR@10 per question set",
        "",
        *baseline_by_set(outcome),
        "",
        "## The sets kept aside (`python -m evals.unseen --set …`)",
        "",
        "Each was written before the change it judged (random paragraphs asked in a staff member's own words, pronoun",
        "follow-ups, speakers by role, injected instructions, near misses), run once on the code before it (first run)",
        "and once on the change (\"now\", the run that decided whether it stayed), then joined the pool (and the folds",
        "above). Which change each judged, and what it decided: docs/evaluation.md.",
        "",
        *kept_aside_tables(out_dir),
        f"## Shipped models (`python -m evals.learn`: ranker fitted on {fitted_on(RANKER_PATH)}, answer classifier on "
        f"{fitted_on(DECLINE_PATH)})",
        "",
        "Ranker weights:",
        "",
        *coefficients_table(LinearModel.load(RANKER_PATH)),
        "",
        f"Answer classifier (answers from probability {LinearModel.load(DECLINE_PATH).threshold:.2f}; under the absence "
        f"floor {LinearModel.load(DECLINE_PATH).floor:.2f} a decline may claim absence without other evidence):",
        "",
        *coefficients_table(LinearModel.load(DECLINE_PATH)),
        "",
        "## The pooled outcomes per variant (held out)",
        "",
        *outcome_counts(outcome),
        "",
        "## Questions below the bar (held out)",
        "",
        *(f"- {name}: {', '.join(m['failures']) or 'none'}" for name, m in default.items() if name != POOLED),
        "",
    ]
    report = out_dir / "REPORT.md"
    report.write_text("\n".join(lines), encoding="utf-8")
    return report


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m evals.report", description=__doc__)
    parser.add_argument("--out-dir", type=Path, default=EVALS)
    parser.add_argument("--from", dest="saved", type=Path, help="a crossval.json to render instead of running")
    parser.add_argument("--folds", type=int, default=5)
    parser.add_argument("--audit", action="store_true", help="also a row per rule or feature group taken out")
    args = parser.parse_args(argv)
    if args.saved:
        outcome = json.loads(args.saved.read_text(encoding="utf-8"))
    else:
        outcome = run(args.folds, audit=args.audit)
        (args.out_dir / "crossval.json").write_text(json.dumps(outcome, indent=1, default=str), encoding="utf-8")
    print(f"wrote {write_report(outcome, args.out_dir)}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
