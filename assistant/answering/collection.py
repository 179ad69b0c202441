"""Questions about the collection itself ("Which documents do you have?", "What can I ask you about?"): answered
with the indexed documents, each cited by its title where its text begins, not searched for in their passages."""

from __future__ import annotations

import re
from collections.abc import Callable, Sequence

from assistant.answering.citations import Citation
from assistant.answering.outcomes import Answer
from assistant.index.store import StoredDocument
from assistant.reading.documents import page_at

_DOCUMENTS = r"(?:documents?|papers?|position papers|minutes|files|sources|texts|publications)"
_ASKS_ABOUT_THE_COLLECTION = re.compile(
    rf"(?:which|what) (?:{_DOCUMENTS}|kind of {_DOCUMENTS}) (?:do you have|have you got|are (?:there|available|"
    rf"indexed|loaded|in (?:the|your) (?:collection|index))|can (?:i|you) (?:ask about|search|use)|"
    rf"do you (?:know|cover|use|search|answer from|draw on))"
    rf"|what can i ask(?: you)?(?: about)?|what do you know(?: about)?|what (?:topics )?do you cover"
    rf"|(?:list|show)(?: me)?(?: all)?(?: the| your)? {_DOCUMENTS}(?: you have| indexed)?"
    rf"|what (?:is|are) (?:in )?(?:your|the) (?:collection|corpus|index|{_DOCUMENTS})",
    re.IGNORECASE,
)

LISTED = 25
"""The most recent documents an answer lists by name; the Documents page lists every one."""


def asks_about_the_collection(question: str) -> bool:
    """The whole question asks which documents the assistant answers from (not "what do you know about X?")."""
    return bool(_ASKS_ABOUT_THE_COLLECTION.fullmatch(" ".join(question.split()).rstrip("?.! ")))


def collection_answer(
    documents: Sequence[StoredDocument], with_text: Callable[[str], StoredDocument | None], mode: str = "extractive"
) -> Answer:
    """The documents answered from (``documents``, listed without their text; ``with_text`` reads one whole), most
    recent first, each cited by its title as its text gives it (or its first line), so that a reader can open each
    one from the answer."""
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
    count = f"{len(ordered)} document" + ("s" if len(ordered) != 1 else "")
    text = f"I answer only from the {count} indexed here" + (", most recent first:" if len(ordered) > 1 else ":")
    text += "\n\n" + "\n".join(lines)
    if more > 0:
        text += f"\n\n… and {more} more: the Documents page lists them all."
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
    quote = text[start:end].strip()
    if not quote:
        return None
    return Citation(
        n=n, source=document.source, title=document.info.title, page=page_at(document.page_starts, start),
        section=None, quote=quote, date=document.info.date, kind=document.info.kind, start=start,
        end=start + len(quote), passage=text[start:start + 600],
    )
