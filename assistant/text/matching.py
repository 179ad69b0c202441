"""The comparison form of text (FORMAT.md): what "the same words" means for quotes, gold passages and claims."""

from __future__ import annotations

import re
import unicodedata

PLAIN_PUNCTUATION = str.maketrans(
    {
        "\u2018": "'", "\u2019": "'", "\u201a": "'", "\u201b": "'", "\u2032": "'",
        "\u201c": '"', "\u201d": '"', "\u201e": '"', "\u201f": '"', "\u2033": '"',
        "\u00ab": '"', "\u00bb": '"',
        "\u2010": "-", "\u2011": "-", "\u2012": "-", "\u2013": "-", "\u2014": "-", "\u2015": "-", "\u2212": "-",
        "\u00a0": " ", "\u00ad": "",
    }
)
_LINE_BREAK_HYPHEN = re.compile(r"(\w)-[ \t]*\n[ \t]*(\w)")
_WHITESPACE = re.compile(r"\s+")


def normalize_for_match(text: str) -> str:
    """The comparison form of FORMAT.md: NFKC, plain quotes and dashes, hyphenation joined, no `*`, collapsed, lower."""
    text = unicodedata.normalize("NFKC", text).translate(PLAIN_PUNCTUATION)
    text = _LINE_BREAK_HYPHEN.sub(r"\1\2", text)
    text = text.replace("*", "")
    return _WHITESPACE.sub(" ", text).strip().lower()


def contains_verbatim(haystack: str, needle: str) -> bool:
    """True when ``needle`` occurs in ``haystack`` once both are normalised."""
    needle_norm = normalize_for_match(needle)
    return bool(needle_norm) and needle_norm in normalize_for_match(haystack)
