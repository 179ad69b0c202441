"""A glossary built from the corpus at ingest time: acronyms, programmes, organisations and people, each with
the sentence that defines or first mentions it."""

from __future__ import annotations

import re
from dataclasses import dataclass

from assistant.text import sentence_spans

_ACRONYM_DEFINED = re.compile(
    r"((?:[A-Z][\w'’.-]*|of|for|and|the|de|on|in)(?:[ ]+(?:[A-Z][\w'’.-]*|of|for|and|the|de|on|in)){0,8})[ ]*\(([A-Z][A-Z0-9]{1,9})\)"
)
_ACRONYM = re.compile(r"\b([A-Z][A-Z0-9]{1,9}(?:-\d)?)\b")
_PERSON = re.compile(
    r"\b(?:Commissioner|President|moderator|Mr\.?|Ms\.?|Dr\.?)[ ]+((?:[A-Z][a-zà-ÿ]+|[A-Z][a-zà-ÿ]+-[A-Z][a-zà-ÿ]+)(?:[ ]+[A-Z][a-zà-ÿ]+){1,2})"
    r"|\b((?:[A-Z][a-zà-ÿ]+|[A-Z][a-zà-ÿ]+-[A-Z][a-zà-ÿ]+)[ ]+[A-Z][a-zà-ÿ]+(?:[ ]+[A-Z][a-zà-ÿ]+)?),[ ]+(?:from|General Manager|President|the vice-president|European Commissioner)"
)
_PROGRAMME = re.compile(
    r"\b((?:[A-Z][\w.-]*[ ]+){0,4}(?:Programme|Program|Fund|Deal|Framework|Initiative|Instrument|Pact for Skills|"
    r"Rapid Alert Function|Recovery Plan|Horizon (?:2020|Europe)))\b"
)
_NOT_ACRONYMS = frozenset({"EU", "UK", "US", "IT", "AI", "SDG", "COVID-19", "COVID", "ICT", "SME", "SMES", "NGO", "NGOS"})
_NOT_PEOPLE_WORDS = frozenset({"European", "Clusters", "Alliance", "Commission", "Cluster", "Next", "Generation", "Feedback"})
_LEADING_STOP_WORDS = frozenset({"the", "a", "an", "of", "for", "and", "in", "on", "de"})


def _in_capitals_run(text: str, start: int, end: int) -> bool:
    """An all-capitals word beside another one ("EUROPEAN CLUSTERS ALLIANCE", "MINE.THE.GAP") is not an acronym."""
    before = re.search(r"([A-Z]{2,})[ .]+$", text[max(0, start - 30):start])
    after = re.match(r"^[ .]+([A-Z]{2,})\b", text[end:end + 30])
    return bool(before or after)


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


def extract_entries(source: str, text: str) -> list[GlossaryEntry]:
    """Candidate glossary entries of one document, in order of appearance."""
    entries: list[GlossaryEntry] = []

    def add(term: str, kind: str, expansion: str | None, at: int) -> None:
        quote, start, end = _sentence_around(text, at)
        entries.append(GlossaryEntry(term.strip(), kind, expansion, source, quote, start, end))

    for match in _ACRONYM_DEFINED.finditer(text):
        words = match.group(1).split()
        while words and (not words[0][0].isupper() or words[0].lower() in _LEADING_STOP_WORDS):
            words.pop(0)
        expansion = " ".join(words)
        if expansion and len(expansion) > len(match.group(2)):
            add(match.group(2), "acronym", expansion, match.start())
    for match in _ACRONYM.finditer(text):
        term = match.group(1)
        if term in _NOT_ACRONYMS or sum(c.isalpha() for c in term) < 2 or _in_capitals_run(text, match.start(), match.end()):
            continue
        add(term, "acronym", None, match.start())
    for match in _PERSON.finditer(text):
        name = match.group(1) or match.group(2)
        if name and not set(name.split()) & _NOT_PEOPLE_WORDS:
            add(name, "person", None, match.start(1) if match.group(1) else match.start(2))
    for match in _PROGRAMME.finditer(text):
        name = match.group(1).strip()
        if len(name.split()) >= 2 and not name.lower().startswith(("the ", "a ", "this ")):
            add(name, "programme", None, match.start())
    return entries


def merge_entries(entries: list[GlossaryEntry]) -> list[GlossaryEntry]:
    """One entry per term: a defining mention (with its expansion) wins over a first mention."""
    best: dict[str, GlossaryEntry] = {}
    for entry in entries:
        key = entry.term.lower()
        current = best.get(key)
        if current is None or (entry.expansion and not current.expansion):
            best[key] = entry
    return sorted(best.values(), key=lambda e: (e.kind, e.term.lower()))
