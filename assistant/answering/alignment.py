"""Word alignment by meaning: how far each content word of a question finds a word of like meaning in a sentence.

Word overlap reads "who looks after the finances" and "The Treasurer … presented the accounts" as unrelated; the
packaged MiniLM's contextual word vectors (each word read in its sentence, from the same forward pass that makes
sentence vectors) put "finances" near "accounts". Each question word is matched to its most similar sentence word
(the recall half of BERTScore, Zhang et al. 2020), idf-weighted: ``mean`` says how much of the question the
sentence speaks to, ``low`` how well its worst-matched word is matched — a near miss ("the task force on
batteries" against the raw-materials task force) leaves one word without a counterpart where a paraphrase leaves
none.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from functools import lru_cache

import torch

from assistant.index.encoder import BertSentenceEncoder
from assistant.text import STOP_WORDS, search_terms, words


@dataclass(frozen=True)
class Alignment:
    mean: float
    """idf-weighted mean, over the question's content words, of each one's best cosine to a word of the sentence"""
    low: float
    """the least-matched content word's best cosine"""


NEUTRAL = Alignment(0.0, 0.0)


def content_words(written: Sequence[str]) -> list[int]:
    """Positions of the words that carry meaning (not stop words, not punctuation)."""
    keep = []
    for position, word in enumerate(written):
        folded = words(word)
        if folded and folded[0] not in STOP_WORDS and search_terms(word):
            keep.append(position)
    return keep


class WordAligner:
    """Aligns a question's words with sentences' words through the embedding model's contextual word vectors."""

    def __init__(self, encoder: Callable[[], BertSentenceEncoder]) -> None:
        """``encoder``: gives the loaded encoder (the one the embeddings already load)."""
        self._encoder = encoder
        self._cached = lru_cache(maxsize=4096)(self._vectors)

    def _vectors(self, text: str) -> tuple[tuple[str, ...], torch.Tensor]:
        written, vectors = self._encoder().word_vectors([text])[0]
        keep = content_words(written)
        return tuple(written[i] for i in keep), vectors[keep]

    def align(self, question: str, sentences: Sequence[str], idf: Callable[[str], float]) -> list[Alignment]:
        """One alignment per sentence; ``idf`` weighs a question word (by its search term) by how rare it is."""
        asked, question_vectors = self._cached(question)
        if not asked:
            return [NEUTRAL for _ in sentences]
        weights = torch.tensor([idf(word) for word in asked], dtype=torch.float32)
        weights = weights / weights.sum().clamp(min=1e-9)
        found = []
        for sentence in sentences:
            _, vectors = self._cached(sentence)
            if not len(vectors):
                found.append(NEUTRAL)
                continue
            best = (question_vectors @ vectors.T).max(dim=1).values
            found.append(Alignment(float((weights * best).sum()), float(best.min())))
        return found
