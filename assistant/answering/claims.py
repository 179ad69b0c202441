"""Does a claim say what its evidence says? Names, figures, dates and negation aligned; the rest supported.

A claim passes only when every name, figure (value, magnitude and unit), month and year it states is in the
sentence(s) it is checked against — not in the passage's title or another sentence — its negation agrees with
theirs, and (for an English claim) a fitted classifier finds the rest of its words supported there. Claims in
another language are held to the same names, figures, dates and negation against the English sentence.
"""

from __future__ import annotations

import math
import re
import unicodedata
from collections.abc import Callable, Sequence, Set
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

import numpy as np

from assistant.search.lexical import DocumentFrequencies
from assistant.search.ranker import LinearModel
from assistant.text.numbers import MONTH_OF
from assistant.text.terms import search_terms
from assistant.text.wordlists import CARDINALS, STOP_WORDS

SUPPORT_FEATURES = ("coverage", "soft_coverage", "similarity", "unsupported_terms", "unsupported_run")

_TOKEN = re.compile(r"[^\W_]+", re.UNICODE)
_MAGNITUDES = {
    3: "thousand thousands k tausend mille mil mila tys tysiąc tysięcy tysiące",
    6: "million millions mln mio m millionen millones millón milioni milione milionów miliony milion",
    9: "billion billions bn mrd md milliard milliards milliarden miliardi miliardo mld miliard miliardów miliardy",
}
_UNITS = {
    "%": "% percent per-cent prozent procent pourcent porcentaje percento",
    "EUR": "eur € euro euros",
    "USD": "usd $ dollar dollars dollari dólares dólar dolarów dolary",
    "GBP": "gbp £ pound pounds",
    "year": "year years yearly annual jahr jahre jahren an ans année années año años anno anni rok lata lat",
    "month": "month months monthly monat monate monaten mois mes meses mese mesi miesiąc miesiące miesięcy",
    "week": "week weeks woche wochen semaine semaines semana semanas settimana settimane tydzień tygodnie",
    "day": "day days tag tage tagen jour jours día días giorno giorni dzień dni",
    "hour": "hour hours stunde stunden heure heures hora horas ora ore godzina godziny",
}
# "without" and its kin are left out: "than firms without cluster support" is kept in faithful paraphrases.
_NEGATIONS = frozenset(
    """not no never none nobody nothing neither nor cannot nt
    ne pas jamais aucun aucune personne rien non
    nicht kein keine keinen keinem keiner nie niemals
    nunca ningún ninguna ninguno jamás tampoco
    mai nessun nessuno nessuna niente
    nigdy żaden żadna żadne""".split()
)


_MAGNITUDE_OF = {word: power for power, words in _MAGNITUDES.items() for word in words.split()}
_UNIT_OF = {word: unit for unit, words in _UNITS.items() for word in words.split()}
_NUMBER = re.compile(
    r"(?<![\w.,])(\d{1,3}(?:[ \u00a0\u202f]\d{3})+(?![\d.,]\d)|\d+(?:[.,]\d+)*)(?:st|nd|rd|th)?(?!\w)"
)


def fold(text: str) -> str:
    return unicodedata.normalize("NFKC", text).casefold()


@dataclass(frozen=True)
class Figure:
    value: float
    unit: str | None
    written: str


def parse_number(written: str) -> float:
    """"61,8" and "61.8" are 61.8; "134,000", "112.000" and "96 000" are thousands; "122.000.000" is 122 million."""
    compact = re.sub(r"[ \u00a0\u202f]", "", written)
    groups = re.split(r"[.,]", compact)
    if len(groups) == 1:
        return float(compact)
    if len(groups) == 2 and len(groups[1]) != 3:
        return float(f"{groups[0]}.{groups[1]}")
    return float("".join(groups))


