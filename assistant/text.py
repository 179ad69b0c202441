"""Pure text helpers shared by ingestion, retrieval, answering and evaluation."""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterator
from dataclasses import dataclass
from functools import lru_cache

import snowballstemmer

_PLAIN_PUNCTUATION = str.maketrans(
    {
        "\u2018": "'", "\u2019": "'", "\u201a": "'", "\u201b": "'", "\u2032": "'",
        "\u201c": '"', "\u201d": '"', "\u201e": '"', "\u201f": '"', "\u2033": '"',
        "\u00ab": '"', "\u00bb": '"',
        "\u2010": "-", "\u2011": "-", "\u2012": "-", "\u2013": "-", "\u2014": "-", "\u2015": "-", "\u2212": "-",
        "\u00a0": " ", "\u00ad": "",
    }
)
_LINE_BREAK_HYPHEN = re.compile(r"(\w)-[ \t]*\n[ \t]*(\w)")
_WHITESPACE = re.compile(r"\s+")
MONTH_NAMES = (
    "january", "february", "march", "april", "may", "june",
    "july", "august", "september", "october", "november", "december",
)
WEEKDAY_NAMES = ("monday", "tuesday", "wednesday", "thursday", "friday", "saturday", "sunday")


def normalize_for_match(text: str) -> str:
    """The comparison form of FORMAT.md: NFKC, plain quotes and dashes, hyphenation joined, no `*`, collapsed, lower."""
    text = unicodedata.normalize("NFKC", text).translate(_PLAIN_PUNCTUATION)
    text = _LINE_BREAK_HYPHEN.sub(r"\1\2", text)
    text = text.replace("*", "")
    return _WHITESPACE.sub(" ", text).strip().lower()


def contains_verbatim(haystack: str, needle: str) -> bool:
    """True when ``needle`` occurs in ``haystack`` once both are normalised."""
    needle_norm = normalize_for_match(needle)
    return bool(needle_norm) and needle_norm in normalize_for_match(haystack)


# --- words -------------------------------------------------------------------------------------

STOP_WORDS = frozenset(
    """a about above after again against all also am an and any are aren as at be because been before being
    below between both but by can cannot could did do does doing don down during each few for from further
    had has have having he her here hers herself him himself his how i if in into is isn it its itself just
    let me more most my myself no nor not now of off on once only or other ought our ours ourselves out over
    own same shall she should so some such than that the their theirs them themselves then there these they
    this those through to too under until up upon very was we were what when where which while who whom why
    will with would you your yours yourself yourselves give tell say said says according please me mention
    mentioned document documents paper papers""".split()
) | frozenset(
    # What a drafter asks for rather than what it is about: "the exact sentence", "a citable quote".
    "quote quotes quoted quotation exact exactly sentence sentences wording verbatim citable passage passages".split()
) | frozenset(
    # The kind of answer wanted, which the answer itself doesn't say: "on what date" is answered by "27 October 2020".
    "date dates name named number numbers figure figures amount".split()
)

_WORD = re.compile(r"[^\W_]+(?:[.,'’][^\W_]+)*", re.UNICODE)


def words(text: str) -> list[str]:
    """Lower-case word tokens; numbers keep their inner separators (``134,000``, ``61.8``, ``2021-2027`` splits)."""
    folded = unicodedata.normalize("NFKC", text).translate(_PLAIN_PUNCTUATION).lower()
    return [w.replace("'", "") for w in _WORD.findall(folded)]


_BRITISH_ENDINGS = (
    (re.compile(r"isation(s?)$"), r"ization\1"),
    (re.compile(r"is(e|es|ed|ing)$"), r"iz\1"),
    (re.compile(r"yse(s|d)?$"), r"yze\1"),
    (re.compile(r"ence$"), r"ense"),
    (re.compile(r"our(s?)$"), r"or\1"),
    (re.compile(r"tre(s?)$"), r"ter\1"),
)


def spelling_key(word: str) -> str:
    """Fold British and American spellings to one key (``specialised`` ~ ``specialized``, ``defence`` ~ ``defense``).

    Applied to both the index and the query, so a collision only merges two rare spellings.
    """
    if len(word) < 6 or not word.isalpha():
        return word
    for pattern, replacement in _BRITISH_ENDINGS:
        folded = pattern.sub(replacement, word)
        if folded != word:
            return folded
    return word


@lru_cache(maxsize=200_000)
def stem(word: str) -> str:
    """English Snowball stem of a spelling-folded word; numbers and short acronyms are kept as written."""
    if not word.isalpha() or len(word) <= 3:
        return word
    return _STEMMER.stemWord(spelling_key(word))


_STEMMER = snowballstemmer.stemmer("english")


_ORDINAL = re.compile(r"\d+(?:st|nd|rd|th)")


def search_terms(text: str) -> list[str]:
    """Stemmed content words of ``text`` for keyword search and overlap: no stop words; numbers split at separators."""
    return list(_search_terms(text))


