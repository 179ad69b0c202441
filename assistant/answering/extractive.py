"""The offline answerer: quotes the sentences of the top passages that answer, each with its citation; a fitted
classifier decides answered, unsure or declined (``absence``), lists are quoted whole (``lists``), disagreeing
figures shown side by side (``conflicts``)."""

from __future__ import annotations

import re
from collections.abc import Callable, Sequence
from dataclasses import dataclass, replace
from itertools import takewhile

import numpy as np

from assistant.answering.absence import (
    ABSENCE_FEATURES, OPINION_FEATURES, about_other_years, absent_years, decided_outcome, name_terms, named_speaker,
    naming_terms, situated_sentence, situated_text, speaks_in, without_dated_years, written_name_terms, years_in,
    years_its_document_gives,
)
from assistant.answering.answer_match import AnswerMatcher
from assistant.answering.conflicts import PEOPLE, compose_conflict, find_conflicts, latest_first, names_someone_else
from assistant.answering.language import offline_notice
from assistant.answering.lists import (
    continuation, items_after, listed_under_its_heading, premise,
)
from assistant.answering.outcomes import (
    Answer, Question, ScoredSentence, as_unsure, compose, decline, unsure, with_column_names,
)
from assistant.answering.query_likelihood import Likelihood, QueryLikelihood
from assistant.answering.sentence_scoring import (
    FIGURE_QUESTION_WORDS, heading_start, in_front_matter, overlaps, saying_first, sentence_weight,
)
from assistant.reading.chunking import Chunk
from assistant.search.answer_types import (
    asks_for_a_figure, gives_the_figure_asked, gives_the_place_asked, names_a_role, names_the_role_asked, wanted_types,
)
from assistant.search.conversation import looks_like_instruction
from assistant.search.lexical import DocumentFrequencies, QueryCoverage
from assistant.search.ranker import LinearModel
from assistant.search.retrieval import Passage
from assistant.text.names import places_missing, proper_names
from assistant.text.patterns import LETTERED_LIST_MARK, holds_contact
from assistant.text.sentences import Span, is_fragment, reading_of, sentence_spans
from assistant.text.terms import equivalent_terms, search_terms, words

Embedder = Callable[[list[str]], list[list[float]]]


def gives_what_is_required(question: str, sentence: ScoredSentence) -> bool:
    """Whether the sentence gives every kind of answer without which it cannot answer the question (an acronym's
    expansion, an e-mail address, a phone number, the place a "where" question asks, the date or the share a question
    asks for by name), names a role the question asks about as asked (not the Vice-President for the President), is
    not about other years than the question asks ("the accounts for 2020" for those of 2021), and comes from a passage
    that names every place the question names ("the General Assembly in Madrid" is not answered from a passage about
    the one in Lisbon). A table row is read under its column names."""
    read = sentence.read
    kinds_given = all(kind.given(question, read) for kind in wanted_types(question) if kind.required)
    return (
        kinds_given and gives_the_place_asked(question, read) and gives_the_figure_asked(question, read)
        and names_the_role_asked(question, read)
        and not about_other_years(question, read, counting_dates=False)
        and not places_missing(question, situated_text(sentence.passage.chunk))
    )


def only_a_heading(question: str, sentence: ScoredSentence) -> bool:
    """The sentence is its document's title or its section's heading, giving no kind of answer the question asks
    for: "Five questions for our Secretary General" names what the interview is about, not what worries her, and
    "Article 1 – Purpose" does not say what Article 4 says. (Questions about the document itself, its title or date,
    are answered from what is known of it before this.)"""
    chunk = sentence.passage.chunk
    return sentence.span.text in (chunk.title, chunk.section) and not _ASKS_A_TITLE.search(question) and not any(
        kind.given(question, sentence.read) for kind in wanted_types(question)
    )


_ASKS_A_TITLE = re.compile(r"\b(?:title[ds]?|called|named|headline|heading)\b", re.IGNORECASE)


def leads_into_a_list(chunk: Chunk, span: Span) -> bool:
    """A line ending in a colon right above a list item ("The Alliance recommends that the Fund:" / "(i) reserve
    …"): whatever its own words, the list under it is what it says."""
    after = chunk.text[span.end - chunk.start:].lstrip(" \t")
    return span.text.endswith(":") and after.startswith("\n") and bool(LETTERED_LIST_MARK.match(after.lstrip()))


