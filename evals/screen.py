"""Screen answer-classifier feature sets quickly: ``python -m evals.screen [--splits 3]``.

The full cross-validation (``python -m evals.crossval``) refits the ranker and re-answers every question per fold
and takes half an hour. This screen reads each pool question's answer-classifier features once, with the shipped
ranker (so its rankings of pool questions are not held out: the comparison between feature sets is fair, the level
is not), then refits only the classifier, its answer threshold and absence floor in grouped folds (questions sharing
a gold passage or a conversation in one fold), over several fold splits, and prints harm first per feature set:
all pool questions, and the paraphrase-heavy kept-aside sets; the shipped features, each left out, and any added
(``--add``). A feature set chosen here is chosen on the pool. The answer matcher's score is not the shipped
matcher's (fitted on these questions) but that of matchers fitted without each question (``evals.learn``'s
stacking folds), which adds about ten minutes; ``--matchers KIND ...`` adds rows with matchers fitted on other kinds
of made-up near misses (``evals.match_training``), about twelve minutes each. ``--readings FILE`` keeps the
readings and reuses them while the questions and the code that reads them are unchanged: classifier variants then
screen in seconds. Refitting the matchers moves the level by several points even where the code's change touches a
few questions (their candidates reshuffle the matchers' training); to screen a change of the code, read the pool
before and after it and run the second with ``--matcher-scores BEFORE``.
"""

from __future__ import annotations

import argparse
import hashlib
import json
import sys
import tempfile
from collections.abc import Sequence
from dataclasses import dataclass, replace
from pathlib import Path
from typing import get_args

import numpy as np
from assistant.answering.absence import DECLINE_FEATURES, decided_outcome
from assistant.index.embeddings import LocalEmbeddings
from assistant.search.ranker import LinearModel
from assistant.settings import DECLINE_PATH, PROJECT_ROOT, RANKER_PATH, Settings
from evals.learn import absence_floor, assistants_for, decline_example, fit_decline, held_out_match_scores
from evals.match_training import NearMisses
from evals.crossval import folds_of
from evals.questionset import PooledQuestion, indexed_corpora, question_pool

PARAPHRASE_SETS = (
    "unseen_questions", "kept_aside_questions", "third_kept_aside_questions", "fourth_kept_aside_questions",
    "fifth_kept_aside_questions", "sixth_kept_aside_questions", "seventh_kept_aside_questions",
    "eighth_kept_aside_questions",
)
"""Written by drawing paragraphs at random and asking in a reader's own words (issue 20)."""


def matcher_feature(near_misses: NearMisses) -> str:
    """The name under which the screen keeps the scores of a matcher fitted with ``near_misses``."""
    return f"answer_match, near misses of {near_misses}"


def feature_sets(extra: Sequence[str] = (), matchers: Sequence[NearMisses] = ()) -> dict[str, tuple[str, ...]]:
    """The shipped features, the shipped features plus each of ``extra`` (features the answerer computes that no
    shipped model reads), the shipped features with the answer matcher fitted on each kind of made-up near misses
    of ``matchers``, and the shipped features without each one."""
    sets = {"shipped": DECLINE_FEATURES}
    sets.update({
        f"matcher fitted with near misses of {kind}": tuple(
            matcher_feature(kind) if f == "answer_match" else f for f in DECLINE_FEATURES
        )
        for kind in matchers
    })
    sets.update({f"shipped + {name}": (*DECLINE_FEATURES, name) for name in extra})
    sets.update({f"without {name}": tuple(f for f in DECLINE_FEATURES if f != name) for name in DECLINE_FEATURES})
    return sets


@dataclass(frozen=True)
class Reading:
    """What the answer classifier reads for one question (None: the answerer declines whatever it reads)."""

    features: dict[str, float] | None
    answerable: bool
    correct: bool
    required_given: bool = True
    """The best sentence gives what the question cannot be answered without: else unsure, as the answerer is."""
    sentence: str = ""
    """The best sentence, as the answer matcher read it."""


