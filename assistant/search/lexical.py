"""IDF-weighted coverage of a question's words by a piece of text: the lexical signal of reranking and answering."""

from __future__ import annotations

import math
import re
from collections.abc import Callable, Sequence

from assistant.text.terms import equivalent_terms, search_terms

DocumentFrequencies = Callable[[Sequence[str]], tuple[dict[str, int], int]]
"""Given stemmed terms, returns how many chunks hold each, and the number of chunks."""


class QueryCoverage:
    """How much of a question's (rare) vocabulary a text contains, in [0, 1]."""

    def __init__(
        self,
        query: str,
        document_frequencies: DocumentFrequencies,
        context: str = "",
        absent_terms: frozenset[str] = frozenset(),
        naming_terms: frozenset[str] = frozenset(),
        name_words: frozenset[str] = frozenset(),
    ) -> None:
        """``absent_terms``: words of a name the corpus never mentions ("Digital Services Act"); finding "digital"
        or "services" alone is no evidence, so they count as words the corpus doesn't use. ``naming_terms``: words
        that only name the document asked about (its title, written out in the question); they say nothing about
        which of its sentences answers, so they are not counted. ``name_words``: words of a name the question asks
        about ("Just Transition Fund"), found in a text only where it writes them as a name, capitalised: "the
        digital transition" says nothing of the fund."""
        self.asked = list(dict.fromkeys(search_terms(query)))
        self.terms = [t for t in self.asked if t not in naming_terms] or self.asked
        self.context_terms = [t for t in dict.fromkeys(search_terms(context)) if t not in self.asked]
        self.alternatives = {
            t: () if t in absent_terms else equivalent_terms(t) for t in self.asked + self.context_terms
        }
        frequencies, total = document_frequencies([a for group in self.alternatives.values() for a in group])
        # A term with equivalents is as common as its most common form.
        self.frequencies = {
            t: max((frequencies.get(a, 0) for a in group), default=0) for t, group in self.alternatives.items()
        }
        self.idf = {t: math.log((total + 1) / (self.frequencies[t] + 0.5)) for t in self.alternatives}
        self._total = sum(self.idf[t] for t in self.terms) or 1.0
        self._asked_total = sum(self.idf[t] for t in self.asked) or 1.0
        self._context_total = sum(self.idf[t] for t in self.context_terms) or 1.0
        self.name_words = name_words & set(self.asked)

    def coverage(self, text: str, extra: str = "", capped: bool = True) -> float:
        """Share of the question's idf mass found in ``text`` (and ``extra``, e.g. its section heading); the words of
        the earlier questions (``context``) at half weight. Not ``capped`` at 1, it still tells apart two
        texts that hold all of a follow-up's own words by how much of its subject they hold."""
        written = f"{text}\n{extra}" if extra else text
        present = set(search_terms(written))
        found = {t for t, group in self.alternatives.items() if any(a in present for a in group)}
        if self.name_words & found:
            found -= self.name_words - set(search_terms(capitalised_words(written)))
        score = sum(self.idf[t] for t in self.terms if t in found) / self._total
        if self.context_terms:
            score += 0.5 * sum(self.idf[t] for t in self.context_terms if t in found) / self._context_total
        return min(score, 1.0) if capped else score

    def coverage_beyond(self, text: str, extra: str, known: str) -> float:
        """Share of the idf mass of the question's words that ``known`` (a document's title) lacks, found in ``text``
        and ``extra``: the words that tell the passages of one document apart ("closing remarks" in a question that
        also names the whole event)."""
        known_terms = set(search_terms(known))
        rest = [t for t, group in self.alternatives.items() if t in self.terms and not known_terms.intersection(group)]
        total = sum(self.idf[t] for t in rest)
        if not total:
            return 0.0
        present = set(search_terms(f"{text}\n{extra}"))
        return sum(self.idf[t] for t in rest if any(a in present for a in self.alternatives[t])) / total

    def adds_to_question(self, text: str) -> bool:
        """Does the text say anything besides the question's own words? A line that only repeats them (the name
        asked about, a heading) can't be the answer."""
        asked = {a for group in self.alternatives.values() for a in group}
        return any(term not in asked for term in search_terms(text))

    def unknown_terms(self) -> list[str]:
        """Question words that no chunk of the corpus contains."""
        return [t for t in self.asked if self.frequencies.get(t, 0) == 0]

    def unknown_share(self) -> float:
        """Share of the question's idf mass carried by words no chunk contains."""
        return sum(self.idf[t] for t in self.unknown_terms()) / self._asked_total


_WORD_AS_WRITTEN = re.compile(r"[^\W_][\w'’-]*")


def capitalised_words(text: str) -> str:
    """The words of ``text`` written with a capital, as a name's are."""
    return " ".join(word for word in _WORD_AS_WRITTEN.findall(text) if word[0].isupper())
