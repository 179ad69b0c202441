"""Questions about the collection itself ("Which documents do you have?", "What can I ask you about?"): answered
with the indexed documents, each cited by its title where its text begins, not searched for in their passages; and
"Which documents mention X?": the documents that use those words, each cited where it first does."""

from __future__ import annotations

import re
from collections.abc import Callable, Sequence

from assistant.answering.citations import Citation
from assistant.answering.outcomes import Answer
from assistant.index.store import StoredDocument
from assistant.reading.documents import page_at
from assistant.search.retrieval import Passage
from assistant.text.sentences import sentence_spans

_DOCUMENTS = r"(?:documents?|papers?|position papers|minutes|files|sources|texts|publications)"
_ASKS_ABOUT_THE_COLLECTION = re.compile(
    rf"(?:which|what) (?:{_DOCUMENTS}|kind of {_DOCUMENTS}) (?:do you have|have you got|are (?:there|available|"
    rf"indexed|loaded|in (?:the|your) (?:collection|index))|can (?:i|you) (?:ask about|search|use)|"
    rf"do you (?:know|cover|use|search|answer from|draw on))"
    rf"|what can i ask(?: you)?(?: about)?|what do you know(?: about)?|what (?:topics )?do you cover"
    rf"|(?:list|show)(?: me)?(?: all)?(?: the| your)? {_DOCUMENTS}(?: you have| indexed)?"
    rf"|what (?:is|are) (?:in )?(?:your|the) (?:collection|corpus|index|{_DOCUMENTS})"
    rf"|how many {_DOCUMENTS} (?:do you have|have you got|are there|are (?:indexed|available|loaded|in (?:the|your) "
    rf"(?:collection|index)))",
    re.IGNORECASE,
)
# "What papers did the alliance publish in 2020?", "Which documents were written in 2021?", "Which minutes are from
# 2021?": the documents dated that year, not a search of what they say
_PRODUCED = (
    r"publish|published|write|written|wrote|adopt|adopted|issue|issued|send|sent|produce|produced|date|dated|have"
)
_ASKS_DOCUMENTS_OF_A_YEAR = re.compile(
    rf"(?:which|what) (?P<documents>{_DOCUMENTS})(?: (?:did|do|does|were|was|are|is|have|has|had))?"
    rf"(?: the [\w'’-]+| we| you| they)?"
    rf"(?: (?:{_PRODUCED}))?(?: been (?:{_PRODUCED}))? (?:in|from|of|during) (?P<year>(?:19|20)\d\d)",
    re.IGNORECASE,
)
# "What is the latest document?", "Which is the oldest paper you have?"
_ASKS_FOR_THE_LATEST = re.compile(
    rf"(?:what|which) (?:is|are|was|were) (?:the|your) (?P<end>latest|most recent|newest|last|oldest|earliest|first)"
    rf" (?P<documents>{_DOCUMENTS})(?: you have| indexed| in (?:the|your) (?:collection|index))?",
    re.IGNORECASE,
)

LISTED = 25
"""The most recent documents an answer lists by name; the Documents page lists every one."""


def asks_about_the_collection(question: str) -> bool:
    """The whole question asks which documents the assistant answers from (not "what do you know about X?")."""
    return bool(_ASKS_ABOUT_THE_COLLECTION.fullmatch(" ".join(question.split()).rstrip("?.! ")))


def _by_date(question: str) -> re.Match[str] | None:
    asked = " ".join(question.split()).rstrip("?.! ")
    return _ASKS_DOCUMENTS_OF_A_YEAR.fullmatch(asked) or _ASKS_FOR_THE_LATEST.fullmatch(asked)


def asks_for_documents_by_date(question: str) -> bool:
    """The whole question asks which documents are of a year, or which is the latest or the oldest."""
    return _by_date(question) is not None