def read_pool(pool: Sequence[PooledQuestion], matchers: Sequence[NearMisses] = ()) -> list[Reading]:
    embeddings = LocalEmbeddings()
    readings = []
    with tempfile.TemporaryDirectory(prefix="screen-") as work:
        corpora = indexed_corpora(Path(work), embeddings, Settings.from_env())
        assistants = assistants_for(corpora, embeddings, ranker=LinearModel.load(RANKER_PATH))
        examples = [decline_example(assistants[pooled.corpus], pooled) for pooled in pool]
        answered = [i for i, example in enumerate(examples) if example is not None]
        held_out = held_out_match_scores([examples[i] for i in answered], [pool[i] for i in answered], embeddings.model)
        for kind in matchers:
            held_out = held_out_match_scores(
                held_out, [pool[i] for i in answered], embeddings.model, kind, matcher_feature(kind)
            )
        for i, example in zip(answered, held_out):
            examples[i] = example
        for pooled, example in zip(pool, examples):
            answerable = bool(pooled.question["answerable"])
            readings.append(
                Reading(None, answerable, False) if example is None
                else Reading(
                    example.features, answerable, example.answer_correct, example.required_given,
                    example.candidates[0].text if example.candidates else "",
                )
            )
        for assistant in assistants.values():
            assistant.store.close()
    return readings


READING_CODE = ("learn.py", "match_training.py", "score.py", "questionset.py", "screen.py")
"""The evaluation modules whose code shapes a reading."""


def reading_code_version(root: Path = PROJECT_ROOT) -> str:
    """A digest of what the readings depend on besides the questions: the assistant's code and shipped models, and
    the evaluation code that fits the matcher and scores answers."""
    digest = hashlib.sha256()
    files = [*sorted((root / "assistant").rglob("*")), *(root / "evals" / name for name in READING_CODE)]
    for path in files:
        if path.is_file() and "__pycache__" not in path.parts:
            digest.update(path.relative_to(root).as_posix().encode())
            digest.update(path.read_bytes())
    return digest.hexdigest()


def cached_readings(path: Path | None, pool: Sequence[PooledQuestion], matchers: Sequence[NearMisses]) -> list[Reading]:
    """The pool's readings, from ``path`` when it holds readings of these very questions and matcher kinds made by
    this very code, else read (about twenty minutes) and saved there: classifier variants then screen in seconds."""
    made_by = {"keys": [pooled.key for pooled in pool], "matchers": list(matchers), "code": reading_code_version()}
    if path is not None and path.exists():
        saved = json.loads(path.read_text(encoding="utf-8"))
        if all(saved.get(name) == value for name, value in made_by.items()):
            return [Reading(**reading) for reading in saved["readings"]]
        print(f"{path} holds readings of other questions, matchers or code: reading the pool again", file=sys.stderr)
    readings = read_pool(pool, matchers)
    if path is not None:
        path.write_text(json.dumps({**made_by, "readings": [vars(reading) for reading in readings]}), encoding="utf-8")
    return readings


def with_matcher_scores(readings: Sequence[Reading], path: Path, keys: Sequence[str]) -> list[Reading]:
    """``readings`` with the answer matcher's scores of those saved in ``path`` where the best sentence is the same.

    Refitting the matcher on candidates changed by a few questions reshuffles its training and moves its scores of
    most questions (at unchanged features, right − 2 × wrong moved from 237.1 to 230.0): taking the scores of an
    earlier reading screens a change of the code that reads the other features without that noise."""
    try:
        saved = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, json.JSONDecodeError) as exc:
        raise SystemExit(f"{path}: no readings saved by --readings there ({exc})") from exc
    if not isinstance(saved, dict) or saved.get("keys") != list(keys):
        raise SystemExit(f"{path} holds readings of other questions")
    scored = []
    own = 0
    for reading, old in zip(readings, saved["readings"]):
        if reading.features is not None and old["features"] is not None and old.get("sentence") == reading.sentence:
            earlier = {name: value for name, value in old["features"].items() if name.startswith("answer_match")}
            reading = replace(reading, features={**reading.features, **earlier})
        elif reading.features is not None:
            own += 1
        scored.append(reading)
    print(f"matcher scores of {path}; {own} questions read otherwise before keep their own", file=sys.stderr)
    return scored


def held_out_outcomes(
    readings: Sequence[Reading], folds: Sequence[Sequence[int]], features: Sequence[str]
) -> list[str]:
    """Each question's outcome (right, wrong, unsure, declined) from a classifier fitted without its fold."""
    outcomes = ["declined"] * len(readings)
    for held_out in folds:
        held = set(held_out)
        training = [r for i, r in enumerate(readings) if i not in held and r.features is not None]
        model = fit_decline(
            [r.features or {} for r in training], [r.answerable for r in training], features,
            [r.correct for r in training], on_correct=True,
        )
        for i in held_out:
            reading = readings[i]
            if reading.features is None:
                continue
            probability = float(model.probabilities(model.rows([reading.features]))[0])
            outcome = decided_outcome(
                probability, reading.features, model.threshold, model.floor, reading.required_given
            )
            outcomes[i] = ("right" if reading.correct else "wrong") if outcome == "answered" else outcome
    return outcomes


