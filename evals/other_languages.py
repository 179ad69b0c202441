"""The answer threshold for questions in other languages answered offline: ``python -m evals.other_languages``.

A question in another language is searched, and its answer chosen, with its English words from a dictionary
(``assistant/text/bilingual.py``). The answer classifier, fitted on English questions, is less sure of those words
for right and wrong answers alike, so the English threshold leaves most of them unsure. This fits a threshold for
them the way ``evals.learn`` fits the English one (``harm_threshold``: +1 a right answer, -2 a wrong one, 0 not
answered), on the pool's questions in other languages, answerable and near misses, over the corpus and the extra
documents. Grouped 5-fold cross-validation first (translations of one pool question in one fold; the threshold
fitted on four folds, applied to the fifth) prints what it does on questions it was not fitted on, beside the
English threshold; then the threshold fitted on all is written to ``assistant/models/other_languages.json``.
"""

from __future__ import annotations

import argparse
import json
import sys
import tempfile
from dataclasses import dataclass, replace
from pathlib import Path

import numpy as np
from sklearn.model_selection import GroupKFold

from assistant.index.embeddings import LocalEmbeddings
from assistant.index.ingestion import Ingestor
from assistant.pipeline import PolicyAssistant
from assistant.settings import OTHER_LANGUAGES_PATH, Settings
from evals.learn import harm_threshold
from evals.questionset import EVALS, extended_corpus, read_questions
from evals.score import answer_correct

POOL_SETS = tuple(
    EVALS / f"{name}.jsonl" for name in (
        "multilingual_questions", "multilingual_second_questions", "multilingual_followup_questions",
        "multilingual_near_miss_questions",
    )
)


@dataclass(frozen=True)
class Reading:
    """One question in another language: the classifier's probability for its rendering's best sentence, and
    whether the answer it would give is right (never, for a near miss)."""

    key: str
    source: str
    probability: float
    right: bool


def readings(assistant: PolicyAssistant, paths: tuple[Path, ...]) -> list[Reading]:
    found = []
    answerer = assistant.extractive
    for path in paths:
        for question in read_questions(path):
            prepared = assistant.prepare(question["question"], question.get("history") or [])
            asked = prepared.question
            if asked is None or asked.language == "en" or asked.standalone == asked.text:
                continue  # answered as English, or searched as written: the threshold is not theirs
            english = replace(asked, text=asked.standalone, language="en")
            candidate = answerer.candidate(english, prepared.passages)
            if not hasattr(candidate, "features"):
                continue
            probability = answerer.probability(candidate)
            answer = answerer.compose_answer(
                english, candidate.sentences, candidate.coverage, prepared.passages, probability
            )
            result = {"answer": answer.text, "answerable": True}
            right = bool(question["answerable"]) and answer_correct(question, result)
            source = str(question.get("translates", question["id"])).split(":")[0]
            found.append(Reading(f"{path.stem}:{question['id']}", source, probability, right))
    return found


def held_out(found: list[Reading], english_threshold: float, folds: int = 5) -> dict[str, dict[str, float]]:
    """Right and wrong answers per question, the threshold fitted without each question's fold."""
    probabilities = np.array([r.probability for r in found])
    right = np.array([r.right for r in found])
    groups = [r.source for r in found]
    answered_fitted = np.zeros(len(found), dtype=bool)
    for train, test in GroupKFold(n_splits=folds).split(probabilities, right, groups):
        threshold = harm_threshold(probabilities[train], right[train])
        answered_fitted[test] = probabilities[test] >= threshold
    rows = {}
    compared = (("English threshold", probabilities >= english_threshold), ("fitted, held out", answered_fitted))
    for name, answered in compared:
        rows[name] = {
            "right": float((answered & right).sum()) / len(found),
            "wrong": float((answered & ~right).sum()) / len(found),
            "answered": float(answered.sum()) / len(found),
        }
    return rows


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m evals.other_languages", description=__doc__)
    parser.add_argument("--out", type=Path, default=OTHER_LANGUAGES_PATH)
    args = parser.parse_args(argv)
    with tempfile.TemporaryDirectory(prefix="other-languages-") as work:
        root = Path(work)
        corpus = extended_corpus(Settings().corpus_dir, root / "corpus")
        settings = Settings.from_env(corpus_dir=corpus, data_dir=root / "data")
        embeddings = LocalEmbeddings(settings.embedding_model)
        Ingestor(settings, embeddings).run()
        assistant = PolicyAssistant(settings, embeddings)
        found = readings(assistant, POOL_SETS)
        english_threshold = assistant.extractive.decline_threshold
        assistant.store.close()
    near_misses = sum(1 for r in found if not r.right and "near_miss" in r.key)
    print(f"{len(found)} questions in other languages searched word by word ({near_misses} near misses)")
    for name, row in held_out(found, english_threshold).items():
        print(f"{name:<20} " + "  ".join(f"{k} {v:.3f}" for k, v in row.items()))
    threshold = harm_threshold(np.array([r.probability for r in found]), np.array([r.right for r in found]))
    args.out.write_text(json.dumps({
        "threshold": round(threshold, 4), "english_threshold": round(english_threshold, 4), "questions": len(found),
        "fitted_by": "python -m evals.other_languages",
    }, indent=1) + "\n", encoding="utf-8")
    print(f"threshold {threshold:.3f} (English {english_threshold:.3f}); wrote {args.out}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
