"""Checking a model's answer against the passages it was given: every kept sentence is supported and cited.

The model writes the prose and the [n] markers; this code decides what stays. A marker to a passage that
wasn't given, a claim its passage doesn't support, a figure that isn't in the cited passage: each is removed,
and the reader is told. Each citation's quote is the passage's own sentence, found here, never the model's words.
"""

from __future__ import annotations

import math
import re
from collections.abc import Sequence
from dataclasses import dataclass, field

from assistant.citations import Citation, cited_numbers, ungrounded_numbers
from assistant.lexical import DocumentFrequencies
from assistant.prompting import PromptPassage
from assistant.text import Span, search_terms, sentence_spans

_MARKERS = re.compile(r"\s*\[(\d{1,3})\]")
_DECLINES = re.compile(
    r"(documents? (don'?t|do not|does not) (say|contain|mention)|passages? (don'?t|do not|does not) (say|contain|mention)|"
    r"(cannot|can'?t|unable to) (answer|find)|no (information|answer) (in|about)|not (mentioned|stated) in)",
    re.IGNORECASE,
)
PASSAGE_SUPPORT = 0.6
"""Share of a claim's idf-weighted words that its cited passage must contain."""
QUOTE_SUPPORT = 0.3
"""Share the quoted sentence itself must contain, so the quote shown is the relevant one."""


@dataclass
class GroundedAnswer:
    text: str
    citations: list[Citation]
    declined: bool = False
    notices: list[str] = field(default_factory=list)


def is_decline(text: str) -> bool:
    return bool(_DECLINES.search(text)) and len(text) < 400


class SupportScorer:
    """How much of a claim the evidence contains, weighting rare words (names, figures, terms) above common ones."""

    def __init__(self, document_frequencies: DocumentFrequencies | None = None) -> None:
        self.document_frequencies = document_frequencies

    def weights(self, terms: set[str]) -> dict[str, float]:
        if self.document_frequencies is None:
            return dict.fromkeys(terms, 1.0)
        frequencies, total = self.document_frequencies(sorted(terms))
        return {t: math.log((total + 1) / (frequencies.get(t, 0) + 0.5)) for t in terms}

    def __call__(self, claim: str, evidence: str) -> float:
        claim_terms = set(search_terms(_MARKERS.sub("", claim)))
        if not claim_terms:
            return 0.0
        weights = self.weights(claim_terms)
        present = set(search_terms(evidence))
        return sum(weights[t] for t in claim_terms if t in present) / (sum(weights.values()) or 1.0)


def best_quote(claim: str, passage: PromptPassage, support: SupportScorer) -> tuple[Span, float] | None:
    """The passage sentence (or two adjacent ones) that best supports the claim, with its support."""
    chunk = passage.passage.chunk
    spans = sentence_spans(passage.text, offset=chunk.start)
    candidates = [(span, support(claim, span.text)) for span in spans]
    for first, second in zip(spans, spans[1:]):
        pair = Span(chunk.text[first.start - chunk.start:second.end - chunk.start], first.start, second.end)
        candidates.append((pair, support(claim, pair.text) - 0.05))
    return max(candidates, key=lambda item: item[1]) if candidates else None


def supporting_quote(claim: str, passage: PromptPassage, support: SupportScorer) -> Span | None:
    """A quote from the passage when the passage (with its heading) supports the claim, else None."""
    chunk = passage.passage.chunk
    if support(claim, f"{chunk.title}\n{chunk.header()}\n{passage.text}") < PASSAGE_SUPPORT:
        return None
    found = best_quote(claim, passage, support)
    return found[0] if found and found[1] >= QUOTE_SUPPORT else None


def ground(
    answer: str, passages: Sequence[PromptPassage], document_frequencies: DocumentFrequencies | None = None
) -> GroundedAnswer:
    """Keep the supported, correctly cited sentences of ``answer``; renumber citations in order of use."""
    support = SupportScorer(document_frequencies)
    if is_decline(answer) and not cited_numbers(answer):
        return GroundedAnswer(answer.strip(), [], declined=True)
    given = {p.n: p for p in passages}
    notices: list[str] = []
    numbering: dict[tuple[str, int], int] = {}
    citations: list[Citation] = []
    kept: list[str] = []
    for sentence in sentence_spans(answer):
        markers = cited_numbers(sentence.text)
        unknown = [n for n in markers if n not in given]
        if unknown:
            notices.append(f"Removed citation {', '.join(f'[{n}]' for n in unknown)}: no such passage was given to the model.")
        claim = _MARKERS.sub("", sentence.text).strip()
        if not claim:
            continue
        candidates = [n for n in markers if n in given] or list(given)
        supported: list[tuple[PromptPassage, Span]] = []
        for n in candidates:
            quote = supporting_quote(claim, given[n], support)
            if quote is not None:
                supported.append((given[n], quote))
        if not markers and supported:
            supported = [max(supported, key=lambda item: support(claim, item[1].text))]
        if not supported:
            if len(search_terms(claim)) >= 3:
                notices.append(f"Removed a statement its cited passage doesn't support: “{_short(claim)}”")
                continue
            kept.append(claim)  # a short connective phrase carries no claim of its own
            continue
        missing = ungrounded_numbers(claim, [span.text for _, span in supported])
        if missing:
            notices.append(f"Removed a statement whose figure {', '.join(missing)} isn't in the cited passage: “{_short(claim)}”")
            continue
        labels = []
        for passage, span in supported:
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


def _with_markers(claim: str, markers: str) -> str:
    """Markers go before the sentence's closing punctuation: "… reach global [1]."."""
    claim = claim.rstrip()
    if claim and claim[-1] in ".!?":
        return f"{claim[:-1].rstrip()} {markers}{claim[-1]}"
    return f"{claim} {markers}"


def _short(text: str, limit: int = 90) -> str:
    return text if len(text) <= limit else text[: limit - 1].rsplit(" ", 1)[0] + "…"