def harm(readings: Sequence[Reading], outcomes: Sequence[str], chosen: Sequence[int]) -> np.ndarray:
    """Wrong answers, false absence, unsure, answer accuracy, and right − 2 × wrong (questions)."""
    answerable = [i for i in chosen if readings[i].answerable]
    count = lambda indices, outcome: sum(outcomes[i] == outcome for i in indices)  # noqa: E731
    return np.array([
        count(chosen, "wrong") / len(chosen), count(answerable, "declined") / max(1, len(answerable)),
        count(chosen, "unsure") / len(chosen), count(answerable, "right") / max(1, len(answerable)),
        count(chosen, "right") - 2 * count(chosen, "wrong"),
    ])


def refloor(readings: Sequence[Reading], path: Path) -> int:
    """The shipped classifier's absence floor by ``evals.learn``'s rule, from its probabilities of the pool's readings
    (their matcher scores from matchers that did not see the question, as the classifier was fitted on)."""
    shipped = LinearModel.load(path)
    read = [r for r in readings if r.features is not None]
    probabilities = shipped.probabilities(shipped.rows([r.features or {} for r in read]))
    floor = absence_floor(probabilities, np.asarray([r.answerable for r in read]), shipped.threshold)
    extra = {k: v for k, v in json.loads(path.read_text(encoding="utf-8")).items() if k == "fitted_on"}
    path.write_text(replace(shipped, floor=floor).to_json(**extra), encoding="utf-8")
    print(f"absence floor {shipped.floor:.4f} -> {floor:.4f} ({len(read)} pool readings), written to {path}")
    return 0


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m evals.screen", description=__doc__)
    parser.add_argument("--splits", type=int, default=3, help="fold splits (seeds) averaged")
    parser.add_argument("--add", nargs="*", default=(), help="features to try beside the shipped ones")
    parser.add_argument(
        "--matchers", nargs="*", default=(), choices=get_args(NearMisses),
        help="also fit the answer matcher with made-up near misses replacing these words (evals.match_training)",
    )
    parser.add_argument("--no-leave-one-out", action="store_true", help="skip the rows without each shipped feature")
    parser.add_argument(
        "--readings", type=Path,
        help="keep the pool's readings in this file; reused while the questions and the code that reads them are unchanged",
    )
    parser.add_argument(
        "--matcher-scores", type=Path,
        help="take the answer matcher's scores from readings saved by an earlier run (--readings) where a question's "
        "best sentence is unchanged: screens a change of the code without the noise of refitting the matcher",
    )
    parser.add_argument(
        "--refloor", action="store_true",
        help="set the shipped answer classifier's absence floor from the readings (evals.learn's rule, "
        "ABSENCE_FALSE_RATE) and write it to the shipped model file; its weights and threshold stay",
    )
    args = parser.parse_args(argv)
    pool = question_pool()
    readings = cached_readings(args.readings, pool, args.matchers)
    if args.refloor:
        return refloor(readings, DECLINE_PATH)
    if args.matcher_scores:
        readings = with_matcher_scores(readings, args.matcher_scores, [pooled.key for pooled in pool])
    splits = [folds_of(pool, 5, seed) for seed in range(args.splits)]
    everything = list(range(len(pool)))
    paraphrases = [i for i, p in enumerate(pool) if p.set_name in PARAPHRASE_SETS]
    unanswerable = [i for i, p in enumerate(pool) if not p.question["answerable"]]
    print(f"{len(pool)} pool questions ({len(paraphrases)} in the paraphrase sets), {args.splits} splits of 5 grouped folds")
    print("| features | set | wrong answers | false absence | unsure | answer acc. | right − 2 × wrong |\n|---|---|---|---|---|---|---|")
    for name, features in feature_sets(args.add, args.matchers).items():
        if args.no_leave_one_out and name.startswith("without "):
            continue
        runs = [held_out_outcomes(readings, folds, features) for folds in splits]
        for label, chosen in (
            ("all pool", everything), ("paraphrase sets", paraphrases), ("unanswerable", unanswerable)
        ):
            mean = np.mean([harm(readings, outcomes, chosen) for outcomes in runs], axis=0)
            print(f"| {name} | {label} | {mean[0]:.3f} | {mean[1]:.3f} | {mean[2]:.3f} | {mean[3]:.3f} | {mean[4]:.1f} |", flush=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
