"""Documents that disagree: sentences of other documents stating the same thing with different figures, or naming
someone else, quoted beside the answer with their dates rather than silently picking one."""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass, replace

from assistant.answering.citations import Citation
from assistant.answering.outcomes import Answer, ScoredSentence, as_shown, citation_of, compose, with_column_names
from assistant.text.names import person_names
from assistant.text.numbers import iter_numbers, number_key
from assistant.text.terms import search_terms

def _figure_words(text: str) -> set[str]:
    return {t for t in search_terms(text) if not t.isdigit()}


def _figures(text: str) -> set[str]:
    return {number_key(n) for n in iter_numbers(text)}


_STATEMENT_WORDS = 3
_RESTATED_SHARE = 0.6
_WITHIN_A_COUNT = frozenset({"of", "our", "their", "the", "most", "more", "than"})
_MULTIPLIERS = frozenset({"million", "billion", "thousand", "hundr", "mio", "bn"})
# "How many members are there now?": the present is the most recent document's to tell, however it words it
_ASKS_ABOUT_THE_PRESENT = re.compile(
    r"\b(?:now|nowadays|currently|current|today|at present|presently|latest|most recent|to date|so far)\b",
    re.IGNORECASE,
)


def counted_things(text: str) -> dict[str, set[str]]:
    """What each figure counts: the content words just after it ("15 National Cluster Associations" → associ, …;
    "134,000 of our most innovative businesses" → busi) mapped to the figures that count them."""
    counted: dict[str, set[str]] = {}
    for match in re.finditer(r"\d+(?:[.,]\d+)*", text):
        rest_of_line = text[match.end():match.end() + 60].split("\n", 1)[0]
        following = re.findall(r"[^\W\d_][\w'’-]*|[,;:.()|]", rest_of_line)
        for token in following[:6]:
            terms = search_terms(token)
            if token in ",;:.()|" or (not terms and token.lower() not in _WITHIN_A_COUNT):
                break  # "2021-2027 and its budget": the figure counts nothing after "and"
            for term in terms:
                if term not in _MULTIPLIERS:
                    counted.setdefault(term, set()).add(number_key(match.group().rstrip(".,")))
    return counted


def differs_on_asked(best: str, other: str, asked: frozenset[str]) -> bool:
    """Both sentences count one of the things the question asks about, with different figures."""
    mine, theirs = counted_things(best), counted_things(other)
    return any(term in mine and term in theirs and mine[term] != theirs[term] for term in asked)


def restates(text: str, other: str) -> bool:
    """Whether the two say the same thing, whatever their figures: most of the shorter one's words are in the other.
    A title line ("Membership statistics 2024") shares its few words with many a sentence and states nothing."""
    mine, theirs = _figure_words(text), _figure_words(other)
    shorter = min(len(mine), len(theirs))
    return shorter >= _STATEMENT_WORDS and len(mine & theirs) / shorter >= _RESTATED_SHARE


def find_conflicts(
    best: ScoredSentence, candidates: Sequence[ScoredSentence], asked: frozenset[str] = frozenset(), limit: int = 4
) -> list[ScoredSentence]:
    """Sentences of other documents that state the same thing as ``best`` with different figures.

    Same thing: most of the shorter sentence's words are in the other one, or both count what the question asks
    about ("15 National Cluster Associations" against "12 National Cluster Associations"); different figures: each
    side has a number the other lacks (so "2021-2027" beside "2021-2027 and 2021-2023" is not a conflict).
    """
    figures = _figures(best.read)
    if not figures:
        return []
    conflicts: list[ScoredSentence] = []
    seen_figures = [figures]
    seen_sources = {best.passage.chunk.source}
    for candidate in sorted(candidates, key=lambda c: c.score, reverse=True):
        chunk = candidate.passage.chunk
        if chunk.source in seen_sources or candidate.lexical < 0.5 * best.lexical:
            continue
        if candidate.span.text in (chunk.title, chunk.section):
            continue  # a title or heading ("Decisions of the General Assembly, Lisbon, 16.11.2023") states nothing
        other = _figures(candidate.read)
        same_thing = restates(best.read, candidate.read) or differs_on_asked(best.read, candidate.read, asked)
        if not same_thing or not (figures - other) or not (other - figures):
            continue
        if any(other == known for known in seen_figures):
            continue
        seen_figures.append(other)
        seen_sources.add(candidate.passage.chunk.source)
        conflicts.append(candidate)
        if len(conflicts) == limit - 1:
            break
    return conflicts