def documents_by_date(
    question: str, documents: Sequence[StoredDocument], with_text: Callable[[str], StoredDocument | None],
    mode: str = "extractive",
) -> Answer | None:
    """The answer to a question about which documents are of a year, or which is the latest or oldest, from their
    dates (and kinds, for "Which minutes …"), undated ones counted apart; "none is dated …" when none is. None for
    any other question."""
    found = _by_date(question)
    if found is None:
        return None
    kind = _KIND_ASKED.get(found.group("documents").lower())
    of_kind = [d for d in documents if kind is None or d.info.kind == kind]
    dated = sorted((d for d in of_kind if d.info.date), key=lambda d: (d.info.date or "", d.info.title))
    undated = len(of_kind) - len(dated)
    described = f"{_count(len(of_kind), kind=kind)} indexed"
    if "year" in found.groupdict():
        year = found.group("year")
        chosen = [d for d in reversed(dated) if (d.info.date or "").startswith(year)]
        how_many = "none is" if not chosen else f"{len(chosen)} {'is' if len(chosen) == 1 else 'are'}"
        intro = f"Of the {described}, {how_many} dated {year}"
    else:
        oldest = found.group("end").lower() in ("oldest", "earliest", "first")
        chosen = dated[:1] if oldest else dated[-1:]
        intro = f"The {'oldest' if oldest else 'most recent'} of the {described}, by date, is"
    note = f"{_count(undated, 'has', 'have', kind)} no date." if undated else ""
    if not chosen:
        # a fact about the collection, not a claim that the documents are silent on something
        return Answer(text=f"{intro}. {note}".strip(), answerable=True, mode=mode)
    return collection_answer(chosen, with_text, mode, intro + ":", note)


# The kinds of document a question can ask for by name ("Which minutes …"); "papers" and "documents" are any.
_KIND_ASKED = {"minutes": "minutes", "position paper": "position paper", "position papers": "position paper"}


def _count(number: int, singular_verb: str = "", plural_verb: str = "", kind: str | None = None) -> str:
    noun = kind or "document"
    noun = noun if number == 1 or noun.endswith("s") else f"{noun}s"
    verb = singular_verb if number == 1 else plural_verb
    return " ".join(part for part in (str(number), noun, verb) if part)


def collection_answer(
    documents: Sequence[StoredDocument], with_text: Callable[[str], StoredDocument | None], mode: str = "extractive",
    intro: str = "", note: str = "",
) -> Answer:
    """The documents answered from (``documents``, listed without their text; ``with_text`` reads one whole), most
    recent first, each cited by its title as its text gives it (or its first line), so that a reader can open each
    one from the answer. ``intro``: what the list answers, in place of "I answer only from …"; ``note``: said
    after the list."""
    ordered = sorted(documents, key=lambda d: (d.info.date or "", d.info.title), reverse=True)
    lines: list[str] = []
    citations: list[Citation] = []
    for document in ordered[:LISTED]:
        whole = with_text(document.source)
        citation = _cited(whole, len(citations) + 1) if whole else None
        if citation:
            citations.append(citation)
            lines.append(f"- {_label(document)} [{citation.n}]")
    more = len(ordered) - len(citations)
    listing = ", most recent first:" if len(ordered) > 1 else ":"
    text = intro or f"I answer only from the {_count(len(ordered))} indexed here{listing}"
    text += "\n\n" + "\n".join(lines)
    if more > 0:
        text += f"\n\n… and {more} more: the Documents page lists them all."
    if note:
        text += f"\n\n{note}"
    text += "\n\nAsk about what they say: each answer quotes and cites the passages it comes from."
    return Answer(text=text, answerable=True, citations=citations, evidence=1.0, mode=mode)


def _label(document: StoredDocument) -> str:
    """Title, kind and date, without repeating what the title already says ("… (minutes)")."""
    title = document.info.title.lower()
    details = ", ".join(part for part in (document.info.kind, document.info.date) if part and part.lower() not in title)
    return f"{document.info.title} ({details})" if details else document.info.title


def _cited(document: StoredDocument, n: int) -> Citation | None:
    """A citation of the document's opening: its title where the text gives it, else its first line."""
    text = document.text
    start = text.find(document.info.title) if document.info.title else -1
    if start < 0:
        start = len(text) - len(text.lstrip())
        end = text.find("\n", start)
        end = len(text) if end < 0 else end
    else:
        end = start + len(document.info.title)
    if not text[start:end].strip():
        return None
    return document_citation(document, n, start, start + len(text[start:end].strip()))