@lru_cache(maxsize=100_000)
def _search_terms(text: str) -> tuple[str, ...]:
    # The same passages' sentences are read for every question: computed once per text.
    terms: list[str] = []
    for word in words(text):
        parts = [word]
        if not any(c.isdigit() for c in word):
            parts = re.split(r"[.,]", word)  # "MINE.THE.GAP" is three words, as the FTS tokenizer sees it
        elif re.search(r"[.,]", word):
            # "134,000" is searchable as written (134000) and by its parts; "112.000" meets "112,000".
            parts = [*re.split(r"[.,]", word), number_key(word)]
        for part in parts:
            if _ORDINAL.fullmatch(part):
                part = part.rstrip("stndrh")  # "30th" finds "30"
            if part and part not in STOP_WORDS:
                terms.append(stem(part))
    return tuple(terms)


# How people ask what a paper wants, and how papers say it: "what does it want / ask / demand" is answered by
# "we call for", "we propose", "we recommend".
# "Where is it located" is answered by "based in"; "the Italian agency" by "Italy".
_EQUIVALENT_GROUPS: tuple[tuple[str, ...], ...] = (
    ("call", "ask", "want", "demand", "request", "urg", "propos", "recommend"),
    ("base", "locat", "situat", "headquart"),
    ("phone", "telephon", "mobil"),
    ("email", "mail"),
    ("grow", "grown", "growth", "grew"),
    ("close", "conclud"),  # "closing remarks" are the "concluding remarks"
)
_COUNTRIES_AND_ADJECTIVES = (
    "austria austrian|belgium belgian|bulgaria bulgarian|croatia croatian|cyprus cypriot|czechia czech|"
    "denmark danish|estonia estonian|finland finnish|france french|germany german|greece greek|hungary hungarian|"
    "ireland irish|italy italian|latvia latvian|lithuania lithuanian|luxembourg luxembourgish|malta maltese|"
    "netherlands dutch|poland polish|portugal portuguese|romania romanian|slovakia slovak|slovenia slovenian|"
    "spain spanish|sweden swedish|norway norwegian|switzerland swiss|uk british"
)
_EQUIVALENTS = {
    term: group
    for group in (
        *_EQUIVALENT_GROUPS,
        *(tuple(dict.fromkeys(stem(w) for w in pair.split())) for pair in _COUNTRIES_AND_ADJECTIVES.split("|")),
    )
    for term in group
    if len(group) > 1
}


def equivalent_terms(term: str) -> tuple[str, ...]:
    """A search term and the stems that say the same thing, itself first."""
    group = _EQUIVALENTS.get(term)
    return (term, *(t for t in group if t != term)) if group else (term,)


def expanded_terms(terms: list[str]) -> list[str]:
    """Search terms with their equivalents, for the keyword ranker."""
    return list(dict.fromkeys(alternative for term in terms for alternative in equivalent_terms(term)))


_NAME_CONNECTORS = "von|van|der|den|de|la|le|du|des"
_PROPER_NAME = re.compile(
    rf"\b[A-Z][\w'’.-]*(?:\s+(?:(?:{_NAME_CONNECTORS})\s+)*[A-Z0-9][\w'’.-]*)+"
)
_SENTENCE_OPENERS = frozenset(
    "what which who whom whose how when where why is are was were does did do can could should would will give "
    "tell quote list show find please and but so in on at according since".split()
)


def proper_names(text: str) -> list[str]:
    """Names of two or more capitalised words ("Digital Services Act", "Ursula von der Leyen"), without a
    capitalised question word that merely opens the sentence."""
    names = []
    for match in _PROPER_NAME.finditer(text):
        name_words = match.group().split()
        if name_words[0].lower() in _SENTENCE_OPENERS:
            name_words = name_words[1:]
        while name_words and name_words[0].lower() in _NAME_CONNECTORS.split("|"):
            name_words = name_words[1:]
        for part in _split_at_dates(name_words):
            if len(part) >= 2:
                names.append(" ".join(part))
    return names


_ROLE_AND_BODY_WORDS = frozenset(
    "association associations cluster clusters alliance national european europe commission union council parliament "
    "fund programme program initiative group network agency institute university centre center forum assembly general "
    "annual president vice-president executive commissioner director secretary treasurer chair chairman chairwoman "
    "manager minister head member members board committee office secretariat internal market the of and for dear mr ms "
    "mrs dr".split()
)
_NATIONALITIES = frozenset(_COUNTRIES_AND_ADJECTIVES.replace("|", " ").split())


def names_a_person(text: str, question: str = "") -> bool:
    """Whether the text names someone ("Jean-Luc Beylat", "Maria Rossi (Italian Cluster Association)"), not only a
    body ("the Czech National Cluster Association") or a role ("Executive Vice-President"), nor the question's names."""
    asked = {w.lower() for w in words(question)}
    for name in proper_names(text):
        own = [w for w in name.split() if w.lower() not in asked]
        if any(w.lower() not in _ROLE_AND_BODY_WORDS and w.lower() not in _NATIONALITIES for w in own):
            return True
    return False


