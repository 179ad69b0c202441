"""Names in text: capitalised phrases, and whether one of them is a person rather than a body or a role."""

from __future__ import annotations

import re

from assistant.text.patterns import ORDINAL
from assistant.text.terms import words
from assistant.text.wordlists import (
    COUNTRY_WORDS, MONTH_NAMES, NAME_CONNECTORS, ROLE_AND_BODY_WORDS, SENTENCE_OPENERS, WEEKDAY_NAMES,
)

_PROPER_NAME = re.compile(
    rf"\b[A-Z][\w'’.-]*(?:\s+(?:(?:{'|'.join(NAME_CONNECTORS)})\s+)*[A-Z0-9][\w'’.-]*)+"
)


def proper_names(text: str) -> list[str]:
    """Names of two or more capitalised words ("Digital Services Act", "Ursula von der Leyen"), without a
    capitalised question word that merely opens the sentence."""
    names = []
    for match in _PROPER_NAME.finditer(text):
        name_words = match.group().split()
        if name_words[0].lower() in SENTENCE_OPENERS:
            name_words = name_words[1:]
        while name_words and name_words[0].lower() in NAME_CONNECTORS:
            name_words = name_words[1:]
        for part in _split_at_dates(name_words):
            if len(part) >= 2:
                names.append(" ".join(part))
    return names


def names_a_person(text: str, question: str = "") -> bool:
    """Whether the text names someone ("Jean-Luc Beylat", "Maria Rossi (Italian Cluster Association)"), not only a
    body ("the Czech National Cluster Association") or a role ("Executive Vice-President"), nor the question's names."""
    asked = {w.lower() for w in words(question)}
    for name in proper_names(text):
        own = [w for w in name.split() if w.lower() not in asked]
        if any(w.lower() not in ROLE_AND_BODY_WORDS and w.lower() not in COUNTRY_WORDS for w in own):
            return True
    return False


def _split_at_dates(name_words: list[str]) -> list[list[str]]:
    """"May 2021 General Assembly" is a date and a name, not one name: split at months, weekdays, bare numbers and
    ordinals ("Tuesday 30th June" names no one)."""
    parts: list[list[str]] = [[]]
    for word in name_words:
        bare = word.lower().strip(",.")
        if bare in MONTH_NAMES or bare in WEEKDAY_NAMES or bare.isdigit() or ORDINAL.fullmatch(bare):
            parts.append([])
        else:
            parts[-1].append(word)
    return parts