@dataclass(frozen=True)
class Candidate:
    """The answer the extractive answerer would give, with what the decline classifier reads about it."""

    sentences: list[ScoredSentence]
    coverage: QueryCoverage
    features: dict[str, float]
    reason: str | None
    """Why to decline, when it declines: the most specific thing known."""


CLOSE_SHARE = 0.8
"""A sentence scoring at least this share of the best one's is a close contender: quoted beside it, and looked at
before the best is taken (for the year asked about, or by the language model's second opinion)."""


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
        matcher: AnswerMatcher | None = None,
        other_language_threshold: float | None = None,
    ) -> None:
        """``likelihood``: the language model's second opinion (its features are 0 without it);
        ``likelihood_weight``: how much its gain counts when choosing among the ``contenders`` best sentences;
        ``matcher``: reads whether the best sentence answers the question (its feature is 0 without it);
        ``other_language_threshold``: the answer threshold for a question searched word by word (None: the
        English one)."""
        self.other_language_threshold = other_language_threshold
        self.likelihood = likelihood
        self.matcher = matcher
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
            return self.answer_in_english_words(question, passages)
        found = self.candidate(question, passages)
        if isinstance(found, Answer):
            return found
        probability = self.probability(found)
        outcome = decided_outcome(
            probability, found.features, self.decline_threshold, self.decline_model.floor,
            gives_what_is_required(question.text, found.sentences[0])
            and not only_a_heading(question.text, found.sentences[0]),
        )
        if outcome == "answered":
            return self.compose_answer(question, found.sentences, found.coverage, passages, probability)
        if outcome == "declined":
            return decline(question.text, probability, reason=found.reason)
        return unsure(self.closest(question.text, found.sentences), probability)

    def answer_in_english_words(self, question: Question, passages: Sequence[Passage]) -> Answer:
        """A question in another language, searched in English words from a dictionary (``standalone``): answered
        when the classifier reaches the threshold fitted for such renderings, else the closest sentence is
        quoted — never declined, as an absence read from a word-by-word rendering would be the dictionary's, not the
        documents'."""
        notice = offline_notice(question.language)
        if question.standalone == question.text:
            return Answer(notice, False, mode=self.mode, unsure=True)
        english = replace(question, text=question.standalone, language="en")
        found = self.candidate(english, passages)
        if isinstance(found, Answer):
            return Answer(notice, False, mode=self.mode, unsure=True)
        probability = self.probability(found)
        threshold = self.decline_threshold if self.other_language_threshold is None else self.other_language_threshold
        if probability >= threshold and gives_what_is_required(english.text, found.sentences[0]):
            return self.compose_answer(english, found.sentences, found.coverage, passages, probability)
        return as_unsure(compose(self.closest(english.text, found.sentences)[:1], probability), self.mode, lead=notice)

    def closest(self, question: str, sentences: Sequence[ScoredSentence]) -> list[ScoredSentence]:
        """The sentences an unsure answer offers, closest first; a lead-in ("We therefore ask the Commission to:")
        is offered with the items it introduces, an item with the rest of the list under a heading that names what
        is asked, and a sentence with the next one when that one refers back to it (``continuation``), as one quote:
        alone they say less."""
        offered = saying_first(question, sentences)
        first = offered[0]
        section_list = listed_under_its_heading(question, first) if self.whole_lists else []
        if section_list:
            first, last = section_list[0], section_list[-1]
        elif first.span.text.endswith(":"):
            items = items_after(first, 0, (), self.whole_lists)  # those of its own passage: nothing else is given
            last = items[-1] if items else None
        else:
            last = continuation(first)
        if last is not None:
            offered = [replace(first, span=first.passage.chunk.span(first.span.start, last.span.end)), *offered[1:]]
        return offered

    def probability(self, found: Candidate) -> float:
        """The classifier's probability that the candidate's best sentence answers."""
        return float(self.decline_model.probabilities(self.decline_model.rows([found.features]))[0])

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
        decline whatever the evidence (no sentence, none in the document named).
        ``consult_model``: always read the language model's second opinion (to fit on it), not only where it can
        change the outcome."""
        unmentioned = self.unmentioned_names(question.text)
        coverage = QueryCoverage(
            question.text, self.document_frequencies, question.history_text, name_terms(unmentioned, question.text),
            naming_terms(question, passages),
            written_name_terms(question.text, unmentioned, passages[: self.passages_considered]),
        )
        top = list(enumerate(passages[: self.passages_considered], start=1))
        scored = self.score_sentences(question, coverage, top)
        if not scored:
            return decline(question.text)
        # "… per the 2020 dialogue": a sentence whose passage (with its headings and date) names the year asked about
        # goes before one that doesn't, which would be a near miss ("before 30 June 2021" under "Work plan 2021").
        if years_in(question.text):
            scored = self.year_first(question, coverage, passages, scored)
        if asks_for_a_figure(question.text):
            # "What share of all jobs …": of the close contenders, one giving a share ("23.4% of total European
            # employment") goes before one that doesn't ("almost 122.000.000 jobs"), which could not be the answer
            top = scored[0].score
            scored = sorted(scored, key=lambda s: (
                s.score < CLOSE_SHARE * top or not gives_the_figure_asked(question.text, s.read)
            ))
        best_match = scored[0].passage.chunk.id
        kinds = wanted_types(question.text)
        reason = f"no document mentions {' or '.join(f'“{n}”' for n in unmentioned)}" if unmentioned else None
        moved = missing = False
        for kind in kinds:
            if kind.preferred:
                # "How long did it last" is better answered by a duration than by a start time: a sentence of the
                # best-matching passage that gives one goes first. Whether one was found is the classifier's to weigh,
                # not a reason to decline: the patterns miss "a two-year term" and "12 votes … 2 abstentions".
                typed = [s for s in scored if kind.given(question.text, s.read)]
                if not typed:
                    missing = True
                    reason = reason or f"no passage gives the {kind.name} asked for"
                    continue
                in_best = [s for s in typed if s.passage.chunk.id == best_match]
                if in_best:
                    first = {id(s) for s in in_best}
                    scored = in_best + [s for s in scored if id(s) not in first]
                else:
                    moved = True
                    article = "an" if kind.name[0] in "aeiou" else "a"
                    reason = reason or f"the passages that give {article} {kind.name} are not about what is asked"
        if question.referenced_sources:
            # "According to the annex": what another document says doesn't answer it.
            scored = [s for s in scored if s.passage.chunk.source in question.referenced_sources]
            if not scored:
                # its passages retrieved further down are read before the document is said not to answer
                further = [
                    (rank, p) for rank, p in enumerate(passages, start=1)
                    if rank > self.passages_considered and p.chunk.source in question.referenced_sources
                ]
                scored = self.score_sentences(question, coverage, further)
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
            "typed_answer_missing": float(missing),
            "speaker_absent": float(speaker_absent),
            "year_absent": float(bool(missing_years)),
            "answer_match": self.answer_match(question, best),
        }
        if opinion is None and self.likelihood is not None:
            if consult_model or self.outcome_may_change(features):
                _, opinion = self.reconsidered(question, scored)
            else:
                opinion = self.decline_model.neutral(OPINION_FEATURES)
        features.update(opinion or {})
        return Candidate(scored, coverage, features, reason)

    def year_first(
        self, question: Question, coverage: QueryCoverage, passages: Sequence[Passage], scored: list[ScoredSentence]
    ) -> list[ScoredSentence]:
        """Among the close contenders, a sentence whose passage (with its headings and date) names the year asked
        about goes first, and before it one that is not itself about other years ("the accounts for 2020" under
        "Accounts 2020 and budget 2021", asked about 2021's budget). When the best still lacks it, the retrieved
        passages further down that name it are read too ("Who was the President in 2020?": the 2020 minutes'
        passage), so that the year's absence is claimed only of what was retrieved."""
        lacking = {p.chunk.id for p in passages if absent_years(question.text, p.chunk)}

        def ordered(sentences: list[ScoredSentence]) -> list[ScoredSentence]:
            top = sentences[0].score
            contenders = [s for s in sentences if s.score >= CLOSE_SHARE * top and s.passage.chunk.id not in lacking]
            # where a contender is dated to the year asked ("took place in Prague on 8 November 2022"), one dated
            # only to other years ("will be held in Seville in November 2023") goes after it
            dated_as_asked = any(years_in(question.text) & years_in(s.read) for s in contenders)
            return sorted(sentences, key=lambda s: (
                s.score < CLOSE_SHARE * top or s.passage.chunk.id in lacking,
                about_other_years(question.text, s.read, counting_dates=False),
                dated_as_asked and about_other_years(question.text, s.read),
            ))

        first = ordered(scored)
        further = [
            (rank, p) for rank, p in enumerate(passages, start=1)
            if rank > self.passages_considered and p.chunk.id not in lacking
        ]
        if first[0].passage.chunk.id not in lacking or not further:
            return first
        read_further = self.score_sentences(question, coverage, further)
        return ordered(sorted([*scored, *read_further], key=lambda s: s.score, reverse=True))

    def compose_answer(
        self, question: Question, scored: list[ScoredSentence], coverage: QueryCoverage, passages: Sequence[Passage],
        evidence: float,
    ) -> Answer:
        kinds = wanted_types(question.text)
        given = [kind for kind in kinds if kind.given(question.text, scored[0].read)]
        if given:
            # A date, a phone number or a person's name answers alone: no neighbouring sentence that gives none, and
            # a title, heading or dateline that gives it is the answer ("To the Commissioner for Internal Market
            # <name>" says who the Commissioner is).
            scored = [s for s in scored if any(kind.given(question.text, s.read) for kind in given)]
        if any(kind.belongs_to_someone for kind in given):
            scored = [s for s in scored if s.passage.chunk.source == scored[0].passage.chunk.source]
        chosen = self.choose(scored, question.text)
        said = [
            s for s in chosen
            if s.span.text not in (s.passage.chunk.title, s.passage.chunk.section) and not in_front_matter(s.passage.chunk, s.span)
        ]
        if said and not given and not any(kind.bonus for kind in kinds):
            chosen = said  # a title, heading or dateline beside sentences that say something adds nothing
        section_list = listed_under_its_heading(question.text, chosen[0]) if self.whole_lists else []
        if section_list:
            chosen = section_list  # the heading is the list's lead-in, and names what is asked
        elif chosen[0].span.text.endswith(":"):
            chosen = [chosen[0], *items_after(chosen[0], self.max_sentences - 1, passages, self.whole_lists)]
        else:
            chosen = self.lead_in_with_its_items(chosen, passages)
            if not given and len(chosen) < self.max_sentences:
                following = continuation(chosen[0])
                if following and not any(overlaps(following, other) for other in chosen):
                    chosen = [chosen[0], following, *chosen[1:]]
        if not given and len(chosen) < self.max_sentences:
            drawn_from = premise(chosen[0])
            if drawn_from and not any(overlaps(drawn_from, other) for other in chosen):
                chosen = [chosen[0], drawn_from, *chosen[1:]]
        asks_about_someone = any(kind.name == "person" for kind in given) or names_a_role(question.text)
        if asks_about_someone and names_someone_else(chosen, question.text):
            # "Qui est le président ?" rendered "who that him president": the role names whom it is about even where
            # the question's form isn't read
            lead = max(chosen, key=lambda s: s.score)  # the sentence ``compose`` would quote first
            others = [s for s in chosen if s.passage.chunk.source != lead.passage.chunk.source]
            return compose_conflict(lead, others, evidence, PEOPLE)
        asked = frozenset(t for term in coverage.terms for t in equivalent_terms(term))
        # a sentence about another year than the question asks is no disagreement with the answer ("Forum 2023 –
        # Agenda" beside where the forum was held in 2022), as it is no answer beside it (``choose``)
        as_quoted = len(sentence_spans(chosen[0].span.text)) > 1  # the lead's two sentences, set against two
        candidates = [
            c for c in self.conflict_candidates(coverage, passages, as_quoted)
            if not about_other_years(question.text, c.read)
        ]
        conflicts = find_conflicts(chosen[0], candidates, asked)
        if conflicts:
            lead = latest_first(chosen[0], conflicts, scored, question.text)
            if lead is not chosen[0]:
                conflicts = find_conflicts(lead, [*candidates, chosen[0]], asked)
            return compose_conflict(lead, conflicts, evidence)
        return compose(with_column_names(chosen), evidence)

    def lead_in_with_its_items(self, chosen: list[ScoredSentence], passages: Sequence[Passage]) -> list[ScoredSentence]:
        """A lead-in quoted after the answer's first sentence ("We therefore ask the Commission to:") comes with the
        items it introduces, in place of what was chosen after it; without them it is left out, as a quote cut off."""
        for index, sentence in enumerate(chosen[1:], start=1):
            if sentence.span.text.endswith(":"):
                items = items_after(sentence, self.max_sentences - 1 - index, passages, self.whole_lists)
                return [*chosen[:index], *([sentence, *items] if items else [])]
        return chosen

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
        band = [s for s in scored[:contenders] if s.score >= CLOSE_SHARE * scored[0].score]
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

    def answer_match(self, question: Question, sentence: ScoredSentence) -> float:
        if self.matcher is None:
            return 0.0
        asked = without_dated_years(question.standalone, sentence.passage.chunk)
        return float(self.matcher.scores(asked, [situated_sentence(sentence)])[0])

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
        read = [reading_of(passage.chunk.text, span, passage.chunk.start) for span in spans]
        vectors = np.asarray(self.embed(read), dtype=np.float32)
        return [float(x) for x in vectors @ np.asarray(question.query_vector, dtype=np.float32)]

    def score_sentences(
        self, question: Question, coverage: QueryCoverage, ranked: Sequence[tuple[int, Passage]]
    ) -> list[ScoredSentence]:
        """Single sentences and adjacent pairs of the passages given with their ranks, best first.

        A pair lets the answer quote "How can we … be prepared for new disruptions? It is essential to have a fluid
        collaboration" when the question's words are spread over two sentences of one paragraph.
        """
        wants_figure = bool(set(words(question.text)) & FIGURE_QUESTION_WORDS)
        kinds = wanted_types(question.text)
        scored: list[ScoredSentence] = []
        for rank, passage in ranked:
            chunk = passage.chunk
            named = chunk.source in question.referenced_sources
            header = chunk.situation()
            heading_at = heading_start(chunk)
            # "the surplus in 2024" is said by "leaving a surplus of EUR 70,000" in the Annual Report 2024: the
            # document's title (or its date, where the question names it by it) gives each sentence the year
            dated_years = sorted(years_its_document_gives(question.text, chunk))
            spans = sentence_spans(chunk.text, offset=chunk.start)
            similarities = self.similarities(question, passage, spans)
            candidates: list[tuple[Span, float, float, float]] = []
            for index, (span, similarity) in enumerate(zip(spans, similarities, strict=True)):
                weight = sentence_weight(span.text, chunk.section, wants_figure)
                items = list(takewhile(lambda s: is_fragment(s.text), spans[index + 1:index + 9]))
                if span.text.endswith(":") and items:
                    # A lead-in and the short lines it introduces ("…the challenges we face: changing economies,
                    # changing climate, changing attitudes") answer together; the lead-in alone says little.
                    block = chunk.span(span.start, items[-1].end)
                    candidates.append((block, float(similarity), max(weight, 0.75), 1.0))
                    weight *= 0.8
                candidates.append((span, float(similarity), weight, 1.0))
                if is_fragment(span.text) and any(kind.bonus and kind.given(question.text, span.text) for kind in kinds):
                    # A phone number or a date is quoted with the lines that say whose or what it is; another
                    # person's contact entry above (one unit with its own name) is no label of it.
                    for labels in (1, 2):
                        above = spans[index - labels:index]
                        if index >= labels and all(is_fragment(s.text) and not holds_contact(s.text) for s in above):
                            start = spans[index - labels].start
                            block = chunk.span(start, span.end)
                            candidates.append((block, float(similarity), 0.75, self.pair_discount))
            for (first, sim_a), (second, sim_b) in zip(zip(spans, similarities), zip(spans[1:], similarities[1:])):
                if "\n" in chunk.text[first.end - chunk.start:second.start - chunk.start]:
                    continue
                second_weight = sentence_weight(second.text, chunk.section, wants_figure)
                # a question and the sentence answering it read together at the answer's weight
                first_weight = second_weight if first.text.endswith("?") else sentence_weight(first.text, chunk.section, wants_figure)
                weight = min(first_weight, second_weight)
                pair = chunk.span(first.start, second.end)
                candidates.append((pair, max(sim_a, sim_b), weight, self.pair_discount))
            for span, similarity, weight, discount in candidates:
                read = reading_of(chunk.text, span, chunk.start)
                given = [kind for kind in kinds if kind.given(question.text, read)]
                if weight == 0.0 and any(kind.bonus for kind in given) and not looks_like_instruction(span.text):
                    weight = 0.75  # "Mobile: +34 650410080" is short, but it is what "what is her phone number" wants
                if weight == 0.0 or not (coverage.adds_to_question(span.text) or leads_into_a_list(chunk, span)):
                    continue  # a line only repeating the question, unless the list it leads into says what's asked
                front = in_front_matter(chunk, span)
                situated = header if span.start >= heading_at else (chunk.context or "")
                if not chunk.section and chunk.ordinal == 0:  # under no heading but the title
                    situated = "\n".join(part for part in (chunk.title, situated) if part)
                context = "\n".join([f"{chunk.title}\n{situated}" if front else situated, *dated_years])
                lexical = coverage.coverage(read, context)
                # In the document the question names ("… in its Single Market Programme paper"), the words naming it
                # are said by every sentence: choose among them by the rest. The answer classifier keeps reading the
                # coverage it was fitted on.
                choosing = coverage.coverage(
                    read, f"{chunk.title}\n{context}" if named and not front else context, capped=False
                )
                if any(kind.required for kind in given):
                    # "What is the policy officer's e-mail address?": to the answer classifier, a line giving one
                    # says "e-mail address" by giving it (the choice among such lines stays with their own words)
                    lexical = coverage.coverage("\n".join([read, *(k.name for k in given if k.required)]), context)
                if front and similarities and any(kind.bonus for kind in kinds):
                    # "Brussels, 12 March 2021" means little alone; under the title it is the paper's date (for a
                    # question asking a date or an addressee, not for "who was re-elected at <the meeting>").
                    similarity = max(similarity, float(similarities[0]))
                score = discount * weight * (0.5 * choosing + 0.5 * similarity) + 0.08 / rank
                if wants_figure and any(c.isdigit() for c in read):
                    score += 0.05
                score += sum(kind.bonus for kind in given)
                if named:
                    score += 0.1
                scored.append(ScoredSentence(rank, passage, span, lexical, similarity, score))
        scored.sort(key=lambda s: s.score, reverse=True)
        return scored

    def choose(self, scored: Sequence[ScoredSentence], question: str) -> list[ScoredSentence]:
        """The best sentence and the close ones beside it that add something: not the same words, not another year
        than the question asks about ("the accounts for 2020" beside "the budget for 2021")."""
        best = scored[0]
        chosen = [best]
        for candidate in scored[1:]:
            if len(chosen) >= self.max_sentences or candidate.score < CLOSE_SHARE * best.score:
                break
            if any(overlaps(candidate, other) for other in chosen):
                continue
            if about_other_years(question, candidate.read):
                continue
            chosen.append(candidate)
        return chosen

    def conflict_candidates(
        self, coverage: QueryCoverage, passages: Sequence[Passage], pairs: bool = False
    ) -> list[ScoredSentence]:
        """Every sentence with a figure in the retrieved passages, scored by coverage alone (no embedding); with
        ``pairs``, every two sentences of a paragraph too, as the answer quotes them (the funding asked for and its
        budget)."""
        found = []
        for rank, passage in enumerate(passages, start=1):
            chunk = passage.chunk
            spans = sentence_spans(chunk.text, offset=chunk.start)
            together = [
                chunk.span(first.start, second.end) for first, second in zip(spans, spans[1:])
                if pairs and "\n" not in chunk.text[first.end - chunk.start:second.start - chunk.start]
            ]
            for span in [*spans, *together]:
                read = reading_of(passage.chunk.text, span, passage.chunk.start)
                if any(c.isdigit() for c in read):
                    lexical = coverage.coverage(read)
                    found.append(ScoredSentence(rank, passage, span, lexical, 0.0, lexical))
        return found
