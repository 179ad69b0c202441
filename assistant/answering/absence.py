"""Evidence that the documents do not say it, as opposed to a paraphrase not matched: a speaker the passage doesn't
name, a year it lacks, a name no document mentions; and the features the answer classifier reads."""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence

from assistant.answering.outcomes import Question, ScoredSentence
from assistant.reading.chunking import Chunk
from assistant.reading.documents import FULL_DATE, MONTH_YEAR, full_dates, without_dates
from assistant.search.retrieval import Passage, names_title, title_acronyms, title_terms
from assistant.text.names import proper_names
from assistant.text.patterns import YEAR
from assistant.text.terms import equivalent_terms, search_terms

_SPEAKER_QUESTION = re.compile(
    r"^\W*(?:[Aa]nd\s+|[Ss]o\s+)?[Ww]hat\s+did\s+((?:the\s+)?(?:[A-Z][\w'’.-]*\s+){0,3}[A-Z][\w'’.-]*)\s+"
    r"(?:say|reply|answer|respond|state|propose|think|believe|claim|write|announce|promise)\b"
)


def named_speaker(question: str) -> str | None:
    """Who a "what did <Name> say/answer/propose …" question asks about ("Commissioner Breton", "the Commission")."""
    found = _SPEAKER_QUESTION.match(question)
    return found.group(1) if found else None


def speaks_in(speaker: str, sentence: ScoredSentence) -> bool:
    """Whether the sentence's passage (its text, heading or document title) names the speaker."""
    chunk = sentence.passage.chunk
    present = set(search_terms(f"{chunk.title}\n{chunk.situation()}\n{chunk.text}"))
    return any(alternative in present for term in search_terms(speaker) for alternative in equivalent_terms(term))


def name_terms(unmentioned: Sequence[str], question: str) -> frozenset[str]:
    """Search terms of the unmentioned names, less those also used elsewhere in the question."""
    terms = {t for name in unmentioned for t in search_terms(name)}
    rest = question
    for name in unmentioned:
        rest = rest.replace(name, " ")
    return frozenset(terms - set(search_terms(rest)))


def written_name_terms(question: str, unmentioned: Sequence[str], passages: Sequence[Passage]) -> frozenset[str]:
    """Search terms of the names in the question that the passages write as names ("Just Transition Fund"), less
    those also used elsewhere in the question."""
    patterns = {name: _name_pattern(name) for name in proper_names(question) if name not in unmentioned}
    written = [name for name, pattern in patterns.items() if any(pattern.search(p.chunk.text) for p in passages)]
    return name_terms(written, question)


def _name_pattern(name: str) -> re.Pattern[str]:
    return re.compile(r"\b" + r"\s+".join(map(re.escape, name.split())) + r"\b")


def naming_terms(question: Question, passages: Sequence[Passage]) -> frozenset[str]:
    """The words of the titles and dates the question names its documents by ("the 30 June 2020 dialogue"; not the
    words of a short reference such as "the annex", which may also be what is asked about)."""
    if not question.referenced_sources:
        return frozenset()
    asked = set(search_terms(question.text))
    named = [p.chunk for p in passages if p.chunk.source in question.referenced_sources]
    titles = {chunk.title for chunk in named}
    dates = {chunk.date for chunk in named}
    by_date = [m.group() for m in FULL_DATE.finditer(question.text) if set(full_dates(m.group())) & dates]
    return frozenset(
        [t for title in titles if names_title(asked, title) for t in title_terms(title)]
        + [t for written in by_date for t in search_terms(written)]
        + [t for title in titles for t in asked & title_acronyms(title)]  # "the I3 paper"
    )


DECLINE_FEATURES = (
    "sentence_coverage",  # the best sentence's share of the question's idf-weighted words
    "sentence_similarity",  # its cosine to the question
    "unknown_share",  # idf mass of question words no passage of the corpus contains
    "unmentioned_name",  # the question names something ("Digital Services Act") no document mentions
    "passage_probability",  # the ranker's probability for the passage the answer comes from
    "top_probability",  # … and for the best-ranked passage
    "from_top_passage",  # the answer comes from the best-ranked passage
    "moved_typed_answer",  # a typed answer (date, person, amount) found only outside the best-matching passage
    "typed_answer_missing",  # … or in none of the passages found
    "speaker_absent",  # "what did <Name> say": the answering passage doesn't name the speaker
    "year_absent",  # the question names a year that the answering passage (with its title, section, date) lacks
    "likelihood_gain",  # SmolLM2: how much more likely the question is once it has read the sentence (per token)
    "likelihood_low_gain",  # … for the least-explained quarter of the question's tokens (what is left unexplained)
    "answer_match",  # MiniLM read as a cross-encoder with fitted adapters: does the sentence answer the question
)

