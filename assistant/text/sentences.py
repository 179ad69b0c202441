"""Sentences and lines of a text, with where each sits in it."""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import lru_cache

from assistant.text.numbers import MONTH_OF
from assistant.text.patterns import LIST_MARK
from assistant.text.wordlists import ABBREVIATIONS


@dataclass(frozen=True)
class Span:
    """A piece of a larger text and where it sits in it."""

    text: str
    start: int
    end: int


def is_fragment(text: str) -> bool:
    """A short line that is not a sentence: a heading, a name, a date, a place."""
    body = LIST_MARK.sub("", text).rstrip()
    return len(body.split()) <= 12 and not body.endswith((".", "!", "?", ";", "…", ":"))


_SENTENCE_END = re.compile(r"[.!?…]+[\"'”’)\]]*(?=\s+)|\n")


def sentence_spans(text: str, offset: int = 0) -> list[Span]:
    """Split text into sentences (and separate lines), with offsets; abbreviations and decimals don't split."""
    return list(_sentence_spans(text, offset))


@lru_cache(maxsize=50_000)
def _sentence_spans(text: str, offset: int) -> tuple[Span, ...]:
    # Each candidate passage is split for its features, its sentence vectors and the answerer: once per text.
    spans: list[Span] = []
    start = 0
    for match in _SENTENCE_END.finditer(text):
        end = match.end()
        if match.group() != "\n":
            before = text[start:match.start()].rsplit(None, 1)
            last_word = before[-1].lower().rstrip(".") if before else ""
            if last_word in ABBREVIATIONS or (len(last_word) == 1 and last_word.isalpha()):
                continue
            following = text[end:].lstrip()
            if following[:1].islower():
                continue
            if last_word.isdigit() and len(last_word) <= 2 and following.split(" ", 1)[0].lower() in MONTH_OF:
                continue  # "am 27. Oktober": a German or Polish ordinal day, not a sentence end
        _append_trimmed(spans, text, start, end, offset)
        start = end
    _append_trimmed(spans, text, start, len(text), offset)
    return tuple(spans)


_HEADING_MARKER = re.compile(r"\s*#{1,6}\s+")


def _append_trimmed(spans: list[Span], text: str, start: int, end: int, offset: int) -> None:
    piece = text[start:end]
    marker = _HEADING_MARKER.match(piece)  # "## Attendance" is quoted as "Attendance"
    if marker:
        start, piece = start + marker.end(), piece[marker.end():]
    stripped = piece.strip()
    if not stripped:
        return
    lead = len(piece) - len(piece.lstrip())
    begin = start + lead
    spans.append(Span(stripped, begin + offset, begin + len(stripped) + offset))