def _split_at_dates(name_words: list[str]) -> list[list[str]]:
    """"May 2021 General Assembly" is a date and a name, not one name: split at months, weekdays, bare numbers and
    ordinals ("Tuesday 30th June" names no one)."""
    parts: list[list[str]] = [[]]
    for word in name_words:
        bare = word.lower().strip(",.")
        if bare in MONTH_NAMES or bare in WEEKDAY_NAMES or bare.isdigit() or _ORDINAL.fullmatch(bare):
            parts.append([])
        else:
            parts[-1].append(word)
    return parts


EMAIL_ADDRESS = re.compile(r"[\w.+-]+@[\w-]+\.[\w.]+")
PHONE_NUMBER = re.compile(r"\+?\d[\d ().-]{6,}\d")
"""An e-mail address and a phone number as written in a document's contact lines."""

LIST_MARK = re.compile(r"^(?:[-*•–·]\s+|\(?\d{1,2}[.)]\s+)")
"""A list item's bullet or number."""


def is_fragment(text: str) -> bool:
    """A short line that is not a sentence: a heading, a name, a date, a place."""
    body = LIST_MARK.sub("", text).rstrip()
    return len(body.split()) <= 12 and not body.endswith((".", "!", "?", ";", "…", ":"))


# --- sentences ---------------------------------------------------------------------------------

@dataclass(frozen=True)
class Span:
    """A piece of a larger text and where it sits in it."""

    text: str
    start: int
    end: int


_ABBREVIATIONS = frozenset({"e.g", "i.e", "etc", "vs", "mr", "mrs", "ms", "dr", "prof", "st", "no", "art", "nr", "cf", "al"})
# Month names in English and the EU languages members write most: dates in claims, and "27. Oktober" not split.
_MONTHS = [
    "january janvier januar jänner enero gennaio styczeń stycznia jan",
    "february février februar febrero febbraio luty lutego feb",
    "march mars märz marzo marzec marca mar",
    "april avril abril aprile kwiecień kwietnia apr",
    "may mai mayo maggio maj maja",
    "june juin juni junio giugno czerwiec czerwca jun",
    "july juillet juli julio luglio lipiec lipca jul",
    "august août agosto sierpień sierpnia aug",
    "september septembre septiembre settembre wrzesień września sep sept",
    "october octobre oktober octubre ottobre październik października oct okt",
    "november novembre noviembre listopad listopada nov",
    "december décembre dezember diciembre dicembre grudzień grudnia dec dez",
]
MONTH_OF = {word: n for n, words in enumerate(_MONTHS, start=1) for word in words.split()}


_SENTENCE_END = re.compile(r"[.!?…]+[\"'”’)\]]*(?=\s+)|\n")


def sentence_spans(text: str, offset: int = 0) -> list[Span]:
    """Split text into sentences (and separate lines), with offsets; abbreviations and decimals don't split."""
    return list(_sentence_spans(text, offset))


@lru_cache(maxsize=50_000)
def _sentence_spans(text: str, offset: int) -> tuple[Span, ...]:
    # Each candidate passage is split for its features, its sentence vectors and the answerer: once per text.
    spans: list[Span] = []
    start = 0
    for match in _SENTENCE_END.finditer(text):
        end = match.end()
        if match.group() != "\n":
            before = text[start:match.start()].rsplit(None, 1)
            last_word = before[-1].lower().rstrip(".") if before else ""
            if last_word in _ABBREVIATIONS or (len(last_word) == 1 and last_word.isalpha()):
                continue
            following = text[end:].lstrip()
            if following[:1].islower():
                continue
            if last_word.isdigit() and len(last_word) <= 2 and following.split(" ", 1)[0].lower() in MONTH_OF:
                continue  # "am 27. Oktober": a German or Polish ordinal day, not a sentence end
        _append_trimmed(spans, text, start, end, offset)
        start = end
    _append_trimmed(spans, text, start, len(text), offset)
    return tuple(spans)


_HEADING_MARKER = re.compile(r"\s*#{1,6}\s+")


def _append_trimmed(spans: list[Span], text: str, start: int, end: int, offset: int) -> None:
    piece = text[start:end]
    marker = _HEADING_MARKER.match(piece)  # "## Attendance" is quoted as "Attendance"
    if marker:
        start, piece = start + marker.end(), piece[marker.end():]
    stripped = piece.strip()
    if not stripped:
        return
    lead = len(piece) - len(piece.lstrip())
    begin = start + lead
    spans.append(Span(stripped, begin + offset, begin + len(stripped) + offset))


def iter_numbers(text: str) -> Iterator[str]:
    """Numbers as written (``740``, ``134,000``, ``61.8``, ``23.4%``), for checking that figures are grounded."""
    for match in re.finditer(r"\d+(?:[.,]\d+)*", text):
        yield match.group().rstrip(".,")


def number_key(number: str) -> str:
    """A comparable form of a written number: separators dropped (``112.000`` and ``112,000`` compare equal)."""
    return re.sub(r"[.,\s]", "", number)
