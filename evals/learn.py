"""Fit the passage ranker, the answer matcher and the decline classifier: ``python -m evals.learn``.

The ranker and the classifier are scikit-learn logistic regressions over general features
(``assistant.search.ranker.RANKER_FEATURES``, ``assistant.answering.absence.DECLINE_FEATURES``), fitted on labelled
questions of every question set: a passage is a positive example when it holds a gold snippet of the question; a
question is a positive example when it is answerable. The fitted numbers are written to ``assistant/models/`` and
read at answering time without scikit-learn; the answer matcher (``evals.match_training``) is fitted with PyTorch and
its adapters written beside them.
``python -m evals.crossval`` fits the same way on training folds only and reports the held-out figures.

Why logistic regression rather than LightGBM's LambdaRank: a few hundred labelled questions and sixteen features
are too few for boosted trees not to memorise them; a linear model is stable, its weights can be read (and
reported), and it ships as a few numbers with no extra run-time dependency.
"""

from __future__ import annotations

import argparse
import sys
import tempfile
from collections.abc import Iterable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Any

import numpy as np
from sklearn.linear_model import LogisticRegression
from sklearn.model_selection import StratifiedKFold, cross_val_predict
from sklearn.pipeline import make_pipeline
from sklearn.preprocessing import StandardScaler

from assistant.answering.absence import DECLINE_FEATURES, situated_sentence
from assistant.answering.answer_match import AnswerMatcher
from assistant.answering.extractive import ExtractiveAnswerer, gives_what_is_required
from assistant.answering.outcomes import Answer
from assistant.index.embeddings import LocalEmbeddings
from assistant.pipeline import PolicyAssistant, load_likelihood
from assistant.search.ranker import RANKER_FEATURES, LinearModel, feature_matrix
from assistant.settings import ANSWER_MATCH_PATH, DECLINE_PATH, RANKER_PATH
from assistant.settings import Settings
from assistant.text.matching import normalize_for_match
from evals.match_training import NEAR_MISSES, MatchCandidate, NearMisses, fit_matcher, matcher_examples
from evals.questionset import LATER_SETS, QUESTION_SETS, PooledQuestion, indexed_corpora, question_pool

REGULARISATION = 1.0
"""scikit-learn's default inverse regularisation strength, not tuned."""


@dataclass(frozen=True)
class RankerExample:
    question_id: str
    features: dict[str, float]
    relevant: bool


def placeholder(features: Sequence[str]) -> LinearModel:
    """An unfitted model (every weight zero, never declines): for collecting the features a real one is fitted on."""
    size = len(features)
    return LinearModel(tuple(features), np.zeros(size), np.ones(size), np.zeros(size), 1.0, 0.0)


def holds_gold(text: str, golds: Sequence[str]) -> bool:
    normalised = normalize_for_match(text)
    return any(gold in normalised for gold in golds)


def ranker_examples(assistant: PolicyAssistant, pooled: PooledQuestion) -> list[RankerExample]:
    """Every candidate passage of an answerable question, with its features and whether it holds a gold snippet."""
    question = pooled.question
    if not question["answerable"] or not question["gold_passages"]:
        return []
    prepared = assistant.prepare(question["question"], question.get("history") or [])
    if prepared.question is None:
        return []
    found = assistant.searcher.candidates(prepared.question.standalone)
    golds = [normalize_for_match(g) for g in question["gold_passages"]]
    features = assistant.searcher.features(found)
    return [RankerExample(pooled.key, features[cid], holds_gold(found.chunks[cid].text, golds)) for cid in found.ids]


@dataclass(frozen=True)
class DeclineExample:
    features: dict[str, float]
    answerable: bool
    answer_correct: bool
    """The answer the answerer would give, if it answered, holds what the question expects."""
    question: str = ""
    """The question as searched (a follow-up made standalone)."""
    candidates: tuple[MatchCandidate, ...] = ()
    """The answerer's best sentences, best first: what the answer matcher learns from."""
    required_given: bool = True
    """The best sentence gives what the question cannot be answered without (``gives_what_is_required``): if not,
    the answerer is unsure whatever the classifier says."""

    def matcher_examples(self) -> list[tuple[str, str, bool]]:
        return matcher_examples(self.question, self.answerable, self.candidates)


MATCH_CANDIDATES = 8