def figures(text: str) -> list[Figure]:
    """Figures with their magnitude folded in (61.8 million = 61800000) and their unit, when one is written."""
    found: list[Figure] = []
    lowered = fold(text)
    for match in _NUMBER.finditer(lowered):
        value = parse_number(match.group(1))
        before = lowered[max(0, match.start() - 12):match.start()]
        after = lowered[match.end():match.end() + 40]
        words_after = re.findall(r"[%€$£]|[^\W\d_]+", after)[:3]
        if words_after and words_after[0] in _MAGNITUDE_OF:
            value *= 10 ** _MAGNITUDE_OF[words_after[0]]
            words_after = words_after[1:]
        unit = _unit_near(before, words_after)
        found.append(Figure(value, unit, match.group(0)))
    for match in re.finditer(r"\b(" + "|".join(CARDINALS) + r")\b(?:[\s-]+([^\W\d_]+))?", lowered):
        unit = _UNIT_OF.get(match.group(2) or "")
        found.append(Figure(float(CARDINALS.index(match.group(1))), unit, match.group(1)))
    return found


def _unit_near(before: str, words_after: list[str]) -> str | None:
    # "EUR 96,000", "€96,000", "96,000 euros", "23.4%", "23,4 %", "two-year term" (unit right after, or "de"/"of").
    for word in words_after[:2]:
        unit = _UNIT_OF.get(word)
        if unit:
            return unit
        if word not in ("of", "de", "d", "di", "del", "des", "per", "pro", "por", "w", "z"):
            break
    previous = re.findall(r"[%€$£]|[^\W\d_]+", before)
    if previous:
        unit = _UNIT_OF.get(previous[-1])
        if unit in ("EUR", "USD", "GBP"):
            return unit
    return None


def months(text: str) -> set[int]:
    return {MONTH_OF[word] for word in _TOKEN.findall(fold(text)) if word in MONTH_OF and len(word) > 3}


def negated(text: str) -> bool:
    words = re.findall(r"[^\W\d_]+", fold(text).replace("n't", " nt").replace("n’t", " nt"))
    return any(word in _NEGATIONS for word in words) or bool(re.search(r"\bn['’]", fold(text)))


@lru_cache(maxsize=4096)
def tokens_with_case(text: str) -> tuple[tuple[str, bool], ...]:
    """Word tokens and whether each starts a sentence (where a capital says nothing about being a name): first in
    the text, after a line break, after .!?:; or an opening quote or bracket."""
    result = []
    for match in _TOKEN.finditer(text):
        before = match.start() - 1
        line_break = False
        while before >= 0 and text[before].isspace():
            line_break = line_break or text[before] == "\n"
            before -= 1
        result.append((match.group(), before < 0 or line_break or text[before] in ".!?:;\"“("))
    return tuple(result)


@lru_cache(maxsize=1024)
def capitalized_words(text: str) -> frozenset[str]:
    """Words ``text`` writes with a capital where a capital means a name (not at a sentence's start)."""
    return frozenset(fold(t) for t, starts in tokens_with_case(text) if not starts and is_capitalized(t))


@lru_cache(maxsize=1024)
def lower_case_words(text: str) -> frozenset[str]:
    return frozenset(t for t, _ in tokens_with_case(text) if t.islower())


def is_capitalized(token: str) -> bool:
    return token[:1].isupper() or any(c.isupper() for c in token[1:]) or (any(c.isdigit() for c in token) and any(c.isalpha() for c in token))


def name_tokens(text: str, capitalized_elsewhere: Set[str]) -> list[str]:
    """Words written as names: capitalised mid-sentence, or at a sentence's start when the passages write them
    capitalised mid-sentence too ("Teodora", not "The")."""
    names = []
    for token, starts_sentence in tokens_with_case(text):
        if not is_capitalized(token) or token.isdigit():
            continue
        if starts_sentence and fold(token) not in capitalized_elsewhere:
            continue
        if fold(token) in STOP_WORDS and not token.isupper():
            continue  # "The", "Our": function words are never names, whatever a title capitalises
        names.append(token)
    return names


def same_word(a: str, b: str) -> bool:
    """The same name, allowing inflection ("Breton" / "Bretona", "Europe" / "European")."""
    a, b = fold(a), fold(b)
    if a == b:
        return True
    if min(len(a), len(b)) < 5:
        return False
    common = len(next((a[:i] for i in range(min(len(a), len(b)), 0, -1) if a[:i] == b[:i]), ""))
    return common >= max(5, min(len(a), len(b)) - 3)


