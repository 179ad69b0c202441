"""Answering from retrieved passages. The offline default is extractive: it quotes the sentences that answer."""

from __future__ import annotations

import re
from collections.abc import Callable, Sequence
from itertools import takewhile
from dataclasses import dataclass, field, replace
from typing import Protocol

import numpy as np

from assistant.answering.citations import Citation
from assistant.answering.language import offline_notice
from assistant.answering.query_likelihood import Likelihood, QueryLikelihood
from assistant.reading.chunking import Chunk
from assistant.reading.documents import looks_like_heading
from assistant.search.answer_types import wanted_types
from assistant.search.conversation import Turn, looks_like_instruction
from assistant.search.lexical import DocumentFrequencies, QueryCoverage
from assistant.search.ranker import LinearModel
from assistant.search.retrieval import Passage, names_title, title_terms
from assistant.text.names import proper_names
from assistant.text.numbers import iter_numbers, number_key
from assistant.text.patterns import LIST_MARK, YEAR
from assistant.text.sentences import Span, is_fragment, sentence_spans
from assistant.text.terms import equivalent_terms, search_terms, words

DECLINE_PREFIX = "The documents don't say"


@dataclass
class Answer:
    """What the user sees: the text with [n] markers, whether it answers, and its verified citations."""

    text: str
    answerable: bool
    citations: list[Citation] = field(default_factory=list)
    evidence: float = 0.0
    """The answerer's confidence that the passages answer the question, in [0, 1]."""
    notices: list[str] = field(default_factory=list)
    mode: str = "extractive"
    unsure: bool = False
    """Not answered, yet no evidence that the documents are silent: the closest sentence is quoted and cited."""

    @property
    def outcome(self) -> str:
        """``answered``, ``unsure`` (the closest passage quoted, no claim of absence) or ``declined`` (the documents
        don't say: a name no document contains, a year or kind of answer the passages lack, nothing relevant)."""
        if self.answerable:
            return "answered"
        return "unsure" if self.unsure else "declined"


@dataclass(frozen=True)
class Question:
    """A question as the answerers see it: the words typed, the standalone form used for retrieval."""

    text: str
    standalone: str
    query_vector: Sequence[float]
    history_text: str = ""
    history: tuple[Turn, ...] = ()
    referenced_sources: frozenset[str] = frozenset()
    """Documents the question names; their sentences are preferred."""
    language: str = "en"
    """The language the question is written in (ISO 639-1); answers are written in it."""


class Answerer(Protocol):
    mode: str

    def answer(self, question: Question, passages: Sequence[Passage]) -> Answer: ...


def decline(question: str, evidence: float = 0.0, mode: str = "extractive", reason: str | None = None) -> Answer:
    """The answer when the documents don't answer: says why when it is known ("no document mentions …")."""
    topic = question.strip().rstrip("?.! ")
    if not topic:
        # Nothing was left once the instructions to the assistant were taken out: don't repeat them back.
        return Answer(
            text=f"{DECLINE_PREFIX} this: the question held only instructions to the assistant, which answers "
            "only from the documents. Ask about what the documents say.",
            answerable=False,
            evidence=evidence,
            mode=mode,
        )
    why = reason or f"no passage in the indexed documents answers “{topic}”"
    return Answer(
        text=f"{DECLINE_PREFIX} this: {why}. The closest passages are listed below.",
        answerable=False,
        evidence=evidence,
        mode=mode,
    )


UNSURE_PREFIX = "I could not find a passage that clearly answers this"


def unsure(closest: Sequence[ScoredSentence], evidence: float, mode: str = "extractive") -> Answer:
    """The closest sentence, quoted and cited, without claiming the documents are silent: a paraphrase the answerer
    cannot match with confidence is not evidence of absence."""
    return as_unsure(compose(closest[:1], evidence), mode)


def as_unsure(answer: Answer, mode: str | None = None) -> Answer:
    """An answer's first citation offered as the closest passage, not as the answer."""
    closest = [replace(answer.citations[0], n=1)] if answer.citations else []
    quoted = f" The closest is: “{inert_markers(closest[0].quote)}” [1]" if closest else ""
    return Answer(
        text=f"{UNSURE_PREFIX}.{quoted}", answerable=False, citations=closest, evidence=answer.evidence,
        mode=mode or answer.mode, unsure=True,
        notices=["Unsure: read the quoted passage; the documents may answer this in other words."],
    )


