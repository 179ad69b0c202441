"""A glossary built from the corpus at ingest time: acronyms, programmes, organisations and people, each with
the sentence that defines or first mentions it."""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass
from functools import lru_cache

from assistant.reading.chunking import kept_spans, without_furniture
from assistant.text.sentences import sentence_spans
from assistant.text.wordlists import (
    COMMON_ACRONYMS, COUNTRY_WORDS, DETERMINERS, MONTH_NAMES, PERSONAL_TITLES, PROGRAMME_HEADS, ROLE_AND_BODY_WORDS,
    SENTENCE_OPENERS, STOP_WORDS, WEEKDAY_NAMES,
)

GLOSSARY_VERSION = "4"
"""Stored with a built glossary; an index built by another version rebuilds its glossary at the next ingest."""

_SHORT_FORM = r"[A-Z][A-Za-z0-9]*[A-Z0-9][A-Za-z0-9]*(?:-\d)?"
_LONG_THEN_SHORT = re.compile(rf"\(({_SHORT_FORM})\)")
_SHORT_THEN_LONG = re.compile(
    rf"\b({_SHORT_FORM})(?:[ ]+\(|[ ]+[-–—][ ]+|[ ]*:[ ]+|,?[ ]+(?:stands|standing)[ ]+for[ ]+|[ ]+means[ ]+)"
    r"([A-Z][^()\n.;,:]{2,120})"
)
_DEFINITION_ROW = re.compile(rf"^[ \t]*({_SHORT_FORM})[ \t]+([A-Za-z][^()\n.;,:]{{2,120}}?)[ \t]*$", re.MULTILINE)
"""A row of a list of abbreviations: the short form, then its long form, on a line of their own."""
_CUBED = re.compile(r"([A-Z])([2-4])")
_ACRONYM = re.compile(r"\b([A-Z][A-Z0-9]{1,9}(?:-\d)?)\b")
_NAME_WORD = r"[A-Z][a-zà-ÿ]+(?:-[A-Z][a-zà-ÿ]+)?"
_NAME = rf"{_NAME_WORD}(?:[ ]+{_NAME_WORD}){{1,2}}"
_TITLE = "|".join(sorted((re.escape(t) + r"\.?" for t in PERSONAL_TITLES), key=len, reverse=True))
# A person is named after a title, before an apposition ("…, from CERTH", "…, President of AFPC", "…, General
# Manager"), or on a contact line before their e-mail address.
_APPOSITION = "|".join(sorted({"from", *(ROLE_AND_BODY_WORDS - STOP_WORDS)}, key=len, reverse=True))
_PERSON = re.compile(
    rf"\b(?i:{_TITLE})[ ]+({_NAME})\b"
    rf"|\b({_NAME}),[ ]+(?i:{_APPOSITION})\b"
    rf"|\b({_NAME})[ ]*[,:(<]?[ ]*(?=[\w.+-]+@[\w-]+\.)"
)
_CAPITALISED = r"[A-Z][\w.-]*"
_HEAD = "|".join(sorted((h.capitalize() for h in PROGRAMME_HEADS), key=len, reverse=True))
_PROGRAMME = re.compile(
    rf"\b((?:{_CAPITALISED}[ ]+){{0,4}}(?:{_HEAD})(?:[ ]+(?:for|of)[ ]+{_CAPITALISED})?"  # "European Pact for Skills"
    rf"|{_CAPITALISED}(?:[ ]+{_CAPITALISED})?[ ]+(?:Europe|EU))\b"  # "Horizon Europe", "Next Generation EU"
)
_NOT_NAME_WORDS = (
    ROLE_AND_BODY_WORDS | STOP_WORDS | SENTENCE_OPENERS | frozenset(MONTH_NAMES) | frozenset(WEEKDAY_NAMES)
    | COUNTRY_WORDS | PROGRAMME_HEADS
)


def _name_words(name: str) -> list[str]:
    """A person's name in lower-case words, hyphenated parts apart ("Jean-Luc Beylat": jean, luc, beylat)."""
    return re.split(r"[ -]", name.lower())


def _in_capitals_run(text: str, start: int, end: int) -> bool:
    """An all-capitals word beside another one ("EUROPEAN CLUSTERS ALLIANCE", "MINE.THE.GAP") is not an acronym."""
    before = re.search(r"([A-Z]{2,})[ .]+$", text[max(0, start - 30):start])
    after = re.match(r"^[ .]+([A-Z]{2,})\b", text[end:end + 30])
    return bool(before or after)


