"""Names in text: capitalised phrases, and whether one of them is a person rather than a body or a role."""

from __future__ import annotations

import re
from functools import cache
from pathlib import Path

from gender_guesser.detector import Detector

from assistant.text.patterns import ORDINAL
from assistant.text.terms import words
from assistant.text.wordlists import (
    COMMON_ACRONYMS, COUNTRY_OF_ADJECTIVE, COUNTRY_WORDS, MONTH_NAMES, NAME_CONNECTORS, PERSONAL_TITLES,
    ROLE_AND_BODY_WORDS, SENTENCE_OPENERS, STOP_WORDS, WEEKDAY_NAMES,
)

COMMON_WORDS_PATH = Path(__file__).with_name("common_english_words.txt")

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


def person_names(text: str, question: str = "") -> list[str]:
    """The names of people in the text ("Jean-Luc Beylat", "Maria Rossi (Italian Cluster Association)",
    "Commissioner Breton"), not of a body ("the Czech National Cluster Association"), a role ("Executive
    Vice-President"), a plan or programme ("EU Grand Plan", "Just Transition Fund"), nor names the question gives."""
    asked = {w.lower() for w in words(question)}
    return [name for name in proper_names(text) if _is_person_name(name.split(), asked)]


def names_a_person(text: str, question: str = "") -> bool:
    """Whether the text names someone (``person_names``)."""
    return bool(person_names(text, question))


def _is_person_name(name_words: list[str], asked: set[str]) -> bool:
    """A first name then a surname (not both common English words: "Mark Rutte" but not "Just Transition"), or a
    title then a surname that is no common word ("Commissioner Breton"); not a name the question already gives."""
    for index, word in enumerate(name_words[:-1]):
        following = [w for w in name_words[index + 1:] if w.lower() not in NAME_CONNECTORS]
        if not following or not _could_be_surname(following[0]):
            continue
        surname = _bare(following[0])
        if {word.lower(), surname.lower()} <= asked:
            continue
        if _is_first_name(word) and not (_is_common_word(word) and _is_common_word(surname)):
            return True
        if word.lower().rstrip(".") in PERSONAL_TITLES and not _is_common_word(surname) and not _is_first_name(surname):
            return True
    return False


_PLACE_AFTER_PREPOSITION = re.compile(
    r"\b(?i:in|at|near|(?P<origin>from))\s+(?i:the\s+)?"
    r"(?P<kind>(?:city|region|province|county|town|capital|island)\s+(?:of\s+)?)?(?P<name>[A-Z][\w'’-]*)"
)
# ", 1000 Brussels", ", B-1000 Brussels": a postcode and a town after a street line; not "the 2021 Budget".
_POSTAL_ADDRESS = re.compile(r",\s*(?:[A-Z]{1,2}-)?\d{4,5}\s+[A-Z][a-z]+")
_COUNTRY_NAMES = frozenset(COUNTRY_OF_ADJECTIVE.values())
_COUNTRY = re.compile(rf"\b(?:{'|'.join(sorted(COUNTRY_OF_ADJECTIVE) + sorted(_COUNTRY_NAMES))})\b", re.IGNORECASE)


def place_names(text: str, nationalities: bool = False) -> set[str]:
    """The places the text names, in lower case: a country ("Italy"), or a name after "in", "at", "near" or "from"
    that is no common word, month, day or code ("based in Cremona", "in the region SUD", "from CERTH"; not "in
    March", "in COVID times", "in the I3 paper", "in the SMP"). ``nationalities``: "a Spanish association" names
    Spain too."""
    places = set()
    for found in _PLACE_AFTER_PREPOSITION.finditer(text):
        bare = _bare(found.group("name"))
        lowered = bare.lower()
        if not bare.replace("-", "").replace("'", "").replace("’", "").isalpha() or bare.upper() in COMMON_ACRONYMS:
            continue
        if bare.isupper() and not (found.group("origin") or found.group("kind")):
            continue  # "in the SMP" is a programme; "from CERTH" and "the region SUD" say where
        if lowered in COUNTRY_OF_ADJECTIVE:
            continue  # "in French" is a language
        if lowered in MONTH_NAMES or lowered in WEEKDAY_NAMES or lowered in STOP_WORDS:
            continue
        if bare.isupper() or lowered in _COUNTRY_NAMES or not _is_common_word(bare):
            places.add(lowered)
    for found in _COUNTRY.finditer(text):
        named = found.group().lower()
        in_language = named in COUNTRY_OF_ADJECTIVE and text[max(0, found.start() - 3):found.start()].lower() == "in "
        if named in _COUNTRY_NAMES or (nationalities and not in_language):
            places.add(COUNTRY_OF_ADJECTIVE.get(named, named))
    return places


def names_a_place(text: str, question: str = "") -> bool:
    """Whether the text says where something is: a place it names (``place_names``) or a postal address ("1000
    Brussels"); not only a place the question already gives ("the office in Madrid")."""
    return bool(place_names(text) - place_names(question, nationalities=True)) or bool(_POSTAL_ADDRESS.search(text))


def places_missing(question: str, text: str) -> set[str]:
    """Places the question names that the text does not ("the Spanish association" in a passage about the Portuguese
    one); a country's adjective stands for it, and a word made from the name for the name ("European", "Lisbon's")."""
    present = {COUNTRY_OF_ADJECTIVE.get(word, word) for word in words(text)}
    asked = place_names(question, nationalities=True)
    return {place for place in asked if not any(word.startswith(place) for word in present)}


def _bare(word: str) -> str:
    return word.removesuffix("'s").removesuffix("’s").rstrip(".,;:")


def _is_capitalised_word(word: str) -> bool:
    """"Breton", "Jean-Luc", "O'Neill"; not an acronym ("EOCIC"), a code ("COVID-19") or a number."""
    letters = word.replace("-", "").replace("'", "").replace("’", "")
    return letters.isalpha() and word[0].isupper() and not word.isupper() and any(c.islower() for c in word[1:])


def _is_name_word(word: str) -> bool:
    lowered = word.lower()
    return (
        _is_capitalised_word(word) and lowered not in STOP_WORDS and lowered not in ROLE_AND_BODY_WORDS
        and lowered not in COUNTRY_WORDS and lowered not in MONTH_NAMES and lowered not in WEEKDAY_NAMES
    )


def _could_be_surname(word: str) -> bool:
    return _is_name_word(_bare(word))


def _is_first_name(word: str) -> bool:
    return _is_name_word(word) and _first_names().get_gender(word.split("-")[0]) != "unknown"


def _is_common_word(word: str) -> bool:
    return word.lower() in _common_words()


@cache
def _first_names() -> Detector:
    return Detector(case_sensitive=False)


@cache
def _common_words() -> frozenset[str]:
    lines = COMMON_WORDS_PATH.read_text(encoding="utf-8").splitlines()
    return frozenset(line for line in lines if line and not line.startswith("#"))


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