@dataclass(frozen=True)
class ScoredSentence:
    passage_rank: int
    passage: Passage
    span: Span
    lexical: float
    dense: float
    score: float


Embedder = Callable[[list[str]], list[list[float]]]

_FIGURE_WORDS = frozenset(
    {"how", "many", "much", "number", "percent", "percentage", "share", "figure", "figures", "years", "when", "year",
     "date", "time", "period"}
)


def sentence_weight(text: str, section: str | None, wants_figure: bool = False) -> float:
    """Headings and fragments name a topic rather than say something about it: they count for less. A line that is
    only a date or a time ("Tuesday 30th June 2020 at 15:00") answers "when", not "who" or "what"."""
    if len(words(text)) < 3 or looks_like_instruction(text):
        return 0.0  # an instruction written into a document is never the answer to a question
    has_figure = any(c.isdigit() for c in text)
    if text == section and not has_figure:
        return 0.6
    body = LIST_MARK.sub("", text)
    if body.endswith("?"):
        return 0.6  # "What is the role of clusters?" asks; the sentence after it answers
    if looks_like_heading(body) and not body.endswith(":") and not (has_figure and wants_figure):
        return 0.75
    return 1.0


def in_front_matter(chunk: Chunk, span: Span) -> bool:
    """A short line before the document's first sentence: the title block's date, place and addressee, which are
    about the document itself."""
    if chunk.ordinal != 0 or not is_fragment(span.text):
        return False
    before = sentence_spans(chunk.text[: span.start - chunk.start])
    return not any(s.text.rstrip().endswith((".", "!", "?")) for s in before)


def heading_start(chunk: Chunk) -> int:
    """Where the chunk's section heading starts: a line before it (the slogan closing the section above, in a chunk
    that starts there) is not under that heading."""
    if not chunk.section:
        return chunk.start
    found = chunk.text.find(chunk.section)
    return chunk.start if found < 0 else chunk.start + found


def table_header(chunk: Chunk, span: Span) -> str:
    """The first row of the Markdown table a row belongs to (its column names)."""
    lines = chunk.text[: span.start - chunk.start].split("\n")
    header = ""
    for line in reversed(lines[:-1] if lines and not lines[-1].strip() else lines):
        if not line.startswith("|"):
            break
        header = line
    return header


_SPEAKER_QUESTION = re.compile(
    r"^\W*(?:[Aa]nd\s+|[Ss]o\s+)?[Ww]hat\s+did\s+((?:the\s+)?(?:[A-Z][\w'’.-]*\s+){0,3}[A-Z][\w'’.-]*)\s+"
    r"(?:say|reply|answer|respond|state|propose|think|believe|claim|write|announce|promise)\b"
)


def named_speaker(question: str) -> str | None:
    """Who a "what did <Name> say/answer/propose …" question asks about ("Commissioner Breton", "the Commission")."""
    found = _SPEAKER_QUESTION.match(question)
    return found.group(1) if found else None


def speaks_in(speaker: str, sentence: ScoredSentence) -> bool:
    """Whether the sentence's passage (its text, heading or document title) names the speaker."""
    chunk = sentence.passage.chunk
    present = set(search_terms(f"{chunk.title}\n{chunk.situation()}\n{chunk.text}"))
    return any(alternative in present for term in search_terms(speaker) for alternative in equivalent_terms(term))


def name_terms(unmentioned: Sequence[str], question: str) -> frozenset[str]:
    """Search terms of the unmentioned names, less those also used elsewhere in the question."""
    terms = {t for name in unmentioned for t in search_terms(name)}
    rest = question
    for name in unmentioned:
        rest = rest.replace(name, " ")
    return frozenset(terms - set(search_terms(rest)))


def naming_terms(question: Question, passages: Sequence[Passage]) -> frozenset[str]:
    """The words of the titles the question names its documents by (not the words of a short reference such as
    "the annex", which may also be what is asked about)."""
    if not question.referenced_sources:
        return frozenset()
    asked = set(search_terms(question.text))
    titles = {p.chunk.title for p in passages if p.chunk.source in question.referenced_sources}
    return frozenset(t for title in titles if names_title(asked, title) for t in title_terms(title))


