"""Turning answers and passages into safe Markdown for the chat: document text is always inert."""

from __future__ import annotations

import re
from collections.abc import Sequence

from assistant.answering.citations import Citation
from assistant.text.sentences import as_read

_MARKDOWN_SPECIAL = re.compile(r"([\\`*_{}\[\]()#+\-.!|<>~$:])")


def escape_markdown(text: str) -> str:
    """Document or user text shown literally: no links, images, HTML, emphasis or LaTeX can come alive."""
    return _MARKDOWN_SPECIAL.sub(r"\\\1", text).replace("\n", "  \n")


def answer_markdown(answer: str) -> str:
    """The answer escaped, with its [n] markers kept readable."""
    escaped = escape_markdown(answer)
    return re.sub(r"\\\[(\d{1,3})\\\]", r"**[\1]**", escaped)


_LINK = re.compile(r"!?\[([^\]]*)\]\([^)]*\)")
_EMPHASIS = re.compile(r"(\*\*|__|(?<!\w)[*_](?=\S)|(?<=\S)[*_](?!\w))")
_HEADING_MARK = re.compile(r"^#{1,6}\s+", re.MULTILINE)


def readable_text(text: str) -> str:
    """Document text as a reader sees it: Markdown links reduced to their words, emphasis and heading marks dropped."""
    return _HEADING_MARK.sub("", _EMPHASIS.sub("", _LINK.sub(r"\1", text)))


def passage_label(title: str, section: str | None, text: str, words: int = 8) -> str:
    """Title · section · the passage's first words: two passages of one section get different labels."""
    opening = readable_text(text).split()
    first = " ".join(opening[:words]) + (" …" if len(opening) > words else "")
    if first[:1].islower():
        first = "… " + first
    return " · ".join(part for part in (title, section, f"“{first}”") if part)


def citation_heading(citation: Citation) -> str:
    return f"[{citation.n}] {citation.reference()}"


def quote_markdown(quote: str) -> str:
    """A quoted passage as a block quote, read as the document reads (a page break inside a sentence is a space)."""
    return f"> {escape_markdown(as_read(quote))}"


def passage_with_quote_highlighted(passage: str, quote: str) -> str:
    """The passage escaped, with the quoted words marked (the quote is a verbatim substring of the passage)."""
    index = passage.find(quote)
    if index < 0 or not quote:
        return escape_markdown(passage)
    before, after = passage[:index], passage[index + len(quote):]
    return f"{escape_markdown(before)}:orange-background[{escape_markdown(quote)}]{escape_markdown(after)}"


def documents_table(rows: Sequence[tuple[str, str, str | None, int]]) -> str:
    """Sidebar list of indexed documents: title, kind, date, chunk count."""
    lines = []
    for title, kind, date, chunks in rows:
        when = f", {date}" if date else ""
        lines.append(f"- **{escape_markdown(title)}** · {escape_markdown(kind)}{escape_markdown(when)} · {chunks} passages")
    return "\n".join(lines)
