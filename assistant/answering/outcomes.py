"""What an answerer returns: the answer with its outcome (answered, unsure, declined), the question it answers, and
how quoted sentences become answer text with numbered, verifiable citations."""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass, field, replace
from typing import Protocol

from assistant.answering.citations import Citation
from assistant.search.conversation import Turn
from assistant.search.retrieval import Passage
from assistant.text.sentences import Span, as_read, reading_of, sentence_spans, table_header

DECLINE_PREFIX = "The documents don't say"
NOTHING_INDEXED = "No documents are indexed yet"


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
    unsure: bool = False
    """Not answered, yet no evidence that the documents are silent: the closest sentence is quoted and cited."""

    @property
    def outcome(self) -> str:
        """``answered``, ``unsure`` (the closest passage quoted, no claim of absence) or ``declined`` (the documents
        don't say: a name no document contains, a year or kind of answer the passages lack, nothing relevant)."""
        if self.answerable:
            return "answered"
        return "unsure" if self.unsure else "declined"


@dataclass(frozen=True)
class Question:
    """A question as the answerers see it: the words typed, the standalone form used for retrieval."""

    text: str
    standalone: str
    query_vector: Sequence[float]
    history_text: str = ""
    history: tuple[Turn, ...] = ()
    referenced_sources: frozenset[str] = frozenset()
    """Documents the question names; their sentences are preferred."""
    language: str = "en"
    """The language the question is written in (ISO 639-1); answers are written in it."""


class Answerer(Protocol):
    mode: str

    def answer(self, question: Question, passages: Sequence[Passage]) -> Answer: ...


TOPIC_CHARS = 160
"""A decline repeats at most this much of the question."""


def decline(question: str, evidence: float = 0.0, mode: str = "extractive", reason: str | None = None) -> Answer:
    """The answer when the documents don't answer: says why when it is known ("no document mentions …")."""
    topic = question.strip().rstrip("?.! ")
    if len(topic) > TOPIC_CHARS:  # a pasted paragraph is not repeated back whole
        topic = topic[:TOPIC_CHARS].rsplit(" ", 1)[0].rstrip(",;:") + " …"
    if not topic:
        # Nothing was left once the instructions to the assistant were taken out: don't repeat them back.
        return Answer(
            text=f"{DECLINE_PREFIX} this: the question held only instructions to the assistant, which answers "
            "only from the documents. Ask about what the documents say.",
            answerable=False,
            evidence=evidence,
            mode=mode,
        )
    why = reason or f"no passage in the indexed documents answers “{topic}”"
    return Answer(
        text=f"{DECLINE_PREFIX} this: {why}. The closest passages are listed below.",
        answerable=False,
        evidence=evidence,
        mode=mode,
    )


def nothing_indexed(mode: str = "extractive") -> Answer:
    """The answer when no document is indexed: no claim about what documents say, and how to add some."""
    return Answer(
        text=f"{NOTHING_INDEXED}, so there is nothing to answer from. Index a folder of documents "
        "(`python -m assistant ingest`) or upload them on the Documents page, then ask again.",
        answerable=False,
        mode=mode,
        notices=["Nothing is indexed yet."],
    )


UNSURE_PREFIX = "I could not find a passage that clearly answers this"


def unsure(closest: Sequence[ScoredSentence], evidence: float, mode: str = "extractive") -> Answer:
    """The closest sentence, quoted and cited, without claiming the documents are silent: a paraphrase the answerer
    cannot match with confidence is not evidence of absence."""
    return as_unsure(compose(closest[:1], evidence), mode)


def as_unsure(answer: Answer, mode: str | None = None, lead: str = f"{UNSURE_PREFIX}.") -> Answer:
    """An answer's first citation offered as the closest passage, not as the answer (after ``lead``)."""
    closest = [replace(answer.citations[0], n=1)] if answer.citations else []
    quoted = f" The closest is: “{as_shown(closest[0].quote)}” [1]" if closest else ""
    return Answer(
        text=f"{lead}{quoted}", answerable=False, citations=closest, evidence=answer.evidence,
        mode=mode or answer.mode, unsure=True,
        notices=["Unsure: read the quoted passage; the documents may answer this in other words."],
    )


@dataclass(frozen=True)
class ScoredSentence:
    passage_rank: int
    passage: Passage
    span: Span
    lexical: float
    dense: float
    score: float

    @property
    def read(self) -> str:
        """The sentence as its questions are matched against (kinds of answer, years, roles): a table row under its
        column names, a numbered list item without its number (``reading_of``), anything else as written."""
        chunk = self.passage.chunk
        return reading_of(chunk.text, self.span, chunk.start)


def citation_of(sentence: ScoredSentence, n: int) -> Citation:
    chunk = sentence.passage.chunk
    return Citation(
        n=n, source=chunk.source, title=chunk.title, page=chunk.page, section=chunk.section, quote=sentence.span.text,
        date=chunk.date, kind=chunk.kind, chunk_id=chunk.id, start=sentence.span.start, end=sentence.span.end,
        passage=chunk.text,
    )


_MARKER_IN_SOURCE = re.compile(r"\[(\d{1,3})\]")


def as_shown(quoted: str) -> str:
    """A quote as the answer shows it: a "[7]" written inside a document as "(7)", so it can't pass for a
    citation, and a page break inside a sentence as a space. The citation's quote keeps the document's exact
    characters."""
    return _MARKER_IN_SOURCE.sub(r"(\1)", as_read(quoted))


def with_column_names(chosen: Sequence[ScoredSentence]) -> list[ScoredSentence]:
    """The sentences with the first row of each table a quoted row is from: alone, "| Events | 62,000 | 80,000 |"
    or "Webinars 7 11" doesn't say which figure is which year's."""
    quoted = list(chosen)
    places = {(s.passage.chunk.id, s.span.start) for s in quoted}
    for sentence in chosen:
        chunk = sentence.passage.chunk
        names = table_header(chunk.text, sentence.span.start - chunk.start)
        if not names or sentence.read == sentence.span.text:
            continue
        above = [s for s in sentence_spans(chunk.text, offset=chunk.start) if s.start < sentence.span.start]
        header = next((s for s in reversed(above) if s.text == names), None)
        if header is not None and (chunk.id, header.start) not in places:
            places.add((chunk.id, header.start))
            quoted.append(replace(sentence, span=header))
    return quoted


def compose(chosen: Sequence[ScoredSentence], evidence: float) -> Answer:
    """Answer text of quoted sentences, each followed by its citation marker: the passage holding the best sentence
    first, and within a passage in reading order."""
    best_in_passage: dict[str, float] = {}
    for sentence in chosen:
        chunk_id = sentence.passage.chunk.id
        best_in_passage[chunk_id] = max(best_in_passage.get(chunk_id, sentence.score), sentence.score)
    numbers: dict[tuple[str, int], int] = {}
    citations: list[Citation] = []
    parts: list[str] = []
    for sentence in sorted(chosen, key=lambda s: (-best_in_passage[s.passage.chunk.id], s.span.start)):
        key = (sentence.passage.chunk.id, sentence.span.start)
        if key not in numbers:
            numbers[key] = len(numbers) + 1
            citations.append(citation_of(sentence, numbers[key]))
        parts.append(f"{as_shown(sentence.span.text)} [{numbers[key]}]")
    return Answer(text=" ".join(parts), answerable=True, citations=citations, evidence=evidence)
