"""Citations and their verification against the stored documents: a quote that isn't there is never shown."""

from __future__ import annotations

import re
from collections.abc import Callable, Sequence
from dataclasses import asdict, dataclass
from typing import Any

from assistant.text.matching import contains_verbatim, normalize_for_match
from assistant.text.numbers import iter_numbers, number_key
from assistant.text.sentences import sentence_spans

_MARKER = re.compile(r"\[(\d{1,3})\]")


@dataclass(frozen=True)
class Citation:
    """One numbered source of an answer: where it is and the verbatim words that support the statement."""

    n: int
    source: str
    title: str
    page: int | None
    section: str | None
    quote: str
    date: str | None = None
    kind: str | None = None
    chunk_id: str | None = None
    start: int | None = None
    """Offset of the quote in the stored document text."""
    end: int | None = None
    passage: str | None = None
    """The whole passage the quote comes from (for the expandable card)."""

    def to_json(self) -> dict[str, Any]:
        return asdict(self)

    def reference(self) -> str:
        """A human-readable reference: title, date, section, page."""
        parts = [self.title]
        if self.date:
            parts.append(self.date)
        if self.section and self.section != self.title:
            parts.append(f"section “{self.section}”")
        if self.page is not None:
            parts.append(f"p. {self.page}")
        return ", ".join(parts)


DocumentText = Callable[[str], "str | None"]
"""Returns the stored text of a document by its ``source``, or None if it isn't indexed."""


def quote_is_verbatim(citation: Citation, document_text: DocumentText) -> bool:
    """The quote is found in the stored document, at its offsets when it has them."""
    text = document_text(citation.source)
    if text is None or not citation.quote.strip():
        return False
    if citation.start is not None and citation.end is not None and text[citation.start:citation.end] == citation.quote:
        return True
    return contains_verbatim(text, citation.quote)


def verified(citations: Sequence[Citation], document_text: DocumentText) -> list[Citation]:
    """Only the citations whose quote is really in the stored source."""
    return [c for c in citations if quote_is_verbatim(c, document_text)]


def cited_numbers(answer: str) -> list[int]:
    """The citation markers ``[n]`` used in an answer, in order of first use."""
    return list(dict.fromkeys(int(m) for m in _MARKER.findall(answer)))


def without_citations(answer: str, dropped: set[int]) -> str:
    """The answer with the sentences that rest only on ``dropped`` citations removed, and their markers gone."""
    kept: list[str] = []
    for sentence in sentence_spans(answer):
        markers = set(cited_numbers(sentence.text))
        if markers and markers <= dropped:
            continue
        kept.append(_MARKER.sub(lambda m: "" if int(m.group(1)) in dropped else m.group(), sentence.text))
    return re.sub(r"\s+", " ", " ".join(kept)).strip()


def ungrounded_numbers(answer: str, quotes: Sequence[str]) -> list[str]:
    """Numbers in the answer that appear in none of the cited quotes (citation markers excluded)."""
    grounded = {number_key(n) for quote in quotes for n in iter_numbers(quote)}
    return [n for n in iter_numbers(_MARKER.sub(" ", answer)) if number_key(n) not in grounded]


def find_in_text(text: str, quote: str) -> tuple[int, int] | None:
    """Offsets of ``quote`` in ``text``: exactly when possible, else by normalised comparison."""
    index = text.find(quote)
    if index >= 0:
        return index, index + len(quote)
    target = normalize_for_match(quote)
    if not target or target not in normalize_for_match(text):
        return None
    # Slow path: widen a window over the raw text until its normalised form matches.
    first_word = quote.split()[0] if quote.split() else ""
    for match in re.finditer(re.escape(first_word), text):
        for end in range(match.start() + len(quote) // 2, min(len(text), match.start() + 2 * len(quote) + 20) + 1):
            if normalize_for_match(text[match.start():end]) == target:
                return match.start(), end
    return None