def _in_dotted_name(text: str, start: int, end: int) -> bool:
    """Part of a name written with dots ("Mine.The.GAP", "www.EXAMPLE.eu") rather than an acronym of its own."""
    return bool(re.search(r"\w\.$", text[max(0, start - 2):start]) or re.match(r"^\.\w", text[end:end + 2]))


@dataclass(frozen=True)
class GlossaryEntry:
    term: str
    kind: str  # "acronym" | "person" | "programme"
    expansion: str | None
    source: str
    quote: str
    start: int
    end: int


def _sentence_around(text: str, start: int) -> tuple[str, int, int]:
    paragraph_start = text.rfind("\n", 0, start) + 1
    paragraph_end = text.find("\n", start)
    paragraph_end = len(text) if paragraph_end == -1 else paragraph_end
    for span in sentence_spans(text[paragraph_start:paragraph_end], offset=paragraph_start):
        if span.start <= start < span.end:
            return span.text, span.start, span.end
    return text[paragraph_start:paragraph_end], paragraph_start, paragraph_end


def _initials_spelling(letters: str, phrase: str) -> int | None:
    """How many of ``letters`` fall on word starts in the best way of spelling them, in order, from ``phrase``: the
    first letter starts the phrase, the last is in its last word, and no word other than a function word is
    skipped. None if the phrase does not spell them."""
    words = [(m.start(), m.end()) for m in re.finditer(r"\S+", phrase)]
    if not words or not letters or phrase[0].lower() != letters[0]:
        return None
    word_at = [-1] * len(phrase)
    for index, (start, end) in enumerate(words):
        word_at[start:end] = [index] * (end - start)
    content = [phrase[start:end].lower().strip("'’\".,;:-") not in STOP_WORDS for start, end in words]
    last = len(words) - 1

    @lru_cache(maxsize=None)
    def best(index: int, at: int) -> int | None:
        if index == len(letters) - 1:
            return 0 if word_at[at] == last else None
        found = None
        for following in range(at + 1, len(phrase)):
            if any(content[k] for k in range(word_at[at] + 1, max(word_at[following], word_at[at] + 1))):
                break
            if phrase[following].lower() != letters[index + 1]:
                continue
            rest = best(index + 1, following)
            if rest is not None:
                score = rest + (following == words[word_at[following]][0])
                found = score if found is None else max(found, score)
        return found

    rest = best(0, 0)
    return None if rest is None else rest + 1


def long_form(short: str, phrases: list[str]) -> str | None:
    """Of ``phrases`` (the words before "(LF)", or after "LF -"), the one that spells ``short``: each of its
    letters and digits in order, the first starting the phrase, most of them starting words, no word left out
    (after Schwartz & Hearst, "A simple algorithm for identifying abbreviation definitions in biomedical text",
    2003). "I3" may be "I" three times."""
    spellings = dict.fromkeys([short, _CUBED.sub(lambda m: m.group(1) * int(m.group(2)), short)])
    best: tuple[int, int, str] | None = None
    for form in spellings:
        letters = "".join(c.lower() for c in form if c.isalnum())
        for phrase in phrases:
            words = phrase.split()
            if len(phrase) <= len(short) or short in words or len(words) > min(len(letters) + 5, 2 * len(letters)):
                continue
            initials = _initials_spelling(letters, phrase)
            if initials is not None and (best is None or (initials, -len(words)) > best[:2]):
                best = (initials, -len(words), phrase)
    return best[2] if best else None


def _joined(text: str) -> tuple[str, list[int]]:
    """The text with page furniture taken out (a definition a page break interrupted reads whole again), and for
    each of its characters the offset in ``text`` (a joining space maps to where the cut begins)."""
    origin: list[int] = []
    for start, end in kept_spans(text):
        if origin:
            origin.append(start)
        origin.extend(range(start, end))
    return without_furniture(text), origin


