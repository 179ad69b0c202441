"""Fitting the models and the held-out evaluation's folds and baselines (evals.learn, evals.crossval,
evals.baselines)."""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pytest

from evals.baselines import PlainBM25, plain_tokens, stemmed_tokens
from evals.crossval import folds_of
from evals.learn import RankerExample, absence_floor, decline_threshold, fit_ranker, harm_threshold
from evals.questionset import LATER_SETS, QUESTION_SETS, PooledQuestion, question_pool, shared_gold_groups
from evals.screen import (
    Reading, cached_readings, harm, held_out_outcomes, reading_code_version, refloor, with_matcher_scores,
)


def test_the_fitted_ranker_scores_relevant_passages_above_the_rest() -> None:
    rng = np.random.default_rng(0)
    examples = [
        RankerExample(f"q{i}", {"sentence_coverage": float(rng.normal(1.0 if relevant else 0.0, 0.3))}, relevant)
        for i in range(200) for relevant in (True, False, False, False)
    ]
    model = fit_ranker(examples, ("sentence_coverage",))
    high, low = model.probabilities(model.rows([{"sentence_coverage": 1.0}, {"sentence_coverage": 0.0}]))
    assert high > 0.5 > low
    assert model.base_rate == 0.25


def test_the_decline_threshold_separates_what_can_be_separated() -> None:
    answerable = np.array([True] * 40 + [False] * 10)
    probabilities = np.concatenate([np.linspace(0.7, 0.95, 40), np.linspace(0.1, 0.4, 10)])
    threshold = decline_threshold(probabilities, answerable)
    assert 0.4 < threshold <= 0.7
    assert (probabilities[~answerable] < threshold).all() and (probabilities[answerable] >= threshold).all()


def test_the_decline_threshold_reads_the_objective_averaged_over_repeats() -> None:
    """One repeat separates at about 0.5, the other at about 0.3: the threshold serves both, not the first alone."""
    answerable = np.array([True] * 40 + [False] * 10)
    first = np.concatenate([np.linspace(0.6, 0.95, 40), np.linspace(0.1, 0.4, 10)])
    second = np.concatenate([np.linspace(0.32, 0.95, 40), np.linspace(0.05, 0.25, 10)])
    alone = decline_threshold(first, answerable), decline_threshold(second, answerable)
    assert 0.4 < alone[0] <= 0.6 and 0.25 < alone[1] <= 0.32
    both = decline_threshold(np.vstack([first, second]), answerable)
    assert alone[1] < both < alone[0]


def test_the_answer_threshold_weighs_a_wrong_answer_twice_a_right_one() -> None:
    """Right answers score 0.6-0.9, wrong ones 0.3-0.65: answering under 0.6 adds only wrong answers, and
    refusing the three wrong ones above 0.6 would cost more right ones than twice their number."""
    correct = np.array([True] * 60 + [False] * 20)
    probabilities = np.concatenate([np.linspace(0.6, 0.9, 60), np.linspace(0.3, 0.65, 20)])
    threshold = harm_threshold(probabilities, correct)
    assert 0.5 < threshold <= 0.62

    def gain(at: float) -> int:
        answered = probabilities >= at
        return int((answered & correct).sum() - 2 * (answered & ~correct).sum())

    assert gain(threshold) > max(gain(0.0), gain(0.7))


def test_the_absence_floor_leaves_almost_every_answerable_question_above_it() -> None:
    answerable = np.array([True] * 100 + [False] * 20)
    probabilities = np.concatenate([np.linspace(0.05, 0.95, 100), np.linspace(0.0, 0.2, 20)])
    floor = absence_floor(probabilities, answerable, threshold=0.5)
    assert floor == probabilities[answerable].min(), "under every answerable training question"
    assert (probabilities[~answerable] < floor).any(), "the unanswerable ones below it are declined"
    assert absence_floor(probabilities, answerable, threshold=0.01) == 0.01, "never above the threshold"