def acronym_of(words: Sequence[str]) -> str:
    return "".join(w[0] for w in words if w and w[0].isupper())


@dataclass(frozen=True)
class ClaimCheck:
    kept: bool
    reason: str | None = None
    """What did not match, for the reader's notice."""
    support: float | None = None


class ClaimChecker:
    """Checks one claim against the sentence(s) it cites; ``context`` is the passages the model was given."""

    def __init__(
        self,
        embed: Callable[[list[str]], np.ndarray] | None = None,
        document_frequencies: DocumentFrequencies | None = None,
        support_model: LinearModel | None = None,
        word_exists: Callable[[str], bool] | None = None,
    ) -> None:
        self.embed = embed
        self.document_frequencies = document_frequencies
        self.support_model = support_model
        self.word_exists = word_exists
        self._vectors = lru_cache(maxsize=20_000)(self._vector)
        # One claim is weighed against every sentence of its passages: its idf weights are read once.
        self._weights = lru_cache(maxsize=4096)(self._term_weights)

    def forget(self) -> None:
        """Drop the idf weights read so far (the corpus changed)."""
        self._weights.cache_clear()

    def _vector(self, text: str) -> np.ndarray | None:
        if self.embed is None:
            return None
        return np.asarray(self.embed([text])[0], dtype=float)

    # --- hard checks -------------------------------------------------------------------------------

    def unmatched_names(self, claim: str, evidence: str, context: str, english: bool) -> list[str]:
        # a word the passages also write in lower case ("clusters" beside "European Clusters Alliance") is not a
        # name when it opens the claim's sentence
        capitalized = capitalized_words(context + "\n" + evidence) - lower_case_words(context + "\n" + evidence)
        evidence_words = [t for t, _ in tokens_with_case(evidence)]
        context_words = [t for t, _ in tokens_with_case(context)]
        claim_names = name_tokens(claim, capitalized)
        acronyms = {t for t in evidence_words if t.isupper() and len(t) > 1}
        missing: list[str] = []
        for group in _groups(claim, claim_names):
            if acronym_of(group) in acronyms and len(group) > 1:
                continue  # "European Clusters Alliance" where the sentence says "ECA"
            for token in group:
                if any(same_word(token, word) for word in evidence_words):
                    continue
                if not english and not self._known_name(token, context_words):
                    continue  # a German noun, a translated place name: not a name the documents use
                missing.append(token)
        return list(dict.fromkeys(missing))

    def _known_name(self, token: str, context_words: Sequence[str]) -> bool:
        if any(same_word(token, word) for word in context_words):
            return True
        return self.word_exists is not None and len(token) >= 4 and self.word_exists(fold(token)[: max(4, len(token) - 3)])

    @staticmethod
    def unmatched_figures(claim: str, evidence: str) -> list[str]:
        stated = figures(evidence)
        missing = []
        for figure in figures(claim):
            same_value = [f for f in stated if math.isclose(f.value, figure.value, rel_tol=1e-9)]
            if not same_value:
                missing.append(figure.written)
            elif not any(f.unit == figure.unit or (figure.unit is None and f.unit in ("year", "month", "week", "day", "hour", None)) for f in same_value):
                missing.append(figure.written + (f" {figure.unit}" if figure.unit else ""))
        return missing

    def check_facts(self, claim: str, evidence: str, context: str, english: bool) -> str | None:
        """The first fact of the claim its evidence doesn't state, as a reason; None when all agree."""
        names = self.unmatched_names(claim, evidence, context, english)
        if names:
            return f"the name {' '.join(names)} isn't in the cited sentence"
        numbers = self.unmatched_figures(claim, evidence)
        if numbers:
            return f"the figure {', '.join(numbers)} isn't in the cited sentence"
        if months(claim) - months(evidence):
            return "the date isn't the one in the cited sentence"
        if negated(claim) != negated(evidence):
            return "it says the opposite of the cited sentence" if negated(claim) else "the cited sentence says the opposite"
        role = swapped_role(claim, evidence, capitalized_words(context + "\n" + evidence))
        if role:
            return f"the cited sentence gives “{role}” to another name or figure"
        return None

    # --- support of the rest ---------------------------------------------------------------------

    def coverage(self, claim: str, evidence: str) -> float:
        """Share of the claim's idf-weighted words that the evidence holds."""
        claim_terms = frozenset(search_terms(claim))
        weights = self._weights(claim_terms)
        held = set(search_terms(evidence))
        return sum(weights[t] for t in claim_terms if t in held) / (sum(weights.values()) or 1.0)

    def support_features(self, claim: str, evidence: str) -> dict[str, float]:
        claim_terms = frozenset(search_terms(claim))
        evidence_terms = set(search_terms(evidence))
        weights = self._weights(claim_terms)
        total = sum(weights.values()) or 1.0
        present = sum(weights[t] for t in claim_terms if t in evidence_terms)
        missing = [t for t in claim_terms if t not in evidence_terms]
        soft = present
        if missing and evidence_terms and self.embed is not None:
            evidence_words = _content_words(evidence)
            if evidence_words:
                ev = np.stack([v for v in (self._vectors(w) for w in evidence_words) if v is not None])
                for term in missing:
                    word = next((w for w in _content_words(claim) if search_terms(w) == [term]), term)
                    vector = self._vectors(word)
                    if vector is not None:
                        soft += weights[term] * max(0.0, float(np.max(ev @ vector)))
        similarity = 0.0
        if self.embed is not None:
            a, b = self._vectors(claim), self._vectors(evidence)
            if a is not None and b is not None:
                similarity = float(a @ b)
        return {
            "coverage": present / total,
            "soft_coverage": soft / total,
            "similarity": similarity,
            "unsupported_terms": math.log1p(len(missing)),
            "unsupported_run": float(longest_run(search_terms(claim), evidence_terms)),
        }

    def _term_weights(self, terms: frozenset[str]) -> dict[str, float]:
        if self.document_frequencies is None:
            return dict.fromkeys(terms, 1.0)
        frequencies, total = self.document_frequencies(sorted(terms))
        return {t: math.log((total + 1) / (frequencies.get(t, 0) + 0.5)) for t in terms}

    def support(self, claim: str, evidence: str) -> float:
        """Probability that ``evidence`` supports the words of ``claim`` (the fitted classifier), or plain coverage."""
        features = self.support_features(claim, evidence)
        if self.support_model is None:
            return features["coverage"]
        return float(self.support_model.probabilities(self.support_model.rows([features]))[0])

    def supported(self, probability: float) -> bool:
        threshold = self.support_model.threshold if self.support_model is not None else 0.6
        return probability >= threshold

    def check(
        self, claim: str, evidence: str, context: str = "", english: bool = True, surroundings: str = ""
    ) -> ClaimCheck:
        """``surroundings``: what situates the evidence (its document's title, its heading, the sentences next to
        it). Names, figures, dates and negation must be in the evidence itself; the claim's other words may also be
        supported by what situates it: "The dialogue took place on 30 June 2020" rests on a dateline under the
        dialogue's title, "because they are close to the market" on the sentence that "Hence, …" continues."""
        reason = self.check_facts(claim, evidence, context, english)
        if reason:
            return ClaimCheck(False, reason)
        if not english:
            return ClaimCheck(True)
        probability = self.support(claim, evidence)
        if not self.supported(probability) and surroundings:
            probability = max(probability, self.support(claim, f"{surroundings}\n{evidence}"))
        if not self.supported(probability):
            return ClaimCheck(False, "the cited passage doesn't support it", probability)
        return ClaimCheck(True, None, probability)