def decline_example(assistant: PolicyAssistant, pooled: PooledQuestion) -> DeclineExample | None:
    """The decline classifier's features for a question and whether answering would be right, or None when the
    answerer declines whatever the evidence."""
    from evals.score import answer_correct

    question = pooled.question
    prepared = assistant.prepare(question["question"], question.get("history") or [])
    answerer = assistant.answerer
    if prepared.question is None or not isinstance(answerer, ExtractiveAnswerer):
        return None
    found = answerer.candidate(prepared.question, prepared.passages, consult_model=True)
    if isinstance(found, Answer):
        return None
    text = answerer.compose_answer(prepared.question, found.sentences, found.coverage, prepared.passages, 1.0).text
    correct = bool(question["answerable"]) and answer_correct(question, {"answer": text, "answerable": True})
    golds = [normalize_for_match(g) for g in question["gold_passages"]]
    candidates = tuple(
        MatchCandidate(situated_sentence(s), holds_gold(s.span.text, golds), holds_gold(s.passage.chunk.text, golds))
        for s in found.sentences[:MATCH_CANDIDATES]
    )
    return DeclineExample(
        found.features, bool(question["answerable"]), correct, prepared.question.standalone, candidates,
        gives_what_is_required(prepared.question.text, found.sentences[0]),
    )


def linear_model(
    rows: Sequence[dict[str, float]], labels: Sequence[bool], features: Sequence[str], threshold: float = 0.5
) -> LinearModel:
    """Standardise, fit a logistic regression, and keep its numbers."""
    x = feature_matrix(rows, features)
    y = np.asarray(labels, dtype=int)
    scaler = StandardScaler().fit(x)
    scale = np.where(scaler.scale_ > 0, scaler.scale_, 1.0)
    regression = LogisticRegression(C=REGULARISATION, max_iter=2000).fit((x - scaler.mean_) / scale, y)
    return LinearModel(
        tuple(features), scaler.mean_, scale, regression.coef_[0], float(regression.intercept_[0]), threshold,
        float(y.mean()),
    )


def fit_ranker(examples: Iterable[RankerExample], features: Sequence[str] = RANKER_FEATURES) -> LinearModel:
    examples = list(examples)
    return linear_model([e.features for e in examples], [e.relevant for e in examples], features)


THRESHOLD_REPEATS = 10
"""Out-of-fold probabilities are computed under this many shuffles of the folds, and the threshold is chosen on their
average objective: with a single split, which questions share a fold moves the threshold (and the held-out refusal
figures) as much as any feature does."""


WRONG_ANSWER_COST = 2.0
"""A wrong answer costs twice what a right one gains (the weight the refusal objective always used, not tuned)."""


def harm_threshold(probabilities: np.ndarray, correct: np.ndarray, tolerance: float = 0.005) -> float:
    """The probability under which not to answer, chosen for users: each training question answered rightly counts
    +1, answered wrongly (an unanswerable one, or the wrong sentence) -WRONG_ANSWER_COST, not answered 0 (below
    the threshold it is unsure or declined, which the absence floor decides). The middle of the plateau within
    ``tolerance`` of the best, averaged over the repeats of the out-of-fold probabilities."""
    repeats = np.atleast_2d(probabilities)
    thresholds = np.linspace(0.05, 0.95, 91)
    objectives = []
    for threshold in thresholds:
        answered = repeats >= threshold
        gain = (answered & correct).sum(axis=1) - WRONG_ANSWER_COST * (answered & ~correct).sum(axis=1)
        objectives.append(float(np.mean(gain)) / max(1, len(correct)))
    scores = np.asarray(objectives)
    return float(np.median(thresholds[scores >= scores.max() - tolerance]))


def decline_threshold(probabilities: np.ndarray, answerable: np.ndarray, tolerance: float = 0.02) -> float:
    """The probability under which to decline: the middle of the thresholds whose refusal accuracy minus twice the
    false-refusal rate is within ``tolerance`` of the best (a wrongly declined answer costs less than an invented
    one, but users notice both). ``probabilities``: one row per repeat of the out-of-fold predictions (or a single
    row); the objective is averaged over the rows. The middle of that plateau moves less from one training set to
    another than its first point."""
    unanswerable = ~answerable
    repeats = np.atleast_2d(probabilities)
    thresholds = np.linspace(0.05, 0.95, 91)
    objectives = []
    for threshold in thresholds:
        declined = repeats < threshold
        refusal = declined[:, unanswerable].mean(axis=1) if unanswerable.any() else np.ones(len(declined))
        false_refusal = declined[:, answerable].mean(axis=1) if answerable.any() else np.zeros(len(declined))
        objectives.append(float(np.mean(refusal - 2 * false_refusal)))
    scores = np.asarray(objectives)
    return float(np.median(thresholds[scores >= scores.max() - tolerance]))


