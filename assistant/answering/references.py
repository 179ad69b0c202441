"""Quotes that leave the app: verified against the stored document, with a ready-to-paste reference."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime, timezone

from assistant.answering.citations import Citation, find_in_text
from assistant.errors import AssistantError
from assistant.text.sentences import as_read

STYLES = ("footnote", "plain")


class QuoteNotVerified(AssistantError):
    """The quote is not (or no longer) in the stored document."""


def paragraph_number(text: str, offset: int) -> int:
    """The 1-based paragraph holding ``offset`` (paragraphs are separated by blank lines in the stored text).

    Stable as long as the document is unchanged, so a re-ingest keeps every anchor.
    """
    return text.count("\n\n", 0, max(0, offset)) + 1


@dataclass(frozen=True)
class VerifiedQuote:
    """A verbatim quote, where it is, and when it was checked."""

    quote: str
    source: str
    title: str
    date: str | None
    section: str | None
    page: int | None
    paragraph: int
    start: int
    end: int
    checked_at: str
    author: str = ""
    """Who the document is attributed to in the reference (the organisation setting); empty: the title leads."""

    def reference(self) -> str:
        parts = [f"{self.author}, “{self.title}”" if self.author else f"“{self.title}”"]
        parts.append(self.date or "undated")
        if self.section and self.section != self.title:
            parts.append(f"section “{self.section}”")
        if self.page is not None:
            parts.append(f"p. {self.page}")
        parts.append(f"¶ {self.paragraph}")
        return ", ".join(parts) + f" ({self.source})."

    def formatted(self, style: str = "footnote", note: int = 1) -> str:
        """The quote and its reference, ready to paste: Markdown footnote or plain text."""
        if style == "footnote":
            return f"“{as_read(self.quote)}”[^{note}]\n\n[^{note}]: {self.reference()}"
        if style == "plain":
            return f"“{as_read(self.quote)}” ({self.reference()})"
        raise ValueError(f"unknown reference style {style!r}; use one of {', '.join(STYLES)}")


def verify_quote(
    source: str, quote: str, document_text: Callable[[str], str | None], title: str, date: str | None,
    section: str | None, page: int | None, start: int | None = None, author: str = "",
) -> VerifiedQuote:
    """Check the quote against the stored document now; raises QuoteNotVerified if it isn't there verbatim."""
    text = document_text(source)
    if text is None:
        raise QuoteNotVerified(f"{source} is no longer in the index; re-run the search before copying.")
    if start is not None and text[start:start + len(quote)] == quote:
        begin, end = start, start + len(quote)
    else:
        found = find_in_text(text, quote)
        if found is None:
            raise QuoteNotVerified(f"The quote is not in {source} as stored; it was not copied.")
        begin, end = found
    return VerifiedQuote(
        quote=text[begin:end], source=source, title=title, date=date, section=section, page=page,
        paragraph=paragraph_number(text, begin), start=begin, end=end,
        checked_at=datetime.now(timezone.utc).isoformat(timespec="seconds"), author=author,
    )


def verify_citation(citation: Citation, document_text: Callable[[str], str | None], author: str = "") -> VerifiedQuote:
    return verify_quote(
        citation.source, citation.quote, document_text, citation.title, citation.date, citation.section,
        citation.page, citation.start, author,
    )
