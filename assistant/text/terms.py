"""Words and search terms: what the keyword index stores and what word overlap counts."""

from __future__ import annotations

import re
import unicodedata
from functools import lru_cache

import snowballstemmer

from assistant.text.matching import PLAIN_PUNCTUATION
from assistant.text.numbers import number_key
from assistant.text.patterns import ORDINAL
from assistant.text.wordlists import COUNTRY_OF_ADJECTIVE, EQUIVALENT_GROUPS, STOP_WORDS

WORD = re.compile(r"[^\W_]+(?:[.,'’][^\W_]+)*", re.UNICODE)
"""A word as ``words`` reads it, for callers that need its case or place in the text."""


SUPERSCRIPT_DIGITS = "⁰¹²³⁴⁵⁶⁷⁸⁹"
"""How a PDF's note marks are written ("in 2022¹")."""
_NOTE_MARKS_END_WORDS = {ord(c): " " for c in SUPERSCRIPT_DIGITS}
"""A note mark ends the word it follows: Unicode normalisation would make it part of the number."""


def words(text: str) -> list[str]:
    """Lower-case word tokens; numbers keep their inner separators (``134,000``, ``61.8``, ``2021-2027`` splits)."""
    folded = unicodedata.normalize("NFKC", text.translate(_NOTE_MARKS_END_WORDS)).translate(PLAIN_PUNCTUATION).lower()
    return [w.replace("'", "") for w in WORD.findall(folded)]


_BRITISH_ENDINGS = (
    (re.compile(r"isation(s?)$"), r"ization\1"),
    (re.compile(r"is(e|es|ed|ing)$"), r"iz\1"),
    (re.compile(r"yse(s|d)?$"), r"yze\1"),
    (re.compile(r"ence$"), r"ense"),
    (re.compile(r"our(s?)$"), r"or\1"),
    (re.compile(r"tre(s?)$"), r"ter\1"),
    (re.compile(r"amme(s?)$"), r"am\1"),
    (re.compile(r"ogue(s?)$"), r"og\1"),
)


def spelling_key(word: str) -> str:
    """Fold British and American spellings to one key (``specialised`` ~ ``specialized``, ``defence`` ~ ``defense``,
    ``programme`` ~ ``program``, ``dialogue`` ~ ``dialog``).

    Applied to both the index and the query, so a collision only merges two rare spellings.
    """
    if len(word) < 6 or not word.isalpha():
        return word
    for pattern, replacement in _BRITISH_ENDINGS:
        folded = pattern.sub(replacement, word)
        if folded != word:
            return folded
    return word


_STEMMER = snowballstemmer.stemmer("english")


@lru_cache(maxsize=200_000)
def stem(word: str) -> str:
    """English Snowball stem of a spelling-folded word; numbers and short acronyms are kept as written."""
    if not word.isalpha() or len(word) <= 3:
        return word
    return _STEMMER.stemWord(spelling_key(word))


def search_terms(text: str) -> list[str]:
    """Stemmed content words of ``text`` for keyword search and overlap: no stop words; numbers split at separators."""
    return list(_search_terms(text))


_SEPARATOR = re.compile(r"[.,]")


@lru_cache(maxsize=100_000)
def _search_terms(text: str) -> tuple[str, ...]:
    # The same passages' sentences are read for every question: computed once per text.
    terms: list[str] = []
    for word in words(text):
        parts = [word]
        has_digit = not word.isalpha() and any(c.isdigit() for c in word)
        if "." in word or "," in word:
            # "MINE.THE.GAP" is three words, as the FTS tokenizer sees it; "134,000" is searchable as written
            # (134000) and by its parts, and "112.000" meets "112,000".
            parts = [*_SEPARATOR.split(word), number_key(word)] if has_digit else _SEPARATOR.split(word)
        for part in parts:
            if has_digit and ORDINAL.fullmatch(part):
                part = part.rstrip("stndrh")  # "30th" finds "30"
            if part and part not in STOP_WORDS:
                terms.append(stem(part))
    return tuple(terms)


_EQUIVALENTS = {
    term: group
    for group in (
        *EQUIVALENT_GROUPS,
        *(
            tuple(dict.fromkeys((stem(country), stem(adjective))))
            for adjective, country in COUNTRY_OF_ADJECTIVE.items()
        ),
    )
    for term in group
    if len(group) > 1
}


def equivalent_terms(term: str) -> tuple[str, ...]:
    """A search term and the stems that say the same thing, itself first."""
    group = _EQUIVALENTS.get(term)
    return (term, *(t for t in group if t != term)) if group else (term,)


def expanded_terms(terms: list[str]) -> list[str]:
    """Search terms with their equivalents, for the keyword ranker."""
    return list(dict.fromkeys(alternative for term in terms for alternative in equivalent_terms(term)))