def fit_decline(
    rows: Sequence[dict[str, float]], answerable: Sequence[bool], features: Sequence[str] = DECLINE_FEATURES,
    correct: Sequence[bool] | None = None, on_correct: bool = False,
) -> LinearModel:
    """The classifier, and its threshold chosen on out-of-fold probabilities of the same training questions: by the
    harm objective when ``correct`` (whether each answer would be right) is given, else by refusal accuracy.
    ``on_correct``: the classifier learns whether the answer would be right, not whether the question is
    answerable (a wrong sentence of an answerable question is then a negative example too)."""
    x = feature_matrix(rows, features)
    answerable_flags = np.asarray(answerable, dtype=bool)
    y = np.asarray(correct, dtype=bool) if on_correct and correct is not None else answerable_flags
    pipeline = make_pipeline(StandardScaler(), LogisticRegression(C=REGULARISATION, max_iter=2000))
    splits = min(5, int(min(y.sum(), (~y).sum())))
    out_of_fold = np.asarray([
        cross_val_predict(
            pipeline, x, y.astype(int), cv=StratifiedKFold(n_splits=splits, shuffle=True, random_state=seed),
            method="predict_proba",
        )[:, 1]
        for seed in range(THRESHOLD_REPEATS)
    ])
    threshold = (
        harm_threshold(out_of_fold, np.asarray(correct, dtype=bool)) if correct is not None
        else decline_threshold(out_of_fold, y)
    )
    model = linear_model(rows, y, features, threshold)
    return replace(model, floor=absence_floor(out_of_fold, answerable_flags, model.threshold))


ABSENCE_FALSE_RATE = 0.0
"""At most this share of the answerable training questions may fall under the absence floor: none, so the floor sits
under every answerable training question. At 0.02, held out (``python -m evals.screen``, grouped folds) it declined
2.3% of the pool's answerable questions and 4.0% of its paraphrase sets', and on the kept-aside sets' runs more
answerable questions than near misses fell under it; at 0.0 false absence is 0.000 held out, with the same
accuracy and wrong answers (the floor only moves unsure ↔ declined). Declines then rest on evidence of absence."""


def absence_floor(probabilities: np.ndarray, answerable: np.ndarray, threshold: float) -> float:
    """The probability under which a decline may say the documents are silent with no other evidence: the
    ``ABSENCE_FALSE_RATE`` quantile of the answerable training questions' out-of-fold probabilities (averaged over
    the repeats), never above the decline threshold."""
    mean = np.atleast_2d(probabilities).mean(axis=0)
    if not answerable.any():
        return threshold
    return float(min(threshold, np.quantile(mean[answerable], ABSENCE_FALSE_RATE)))


MATCHER_FOLDS = 3
"""The answer classifier is fitted on answer-matcher scores of matchers that did not see the question (stacking):
scores of questions a matcher was fitted on are far more confident than those of new questions."""


def fit_all(
    assistants: dict[str, PolicyAssistant], pool: Sequence[PooledQuestion],
    ranker_features: Sequence[str] = RANKER_FEATURES, decline_features: Sequence[str] = DECLINE_FEATURES,
    examples: Sequence[RankerExample] | None = None, harm_objective: bool = True, on_correct: bool = True,
    ranker: LinearModel | None = None,
) -> tuple[LinearModel, LinearModel, AnswerMatcher | None]:
    """Fit the ranker on ``pool`` (unless one is given), then the answer matcher and the decline classifier on the
    same questions answered with that ranker; the assistants are left with the fitted matcher."""
    if ranker is None:
        if examples is None:
            examples = [e for pooled in pool for e in ranker_examples(assistants[pooled.corpus], pooled)]
        ranker = fit_ranker(examples, ranker_features)
    found: list[DeclineExample] = []
    kept: list[PooledQuestion] = []
    for pooled in pool:
        assistant = assistants[pooled.corpus]
        assistant.searcher.ranker = ranker
        example = decline_example(assistant, pooled)
        if example is not None:
            found.append(example)
            kept.append(pooled)
    matcher = None
    if "answer_match" in decline_features:
        encoder = next(iter(assistants.values())).embeddings.model
        found = held_out_match_scores(found, kept, encoder)
        matcher = fit_matcher([m for e in found for m in e.matcher_examples()], encoder)
        for assistant in assistants.values():
            assistant.extractive.matcher = matcher
    correct = [e.answer_correct for e in found] if harm_objective else None
    return ranker, fit_decline(
        [e.features for e in found], [e.answerable for e in found], decline_features, correct, on_correct
    ), matcher


