"""Answering from retrieved passages. The offline default is extractive: it quotes the sentences that answer."""

from __future__ import annotations

import math
from collections import OrderedDict
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import Protocol

import numpy as np

from assistant.citations import Citation
from assistant.documents import looks_like_heading
from assistant.retrieval import Passage
from assistant.text import Span, iter_numbers, search_terms, sentence_spans, words

DECLINE_PREFIX = "The documents don't say"


@dataclass
class Answer:
    """What the user sees: the text with [n] markers, whether it answers, and its verified citations."""

    text: str
    answerable: bool
    citations: list[Citation] = field(default_factory=list)
    evidence: float = 0.0
    """The answerer's confidence that the passages answer the question, in [0, 1]."""
    notices: list[str] = field(default_factory=list)
    mode: str = "extractive"


@dataclass(frozen=True)
class Question:
    """A question as the answerers see it: the words typed, the standalone form used for retrieval."""

    text: str
    standalone: str
    query_vector: Sequence[float]
    history_text: str = ""


class Answerer(Protocol):
    mode: str

    def answer(self, question: Question, passages: Sequence[Passage]) -> Answer: ...


def decline(question: str, evidence: float = 0.0, mode: str = "extractive") -> Answer:
    topic = question.strip().rstrip("?.! ")
    return Answer(
        text=f"{DECLINE_PREFIX} this: no passage in the indexed documents answers “{topic}”. "
        "The closest passages are listed below.",
        answerable=False,
        evidence=evidence,
        mode=mode,
    )


@dataclass(frozen=True)
class ScoredSentence:
    passage_rank: int
    passage: Passage
    span: Span
    lexical: float
    dense: float
    score: float


Embedder = Callable[[list[str]], list[list[float]]]
DocumentFrequencies = Callable[[Sequence[str]], tuple[dict[str, int], int]]

_FIGURE_WORDS = frozenset({"how", "many", "much", "number", "percent", "percentage", "share", "figure", "years", "when", "year", "date"})


class SentenceEmbeddingCache:
    """Sentence vectors by text, bounded; the same passages come back across questions."""

    def __init__(self, embed: Embedder, max_size: int = 20_000) -> None:
        self._embed = embed
        self._cache: OrderedDict[str, np.ndarray] = OrderedDict()
        self._max_size = max_size

    def vectors(self, texts: Sequence[str]) -> np.ndarray:
        missing = [t for t in dict.fromkeys(texts) if t not in self._cache]
        if missing:
            for text, vector in zip(missing, self._embed(missing), strict=True):
                self._cache[text] = np.asarray(vector, dtype=np.float32)
                if len(self._cache) > self._max_size:
                    self._cache.popitem(last=False)
        for text in texts:
            self._cache.move_to_end(text)
        return np.stack([self._cache[t] for t in texts]) if texts else np.zeros((0, 1), dtype=np.float32)


