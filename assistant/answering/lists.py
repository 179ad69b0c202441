"""A list asked for is answered whole: the items a lead-in introduces, read on across the passages that continue it;
and a sentence is not cut from the one after it that speaks of it ("This alliance has been …")."""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import replace

from assistant.answering.outcomes import ScoredSentence
from assistant.answering.sentence_scoring import sentence_weight
from assistant.reading.chunking import Chunk
from assistant.search.retrieval import Passage
from assistant.text.patterns import LIST_MARK
from assistant.text.sentences import Span, sentence_spans
from assistant.text.terms import search_terms, words
from assistant.text.wordlists import PRONOUNS, STOP_WORDS

LIST_ITEMS_QUOTED = 8
"""At most this many items of a list are quoted after its lead-in (a list asked for is answered whole)."""


def items_after(
    lead_in: ScoredSentence, count: int, passages: Sequence[Passage] = (), whole_list: bool = True
) -> list[ScoredSentence]:
    """What a lead-in ("The Assembly adopted three priorities …:") can't answer without: the items of the list it
    introduces, all of them (up to ``LIST_ITEMS_QUOTED``, read on in the retrieved passages that continue the list);
    when no list follows (or not ``whole_list``), its first ``count`` sentences."""
    passage = lead_in.passage
    following = _said_after(passage.chunk, lead_in.span.end)
    items = _list_items(passage.chunk, following) if whole_list else []
    closes_passage = whole_list and not following  # at the foot of a page: its list may open the next passage
    if not items and not closes_passage:
        return [replace(lead_in, span=span, score=lead_in.score * 0.9) for span in following[:count]]
    chosen = [replace(lead_in, span=span, score=lead_in.score * 0.9) for span in items]
    continuations = {
        p.chunk.ordinal: p for p in passages
        if p.chunk.source == passage.chunk.source and p.chunk.context
        # the list's next passage carries its lead-in's paragraph as context, cut to its start
        and (lead_in.span.text.startswith(p.chunk.context) or lead_in.span.text in p.chunk.context)
    }
    ordinal = passage.chunk.ordinal + 1
    while (
        ordinal in continuations and len(chosen) < LIST_ITEMS_QUOTED
        and (not following or items[-1].end == following[-1].end)
    ):
        passage = continuations[ordinal]
        following = _said_after(passage.chunk, passage.chunk.start)
        items = _list_items(passage.chunk, following)
        if not items:
            break
        chosen += [replace(lead_in, passage=passage, span=span, score=lead_in.score * 0.9) for span in items]
        ordinal += 1
    return chosen[:LIST_ITEMS_QUOTED]


_ASKS_FOR_SEVERAL = re.compile(
    r"^\W*(?:and |so )?(?:which|what)\s+(?:(?:are|were|will be|would be)\s+(?:the|its|their|our|your)\s+)?"
    r"(?P<before>(?:[\w'’-]+\s+){0,2}?)(?P<things>[a-z][\w'’-]*[^s\W]s)\b",
    re.IGNORECASE,
)
""""Which measures …", "What are the action points?": several things of a kind, by a plural noun."""


def _asks_for_what_a_heading_lists(question: str, item: ScoredSentence) -> bool:
    """Whether the question asks for several things of the kind the item's section heading names and the item itself
    doesn't ("Which measures does the alliance propose?" of "2. Vouchers that let small firms …" under "Which
    measures would help most?"): the heading says what the items are, so the list under it is the answer. ("Which
    clusters are based in Sweden?" is not asking for the items under "Clusters have proven to be strong partners",
    each of which says "clusters".)"""
    found = _ASKS_FOR_SEVERAL.match(question)
    heading = item.passage.chunk.section
    if not found or not heading or set(words(found.group("before"))) & STOP_WORDS:
        return False
    things = search_terms(found.group("things"))[-1:]
    return bool(things) and things[0] in search_terms(heading) and things[0] not in search_terms(item.read)


def listed_under_its_heading(question: str, sentence: ScoredSentence) -> list[ScoredSentence]:
    """The items of the list that opens the sentence's section right under its heading (up to
    ``LIST_ITEMS_QUOTED``), when the sentence is one of them and the question asks for what the heading lists;
    otherwise none."""
    chunk = sentence.passage.chunk
    if not _asks_for_what_a_heading_lists(question, sentence):
        return []
    if not chunk.section or not chunk.text.lstrip("# ").startswith(chunk.section):
        return []  # a later passage of its section: what opens the section is not here
    said = _said_after(chunk, chunk.start)
    items = _list_items(chunk, said[1:] if said and said[0].text == chunk.section else said)
    if not any(item.start <= sentence.span.start and sentence.span.end <= item.end for item in items):
        return []
    return [replace(sentence, span=span, score=sentence.score * 0.9) for span in items[:LIST_ITEMS_QUOTED]]


def _said_after(chunk: Chunk, offset: int) -> list[Span]:
    return [
        span for span in sentence_spans(chunk.text, offset=chunk.start)
        if span.start >= offset and sentence_weight(span.text, chunk.section) > 0
    ]


def _list_items(chunk: Chunk, spans: Sequence[Span]) -> list[Span]:
    """The list items at the start of ``spans``, each with the further sentences of its line."""
    items: list[Span] = []
    for span in spans:
        if LIST_MARK.match(span.text):
            items.append(span)
        elif items and "\n" not in chunk.text[items[-1].end - chunk.start:span.start - chunk.start]:
            start = items[-1].start  # a second sentence of the same item is quoted with it
            items[-1] = chunk.span(start, span.end)
        else:
            break
    return items


_REFERRING_BACK = PRONOUNS - {"there"}


def continuation(sentence: ScoredSentence) -> ScoredSentence | None:
    """The next sentence of the passage when it opens by referring back to this one ("This alliance has been deeply
    involved in …" after "… the European Alliance Against Coronavirus (EAAC)."), unless it introduces a list of its
    own ("He presented ideas for the future:"), which answers another question."""
    following = _said_after(sentence.passage.chunk, sentence.span.end)
    opening = words(following[0].text)[:1] if following else []
    if not opening or opening[0] not in _REFERRING_BACK or following[0].text.endswith(":"):
        return None
    return replace(sentence, span=following[0], score=sentence.score * 0.9)


_CONCLUDING = ("hence", "therefore", "thus", "consequently", "accordingly", "for this reason", "for these reasons",
               "as a result", "this is why", "that is why")
"""Openings by which a sentence draws a conclusion from the one before it."""


def premise(sentence: ScoredSentence) -> ScoredSentence | None:
    """The sentence before this one in its paragraph when this one opens by concluding from it ("Hence, they can
    provide policymakers with valuable information …" after "Being so close to the market, clusters have real-time
    information …"): the reason is said there, not in the conclusion."""
    opening = " ".join(words(LIST_MARK.sub("", sentence.span.text))[:3])
    if not opening.startswith(_CONCLUDING):
        return None
    chunk = sentence.passage.chunk
    before = [s for s in sentence_spans(chunk.text, offset=chunk.start) if s.end <= sentence.span.start]
    if not before or "\n\n" in chunk.text[before[-1].end - chunk.start:sentence.span.start - chunk.start]:
        return None
    if sentence_weight(before[-1].text, chunk.section) == 0.0 or before[-1].text.endswith((":", "?")):
        return None
    return replace(sentence, span=before[-1], score=sentence.score * 0.9)