DECLINE_FEATURES = (
    "sentence_coverage",  # the best sentence's share of the question's idf-weighted words
    "sentence_similarity",  # its cosine to the question
    "unknown_share",  # idf mass of question words no passage of the corpus contains
    "unmentioned_name",  # the question names something ("Digital Services Act") no document mentions
    "passage_probability",  # the ranker's probability for the passage the answer comes from
    "top_probability",  # … and for the best-ranked passage
    "from_top_passage",  # the answer comes from the best-ranked passage
    "moved_typed_answer",  # a typed answer (date, person, amount) found only outside the best-matching passage
    "speaker_absent",  # "what did <Name> say": the answering passage doesn't name the speaker
    "year_absent",  # the question names a year that the answering passage (with its title, section, date) lacks
    "likelihood_gain",  # SmolLM2: how much more likely the question is once it has read the sentence (per token)
    "likelihood_low_gain",  # … for the least-explained quarter of the question's tokens (what is left unexplained)
)

OPINION_FEATURES = ("likelihood_gain", "likelihood_low_gain")

ABSENCE_FEATURES = ("unmentioned_name", "year_absent", "speaker_absent")
"""Evidence that the documents do not say it (as opposed to a paraphrase not matched): a decline may claim absence
only with one of these, or when the classifier's probability is under the absence floor fitted with it."""



def years_in(text: str) -> set[str]:
    return set(YEAR.findall(text))


def situated_sentence(sentence: ScoredSentence) -> str:
    """A sentence under its section heading (a speaker's turn is often named only there)."""
    chunk = sentence.passage.chunk
    heading = chunk.section if chunk.section and chunk.section != sentence.span.text else ""
    return f"{heading}\n{sentence.span.text}" if heading else sentence.span.text


def situated_text(chunk: Chunk) -> str:
    """A passage with what situates it: its document's title and date, its section and list lead-in."""
    return "\n".join(part for part in (chunk.title, chunk.situation(), chunk.text, chunk.date or "") if part)


def absent_years(question: str, chunk: Chunk) -> list[str]:
    """Years the question names that the passage, its headings and its document's date don't: "the budget for 2022"
    answered from the 2021 budget is a near miss, not an answer."""
    return sorted(years_in(question) - years_in(situated_text(chunk)))


@dataclass(frozen=True)
class Candidate:
    """The answer the extractive answerer would give, with what the decline classifier reads about it."""

    sentences: list[ScoredSentence]
    coverage: QueryCoverage
    features: dict[str, float]
    reason: str | None
    """Why to decline, when it declines: the most specific thing known."""