def document_citation(
    document: StoredDocument, n: int, start: int, end: int, passages: Sequence[Passage] = ()
) -> Citation:
    """A citation of ``document.text[start:end]``, from the retrieved passage that holds it when one does (so that
    the sources listed under an answer begin with it), else with the text around it as its passage."""
    holding = next(
        (p.chunk for p in passages if p.chunk.source == document.source and p.chunk.start <= start < p.chunk.end),
        None,
    )
    return Citation(
        n=n, source=document.source, title=document.info.title, page=page_at(document.page_starts, start),
        section=holding.section if holding else None, quote=document.text[start:end], date=document.info.date,
        kind=document.info.kind, chunk_id=holding.id if holding else None, start=start, end=end,
        passage=holding.text if holding else document.text[max(0, start - 200):start + 600],
    )


_MENTION_VERBS = (
    r"mentions?|talks? about|refers? to|discuss(?:es)?|cites?|names?|deals? with|says? anything about|speaks? of|"
    r"contains?|uses? the (?:term|word|phrase|name)"
)
_MENTIONED = r"mentioned|discussed|named|cited|referred to|used"
_ASKS_WHICH_DOCUMENTS_MENTION = re.compile(
    rf"^(?:which|what) (?:of the |of your )?{_DOCUMENTS} (?:{_MENTION_VERBS})\s+(?P<verb>.+)$"
    rf"|^in (?:which|what) {_DOCUMENTS} (?:is|are|was|were) (?P<passive>.+?) (?:{_MENTIONED})$"
    rf"|^where (?:is|are|was|were) (?P<where>.+?) (?:{_MENTIONED})$",
    re.IGNORECASE,
)


def mentioned_topic(question: str) -> str | None:
    """What a "Which documents mention X?" question asks to be found ("Just Transition Fund"), without its article
    or quotes; None for any other question."""
    found = _ASKS_WHICH_DOCUMENTS_MENTION.match(" ".join(question.split()).rstrip("?.! "))
    if not found:
        return None
    topic = next(part for part in found.groupdict().values() if part)
    topic = re.sub(r"^(?:the|a|an)\s+", "", topic.strip(" \"'“”‘’"), flags=re.IGNORECASE)
    return topic or None


def mentions_answer(
    topic: str, sources: Sequence[str], with_text: Callable[[str], StoredDocument | None],
    mode: str = "extractive", passages: Sequence[Passage] = (),
) -> Answer | None:
    """The documents that use the words of ``topic`` side by side (``sources``: found by the keyword index), most
    recent first, each cited at the sentence where it first does; None when none does (the question is then searched
    as any other: the documents may say it in other words)."""
    words_of_topic = re.findall(r"[^\W_]+", topic)
    if not words_of_topic:
        return None
    phrase = re.compile(r"\b" + r"[\W_]+".join(map(re.escape, words_of_topic)) + r"\b", re.IGNORECASE)
    documents = [d for d in (with_text(source) for source in sources) if d is not None]
    lines: list[str] = []
    citations: list[Citation] = []
    for document in sorted(documents, key=lambda d: (d.info.date or "", d.info.title), reverse=True)[:LISTED]:
        found = phrase.search(document.text)
        if found is None:
            continue  # the search terms are stems: "transitional funds" is no mention of "Transition Fund"
        sentence = next(s for s in sentence_spans(document.text) if s.start <= found.start() < s.end)
        citation = document_citation(document, len(citations) + 1, sentence.start, sentence.end, passages)
        citations.append(citation)
        lines.append(f"- {_label(document)}: “{' '.join(citation.quote.split())}” [{citation.n}]")
    if not citations:
        return None
    count = f"{len(citations)} document" + ("s" if len(citations) != 1 else "")
    more = len(documents) - len(citations) if len(documents) > LISTED else 0
    text = f"“{topic}” is mentioned in {count}" + (", most recent first:" if len(citations) > 1 else ":")
    text += "\n\n" + "\n".join(lines)
    if more > 0:
        text += f"\n\n… and possibly {more} more: *Find passages* searches them all."
    return Answer(text=text, answerable=True, citations=citations, evidence=1.0, mode=mode)