def longest_run(terms: Sequence[str], present: set[str]) -> int:
    """The most consecutive content words missing from the evidence: an added clause is a run of them, a
    paraphrase's own words are scattered."""
    longest = current = 0
    for term in terms:
        current = current + 1 if term not in present else 0
        longest = max(longest, current)
    return longest


_DETERMINERS = frozenset("the a an le la les l der die das den dem des el los las il lo gli i".split())
_AGENTS = frozenset("by von par da por przez".split())


def _items(text: str, capitalized: Set[str]) -> list[tuple[str, object]]:
    """The text as names (runs of name words), figures, content words, function words and punctuation."""
    text = re.sub(r"(?<=\w)[-'’](?=\w)", " ", text)
    names = set(name_tokens(text, capitalized))
    items: list[tuple[str, object]] = []
    for match in re.finditer(r"\d+(?:[.,]\d+)*|[^\W\d_]+|[^\w\s]", text):
        token = match.group()
        if token[0].isdigit():
            items.append(("figure", parse_number(token)))
        elif token in names:
            if items and items[-1][0] == "name":
                items[-1] = ("name", items[-1][1] | {fold(token)})  # type: ignore[operator]
            else:
                items.append(("name", frozenset({fold(token)})))
        elif token.isalpha():
            word = fold(token)
            items.append(("function" if word in STOP_WORDS or word in _DETERMINERS or word in _AGENTS else "word", word))
        else:
            items.append(("punctuation", token))
    return items