OPINION_FEATURES = ("likelihood_gain", "likelihood_low_gain")

ABSENCE_FEATURES = ("unmentioned_name", "year_absent", "speaker_absent")
"""Evidence that the documents do not say it (as opposed to a paraphrase not matched): a decline may claim absence
only with one of these, or when the classifier's probability is under the absence floor fitted with it."""


def decided_outcome(
    probability: float, features: Mapping[str, float], threshold: float, floor: float, required_given: bool = True
) -> str:
    """``answered`` from the answer threshold, unless the best sentence lacks what the question cannot be answered
    without (``required_given``: then ``unsure``); under it ``declined`` on evidence of absence or under the absence
    floor, else ``unsure``."""
    if probability >= threshold:
        return "answered" if required_given else "unsure"
    if probability < floor or any(features.get(name) for name in ABSENCE_FEATURES):
        return "declined"
    return "unsure"



def years_in(text: str) -> set[str]:
    return set(YEAR.findall(text))


def situated_sentence(sentence: ScoredSentence) -> str:
    """A sentence under its section heading (a speaker's turn is often named only there)."""
    chunk = sentence.passage.chunk
    heading = chunk.section if chunk.section and chunk.section != sentence.span.text else ""
    return f"{heading}\n{sentence.span.text}" if heading else sentence.span.text


def years_its_document_gives(question: str, chunk: Chunk) -> set[str]:
    """The years the question asks about (outside a date) that the passage's document is of: the years its title
    names ("How large was the surplus in 2024?" of the Annual Report 2024), and the year of its date where the
    question names the document or the meeting by it ("according to the 2021 assembly"). A document dated 2024 is not
    thereby about 2024: "How often did the group meet in 2024?" is no question its terms of reference, adopted that
    year, answer."""
    asked = years_in(without_dates(question))
    by_title = asked & years_in(chunk.title)
    by_date = {
        year for year in asked & years_in(chunk.date or "")
        if re.search(rf"\b(?:the|its|their|our|this|that)\s+{year}\s+[a-z]", question, re.IGNORECASE)
    }
    return by_title | by_date


def without_dated_years(question: str, chunk: Chunk) -> str:
    """The question without the years its document gives (``years_its_document_gives``) that the passage itself
    doesn't name ("How large was the surplus in 2024?" of the Annual Report 2024: "How large was the surplus?"): the
    year is checked (``absent_years``); the rest is what a sentence of it must answer. A year within a date ("the
    June 2020 dialogue") stays."""
    dated = years_its_document_gives(question, chunk) - years_in(chunk.text)
    if not dated:
        return question
    in_dates = [(d.start(), d.end()) for d in (*FULL_DATE.finditer(question), *MONTH_YEAR.finditer(question))]

    def unless_in_a_date(found: re.Match[str]) -> str:
        return found.group() if any(a <= found.end() - 1 < b for a, b in in_dates) else ""

    years = "|".join(sorted(dated))
    return re.sub(rf"\s*\b(?:(?:in|for|of|during|from)\s+(?:the\s+year\s+)?)?(?:{years})\b", unless_in_a_date, question)


def situated_text(chunk: Chunk) -> str:
    """A passage with what situates it: its document's title and date, its section and list lead-in."""
    return "\n".join(part for part in (chunk.title, chunk.situation(), chunk.text, chunk.date or "") if part)


def about_other_years(question: str, sentence: str, counting_dates: bool = True) -> bool:
    """The sentence dates itself to years the question doesn't ask about, and to none it does ("the accounts for
    2020" beside "the budget for 2021"). A year within a date of the question ("the framework discussed in June
    2020") says when, not what about; ``counting_dates=False``: in the sentence too ("before 30 June 2021" may be the
    deadline for the 2022 programme)."""
    asked, named = years_in(without_dates(question)), years_in(sentence if counting_dates else without_dates(sentence))
    return bool(asked and named and not asked & named)


def absent_years(question: str, chunk: Chunk) -> list[str]:
    """Years the question names that the passage, its headings and its document's date don't: "the budget for 2022"
    answered from the 2021 budget is a near miss, not an answer."""
    return sorted(years_in(question) - years_in(situated_text(chunk)))
