"""Checking a model's answer against the passages it was given: every kept sentence is supported and cited.

The model writes each sentence with the number of its passage and the exact words it relies on:
``Teodora Jilkova moderated the session [2: "invited by the moderator Teodora Jilkova"].`` (a plain ``[2]`` is
accepted too). This code decides what stays: quoted words must be in that passage verbatim, and the claim is
checked against the sentence(s) holding them (or, without a quote, the sentence of the passage that supports it
best) for names, figures, dates, negation and support (``assistant.answering.claims``). A marker to a passage that wasn't
given, words that aren't in it, a claim that doesn't match: each is removed, and the reader is told. The quote
shown is always the passage's own sentence, found here, never the model's words.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass, field

from assistant.answering.citations import Citation, find_in_text
from assistant.answering.claims import ClaimCheck, ClaimChecker, figures, months, name_tokens, same_word, tokens_with_case
from assistant.answering.prompting import PromptPassage
from assistant.text.sentences import Span, sentence_spans
from assistant.text.terms import search_terms

_REFERENCE = re.compile(r"\s*\[(\d{1,3})(?:\s*[:,]\s*[\"“„«‘']?(.*?)[\"”“»’']?)?\s*\]", re.DOTALL)
_PLACEHOLDER = re.compile(r"\s*⟦(\d+)⟧")
_DECLINES = re.compile(
    r"(documents? (don'?t|do not|does not) (say|contain|mention)|passages? (don'?t|do not|does not) (say|contain|mention)|"
    r"(cannot|can'?t|unable to) (answer|find)|no (information|answer) (in|about)|not (mentioned|stated) in)",
    re.IGNORECASE,
)


@dataclass
class GroundedAnswer:
    text: str
    citations: list[Citation]
    declined: bool = False
    notices: list[str] = field(default_factory=list)


@dataclass(frozen=True)
class Reference:
    n: int
    words: str | None
    """The exact words the model says it relies on, when it gave them."""


def is_decline(text: str) -> bool:
    return bool(_DECLINES.search(text)) and len(text) < 400


def split_references(answer: str) -> list[tuple[str, list[Reference]]]:
    """The answer's sentences, each with the passages (and words) it cites; a marker written after a sentence's
    full stop belongs to that sentence."""
    references: list[Reference] = []

    def hold(match: re.Match[str]) -> str:
        references.append(Reference(int(match.group(1)), (match.group(2) or "").strip() or None))
        return f" ⟦{len(references) - 1}⟧"

    held = _REFERENCE.sub(hold, answer)
    sentences: list[tuple[str, list[Reference]]] = []
    for span in sentence_spans(held):
        text = span.text
        leading = re.match(r"(\s*⟦\d+⟧)+", text)
        if leading and sentences:
            sentences[-1][1].extend(references[int(k)] for k in _PLACEHOLDER.findall(leading.group()))
            text = text[leading.end():]
        cited = [references[int(k)] for k in _PLACEHOLDER.findall(text)]
        claim = re.sub(r"\s+([.!?,;:])", r"\1", _PLACEHOLDER.sub("", text)).strip()
        if claim or cited:
            sentences.append((claim, cited))
    return sentences


def enclosing_sentences(passage: PromptPassage, start: int, end: int) -> Span:
    """The passage's sentence(s) around document offsets ``start``-``end``."""
    chunk = passage.passage.chunk
    spans = [s for s in sentence_spans(passage.text, offset=chunk.start) if s.end > start and s.start < end]
    first, last = spans[0].start, spans[-1].end
    return chunk.span(first, last)


def quoted_span(passage: PromptPassage, words: str) -> Span | None:
    """Where the model's quoted words are in the passage it cites (verbatim, spacing and quote marks aside)."""
    found = find_in_text(passage.text, words)
    if found is None or len(search_terms(words)) == 0:
        return None
    offset = passage.passage.chunk.start
    return enclosing_sentences(passage, offset + found[0], offset + found[1])


def candidate_spans(passage: PromptPassage) -> list[tuple[Span, bool]]:
    """Single sentences, and adjacent pairs (a claim may join two), each marked True when a pair."""
    chunk = passage.passage.chunk
    spans = sentence_spans(passage.text, offset=chunk.start)
    pairs = [chunk.span(a.start, b.end) for a, b in zip(spans, spans[1:])]
    return [(span, False) for span in spans] + [(pair, True) for pair in pairs]


def anchors_shared(claim: str, evidence: str) -> int:
    """Names, figures and months a claim in another language shares with an English sentence."""
    evidence_words = [t for t, _ in tokens_with_case(evidence)]
    names = sum(any(same_word(n, w) for w in evidence_words) for n in name_tokens(claim, set()))
    values = {f.value for f in figures(evidence)}
    return names + sum(f.value in values for f in figures(claim)) + len(months(claim) & months(evidence))


def best_span(claim: str, passage: PromptPassage, checker: ClaimChecker, english: bool) -> Span | None:
    """Without quoted words: the sentence (or pair) of the passage that best supports the claim."""
    scored: list[tuple[float, Span]] = []
    for span, is_pair in candidate_spans(passage):
        if english:
            # A pair must do better than either sentence alone: it also holds more words by chance.
            score = checker.coverage(claim, span.text) - (0.05 if is_pair else 0.0)
        else:
            score = anchors_shared(claim, span.text) - (0.5 if is_pair else 0.0)
        scored.append((score, span))
    if not scored:
        return None
    score, span = max(scored, key=lambda item: item[0])
    return span if score > 0 else None


