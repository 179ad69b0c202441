"""Questions about when a document itself is dated ("When was the Green Deal letter sent?", "What is the date of the
I3 paper?"): answered with the line that dates the document, quoted and cited; declined when the document named
carries no date at all. The document is the one the rest of the question describes best: by the words of its
title and kind, or by an acronym it defines for its title's words ("the I3 paper")."""

from __future__ import annotations

import re
from collections.abc import Callable, Sequence

from assistant.answering.citations import Citation
from assistant.answering.outcomes import Answer, decline
from assistant.index.store import StoredDocument
from assistant.reading.documents import FULL_DATE, page_at
from assistant.reading.glossary import acronym_definitions
from assistant.search.retrieval import Passage
from assistant.text.terms import search_terms

_ISSUING = (
    r"published|issued|sent|written|dated|released|adopted|signed|drafted|submitted|produced|finali[sz]ed|"
    r"publish|issue|send|write|release|adopt|sign|draft|submit|produce|finali[sz]e|(?:come|came|put) out"
)
_ASKS_DOCUMENT_DATE = re.compile(
    rf"^\W*(?:and |so )?(?:when|on what date|on which date|in which year|in what year) (?:was|were|is|are|did|has|have)"
    rf"\b(?P<named>.+?)\b(?:{_ISSUING})\b(?P<after>.*)$"
    r"|^\W*(?:and |so )?(?:what|which) (?:is|was|'s) the (?:publication |issue |release )?date (?:of|on)\b(?P<of>.+)$"
    r"|^\W*(?:and |so )?how (?:old|recent) (?:is|are)\b(?P<age>.+)$",
    re.IGNORECASE,
)
_DOCUMENT_NOUNS = (
    "paper|papers|annex|minutes|letter|document|report|statement|note|notes|position|call|proposal|publication|"
    "declaration|contribution|communication|memo|brief|text"
)
_DOCUMENT_NOUN = re.compile(rf"\b(?:{_DOCUMENT_NOUNS})\b", re.IGNORECASE)
_GENERIC_TERMS = frozenset(search_terms(_DOCUMENT_NOUNS.replace("|", " ")))
DESCRIBED_SHARE = 0.6
"""Share of the question's own words about the document that a document's title, kind or acronyms must hold: set,
not tuned ("most of what the question says about it")."""
DATE_LINE_CHARS = 160
"""A line longer than this that holds a date is a sentence about an event, not the document's date line."""


def named_document_description(question: str) -> str | None:
    """What the question says about the document whose date it asks ("the Green Deal letter"), or None when it
    doesn't ask when a document was issued."""
    found = _ASKS_DOCUMENT_DATE.match(" ".join(question.split()).rstrip("?.! "))
    if not found:
        return None
    parts = [found.group(name) for name in ("named", "after", "of", "age") if found.group(name)]
    return " ".join(" ".join(parts).split()) or None


def identity_terms(document: StoredDocument) -> frozenset[str]:
    """The words that name a document: its title's and kind's, and each acronym it defines for words of its title
    (a paper titled "… Interregional Innovation Investment Initiative" that writes "(I3)" is "the I3 paper")."""
    terms = set(search_terms(f"{document.info.title} {document.info.kind}"))
    for short, long_form, _ in acronym_definitions(document.text[:4000]):
        if set(search_terms(long_form)) <= terms:
            terms.update(search_terms(short))
    return frozenset(terms)


def described_documents(description: str, documents: Sequence[StoredDocument]) -> list[StoredDocument]:
    """The documents a description naming a kind of document ("paper", "letter", "minutes") fits best: the largest
    share of its words among a document's names ("the annex to the call" is the annex), the fewest other words of
    the title on a tie ("the call for recognition" is the call, not its annex; but "the minutes" are all of them).
    Empty when none holds ``DESCRIBED_SHARE`` of them."""
    if not _DOCUMENT_NOUN.search(description):
        return []  # "When was the SMP adopted?" asks about the programme, not about a paper on it
    said = set(search_terms(description))
    if not said:
        return []
    fits: list[tuple[float, float, StoredDocument]] = []
    for document in documents:
        names = identity_terms(document)
        share = len(said & names) / len(said)
        if share >= DESCRIBED_SHARE:
            title = set(search_terms(document.info.title)) or names
            coverage = 0.0 if said <= _GENERIC_TERMS else len(said & title) / len(title)
            fits.append((share, coverage, document))
    if not fits:
        return []
    best = max((share, coverage) for share, coverage, _ in fits)
    return [document for share, coverage, document in fits if (share, coverage) == best]


def date_line(document: StoredDocument) -> tuple[int, int] | None:
    """Where the line that dates the document is (start, end in its text): the first short line holding a full date
    in its opening, else in its closing (a letter dated under its signature)."""
    text = document.text
    for start_at, end_at in ((0, min(len(text), 600)), (max(0, len(text) - 600), len(text))):
        for match in FULL_DATE.finditer(text, start_at, end_at):
            start = text.rfind("\n", 0, match.start()) + 1
            end = text.find("\n", match.end())
            end = len(text) if end < 0 else end
            line = text[start:end]
            if len(line.strip()) <= DATE_LINE_CHARS:
                return start + len(line) - len(line.lstrip()), end - (len(line) - len(line.rstrip()))
    return None


def document_date_answer(
    question: str, documents: Sequence[StoredDocument], with_text: Callable[[str], StoredDocument | None],
    mode: str = "extractive", passages: Sequence[Passage] = (),
) -> Answer | None:
    """The date lines of the documents the question asks the date of, each quoted and cited (from the retrieved
    passage that holds it, when one does, so that the sources shown begin with it); a decline when none of them
    carries a date; None when the question doesn't ask when a document was issued, names none, or the date is known
    only from the file name or catalog (then the passages answer as for any question)."""
    description = named_document_description(question)
    if description is None:
        return None
    whole = [document for document in (with_text(d.source) for d in documents) if document is not None]
    named = described_documents(description, whole)
    if not named:
        return None
    lines: list[str] = []
    citations: list[Citation] = []
    for document in named:
        found = date_line(document)
        if found is None:
            continue
        start, end = found
        holding = next(
            (p.chunk for p in passages if p.chunk.source == document.source and p.chunk.start <= start < p.chunk.end),
            None,
        )
        citation = Citation(
            n=len(citations) + 1, source=document.source, title=document.info.title,
            page=page_at(document.page_starts, start), section=holding.section if holding else None,
            quote=document.text[start:end], date=document.info.date, kind=document.info.kind,
            chunk_id=holding.id if holding else None, start=start, end=end,
            passage=holding.text if holding else document.text[max(0, start - 200):end + 400],
        )
        citations.append(citation)
        lines.append(f"{document.info.title}: {citation.quote} [{citation.n}]")
    if citations:
        return Answer(text="\n\n".join(lines), answerable=True, citations=citations, evidence=1.0, mode=mode)
    if any(document.info.date for document in named):
        return None
    titles = " or ".join(f"“{document.info.title}”" for document in named)
    return decline(question, 0.0, mode, reason=f"{titles} carries no date")