class ExtractiveAnswerer:
    """Quotes the best-supported sentences of the top passages, each with its citation; a fitted classifier decides
    when the evidence is too weak and it declines instead."""

    mode = "extractive"

    def __init__(
        self,
        embed: Embedder,
        document_frequencies: DocumentFrequencies,
        decline_model: LinearModel,
        decline_threshold: float | None = None,
        phrase_exists: Callable[[Sequence[str]], bool] = lambda terms: True,
        max_sentences: int = 3,
        whole_lists: bool = True,
        passages_considered: int = 5,
        pair_discount: float = 0.9,
        likelihood: QueryLikelihood | None = None,
        likelihood_weight: float = 0.0,
        contenders: int = 4,
    ) -> None:
        """``likelihood``: the language model's second opinion (its features are 0 without it);
        ``likelihood_weight``: how much its gain counts when choosing among the ``contenders`` best sentences."""
        self.likelihood = likelihood
        self.likelihood_weight = likelihood_weight
        self.contenders = contenders
        self.embed = embed
        self.document_frequencies = document_frequencies
        self.phrase_exists = phrase_exists
        self.decline_model = decline_model
        self.threshold_override = decline_threshold
        self.max_sentences = max_sentences
        self.whole_lists = whole_lists
        self.passages_considered = passages_considered
        self.pair_discount = pair_discount

    @property
    def decline_threshold(self) -> float:
        """The probability under which it declines: the one fitted with the model, unless configured."""
        return self.decline_model.threshold if self.threshold_override is None else self.threshold_override

    def answer(self, question: Question, passages: Sequence[Passage]) -> Answer:
        if question.language != "en":
            # Sentence choice and the decline classifier read English; a quote picked for a French question by
            # its names alone would look answered without being so.
            return Answer(offline_notice(question.language), False, mode=self.mode, unsure=True)
        found = self.candidate(question, passages)
        if isinstance(found, Answer):
            return found
        probability = float(self.decline_model.probabilities(self.decline_model.rows([found.features]))[0])
        if probability >= self.decline_threshold:
            return self.compose_answer(question, found.sentences, found.coverage, passages, probability)
        absent = any(found.features.get(name) for name in ABSENCE_FEATURES)
        if absent or probability < self.decline_model.floor:
            return decline(question.text, probability, reason=found.reason)
        return unsure(found.sentences, probability)

    def outcome_may_change(self, features: dict[str, float]) -> bool:
        """Could the second opinion move the outcome (answered / unsure / declined)? Its features ranging over three
        standard deviations of their training values: if the probability stays on one side of the threshold (and of
        the absence floor, where that decides), the language model is not run."""
        low, high = self.decline_model.probability_bounds(features, OPINION_FEATURES)
        if low < self.decline_threshold <= high:
            return True
        absent = any(features.get(name) for name in ABSENCE_FEATURES)
        return high < self.decline_threshold and not absent and low < self.decline_model.floor <= high

    def candidate(
        self, question: Question, passages: Sequence[Passage], consult_model: bool = False
    ) -> Candidate | Answer:
        """The sentences that would answer, and the decline classifier's features; an ``Answer`` when it must
        decline whatever the evidence (no sentence, none of the kind asked for, none in the document named).
        ``consult_model``: always read the language model's second opinion (to fit on it), not only where it can
        change the outcome."""
        unmentioned = self.unmentioned_names(question.text)
        coverage = QueryCoverage(
            question.text, self.document_frequencies, question.history_text, name_terms(unmentioned, question.text),
            naming_terms(question, passages),
        )
        scored = self.score_sentences(question, coverage, passages)
        if not scored:
            return decline(question.text)
        best_match = scored[0].passage.chunk.id
        kinds = wanted_types(question.text)
        reason = f"no document mentions {' or '.join(f'“{n}”' for n in unmentioned)}" if unmentioned else None
        moved = False
        for kind in kinds:
            if kind.required:
                # "How long did it last" is not answered by a start time, nor "how many SMEs" by a count of clusters.
                scored = [s for s in scored if kind.given(question.text, s.span.text)]
                if not scored:
                    return decline(question.text, reason=f"no passage gives the {kind.name} asked for")
                if scored[0].passage.chunk.id != best_match:
                    moved = True
                    reason = reason or f"the passages that give a {kind.name} are not about what is asked"
        if question.referenced_sources:
            # "According to the annex": what another document says doesn't answer it.
            scored = [s for s in scored if s.passage.chunk.source in question.referenced_sources]
            if not scored:
                return decline(question.text, reason="the document the question names doesn't answer it")
        opinion: dict[str, float] | None = None
        if self.likelihood_weight:
            scored, opinion = self.reconsidered(question, scored)
        speaker = named_speaker(question.text)
        speaker_absent = bool(speaker) and not speaks_in(speaker or "", scored[0])
        if speaker_absent:
            reason = reason or f"no passage found gives what {speaker} said"
        best = scored[0]
        missing_years = absent_years(question.text, best.passage.chunk)
        if missing_years:
            reason = reason or f"the passages found don't mention {' or '.join(missing_years)}"
        features = {
            "sentence_coverage": best.lexical,
            "sentence_similarity": best.dense,
            "unknown_share": coverage.unknown_share(),
            "unmentioned_name": float(bool(unmentioned)),
            "passage_probability": best.passage.score,
            "top_probability": passages[0].score if passages else 0.0,
            "from_top_passage": float(bool(passages) and best.passage.chunk.id == passages[0].chunk.id),
            "moved_typed_answer": float(moved),
            "speaker_absent": float(speaker_absent),
            "year_absent": float(bool(missing_years)),
        }
        if opinion is None and self.likelihood is not None:
            if consult_model or self.outcome_may_change(features):
                _, opinion = self.reconsidered(question, scored)
            else:
                opinion = self.decline_model.neutral(OPINION_FEATURES)
        features.update(opinion or {})
        required = [kind.name for kind in kinds if kind.required]
        if required and not reason:
            # declined although a sentence gives the kind of answer asked for: it gives it about something else
            reason = f"the passages that give a {required[0]} are not about what is asked"
        return Candidate(scored, coverage, features, reason)

    def compose_answer(
        self, question: Question, scored: list[ScoredSentence], coverage: QueryCoverage, passages: Sequence[Passage],
        evidence: float,
    ) -> Answer:
        typed = [kind for kind in wanted_types(question.text) if kind.bonus]
        if typed and any(kind.given(question.text, scored[0].span.text) for kind in typed):
            # A date or a phone number answers alone: no neighbouring sentence that gives none.
            scored = [s for s in scored if any(kind.given(question.text, s.span.text) for kind in typed)]
        chosen = self.choose(scored)
        said = [
            s for s in chosen
            if s.span.text not in (s.passage.chunk.title, s.passage.chunk.section) and not in_front_matter(s.passage.chunk, s.span)
        ]
        if said and not typed:
            chosen = said  # a title, heading or dateline beside sentences that say something adds nothing
        if chosen[0].span.text.endswith(":"):
            chosen = [chosen[0], *items_after(chosen[0], self.max_sentences - 1, passages, self.whole_lists)]
        asked = frozenset(t for term in coverage.terms for t in equivalent_terms(term))
        conflicts = find_conflicts(chosen[0], self.conflict_candidates(coverage, passages), asked)
        if conflicts:
            return compose_conflict(chosen[0], conflicts, evidence)
        return compose(chosen, evidence)

    def second_opinion(self, question: Question, sentences: Sequence[ScoredSentence]) -> list[Likelihood]:
        """The language model's reading of each sentence under its section heading (a speaker's turn is often named
        only there): how far it explains the question. One batch: the model's cost is reading its weights, so a
        few sentences cost little more than one."""
        assert self.likelihood is not None
        return self.likelihood.score(question.standalone, [situated_sentence(s) for s in sentences])

    def reconsidered(self, question: Question, scored: list[ScoredSentence]) -> tuple[list[ScoredSentence], dict[str, float]]:
        """The close contenders for the best sentence (within the band ``choose`` quotes from) re-ordered by their
        score plus ``likelihood_weight`` times the model's gain, and the second-opinion features of the winner."""
        if self.likelihood is None:
            return scored, {}
        contenders = self.contenders if self.likelihood_weight else 1
        band = [s for s in scored[:contenders] if s.score >= 0.8 * scored[0].score]
        opinions = self.second_opinion(question, band)
        if self.likelihood_weight:
            order = sorted(
                range(len(band)), key=lambda i: band[i].score + self.likelihood_weight * opinions[i].mean_gain,
                reverse=True,
            )
            band, opinions = [band[i] for i in order], [opinions[i] for i in order]
            scored = band + scored[len(band):]
        best = opinions[0]
        return scored, {"likelihood_gain": best.mean_gain, "likelihood_low_gain": best.low_gain}

    def unmentioned_names(self, question: str) -> list[str]:
        """Names in the question that no document mentions ("European Central Bank", "Digital Services Act")."""
        return [name for name in proper_names(question) if not self.phrase_exists(search_terms(name))]

    # --- scoring ------------------------------------------------------------------------------

    def similarities(self, question: Question, passage: Passage, spans: Sequence[Span]) -> Sequence[float]:
        """Query-to-sentence similarity: stored at ingest; computed here only for an index built without it."""
        if len(passage.sentence_similarities) == len(spans):
            return passage.sentence_similarities
        if not spans or not len(question.query_vector):
            return [0.0] * len(spans)
        vectors = np.asarray(self.embed([span.text for span in spans]), dtype=np.float32)
        return [float(x) for x in vectors @ np.asarray(question.query_vector, dtype=np.float32)]

    def score_sentences(
        self, question: Question, coverage: QueryCoverage, passages: Sequence[Passage]
    ) -> list[ScoredSentence]:
        """Single sentences and adjacent pairs from the top passages, best first.

        A pair lets the answer quote "How can we … be prepared for new disruptions? It is essential to have a fluid
        collaboration" when the question's words are spread over two sentences of one paragraph.
        """
        wants_figure = bool(set(words(question.text)) & _FIGURE_WORDS)
        kinds = wanted_types(question.text)
        scored: list[ScoredSentence] = []
        for rank, passage in enumerate(passages[: self.passages_considered], start=1):
            chunk = passage.chunk
            header = chunk.situation()
            heading_at = heading_start(chunk)
            spans = sentence_spans(chunk.text, offset=chunk.start)
            similarities = self.similarities(question, passage, spans)
            candidates: list[tuple[Span, float, float, float]] = []
            for index, (span, similarity) in enumerate(zip(spans, similarities, strict=True)):
                weight = sentence_weight(span.text, chunk.section, wants_figure)
                items = list(takewhile(lambda s: is_fragment(s.text), spans[index + 1:index + 9]))
                if span.text.endswith(":") and items:
                    # A lead-in and the short lines it introduces ("…the challenges we face: changing economies,
                    # changing climate, changing attitudes") answer together; the lead-in alone says little.
                    block = Span(chunk.text[span.start - chunk.start:items[-1].end - chunk.start], span.start, items[-1].end)
                    candidates.append((block, float(similarity), max(weight, 0.75), 1.0))
                    weight *= 0.8
                candidates.append((span, float(similarity), weight, 1.0))
                if is_fragment(span.text) and any(kind.bonus and kind.given(question.text, span.text) for kind in kinds):
                    # A phone number or a date is quoted with the lines that say whose or what it is.
                    for labels in (1, 2):
                        if index >= labels and all(is_fragment(s.text) for s in spans[index - labels:index]):
                            start = spans[index - labels].start
                            block = Span(chunk.text[start - chunk.start:span.end - chunk.start], start, span.end)
                            candidates.append((block, float(similarity), 0.75, self.pair_discount))
            for (first, sim_a), (second, sim_b) in zip(zip(spans, similarities), zip(spans[1:], similarities[1:])):
                if "\n" in chunk.text[first.end - chunk.start:second.start - chunk.start]:
                    continue
                second_weight = sentence_weight(second.text, chunk.section, wants_figure)
                # a question and the sentence answering it read together at the answer's weight
                first_weight = second_weight if first.text.endswith("?") else sentence_weight(first.text, chunk.section, wants_figure)
                weight = min(first_weight, second_weight)
                text = chunk.text[first.start - chunk.start:second.end - chunk.start]
                candidates.append((Span(text, first.start, second.end), max(sim_a, sim_b), weight, self.pair_discount))
            for span, similarity, weight, discount in candidates:
                given = [kind for kind in kinds if kind.given(question.text, span.text)]
                if weight == 0.0 and any(kind.bonus for kind in given) and not looks_like_instruction(span.text):
                    weight = 0.75  # "Mobile: +34 650410080" is short, but it is what "what is her phone number" wants
                if weight == 0.0 or not coverage.adds_to_question(span.text):
                    continue
                front = in_front_matter(chunk, span)
                situated = header if span.start >= heading_at else (chunk.context or "")
                context = f"{chunk.title}\n{situated}" if front else situated
                if span.text.startswith("|"):
                    context += "\n" + table_header(chunk, span)  # "| Poland | … | 60 |" is read under its columns
                lexical = coverage.coverage(span.text, context)
                if front and similarities and any(kind.bonus for kind in kinds):
                    # "Brussels, 12 March 2021" means little alone; under the title it is the paper's date (for a
                    # question asking a date or an addressee, not for "who was re-elected at <the meeting>").
                    similarity = max(similarity, float(similarities[0]))
                score = discount * weight * (0.5 * lexical + 0.5 * similarity) + 0.08 / rank
                if wants_figure and any(c.isdigit() for c in span.text):
                    score += 0.05
                score += sum(kind.bonus for kind in given)
                if chunk.source in question.referenced_sources:
                    score += 0.1
                scored.append(ScoredSentence(rank, passage, span, lexical, similarity, score))
        scored.sort(key=lambda s: s.score, reverse=True)
        return scored

    def choose(self, scored: Sequence[ScoredSentence]) -> list[ScoredSentence]:
        best = scored[0]
        chosen = [best]
        for candidate in scored[1:]:
            if len(chosen) >= self.max_sentences or candidate.score < 0.8 * best.score:
                break
            if any(_overlaps(candidate, other) for other in chosen):
                continue
            chosen.append(candidate)
        return chosen

    def conflict_candidates(self, coverage: QueryCoverage, passages: Sequence[Passage]) -> list[ScoredSentence]:
        """Every sentence with a figure in the retrieved passages, scored by coverage alone (no embedding)."""
        found = []
        for rank, passage in enumerate(passages, start=1):
            for span in sentence_spans(passage.chunk.text, offset=passage.chunk.start):
                if any(c.isdigit() for c in span.text):
                    lexical = coverage.coverage(span.text)
                    found.append(ScoredSentence(rank, passage, span, lexical, 0.0, lexical))
        return found


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
    if not items:
        return [replace(lead_in, span=span, score=lead_in.score * 0.9) for span in following[:count]]
    chosen = [replace(lead_in, span=span, score=lead_in.score * 0.9) for span in items]
    continuations = {
        p.chunk.ordinal: p for p in passages
        if p.chunk.source == passage.chunk.source and p.chunk.context and lead_in.span.text.startswith(p.chunk.context)
    }
    ordinal = passage.chunk.ordinal + 1
    while ordinal in continuations and len(chosen) < LIST_ITEMS_QUOTED and items[-1].end == following[-1].end:
        passage = continuations[ordinal]
        following = _said_after(passage.chunk, passage.chunk.start)
        items = _list_items(passage.chunk, following)
        if not items:
            break
        chosen += [replace(lead_in, passage=passage, span=span, score=lead_in.score * 0.9) for span in items]
        ordinal += 1
    return chosen[:LIST_ITEMS_QUOTED]


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
            items[-1] = Span(chunk.text[start - chunk.start:span.end - chunk.start], start, span.end)
        else:
            break
    return items