def attachments(text: str, capitalized: Set[str]) -> list[tuple[str, object]]:
    """Which word each name or figure holds: a title or role right before a name ("moderator Teodora Jilkova"), the verb of a passive agent ("moderated by …"), the verb right after a name ("Jilkova moderated"),
    the first word after a figure ("3 from the digital sector")."""
    items = _items(text, capitalized)
    found: list[tuple[str, object]] = []
    for i, (kind, anchor) in enumerate(items):
        if kind == "name":
            j = i - 1  # right before, nothing between: "the moderator Teodora", not "presented the INNOSUP-1 project"
            if j >= 0 and items[j][0] == "word":
                found.append((str(items[j][1]), anchor))
            elif j >= 1 and items[j][1] in _AGENTS and items[j - 1][0] == "word":
                found.append((str(items[j - 1][1]), anchor))
            if i + 1 < len(items) and items[i + 1][0] == "word":
                found.append((str(items[i + 1][1]), anchor))
        elif kind == "figure":
            k = i + 1
            while k < len(items) and k <= i + 3 and items[k][0] == "function":
                k += 1
            if k < len(items) and items[k][0] == "word":
                found.append((str(items[k][1]), anchor))
    return found


def _same_anchor(a: object, b: object) -> bool:
    if isinstance(a, float) and isinstance(b, float):
        return math.isclose(a, b, rel_tol=1e-9)
    if isinstance(a, frozenset) and isinstance(b, frozenset):
        return any(same_word(x, y) for x in a for y in b)
    return False


def _same_role_word(a: str, b: str) -> bool:
    return a == b or search_terms(a) == search_terms(b) or (min(len(a), len(b)) >= 5 and a[:5] == b[:5])


def swapped_role(claim: str, evidence: str, capitalized: Set[str]) -> str | None:
    """A word the claim gives to one name (or figure) and the sentence gives only to another name (or figure):
    the two swapped ("moderated by Thierry Breton" against "the moderator Teodora Jilkova")."""
    stated = attachments(evidence, capitalized)
    for word, anchor in attachments(claim, capitalized):
        holders = [other for held, other in stated if _same_role_word(word, held) and type(other) is type(anchor)]
        if holders and not any(_same_anchor(anchor, other) for other in holders):
            return word
    return None


def _groups(text: str, names: Sequence[str]) -> list[list[str]]:
    """Runs of adjacent name words ("European Clusters Alliance"), in order."""
    wanted = set(names)
    groups: list[list[str]] = []
    current: list[str] = []
    for token, _ in tokens_with_case(text):
        if token in wanted:
            current.append(token)
        elif current and fold(token) in ("of", "for", "the", "de", "des", "du", "von", "der", "di", "del", "la"):
            continue
        else:
            if current:
                groups.append(current)
            current = []
    if current:
        groups.append(current)
    return groups


def _content_words(text: str) -> list[str]:
    return [w for w in re.findall(r"[^\W\d_]+", text.lower()) if w not in STOP_WORDS and len(w) > 2]


def load_support_model(path: Path) -> LinearModel | None:
    return LinearModel.load(path) if path.exists() else None
