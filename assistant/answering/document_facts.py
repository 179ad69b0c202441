"""Questions about a document itself: when it is dated ("When was the Green Deal letter sent?", "What is the date of
the I3 paper?"; of minutes, "When did the General Assembly take place?") and who signed it ("Who signed the Green
Deal letter?"). Answered with the lines of the document that say so — its date line, its signature under a closing
such as "Yours sincerely," — quoted and cited; declined when the document named has none. The document is the one
the rest of the question describes best: by the words of its title, kind and file name, or by an acronym it defines
for its title's words ("the I3 paper")."""

from __future__ import annotations

import re
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import PurePath

from assistant.answering.citations import Citation
from assistant.answering.collection import document_citation
from assistant.answering.outcomes import Answer, Question, decline
from assistant.index.store import StoredDocument
from assistant.reading.documents import DATE_IN_ANY_LANGUAGE, FULL_DATE, MONTH_YEAR
from assistant.reading.glossary import acronym_definitions
from assistant.search.answer_types import ADDRESSEE_LINE
from assistant.search.retrieval import Passage
from assistant.text.names import names_a_person
from assistant.text.patterns import LIST_MARK, is_byline
from assistant.text.sentences import SIGNATURE_LINES, ends_mid_sentence, is_formula_line
from assistant.text.terms import search_terms, words

_ISSUING = (
    r"published|issued|sent|written|dated|released|adopted|signed|drafted|submitted|produced|finali[sz]ed|"
    r"publish|issue|send|write|(?<!press )release|adopt|sign|draft|submit|produce|finali[sz]e|(?:come|came|put) out"
)
_WHEN = r"^\W*(?:and |so )?(?:when|on what date|on which date|in which year|in what year)"
_ASKS_DOCUMENT_DATE = re.compile(
    rf"{_WHEN} (?:was|were|is|are|did|has|have)"
    rf"\b(?P<named>.+?)\b(?:{_ISSUING})\b(?P<after>.*)$"
    r"|^\W*(?:and |so )?(?:what|which) (?:is|was|'s) the (?:publication |issue |release )?date (?:of|on)\b(?P<of>.+)$"
    r"|^\W*(?:and |so )?how (?:old|recent) (?:is|are)\b(?P<age>.+)$"
    rf"|{_WHEN} (?:was|were|did)\b(?P<meeting>.+?)\b"
    r"(?:take place|took place|held|happen|happened|meet|met|convene|convened)\b(?P<after_meeting>.*)$",
    re.IGNORECASE,
)
_DOCUMENT_NOUNS = (
    "paper|papers|annex|minutes|letter|document|report|statement|note|notes|position|call|proposal|publication|"
    "declaration|contribution|communication|memo|brief|text|release|post|article|newsletter|blog"
)
_DOCUMENT_NOUN = re.compile(rf"\b(?:{_DOCUMENT_NOUNS})\b", re.IGNORECASE)
_BACK_REFERENCES = frozenset({"it", "its", "this", "that", "these", "those", "them", "they", "one", "the", "a", "an"})
_GENERIC_TERMS = frozenset(search_terms(_DOCUMENT_NOUNS.replace("|", " ")))
DESCRIBED_SHARE = 0.6
"""Share of the question's own words about the document that a document's title, kind or acronyms must hold: set,
not tuned ("most of what the question says about it")."""
DATE_LINE_CHARS = 160
"""A line longer than this that holds a date is a sentence about an event, not the document's date line."""
_DATE_LINE_WORDS = 8
"""Nor is a shorter line of more words that ends as a sentence does ("Members may request a reduction … before 28
February 2024.")."""


_ASKS_SIGNATORY = re.compile(
    r"^\W*(?:and |so )?who (?:signed|wrote|authored|drafted|sent|penned|issued|prepared|compiled|edited)\b"
    r"(?P<named>.+)$"
    r"|^\W*(?:and |so )?who (?:is|was|are|were) the (?:signator(?:y|ies)|authors?|senders?|writers?) of\b(?P<of>.+)$"
    r"|^\W*(?:and |so )?who (?:is|was) (?P<by>.+?) (?:from|signed by|written by|sent by|by)$",
    re.IGNORECASE,
)


_END_CHARS = 600
"""A document's title block (date, addressee) lies within this many characters of its start, its signature within
this many of its end."""


def named_document_description(question: str, asked: re.Pattern[str] = _ASKS_DOCUMENT_DATE) -> str | None:
    """What the question says about the document it asks a fact of ("the Green Deal letter"), or None when it
    doesn't ask that fact (by default, when a document was issued)."""
    found = asked.match(" ".join(question.split()).rstrip("?.! "))
    if not found:
        return None
    parts = [part for part in found.groupdict().values() if part]
    return " ".join(" ".join(parts).split()) or None