def held_out_match_scores(
    found: Sequence[DeclineExample], pool: Sequence[PooledQuestion], encoder: Any,
    near_misses: NearMisses = NEAR_MISSES, feature: str = "answer_match",
) -> list[DeclineExample]:
    """The examples with the answer matcher's score of their best sentence (as ``feature``) from a matcher fitted
    without them (grouped folds: questions that share a gold passage are scored by the same matcher)."""
    from evals.crossval import folds_of

    scored = list(found)
    for held_out in folds_of(pool, MATCHER_FOLDS):
        held = set(held_out)
        matcher = fit_matcher(
            [m for i, e in enumerate(found) if i not in held for m in e.matcher_examples()], encoder,
            near_misses=near_misses,
        )
        for i in held_out:
            example = found[i]
            score = float(matcher.scores(example.question, [example.candidates[0].text])[0]) if example.candidates else 0.0
            scored[i] = replace(example, features={**example.features, feature: score})
    return scored


def assistants_for(corpora: dict[str, Settings], embeddings: Any, **models: LinearModel) -> dict[str, PolicyAssistant]:
    """One assistant per indexed corpus, with the given models (placeholders for those not given)."""
    models.setdefault("ranker", placeholder(RANKER_FEATURES))
    models.setdefault("decline_model", placeholder(DECLINE_FEATURES))
    first = next(iter(corpora.values()))
    likelihood = load_likelihood(first) if first.second_opinion else None  # one model, its scores shared
    return {
        name: PolicyAssistant(settings, embeddings, likelihood=likelihood, **models) for name, settings in corpora.items()
    }


def coefficients_table(model: LinearModel) -> list[str]:
    lines = ["| feature | weight (per standard deviation) |", "|---|---|"]
    for name, weight in sorted(zip(model.features, model.weights), key=lambda item: -abs(item[1])):
        lines.append(f"| {name} | {weight:+.3f} |")
    return lines


@contextmanager
def fresh_assistants() -> Iterator[dict[str, PolicyAssistant]]:
    """Both corpora indexed in a temporary folder, an assistant over each with placeholder models; closed after."""
    embeddings = LocalEmbeddings()
    with tempfile.TemporaryDirectory(prefix="learn-") as work:
        assistants = assistants_for(indexed_corpora(Path(work), embeddings, Settings.from_env()), embeddings)
        try:
            yield assistants
        finally:
            for assistant in assistants.values():
                assistant.store.close()


def write_model(model: LinearModel, path: Path, questions: int) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(model.to_json(fitted_on=f"{questions} questions"), encoding="utf-8")


def refit_ranker(out: Path) -> int:
    """The ranker alone, fitted on every labelled set (the answer matcher and classifier refitted on them too answered
    more, and more of it wrongly, on two unread sets)."""
    pool = question_pool((*QUESTION_SETS, *LATER_SETS))
    with fresh_assistants() as assistants:
        ranker = fit_ranker(e for pooled in pool for e in ranker_examples(assistants[pooled.corpus], pooled))
    write_model(ranker, out, len(pool))
    print("\n".join(["ranker:", *coefficients_table(ranker), f"wrote {out}"]))
    return 0


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m evals.learn", description=__doc__)
    parser.add_argument("--ranker-out", type=Path, default=RANKER_PATH)
    parser.add_argument("--decline-out", type=Path, default=DECLINE_PATH)
    parser.add_argument("--matcher-out", type=Path, default=ANSWER_MATCH_PATH)
    parser.add_argument(
        "--target", choices=("correct", "answerable"), default="correct",
        help="what the answer classifier learns: whether the answer would be right (default) or whether the "
        "question is answerable",
    )
    parser.add_argument(
        "--keep-ranker", action="store_true",
        help="refit only the answer classifier, on the questions as the shipped ranker orders them",
    )
    parser.add_argument(
        "--ranker-only", action="store_true",
        help="refit only the ranker, on the pool and the sets read since (evals.questionset.LATER_SETS)",
    )
    args = parser.parse_args(argv)
    if args.ranker_only:
        return refit_ranker(args.ranker_out)
    kept = LinearModel.load(RANKER_PATH) if args.keep_ranker else None
    pool = question_pool()
    with fresh_assistants() as assistants:
        ranker, decline, matcher = fit_all(assistants, pool, on_correct=args.target == "correct", ranker=kept)
    if kept is None:
        write_model(ranker, args.ranker_out, len(pool))
    write_model(decline, args.decline_out, len(pool))
    if matcher is not None:
        matcher.save(args.matcher_out)
    print("\n".join(["ranker:", *coefficients_table(ranker), "", f"decline (threshold {decline.threshold:.2f}):",
                     *coefficients_table(decline)]))
    print(f"wrote {args.decline_out}" if kept else f"wrote {args.ranker_out} and {args.decline_out}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