def latest_first(
    lead: ScoredSentence, conflicts: Sequence[ScoredSentence], sentences: Sequence[ScoredSentence], question: str
) -> ScoredSentence:
    """Which statement leads where documents disagree: the most recent document's, unless the question names
    the document the best-supported one is from (a word of its title the other's lacks: "What did the draft say?").
    Of the most recent document, its best-supported sentence (``sentences``, best first) if that too states what
    ``lead`` does with other figures, else its sentence found in conflict; only where it restates the lead in its
    own figures (a new version's sentence), not where it merely counts the same thing in other words. A superseded
    draft's figure, or last year's, would otherwise lead only because its wording matches the question a little
    better. A question about the present ("now", "currently") is the most recent document's to answer, however it
    words it, before an undated one's."""
    present = bool(_ASKS_ABOUT_THE_PRESENT.search(question))
    dated = [
        c for c in conflicts
        if (c.passage.chunk.date or "") > (lead.passage.chunk.date or "") and (present or restates(lead.read, c.read))
    ]
    if not dated or not (lead.passage.chunk.date or present):
        return lead
    latest = max(dated, key=lambda c: c.passage.chunk.date or "")
    named = set(search_terms(lead.passage.chunk.title)) - set(search_terms(latest.passage.chunk.title))
    if named & set(search_terms(question)):
        return lead
    source = latest.passage.chunk.source
    best_of_latest = next((s for s in sentences if s.passage.chunk.source == source), None)
    # whether it states what the lead does with other figures, whatever share of the question's words it holds
    if best_of_latest is not None and find_conflicts(lead, [replace(best_of_latest, lexical=lead.lexical)]):
        return best_of_latest
    return latest


@dataclass(frozen=True)
class Disagreement:
    """What documents disagree on, as the answer says it: "Other documents {differ} (the above is from …)"."""

    differ: str
    notice: str


FIGURES = Disagreement(
    "give different figures", "Conflicting figures: the documents disagree; check which document and date you need."
)
PEOPLE = Disagreement(
    "name someone else", "Different people named: the documents disagree; check which document and date you need."
)
CONFLICT_NOTICE = FIGURES.notice


def names_someone_else(chosen: Sequence[ScoredSentence], question: str) -> bool:
    """Whether the quoted sentences come from different documents that name different people, no one in common ("The
    President, <A>, …" in the 2021 minutes, "The President …, <B>, …" in the 2020 ones: a role changed hands)."""
    named: dict[str, set[str]] = {}
    for sentence in chosen:  # a document's people are those of all its sentences quoted, not of its last one
        named.setdefault(sentence.passage.chunk.source, set()).update(person_names(sentence.span.text, question))
    return len(named) >= 2 and all(named.values()) and not any(
        named[a] & named[b] for a in named for b in named if a != b
    )


def compose_conflict(
    best_sentence: ScoredSentence, conflicts: Sequence[ScoredSentence], evidence: float,
    disagreement: Disagreement = FIGURES,
) -> Answer:
    """The best-supported sentence first, as the answer to any question starts, then the other documents' figures
    (or people), each quoted with its document and date (the most recent first, undated last), instead of silently
    picking one."""
    answer = compose(with_column_names([best_sentence]), evidence)
    best = best_sentence.passage.chunk
    dated = sorted((s for s in conflicts if s.passage.chunk.date), key=lambda s: s.passage.chunk.date or "", reverse=True)
    ordered = [*dated, *(s for s in conflicts if not s.passage.chunk.date)]
    citations = list(answer.citations)
    situated = f"the above is from {best.title}, {best.date or 'undated'}"
    parts = [answer.text, f"Other documents {disagreement.differ} ({situated}):"]
    for sentence in ordered:
        citation = citation_of(sentence, len(citations) + 1)
        citations.append(citation)
        parts.append(_conflict_line(citation))
    return Answer(
        text="\n\n".join(parts), answerable=True, citations=citations, evidence=evidence,
        notices=[disagreement.notice],
    )


def _conflict_line(citation: Citation) -> str:
    """One document's figure: its title and date, the quoted sentence and its marker."""
    return f"{citation.title} ({citation.date or 'undated'}): “{as_shown(citation.quote)}” [{citation.n}]"


def add_missing_conflicts(answer: Answer, offline: Answer) -> Answer:
    """A model's answer that gives one figure (or person) where the offline check found the documents disagreeing:
    the other documents' are added, quoted and cited, so none is silently picked."""
    disagreement = next((d for d in (FIGURES, PEOPLE) if d.notice in offline.notices), None)
    if disagreement is None or not answer.answerable:
        return answer
    cited = {c.source for c in answer.citations}
    missing = [c for c in offline.citations if c.source not in cited]
    if not missing:
        return answer
    citations = list(answer.citations)
    parts = [answer.text, f"Other documents {disagreement.differ}:"]
    for citation in missing:
        added = replace(citation, n=len(citations) + 1)
        citations.append(added)
        parts.append(_conflict_line(added))
    notices = [*answer.notices, disagreement.notice]
    return replace(answer, text="\n\n".join(parts), citations=citations, notices=notices)