def _figure_words(text: str) -> set[str]:
    return {t for t in search_terms(text) if not t.isdigit()}


def _figures(text: str) -> set[str]:
    return {number_key(n) for n in iter_numbers(text)}


_WITHIN_A_COUNT = frozenset({"of", "our", "their", "the", "most", "more", "than"})
_MULTIPLIERS = frozenset({"million", "billion", "thousand", "hundr", "mio", "bn"})


def counted_things(text: str) -> dict[str, set[str]]:
    """What each figure counts: the content words just after it ("15 National Cluster Associations" → associ, …;
    "134,000 of our most innovative businesses" → busi) mapped to the figures that count them."""
    counted: dict[str, set[str]] = {}
    for match in re.finditer(r"\d+(?:[.,]\d+)*", text):
        rest_of_line = text[match.end():match.end() + 60].split("\n", 1)[0]
        following = re.findall(r"[^\W\d_][\w'’-]*|[,;:.()|]", rest_of_line)
        for token in following[:6]:
            terms = search_terms(token)
            if token in ",;:.()|" or (not terms and token.lower() not in _WITHIN_A_COUNT):
                break  # "2021-2027 and its budget": the figure counts nothing after "and"
            for term in terms:
                if term not in _MULTIPLIERS:
                    counted.setdefault(term, set()).add(number_key(match.group().rstrip(".,")))
    return counted


