"""How much a sentence can answer, by its form and place: headings, fragments, questions and instructions count for
less; the title block's lines are about the document (offered as the closest only after the others); a table row is
read with its header."""

from __future__ import annotations

from collections.abc import Sequence

from assistant.answering.outcomes import ScoredSentence
from assistant.reading.chunking import Chunk
from assistant.reading.documents import looks_like_heading
from assistant.search.answer_types import wanted_types
from assistant.search.conversation import looks_like_instruction
from assistant.text.names import names_a_person
from assistant.text.patterns import LIST_MARK
from assistant.text.sentences import Span, is_fragment, sentence_spans
from assistant.text.terms import words

FIGURE_QUESTION_WORDS = frozenset(
    {"how", "many", "much", "number", "percent", "percentage", "share", "figure", "figures", "years", "when", "year",
     "date", "time", "period"}
)


def sentence_weight(text: str, section: str | None, wants_figure: bool = False) -> float:
    """Headings and fragments name a topic rather than say something about it: they count for less. A line that is
    only a date or a time ("Tuesday 30th June 2020 at 15:00") answers "when", not "who" or "what"."""
    body = LIST_MARK.sub("", text)  # a list item's number is no figure and no word of it
    if len(words(body)) < 3 or looks_like_instruction(text):
        return 0.0  # an instruction written into a document is never the answer to a question
    has_figure = any(c.isdigit() for c in body)
    if text == section and not has_figure:
        return 0.6
    if body.endswith("?"):
        return 0.6  # "What is the role of clusters?" asks; the sentence after it answers
    if looks_like_heading(body) and not body.endswith(":") and not (has_figure and wants_figure):
        return 0.75
    return 1.0


def in_front_matter(chunk: Chunk, span: Span) -> bool:
    """A short line before the document's first sentence: the title block's date, place and addressee, which are
    about the document itself."""
    if chunk.ordinal != 0 or not is_fragment(span.text):
        return False
    before = sentence_spans(chunk.text[: span.start - chunk.start])
    return not any(s.text.rstrip().endswith((".", "!", "?")) for s in before)


def about_the_document(sentence: ScoredSentence) -> bool:
    """The title, or a line of the title block that names no one (its date, place or salutation): it says nothing
    but which document this is. (An agenda line at the top of minutes names its speaker.)"""
    chunk, span = sentence.passage.chunk, sentence.span
    return span.text == chunk.title or (in_front_matter(chunk, span) and not names_a_person(span.text))


def saying_first(question: str, scored: Sequence[ScoredSentence]) -> list[ScoredSentence]:
    """The sentences about the document itself after the others, unless the best one gives a kind of answer asked
    for: "Tuesday 30th June 2020 at 15:00" offered as the closest to "Who spoke for the French cluster?" tells the
    reader nothing (it answers "when")."""
    if any(kind.given(question, scored[0].read) for kind in wanted_types(question)):
        return list(scored)
    return sorted(scored, key=about_the_document)


def heading_start(chunk: Chunk) -> int:
    """Where the chunk's section heading starts: a line before it (the slogan closing the section above, in a chunk
    that starts there) is not under that heading."""
    if not chunk.section:
        return chunk.start
    found = chunk.text.find(chunk.section)
    return chunk.start if found < 0 else chunk.start + found


def overlaps(a: ScoredSentence, b: ScoredSentence) -> bool:
    """Same words (the annex repeats the position paper) or the same place."""
    if a.passage.chunk.source == b.passage.chunk.source and a.span.start < b.span.end and b.span.start < a.span.end:
        return True
    words_a, words_b = set(words(a.span.text)), set(words(b.span.text))
    return len(words_a & words_b) >= 0.8 * min(len(words_a), len(words_b))