def identity_terms(document: StoredDocument) -> frozenset[str]:
    """The words that name a document: its title's, kind's and file name's, its addressee's ("the letter to
    <name>"), and each acronym it defines for words of its title (a paper titled "… Interregional Innovation
    Investment Initiative" that writes "(I3)" is "the I3 paper")."""
    file_name = PurePath(document.source).stem.replace("-", " ").replace("_", " ")
    opening = document.text[:_END_CHARS].split("\n")
    addressees = " ".join(line for line in opening if ADDRESSEE_LINE.match(line.strip()))
    terms = set(search_terms(f"{document.info.title} {document.info.kind} {file_name} {addressees}"))
    for short, long_form, _ in acronym_definitions(document.text[:4000]):
        if set(search_terms(long_form)) <= terms:
            terms.update(search_terms(short))
    return frozenset(terms)


def described_documents(
    description: str, documents: Sequence[StoredDocument], meetings: bool = False
) -> list[StoredDocument]:
    """The documents a description naming a kind of document ("paper", "letter", "minutes"), or with ``meetings`` a
    meeting (then only minutes, which record one), fits best: the largest share of its words among a document's
    names ("the annex to the call" is the annex), the fewest other words of the title on a tie ("the call for
    recognition" is the call, not its annex; but "the minutes" are all of them). Empty when none holds
    ``DESCRIBED_SHARE`` of them."""
    if not _DOCUMENT_NOUN.search(description):
        if not meetings:
            return []  # "When was the SMP adopted?" asks about the programme, not about a paper on it
        documents = [document for document in documents if document.info.kind == "minutes"]
    said = set(search_terms(description))
    if not said:
        return []
    # "the letter to the Commissioner for Health" is not the one to the Commissioner for Energy, whatever the share
    capitalised = set(search_terms(" ".join(word for word in description.split()[1:] if word[:1].isupper())))
    fits: list[tuple[float, float, StoredDocument]] = []
    for document in documents:
        names = identity_terms(document)
        share = len(said & names) / len(said)
        if share >= DESCRIBED_SHARE and capitalised <= names:
            title = set(search_terms(document.info.title)) or names
            coverage = 0.0 if said <= _GENERIC_TERMS else len(said & title) / len(title)
            fits.append((share, coverage, document))
    if not fits:
        return []
    best = max((share, coverage) for share, coverage, _ in fits)
    return [document for share, coverage, document in fits if (share, coverage) == best]


def date_line(document: StoredDocument) -> tuple[int, int] | None:
    """Where the line that dates the document is (start, end in its text): the first short line holding a full date
    (in English or another language of ``MONTHS``) in its opening, else in its closing (a letter dated under its
    signature); not a sentence that gives a date, but the dateline opening a press release's first paragraph; else
    a line of its title block giving the month."""
    text = document.text
    for start_at, end_at in ((0, min(len(text), _END_CHARS)), (max(0, len(text) - _END_CHARS), len(text))):
        for match in DATE_IN_ANY_LANGUAGE.finditer(text, start_at, end_at):
            start = text.rfind("\n", 0, match.start()) + 1
            end = text.find("\n", match.end())
            end = len(text) if end < 0 else end
            line = text[start:end]
            sentence = line.rstrip().endswith((".", "!", "?")) and len(line.split()) > _DATE_LINE_WORDS
            if len(line.strip()) <= DATE_LINE_CHARS and not sentence:
                return start + len(line) - len(line.lstrip()), end - (len(line) - len(line.rstrip()))
            dateline = DATELINE.match(line)
            if dateline and start + dateline.end(1) == match.end():
                return start + dateline.start(1), start + dateline.end(1)
    return _month_line(document)


_MONTH_LINE_WORDS = 10
"""A title block's line is short; a longer one naming a month is a sentence about something else."""


def _month_line(document: StoredDocument) -> tuple[int, int] | None:
    """A line of the title block dating the document by its month ("Policy brief, European Clusters Alliance,
    February 2025"): short, ending no sentence and breaking none off."""
    for line in re.finditer(r"[^\S\n]*([^\n]*\S)", document.text[:_END_CHARS]):
        said = line.group(1)
        if (
            MONTH_YEAR.search(said) and len(said.split()) <= _MONTH_LINE_WORDS
            and not said.endswith((".", "!", "?", ",", ";")) and not ends_mid_sentence(said)
        ):
            return line.start(1), line.end(1)
    return None


DATELINE = re.compile(r"\s*((?:[A-Z][\w'-]+,?\s+){0,2}[^\n]{0,30}?\d{4})\s*[–—-]\s+[A-Z]")
"""A press release's dateline: the place and date opening its first paragraph ("Brussels, 18 April 2024 – The
alliance today announced …")."""


def signature_block(document: StoredDocument) -> tuple[int, int] | None:
    """Where the document is signed (start, end in its text): the line naming a person right after a short closing
    line ending in a comma, with the short lines under it (the signatory's role; not the date line of a letter dated
    under its signature), in the document's last 600 characters. A contact list or an agenda naming people is no
    signature."""
    text = document.text
    closing = max(0, len(text) - _END_CHARS)
    lines = [(m.start(), m.end(), m.group()) for m in re.finditer(r"[^\n]*\S[^\n]*", text[closing:])]
    for index, (_, _, line) in enumerate(lines[:-1]):
        if not is_formula_line(line):
            continue
        name_start, _, name = lines[index + 1]
        if not names_a_person(name) or name.rstrip().endswith((".", ",", ":")):
            continue
        last = lines[index + 1]
        for under in lines[index + 2:index + 1 + SIGNATURE_LINES]:
            line = under[2].strip()
            if (
                line.endswith((".", ":", "!", "?")) or len(words(line)) > 10 or FULL_DATE.search(line)
                or not any(character.isalpha() for character in line)  # a page number under the signature
            ):
                break
            last = under
        start = closing + name_start + len(name) - len(name.lstrip())
        return start, closing + last[1] - (len(last[2]) - len(last[2].rstrip()))
    return None