def surroundings(passage: PromptPassage, span: Span) -> str:
    """What situates a cited span: its document's title, its heading, and the sentences just before and after it."""
    chunk = passage.passage.chunk
    spans = sentence_spans(passage.text, offset=chunk.start)
    before = [s.text for s in spans if s.end <= span.start][-1:]
    after = [s.text for s in spans if s.start >= span.end][:1]
    return "\n".join(part for part in (chunk.title, chunk.header(), *before, *after) if part)


def context_of(passage: PromptPassage) -> str:
    chunk = passage.passage.chunk
    return f"{chunk.title}\n{chunk.header()}\n{passage.text}"


def ground(
    answer: str, passages: Sequence[PromptPassage], checker: ClaimChecker | None = None, english: bool = True,
    question: str = "",
) -> GroundedAnswer:
    """Keep the correctly cited sentences of ``answer`` that their sentences support; renumber citations.
    ``question``: words a claim restates from the question ("The dialogue took place on …" for "When did the dialogue
    take place?") are not claims of its own; names, figures and dates are still checked against the sentence."""
    checker = checker or ClaimChecker()
    if is_decline(answer) and not _REFERENCE.search(answer):
        return GroundedAnswer(answer.strip(), [], declined=True)
    given = {p.n: p for p in passages}
    notices: list[str] = []
    numbering: dict[tuple[str, int], int] = {}
    citations: list[Citation] = []
    kept: list[str] = []
    for claim, references in split_references(answer):
        unknown = sorted({r.n for r in references if r.n not in given})
        if unknown:
            notices.append(f"Removed citation {', '.join(f'[{n}]' for n in unknown)}: no such passage was given to the model.")
        if not claim:
            continue
        if references and all(r.n not in given for r in references):
            continue  # it rests only on passages the model wasn't given: nothing to check it against
        references = [r for r in references if r.n in given]
        if not references and len(search_terms(claim)) < 3:
            kept.append(claim)  # a short connective phrase carries no claim of its own
            continue
        evidence, problem = _evidence(claim, references, given, checker, english, question)
        if not evidence:
            notices.append(f"Removed a statement: {problem}: “{_short(claim)}”")
            continue
        labels = []
        for passage, span in evidence:
            key = (passage.passage.chunk.id, span.start)
            if key not in numbering:
                numbering[key] = len(numbering) + 1
                chunk = passage.passage.chunk
                citations.append(
                    Citation(
                        n=numbering[key], source=chunk.source, title=chunk.title, page=chunk.page,
                        section=chunk.section, quote=span.text, date=chunk.date, kind=chunk.kind, chunk_id=chunk.id,
                        start=span.start, end=span.end, passage=chunk.text,
                    )
                )
            labels.append(f"[{numbering[key]}]")
        kept.append(_with_markers(claim, "".join(dict.fromkeys(labels))))
    return GroundedAnswer(" ".join(kept).strip(), citations, declined=False, notices=notices)


def _evidence(
    claim: str, references: list[Reference], given: dict[int, PromptPassage], checker: ClaimChecker, english: bool,
    question: str = "",
) -> tuple[list[tuple[PromptPassage, Span]], str]:
    """The cited sentences that support the claim, or none and what went wrong."""
    found: list[tuple[PromptPassage, Span]] = []
    problems: list[str] = []
    for reference in references or [Reference(n, None) for n in given]:
        passage = given[reference.n]
        if reference.words:
            span = quoted_span(passage, reference.words)
            if span is None:
                problems.append(f"the words it quotes aren't in passage [{reference.n}]")
                continue
        else:
            span = best_span(claim, passage, checker, english)
            if span is None:
                problems.append(f"passage [{reference.n}] doesn't say this")
                continue
        found.append((passage, span))
    if not found:
        return [], problems[0] if problems else "it cites no passage"
    context = "\n".join(context_of(p) for p, _ in found)
    checks: list[tuple[ClaimCheck, tuple[PromptPassage, Span]]] = [
        (checker.check(claim, span.text, context, english, f"{question}\n{surroundings(passage, span)}"), (passage, span))
        for passage, span in found
    ]
    alone = [item for check, item in checks if check.kept]
    if alone:
        return (alone if references else [max(alone, key=lambda item: checker.support(claim, item[1].text))]), ""
    if len(found) > 1 and references:
        joined = checker.check(claim, " ".join(span.text for _, span in found), context, english)
        if joined.kept:
            return found, ""
    return [], checks[0][0].reason or "its cited passage doesn't support it"


def _with_markers(claim: str, markers: str) -> str:
    """Markers go before the sentence's closing punctuation: "… reach global [1]."."""
    claim = claim.rstrip()
    if claim and claim[-1] in ".!?":
        return f"{claim[:-1].rstrip()} {markers}{claim[-1]}"
    return f"{claim} {markers}"


def _short(text: str, limit: int = 90) -> str:
    return text if len(text) <= limit else text[: limit - 1].rsplit(" ", 1)[0] + "…"