def acronym_definitions(text: str) -> list[tuple[str, str, int]]:
    """(short form, long form, offset in ``text``) for each place the text defines an acronym: "Long Form (LF)",
    "LF (Long Form)", "LF - Long Form", "LF: Long Form", "LF stands for Long Form", across line breaks and page
    furniture; and a row of a list of abbreviations, "LF Long Form" on a line of its own."""
    joined, origin = _joined(text)
    found: list[tuple[str, str, int]] = []
    for match in _LONG_THEN_SHORT.finditer(joined):
        short = match.group(1)
        before = joined[max(0, match.start() - 300):match.start()].split()[-(2 * len(short) + 8):]
        expansion = long_form(short, [" ".join(before[k:]) for k in range(len(before))])
        if expansion:
            found.append((short, expansion, origin[match.start(1)]))
    for match in _SHORT_THEN_LONG.finditer(joined):
        short, after = match.group(1), match.group(2).split()
        expansion = long_form(short, [" ".join(after[:k]) for k in range(1, len(after) + 1)])
        if expansion:
            found.append((short, expansion, origin[match.start(1)]))
    for match in _DEFINITION_ROW.finditer(text):
        short, expansion = match.group(1), long_form(match.group(1), [match.group(2)])
        if expansion:
            found.append((short, expansion, match.start(1)))
    return found


def extract_entries(source: str, text: str) -> list[GlossaryEntry]:
    """Candidate glossary entries of one document, in order of appearance."""
    entries: list[GlossaryEntry] = []

    def add(term: str, kind: str, expansion: str | None, at: int) -> None:
        quote, start, end = _sentence_around(text, at)
        entries.append(GlossaryEntry(term.strip(), kind, expansion, source, quote, start, end))

    for term, expansion, at in acronym_definitions(text):
        add(term, "acronym", expansion, at)
    for match in _ACRONYM.finditer(text):
        term = match.group(1)
        if (
            term in COMMON_ACRONYMS or sum(c.isalpha() for c in term) < 2 or _in_capitals_run(text, match.start(), match.end())
            or _in_dotted_name(text, match.start(), match.end())
        ):
            continue
        add(term, "acronym", None, match.start())
    for match in _PERSON.finditer(text):
        group = next(g for g in (1, 2, 3) if match.group(g))
        name = match.group(group)
        if not any(word in _NOT_NAME_WORDS for word in _name_words(name)):
            add(name, "person", None, match.start(group))
    for match in _PROGRAMME.finditer(text):
        name = match.group(1).strip()
        if len(name.split()) >= 2 and name.split()[0].lower() not in DETERMINERS:
            add(name, "programme", None, match.start())
    return entries


def written_in_lower_case(texts: Iterable[str]) -> frozenset[str]:
    """Words the documents also write with lower-case letters ("Horizon"): in capitals ("HORIZON 2020") such a word
    is emphasis or a title's typography, not an acronym."""
    return frozenset(w.lower() for text in texts for w in re.findall(r"\b[A-Za-z]*[a-z][A-Za-z]*\b", text))


def _explains(entry: GlossaryEntry) -> bool:
    """A mention in a sentence of running prose, not in an agenda line or a heading."""
    quote = entry.quote.strip()
    return len(quote.split()) >= 8 and quote.endswith((".", ":", ";", "!", "?")) and not quote.startswith(("-", "*", "•"))


def written_all_in_lower_case(texts: Iterable[str]) -> frozenset[str]:
    """Words the documents write entirely in lower case somewhere ("next", "generation", "green"): common words."""
    return frozenset(w for text in texts for w in re.findall(r"(?<![\w.@])[a-zà-ÿ]+(?![\w@])", text))


def merge_entries(
    entries: list[GlossaryEntry], ordinary_words: frozenset[str] = frozenset(), common_words: frozenset[str] = frozenset()
) -> list[GlossaryEntry]:
    """One entry per term, quoting where it is defined (with its expansion), else its first mention in a sentence
    of prose, else its first mention. An undefined all-capitals term that the documents also write as an ordinary
    word is left out."""
    best: dict[str, GlossaryEntry] = {}
    defined = {e.term.lower() for e in entries if e.expansion}

    def rank(entry: GlossaryEntry) -> tuple[bool, bool]:
        return bool(entry.expansion), _explains(entry)

    for entry in entries:
        if entry.kind == "acronym" and entry.term.lower() in ordinary_words and entry.term.lower() not in defined:
            continue
        if entry.kind == "person" and all(word in common_words for word in _name_words(entry.term)):
            continue  # every word of it is an ordinary word of the documents ("Next Generation"): not a name
        key = entry.term.lower()
        current = best.get(key)
        if current is None or rank(entry) > rank(current):
            best[key] = entry
    return sorted(best.values(), key=lambda e: (e.kind, e.term.lower()))