def test_the_shipped_floor_is_rederived_from_readings_without_touching_the_classifier(tmp_path: Path) -> None:
    from assistant.search.ranker import LinearModel
    from assistant.settings import DECLINE_PATH

    path = tmp_path / "decline.json"
    path.write_text(DECLINE_PATH.read_text(encoding="utf-8"), encoding="utf-8")
    shipped = LinearModel.load(path)
    rng = np.random.default_rng(0)
    rows = [{name: float(rng.normal(m, s)) for name, m, s in zip(shipped.features, shipped.mean, shipped.scale)}
            for _ in range(40)]
    readings = [Reading(row, i % 4 != 0, i % 2 == 0) for i, row in enumerate(rows)]
    assert refloor(readings, path) == 0
    refloored = LinearModel.load(path)
    probabilities = shipped.probabilities(shipped.rows(rows))
    answerable = np.array([r.answerable for r in readings])
    assert refloored.floor == pytest.approx(min(shipped.threshold, probabilities[answerable].min()))
    assert refloored.threshold == shipped.threshold and np.array_equal(refloored.weights, shipped.weights)
    fitted_on = json.loads(DECLINE_PATH.read_text(encoding="utf-8"))["fitted_on"]
    assert json.loads(path.read_text(encoding="utf-8"))["fitted_on"] == fitted_on


def question(
    set_name: str, qid: str, text: str, kind: str, history: list[dict[str, str]] | None = None,
    gold: list[str] | None = None,
) -> PooledQuestion:
    record = {"id": qid, "question": text, "history": history or [], "answerable": True, "gold_passages": gold or [],
              "answer_must_contain": [], "answer_any_of": [], "kind": kind}
    return PooledQuestion(set_name, record, "corpus")


def test_questions_sharing_a_gold_passage_are_held_out_together() -> None:
    pool = [question("s", f"f{i}", f"Fact question {i}?", "fact", gold=[f"sentence number {i} of the corpus"])
            for i in range(20)]
    pool.append(question("t", "p1", "A paraphrase of question 4?", "paraphrase", gold=["Sentence number 4"]))
    pool.append(question("t", "p2", "Another one?", "fact", gold=["unrelated", "sentence number 4 of the corpus."]))
    groups = shared_gold_groups(pool)
    assert groups[4] == groups[20] == groups[21] and len(set(groups)) == 20
    folds = folds_of(pool, 5)
    assert any({4, 20, 21} <= set(fold) for fold in folds)


def test_a_followup_is_held_out_with_the_question_that_opened_its_conversation() -> None:
    pool = [question("s", f"f{i}", f"Fact question {i}?", "fact") for i in range(20)]
    pool.append(question("s", "u1", "And who chaired it?", "followup", [{"role": "user", "content": "Fact question 3?"}]))
    pool += [question("s", f"x{i}", f"Other followup {i}?", "followup") for i in range(5)]
    folds = folds_of(pool, 5)
    assert sorted(i for fold in folds for i in fold) == list(range(len(pool)))
    opener, followup = 3, 20
    assert any(opener in fold and followup in fold for fold in folds)


def test_the_pool_holds_every_question_set_once() -> None:
    pool = question_pool()
    keys = [p.key for p in pool]
    assert len(keys) == len(set(keys)) and len(pool) >= 290
    assert {p.set_name for p in pool} >= {"dev_questions", "questions", "holdout_questions", "extra_questions",
                                           "fresh_questions"}
    assert {p.corpus for p in pool if p.set_name == "fresh_questions"} == {"extended"}


def test_the_later_sets_join_the_pool_once_each_over_the_extended_corpus() -> None:
    pool = question_pool((*QUESTION_SETS, *LATER_SETS))
    keys = [p.key for p in pool]
    assert len(keys) == len(set(keys)) and len(pool) > len(question_pool()) + 900
    assert {p.corpus for p in pool if p.set_name in {path.stem for path in LATER_SETS}} == {"extended"}


def test_plain_bm25_ranks_the_passage_sharing_the_rare_words_first() -> None:
    texts = ["Clusters matter for growth.", "The moderator Teodora Jilkova opened the session.", "Clusters, clusters."]
    for tokens in (plain_tokens, stemmed_tokens):
        assert PlainBM25(texts, tokens)("Who was the moderator?", 1) == [texts[1]]
    assert "the" not in plain_tokens("The moderator") and stemmed_tokens("clusters") == ["cluster"]


def test_the_screen_answers_what_its_features_separate_and_counts_harm_first() -> None:
    """Synthetic readings: answers that would be right have high evidence, near misses low; one answerer decline is
    a false absence whatever the features."""
    rng = np.random.default_rng(0)
    readings = [
        Reading({"evidence": float(rng.normal(2.0 if right else -2.0)), "noise": float(rng.normal())}, right, right)
        for right in [True] * 60 + [False] * 30
    ] + [Reading(None, True, False)]
    folds = [list(range(i, len(readings), 5)) for i in range(5)]
    separated = held_out_outcomes(readings, folds, ["evidence", "noise"])
    blind = held_out_outcomes(readings, folds, ["noise"])
    assert separated[-1] == "declined" == blind[-1]
    wrong, false_absence, _, accuracy, objective = harm(readings, separated, list(range(len(readings))))
    assert wrong < 0.05 and accuracy > 0.9 and 1 / 61 <= false_absence <= 3 / 61
    assert objective > harm(readings, blind, list(range(len(readings))))[4]