class ExtractiveAnswerer:
    """Quotes the best-supported sentences of the top passages, each with its citation; declines on weak evidence."""

    mode = "extractive"

    def __init__(
        self,
        embed: Embedder,
        document_frequencies: DocumentFrequencies,
        decline_threshold: float,
        max_sentences: int = 3,
        passages_considered: int = 5,
        sentences_embedded: int = 14,
    ) -> None:
        self.sentence_vectors = SentenceEmbeddingCache(embed)
        self.document_frequencies = document_frequencies
        self.decline_threshold = decline_threshold
        self.max_sentences = max_sentences
        self.passages_considered = passages_considered
        self.sentences_embedded = sentences_embedded

    def answer(self, question: Question, passages: Sequence[Passage]) -> Answer:
        scored = self.score_sentences(question, passages)
        if not scored:
            return decline(question.text)
        best = scored[0]
        evidence = self.evidence(best)
        if evidence < self.decline_threshold:
            return decline(question.text, evidence)
        chosen = self.choose(scored, question)
        return compose(chosen, evidence)

    # --- scoring ------------------------------------------------------------------------------

    def idf_weights(self, terms: Sequence[str]) -> dict[str, float]:
        frequencies, total = self.document_frequencies(terms)
        return {t: math.log((total + 1) / (frequencies.get(t, 0) + 0.5)) for t in terms}

    def score_sentences(self, question: Question, passages: Sequence[Passage]) -> list[ScoredSentence]:
        question_terms = list(dict.fromkeys(search_terms(question.text)))
        history_terms = [t for t in dict.fromkeys(search_terms(question.history_text)) if t not in question_terms]
        idf = self.idf_weights(question_terms + history_terms)
        question_weight = sum(idf[t] for t in question_terms) or 1.0
        history_weight = sum(idf[t] for t in history_terms) or 1.0
        candidates: list[tuple[int, Passage, Span, float]] = []
        for rank, passage in enumerate(passages[: self.passages_considered], start=1):
            for span in sentence_spans(passage.chunk.text, offset=passage.chunk.start):
                if not is_answer_sentence(span.text, passage.chunk.section):
                    continue
                terms = set(search_terms(span.text))
                lexical = sum(idf[t] for t in question_terms if t in terms) / question_weight
                if history_terms:
                    lexical += 0.25 * sum(idf[t] for t in history_terms if t in terms) / history_weight
                candidates.append((rank, passage, span, min(lexical, 1.0)))
        if not candidates:
            return []
        # Embed only the most promising sentences: this keeps a warm answer under ~100 ms on two cores.
        candidates.sort(key=lambda c: (c[3] + 0.3 / c[0]), reverse=True)
        shortlisted = candidates[: self.sentences_embedded]
        vectors = self.sentence_vectors.vectors([c[2].text for c in shortlisted])
        query = np.asarray(question.query_vector, dtype=np.float32)
        similarities = vectors @ query if len(query) else np.zeros(len(shortlisted))
        wants_figure = bool(set(words(question.text)) & _FIGURE_WORDS)
        scored = []
        for (rank, passage, span, lexical), similarity in zip(shortlisted, similarities, strict=True):
            score = 0.5 * lexical + 0.5 * float(similarity) + 0.08 / rank
            if wants_figure and any(True for _ in iter_numbers(span.text)):
                score += 0.05
            scored.append(ScoredSentence(rank, passage, span, lexical, float(similarity), score))
        scored.sort(key=lambda s: s.score, reverse=True)
        return scored

    @staticmethod
    def evidence(best: ScoredSentence) -> float:
        return 0.5 * best.lexical + 0.5 * best.dense

    def choose(self, scored: Sequence[ScoredSentence], question: Question) -> list[ScoredSentence]:
        best = scored[0]
        chosen = [best]
        for candidate in scored[1:]:
            if len(chosen) >= self.max_sentences:
                break
            if candidate.score < 0.85 * best.score:
                break
            if any(_overlaps(candidate, other) for other in chosen):
                continue
            chosen.append(candidate)
        return chosen


def is_answer_sentence(text: str, section: str | None) -> bool:
    """Headings and fragments name a topic without saying anything about it: never quote them as the answer."""
    if len(words(text)) < 3 or text == section:
        return False
    return not (looks_like_heading(text) and not text.rstrip().endswith(("?", ":")))


def _overlaps(a: ScoredSentence, b: ScoredSentence) -> bool:
    """Same words (the annex repeats the position paper) or the same place."""
    if a.passage.chunk.source == b.passage.chunk.source and a.span.start < b.span.end and b.span.start < a.span.end:
        return True
    words_a, words_b = set(words(a.span.text)), set(words(b.span.text))
    return len(words_a & words_b) >= 0.8 * min(len(words_a), len(words_b))


def compose(chosen: Sequence[ScoredSentence], evidence: float) -> Answer:
    """Answer text of quoted sentences in reading order per source, each followed by its citation marker."""
    numbers: dict[str, int] = {}
    citations: list[Citation] = []
    parts: list[str] = []
    ordered = sorted(chosen, key=lambda s: (s.passage_rank, s.span.start))
    for sentence in ordered:
        chunk = sentence.passage.chunk
        key = f"{chunk.id}:{sentence.span.start}"
        if key not in numbers:
            numbers[key] = len(numbers) + 1
            citations.append(
                Citation(
                    n=numbers[key], source=chunk.source, title=chunk.title, page=chunk.page, section=chunk.section,
                    quote=sentence.span.text, date=chunk.date, kind=chunk.kind, chunk_id=chunk.id,
                    start=sentence.span.start, end=sentence.span.end, passage=chunk.text,
                )
            )
        parts.append(f"{sentence.span.text} [{numbers[key]}]")
    return Answer(text=" ".join(parts), answerable=True, citations=citations, evidence=evidence)