def differs_on_asked(best: str, other: str, asked: frozenset[str]) -> bool:
    """Both sentences count one of the things the question asks about, with different figures."""
    mine, theirs = counted_things(best), counted_things(other)
    return any(term in mine and term in theirs and mine[term] != theirs[term] for term in asked)


def find_conflicts(
    best: ScoredSentence, candidates: Sequence[ScoredSentence], asked: frozenset[str] = frozenset(), limit: int = 4
) -> list[ScoredSentence]:
    """Sentences of other documents that state the same thing as ``best`` with different figures.

    Same thing: most of the shorter sentence's words are in the other one, or both count what the question asks
    about ("15 National Cluster Associations" against "12 National Cluster Associations"); different figures: each
    side has a number the other lacks (so "2021-2027" beside "2021-2027 and 2021-2023" is not a conflict).
    """
    figures = _figures(best.span.text)
    if not figures:
        return []
    vocabulary = _figure_words(best.span.text)
    conflicts: list[ScoredSentence] = []
    seen_figures = [figures]
    seen_sources = {best.passage.chunk.source}
    for candidate in sorted(candidates, key=lambda c: c.score, reverse=True):
        if candidate.passage.chunk.source in seen_sources or candidate.lexical < 0.5 * best.lexical:
            continue
        other = _figures(candidate.span.text)
        words_other = _figure_words(candidate.span.text)
        shared = len(vocabulary & words_other) / max(1, min(len(vocabulary), len(words_other)))
        same_thing = shared >= 0.6 or differs_on_asked(best.span.text, candidate.span.text, asked)
        if not same_thing or not (figures - other) or not (other - figures):
            continue
        if any(other == known for known in seen_figures):
            continue
        seen_figures.append(other)
        seen_sources.add(candidate.passage.chunk.source)
        conflicts.append(candidate)
        if len(conflicts) == limit - 1:
            break
    return conflicts