def test_the_screen_is_unsure_where_the_answerer_is_whatever_the_classifier() -> None:
    """A best sentence without what the question requires (a "where" question's place) is not an answer however
    strong its evidence, in the screen as in the answerer."""
    rng = np.random.default_rng(1)
    readings = [
        Reading({"evidence": float(rng.normal(2.0 if right else -2.0))}, right, right) for right in [True, False] * 30
    ]
    readings[0] = Reading({"evidence": 5.0}, True, True, required_given=False)
    folds = [list(range(i, len(readings), 5)) for i in range(5)]
    outcomes = held_out_outcomes(readings, folds, ["evidence"])
    assert outcomes[0] == "unsure" and outcomes[2] == "right"


def test_the_screen_reuses_saved_readings_only_of_the_same_questions_and_code(tmp_path: Path) -> None:
    pool = [question("s", f"f{i}", f"Fact question {i}?", "fact") for i in range(3)]
    saved = [Reading({"evidence": float(i)}, True, i > 0) for i in range(3)]
    path = tmp_path / "readings.json"
    made_by = {"keys": [p.key for p in pool], "matchers": [], "code": reading_code_version()}
    path.write_text(json.dumps({**made_by, "readings": [vars(r) for r in saved]}), encoding="utf-8")
    assert cached_readings(path, pool, []) == saved

    root = tmp_path / "project"
    (root / "assistant").mkdir(parents=True)
    (root / "evals").mkdir()
    module = root / "assistant" / "ranking.py"
    module.write_text("WEIGHT = 1\n", encoding="utf-8")
    before = reading_code_version(root)
    module.write_text("WEIGHT = 2\n", encoding="utf-8")
    assert reading_code_version(root) != before, "changed code must not reuse readings made by the old code"


def test_a_code_change_is_screened_with_the_earlier_matcher_scores_where_the_best_sentence_is_unchanged(
    tmp_path: Path,
) -> None:
    keys = ["s:a", "s:b", "s:c"]
    earlier = [
        Reading({"coverage": 0.5, "answer_match": 2.0}, True, True, sentence="Same sentence."),
        Reading({"coverage": 0.5, "answer_match": -1.0}, True, False, sentence="Old sentence."),
        Reading(None, False, False),
    ]
    path = tmp_path / "before.json"
    path.write_text(json.dumps({"keys": keys, "readings": [vars(r) for r in earlier]}), encoding="utf-8")
    now = [
        Reading({"coverage": 0.9, "answer_match": 0.3}, True, True, sentence="Same sentence."),
        Reading({"coverage": 0.7, "answer_match": 1.5}, True, True, sentence="New sentence."),
        Reading({"coverage": 0.1, "answer_match": -2.0}, False, False, sentence="Any."),
    ]
    screened = with_matcher_scores(now, path, keys)
    assert screened[0].features == {"coverage": 0.9, "answer_match": 2.0}  # the code's reading, the earlier score
    assert screened[1].features == now[1].features  # another sentence: its own score
    assert screened[2].features == now[2].features  # not read before
    with pytest.raises(SystemExit, match="other questions"):
        with_matcher_scores(now, path, ["s:a", "s:b", "s:d"])
    broken = tmp_path / "broken.json"
    broken.write_text("{not json", encoding="utf-8")
    with pytest.raises(SystemExit, match="broken.json: no readings saved"):
        with_matcher_scores(now, broken, keys)


def test_the_threshold_for_other_languages_held_out_answers_what_the_classifier_is_sure_of() -> None:
    from evals.other_languages import Reading as LanguageReading
    from evals.other_languages import held_out as language_held_out

    rng = np.random.default_rng(1)
    found = []
    for source in range(40):
        right = source % 4 != 0
        for language in ("fr", "de"):
            probability = float(np.clip(rng.normal(0.6 if right else 0.2, 0.05), 0, 1))
            found.append(LanguageReading(f"set:{source}-{language}", f"q{source}", probability, right))
    rows = language_held_out(found, english_threshold=0.9)
    assert rows["English threshold"]["answered"] == 0.0, "no rendering is as sure as the English threshold asks"
    assert rows["fitted, held out"]["right"] > 0.7 and rows["fitted, held out"]["wrong"] < 0.05
