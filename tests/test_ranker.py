"""The learned models: their file format, the shipped files, and how the ranker orders real passages."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

from assistant.answering.absence import DECLINE_FEATURES
from assistant.pipeline import PolicyAssistant
from assistant.search.ranker import RANKER_FEATURES, LinearModel, feature_matrix
from assistant.settings import DECLINE_PATH, RANKER_PATH


def test_a_model_file_round_trips_to_the_same_probabilities(tmp_path: Path) -> None:
    model = LinearModel(("a", "b"), np.array([1.0, 0.0]), np.array([2.0, 1.0]), np.array([0.5, -1.5]), 0.25, 0.6, 0.1)
    path = tmp_path / "model.json"
    path.write_text(model.to_json(), encoding="utf-8")
    loaded = LinearModel.load(path)
    rows = loaded.rows([{"a": 3.0, "b": 1.0}, {"a": 0.0}])
    assert np.allclose(loaded.probabilities(rows), model.probabilities(rows))
    assert (loaded.threshold, loaded.base_rate) == (0.6, 0.1)


def test_a_damaged_model_file_is_named_with_how_to_refit(tmp_path: Path) -> None:
    path = tmp_path / "ranker.json"
    path.write_text("{not json", encoding="utf-8")
    with pytest.raises(ValueError, match=r"ranker\.json.*python -m evals\.learn"):
        LinearModel.load(path)


def test_shipped_models_were_fitted_on_the_features_the_code_computes() -> None:
    # a feature added or removed without refitting would silently be read as 0
    assert LinearModel.load(RANKER_PATH).features == RANKER_FEATURES
    assert LinearModel.load(DECLINE_PATH).features == DECLINE_FEATURES


def test_shipped_decline_threshold_is_a_probability_strictly_inside_0_1() -> None:
    assert 0.0 < LinearModel.load(DECLINE_PATH).threshold < 1.0


def test_the_ranker_puts_the_passage_that_answers_first(corpus_assistant: PolicyAssistant) -> None:
    # every passage of the minutes shares the event's words; the agenda item and the closing-remarks section answer
    question = "Who gave the closing remarks at the dialogue between Commissioner Breton and the alliance?"
    passages = corpus_assistant.searcher.search(question).passages
    assert "Jean-Luc Beylat" in passages[0].chunk.text
    assert "Closing remarks" in f"{passages[0].chunk.section}\n{passages[0].chunk.text}"
    assert all(a.score >= b.score for a, b in zip(passages, passages[1:]))


def test_every_candidate_gets_every_feature_with_finite_values(corpus_assistant: PolicyAssistant) -> None:
    found = corpus_assistant.searcher.candidates("How many clusters does the alliance represent?")
    features = corpus_assistant.searcher.features(found)
    assert set(features) == set(found.ids) and len(found.ids) >= 10
    for row in features.values():
        assert set(row) == set(RANKER_FEATURES)
        assert all(np.isfinite(value) for value in row.values())


def test_no_candidates_make_an_empty_feature_matrix_of_the_right_width() -> None:
    assert feature_matrix([], ("a", "b")).shape == (0, 2)