def _overlaps(a: ScoredSentence, b: ScoredSentence) -> bool:
    """Same words (the annex repeats the position paper) or the same place."""
    if a.passage.chunk.source == b.passage.chunk.source and a.span.start < b.span.end and b.span.start < a.span.end:
        return True
    words_a, words_b = set(words(a.span.text)), set(words(b.span.text))
    return len(words_a & words_b) >= 0.8 * min(len(words_a), len(words_b))


def _citation(sentence: ScoredSentence, n: int) -> Citation:
    chunk = sentence.passage.chunk
    return Citation(
        n=n, source=chunk.source, title=chunk.title, page=chunk.page, section=chunk.section, quote=sentence.span.text,
        date=chunk.date, kind=chunk.kind, chunk_id=chunk.id, start=sentence.span.start, end=sentence.span.end,
        passage=chunk.text,
    )


def compose_conflict(best_sentence: ScoredSentence, conflicts: Sequence[ScoredSentence], evidence: float) -> Answer:
    """The best-supported sentence first, as the answer to any question starts, then the other documents' figures,
    each quoted with its document and date (the most recent first, undated last), instead of silently picking one."""
    answer = compose([best_sentence], evidence)
    best = best_sentence.passage.chunk
    dated = sorted((s for s in conflicts if s.passage.chunk.date), key=lambda s: s.passage.chunk.date or "", reverse=True)
    ordered = [*dated, *(s for s in conflicts if not s.passage.chunk.date)]
    citations = list(answer.citations)
    parts = [answer.text, f"Other documents give different figures (the above is from {best.title}, {best.date or 'undated'}):"]
    for sentence in ordered:
        citation = _citation(sentence, len(citations) + 1)
        citations.append(citation)
        parts.append(_conflict_line(citation))
    return Answer(
        text="\n\n".join(parts), answerable=True, citations=citations, evidence=evidence, notices=[CONFLICT_NOTICE],
    )


