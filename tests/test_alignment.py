"""Word alignment by meaning, on the real packaged MiniLM."""

from __future__ import annotations

import torch

from assistant.answering.alignment import WordAligner, content_words
from assistant.index.embeddings import LocalEmbeddings


def test_word_vectors_follow_the_words_as_written(embeddings: LocalEmbeddings) -> None:
    text = "The Treasurer presented the accounts, approved unanimously."
    (written, vectors), = embeddings.model.word_vectors([text])
    assert written == ["The", "Treasurer", "presented", "the", "accounts", ",", "approved", "unanimously", "."]
    assert vectors.shape == (len(written), 384)
    assert torch.allclose(vectors.norm(dim=1), torch.ones(len(written)), atol=1e-5)
    # the forward pass both share: a longer neighbour in the batch (padding) changes no vector
    assert torch.allclose(embeddings.model.encode([text])[0], embeddings.model.encode([text, "padding changes nothing here"])[0], atol=1e-5)


def test_only_words_that_carry_meaning_are_aligned() -> None:
    assert content_words(["Who", "looks", "after", "the", "finances", "?"]) == [1, 4]


def test_a_paraphrase_aligns_better_than_a_sentence_about_something_else(embeddings: LocalEmbeddings) -> None:
    aligner = WordAligner(lambda: embeddings.model)
    question = "Who looks after the alliance's finances?"
    paraphrase = "The Treasurer, Maria Rossi, presented the accounts of the Alliance."
    unrelated = "The next meeting will take place in Lisbon in November."
    aligned, other = aligner.align(question, [paraphrase, unrelated], idf=lambda word: 1.0)
    assert aligned.mean > other.mean
    assert 0.0 < other.low <= other.mean <= 1.0


def test_a_word_without_a_counterpart_shows_in_the_least_aligned_word(embeddings: LocalEmbeddings) -> None:
    aligner = WordAligner(lambda: embeddings.model)
    sentence = "A task force on critical raw materials will be set up, led by the Austrian association."
    same, near_miss = aligner.align(
        "Which association leads the raw materials task force?", [sentence], idf=lambda word: 1.0
    ) + aligner.align("Which association leads the task force on cheese exports?", [sentence], idf=lambda word: 1.0)
    assert near_miss.low < same.low
