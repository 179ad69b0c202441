"""How common a word is in everyday English, from wordfreq's frequency data (Wikipedia, subtitles, news, books,
web text; shipped in its wheel, read offline).

A question's word that the answering passage lacks means different things by how common it is: an everyday word
("money", "city", "start") is one a reader uses in place of the document's own ("budget", "Lisbon", "launch"), a
paraphrase; a specific one ("hydrogen", "semiconductors", a name, a figure) names what is asked about, and a passage
without it is likely about something else, a near miss.
"""

from __future__ import annotations

from functools import lru_cache

from wordfreq import zipf_frequency

from assistant.text.terms import stem, words
from assistant.text.wordlists import STOP_WORDS

EVERYDAY_ZIPF = 6.0
"""Zipf frequency (log10 of uses per billion words) from which a word counts as wholly everyday: "the" is 7.7,
"money" 5.6, "hydrogen" 4.0, "semiconductors" 2.9; a name or figure wordfreq doesn't know is 0."""


@lru_cache(maxsize=50_000)
def specificity(word: str) -> float:
    """In [0, 1]: 0 for an everyday word, 1 for one everyday English doesn't use (names, codes, figures)."""
    if any(character.isdigit() for character in word):
        return 1.0
    return max(0.0, 1.0 - zipf_frequency(word, "en") / EVERYDAY_ZIPF)


def term_specificity(text: str) -> dict[str, float]:
    """Each search term of ``text`` (as ``search_terms`` stems it) with the specificity of its most specific
    written form."""
    found: dict[str, float] = {}
    for word in words(text):
        if word in STOP_WORDS:
            continue
        term = stem(word)
        found[term] = max(found.get(term, 0.0), specificity(word))
    return found