CONFLICT_NOTICE = "Conflicting figures: the documents disagree; check which document and date you need."


def _conflict_line(citation: Citation) -> str:
    """One document's figure: its title and date, the quoted sentence and its marker."""
    return f"{citation.title} ({citation.date or 'undated'}): “{inert_markers(citation.quote)}” [{citation.n}]"


def add_missing_conflicts(answer: Answer, offline: Answer) -> Answer:
    """A model's answer that gives one figure where the offline check found the documents disagreeing: the other
    documents' figures are added, quoted and cited, so no figure is silently picked."""
    if CONFLICT_NOTICE not in offline.notices or not answer.answerable:
        return answer
    cited = {c.source for c in answer.citations}
    missing = [c for c in offline.citations if c.source not in cited]
    if not missing:
        return answer
    citations = list(answer.citations)
    parts = [answer.text, "The documents give different figures for this:"]
    for citation in missing:
        added = replace(citation, n=len(citations) + 1)
        citations.append(added)
        parts.append(_conflict_line(added))
    notices = [*answer.notices, CONFLICT_NOTICE]
    return replace(answer, text="\n\n".join(parts), citations=citations, notices=notices)


_MARKER_IN_SOURCE = re.compile(r"\[(\d{1,3})\]")


def inert_markers(quoted: str) -> str:
    """A "[7]" written inside a document is shown as "(7)" in the answer, so it can't pass for a citation.
    The citation's quote keeps the document's exact characters."""
    return _MARKER_IN_SOURCE.sub(r"(\1)", quoted)


def compose(chosen: Sequence[ScoredSentence], evidence: float) -> Answer:
    """Answer text of quoted sentences, each followed by its citation marker: the passage holding the best sentence
    first, and within a passage in reading order."""
    best_in_passage: dict[str, float] = {}
    for sentence in chosen:
        chunk_id = sentence.passage.chunk.id
        best_in_passage[chunk_id] = max(best_in_passage.get(chunk_id, sentence.score), sentence.score)
    numbers: dict[tuple[str, int], int] = {}
    citations: list[Citation] = []
    parts: list[str] = []
    for sentence in sorted(chosen, key=lambda s: (-best_in_passage[s.passage.chunk.id], s.span.start)):
        key = (sentence.passage.chunk.id, sentence.span.start)
        if key not in numbers:
            numbers[key] = len(numbers) + 1
            citations.append(_citation(sentence, numbers[key]))
        parts.append(f"{inert_markers(sentence.span.text)} [{numbers[key]}]")
    return Answer(text=" ".join(parts), answerable=True, citations=citations, evidence=evidence)
