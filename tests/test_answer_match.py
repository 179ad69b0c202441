"""The answer matcher: the packaged MiniLM read as a cross-encoder with fitted adapters (assistant.answering.answer_match,
evals.match_training), on the real model."""

from __future__ import annotations

import random
import re
from pathlib import Path

import numpy as np
import pytest
import torch

from assistant.answering.answer_match import AnswerMatcher
from assistant.answering.extractive import Candidate
from assistant.index.embeddings import LocalEmbeddings
from assistant.errors import AssistantError
from assistant.pipeline import PolicyAssistant
from assistant.settings import ANSWER_MATCH_PATH, Settings
from evals.match_training import MatchCandidate, NearMissMaker, fit_matcher, matcher_examples, with_near_misses

PAIRS = [
    ("How much does each member pay every year?", "The annual fee remains EUR 6,000 per member association.",
     "The accounts were approved unanimously."),
    ("Who ran the meeting?", "The session was chaired by the moderator, Ms Jilkova.",
     "The budget for the year amounts to EUR 96,000."),
    ("Where is the next assembly?", "The next General Assembly will take place in Lisbon.",
     "Members wishing to join should tell the secretariat."),
    ("What did the members vote on the budget?", "The budget was approved with 13 votes in favour.",
     "The agenda was adopted without changes."),
]


def test_adapters_not_yet_fitted_leave_the_embedding_model_as_it_is(embeddings: LocalEmbeddings) -> None:
    encoder = embeddings.model
    matcher = AnswerMatcher.untrained(encoder)
    encodings = matcher.tokenizer.encode_batch([(q, a) for q, a, _ in PAIRS])
    with torch.inference_mode():
        _, plain = encoder.token_states(encodings)
        _, adapted = encoder.token_states(encodings, matcher._delta)
    assert torch.allclose(plain, adapted)


def test_fitting_teaches_it_which_sentence_answers(embeddings: LocalEmbeddings, tmp_path: Path) -> None:
    examples = [e for q, answer, other in PAIRS for e in ((q, answer, True), (q, other, False))]
    matcher = fit_matcher(examples * 4, embeddings.model)
    for question, answer, other in PAIRS:
        right, wrong = matcher.scores(question, [answer, other])
        assert right > wrong, question
    matcher.save(tmp_path / "matcher.safetensors")
    loaded = AnswerMatcher.load(tmp_path / "matcher.safetensors", embeddings.model)
    question, answer, other = PAIRS[0]
    assert np.allclose(loaded.scores(question, [answer, other]), matcher.scores(question, [answer, other]), atol=1e-5)


def test_a_question_without_its_answer_among_the_candidates_keeps_only_sentences_of_other_passages() -> None:
    candidates = [
        MatchCandidate("A sentence of the gold passage that may answer.", gold=False, in_gold_passage=True),
        MatchCandidate("A sentence of another passage.", gold=False, in_gold_passage=False),
    ]
    assert matcher_examples("Q?", True, candidates) == [("Q?", "A sentence of another passage.", False)]
    assert len(matcher_examples("Q?", False, candidates)) == 2
    answered = [MatchCandidate("The answer.", True, True), *candidates]
    assert matcher_examples("Q?", True, answered)[0] == ("Q?", "The answer.", True)


def test_the_shipped_matcher_prefers_the_answering_sentence(embeddings: LocalEmbeddings) -> None:
    matcher = AnswerMatcher.load(ANSWER_MATCH_PATH, embeddings.model)
    right, wrong = matcher.scores(
        "How much does each member association pay per year?",
        ["The annual fee remains EUR 6,000 per member association.", "The accounts were approved unanimously."],
    )
    assert right > wrong


def test_the_answer_classifier_reads_the_matchers_score(corpus_assistant: PolicyAssistant) -> None:
    assert "answer_match" in corpus_assistant.extractive.decline_model.features
    prepared = corpus_assistant.prepare("Who moderated the dialogue with Commissioner Breton?", [])
    assert prepared.question is not None
    found = corpus_assistant.extractive.candidate(prepared.question, prepared.passages)
    assert isinstance(found, Candidate)
    assert found.features["answer_match"] != 0.0


def test_a_missing_matcher_file_is_named_when_the_classifier_reads_its_score(
    corpus_settings: Settings, embeddings: LocalEmbeddings, tmp_path: Path
) -> None:
    missing = tmp_path / "answer_match.safetensors"
    with pytest.raises(AssistantError, match=str(missing)):
        PolicyAssistant(corpus_settings.with_overrides(answer_match_path=missing), embeddings)


def test_a_made_up_near_miss_asks_about_a_name_or_year_the_answering_sentence_lacks(embeddings: LocalEmbeddings) -> None:
    sentences = [
        "The next General Assembly will take place in Lisbon, hosted by the Portuguese cluster association.",
        "The Slovenian and Czech associations joined in 2021; the Spanish association had joined in 2019.",
        "The Italian delegation presented the 2020 accounts.",
    ]
    maker = NearMissMaker(sentences, embeddings.model, lower_case=False)
    question = "Which Portuguese association hosts the assembly in Lisbon?"
    made = {maker.near_miss(question, sentences[:1], random.Random(seed)) for seed in range(6)}
    assert None not in made and question not in made
    for near_miss in made:
        replaced = set(re.findall(r"\w+", near_miss)) - set(re.findall(r"\w+", question))
        assert len(replaced) == 1 and next(iter(replaced)) in {"Slovenian", "Czech", "Spanish", "Italian", "General"}
    assert maker.near_miss("When were the accounts of 2020 presented?", sentences[2:], random.Random(0)) in {
        "When were the accounts of 2021 presented?", "When were the accounts of 2019 presented?",
    }
    assert maker.near_miss("Who chaired it?", sentences[:1], random.Random(0)) is None


def test_near_misses_are_added_as_negatives_of_the_answering_sentence(embeddings: LocalEmbeddings) -> None:
    examples = [(q, answer, True) for q, answer, _ in PAIRS] + [(q, other, False) for q, _, other in PAIRS]
    extended = with_near_misses(examples, embeddings.model, lower_case=True)
    made = extended[len(examples):]
    assert extended[:len(examples)] == examples and made
    answers = {answer: q for q, answer, _ in PAIRS}
    for question, sentence, label in made:
        assert not label and sentence in answers and question != answers[sentence]