def byline(document: StoredDocument) -> tuple[int, int] | None:
    """Where the document says who wrote it (start, end in its text): a byline ("Author: …", "Prepared by …") in its
    opening, else in its closing."""
    text = document.text
    closing = text.rfind("\n", 0, max(0, len(text) - _END_CHARS)) + 1
    for start_at, end_at in ((0, min(len(text), _END_CHARS)), (closing, len(text))):
        # a line with the names listed under it
        for line in re.finditer(r"[^\n]+(?:\n[-*•] [^\n]+)*", text[start_at:end_at]):
            if is_byline(line.group().split("\n")[0]):
                return start_at + line.start(), start_at + line.end()
    return None


def authorship(document: StoredDocument) -> tuple[int, int] | None:
    """Who signed the document, else who it says wrote it."""
    return signature_block(document) or byline(document)


@dataclass(frozen=True)
class DocumentFact:
    """Something a document says about itself, and where: asked in a question of this form, found by ``lines``."""

    asked: re.Pattern[str]
    lines: Callable[[StoredDocument], tuple[int, int] | None]
    missing: str
    """What the answer says of a document named that doesn't give it."""
    known_otherwise: Callable[[StoredDocument], bool] = lambda document: False
    """The fact is known without the document's lines (a date from the file name or the catalog): the passages
    answer instead of a decline."""
    of_meetings: bool = False
    """A meeting has it too, given by its minutes ("When did the General Assembly take place?")."""


DOCUMENT_FACTS = (
    DocumentFact(
        _ASKS_DOCUMENT_DATE, date_line, "carries no date", lambda document: bool(document.info.date), of_meetings=True
    ),
    DocumentFact(_ASKS_SIGNATORY, authorship, "is signed by no one and names no author"),
)


def _on_one_line(lines: str) -> str:
    """A signature's or byline's lines said on one line: "Karin Lindqvist, Secretary General"; "Authors:" above a
    list reads "Authors: Anna Keller, Tomas Horak"."""
    said = ""
    for line in (LIST_MARK.sub("", line.strip()) for line in lines.splitlines() if line.strip()):
        said += line if not said else f"{' ' if said.endswith(':') else ', '}{line}"
    return said


def refers_back(description: str) -> bool:
    """"It", "this one": the document is the one the conversation is about."""
    return set(re.findall(r"[a-z]+", description.lower())) <= _BACK_REFERENCES


def last_question_described(question: Question) -> str:
    """What the conversation's last question says about a document: the document whose fact it asked ("the call for
    recognition" of "When was the call for recognition published?"), else all of it."""
    asked = [turn.content for turn in question.history if turn.role == "user"]
    if not asked:
        return ""
    described = (named_document_description(asked[-1], fact.asked) for fact in DOCUMENT_FACTS)
    return next((d for d in described if d), asked[-1])


def document_fact_answer(
    question: Question, documents: Sequence[StoredDocument], with_text: Callable[[str], StoredDocument | None],
    mode: str = "extractive", passages: Sequence[Passage] = (),
) -> Answer | None:
    """The lines of the documents named that give the fact the question asks (their date, their signature), each
    quoted and cited (from the retrieved passage that holds it, when one does, so that the sources shown begin with
    it); a decline when none of them gives it; None when the question asks no such fact of a document it names, or
    the fact is known otherwise (then the passages answer as for any question). The fact is read from the question
    as asked; "Who signed it?" asks it of the document the conversation's last question named."""
    for fact in DOCUMENT_FACTS:
        description = named_document_description(question.text, fact.asked)
        if description is not None:
            break
    else:
        return None
    whole = [document for document in (with_text(d.source) for d in documents) if document is not None]
    if refers_back(description):
        description = last_question_described(question)
    named = described_documents(description, whole, fact.of_meetings)
    if not named:
        return None
    lines: list[str] = []
    citations: list[Citation] = []
    for document in named:
        found = fact.lines(document)
        if found is None:
            continue
        citation = document_citation(document, len(citations) + 1, *found, passages)
        citations.append(citation)
        said = _on_one_line(citation.quote)
        lines.append(f"{document.info.title}: {said} [{citation.n}]")
    if citations:
        return Answer(text="\n\n".join(lines), answerable=True, citations=citations, evidence=1.0, mode=mode)
    if any(fact.known_otherwise(document) for document in named):
        return None
    titles = " or ".join(f"“{document.info.title}”" for document in named)
    return decline(question.text, 0.0, mode, reason=f"{titles} {fact.missing}")
