"""A question in another EU language rendered word by word into English for search, offline: FreeDict's bilingual
dictionaries (Debian's ``dict-freedict-<lang>-eng`` packages, dictd format) read into a lookup table on first use.

Dictionary-based query translation is the classic offline way across languages: it cannot write an answer, but it
lets the English passages be found. Of a word's translations, those the indexed documents use come first (the
documents themselves choose the sense); a word no dictionary holds is searched as the documents' word it is written
like ("asociaciones" as "associations": cognate matching, the classic remedy for words a dictionary lacks), else as
written (a name, an acronym).
"""

from __future__ import annotations

import difflib
import gzip
import os
import re
import sqlite3
import tempfile
import threading
import unicodedata
import zlib
from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import dataclass
from pathlib import Path

from assistant.text.wordlists import PRONOUNS, STOP_WORDS

DICTIONARY_NAMES = {
    "fr": "fra", "de": "deu", "es": "spa", "it": "ita", "pl": "pol", "nl": "nld", "pt": "por", "sv": "swe",
    "da": "dan", "fi": "fin", "cs": "ces", "sk": "slk", "sl": "slv", "hr": "hrv", "hu": "hun", "el": "ell",
    "lt": "lit", "ga": "gle",
}
"""The EU languages FreeDict translates into English, by ISO 639-1 code (Bulgarian, Estonian, Latvian, Maltese and
Romanian have no such dictionary)."""

LOOKUP_VERSION = "1"
"""Stored with a built lookup table; a table built by another version is built again."""

TRANSLATIONS_PER_WORD = 2
COGNATE_SIMILARITY = 0.8
"""How alike (``difflib``'s ratio, accents folded) a word no dictionary holds and a word of the documents must be to
be read as its cognate ("asociaciones" and "associations" 0.83, "clústeres" and "clusters" 0.94). Chosen on the
words of the pool's questions in other languages that no dictionary held: at 0.8 every pairing found was right,
under it "manera" became "manager" and "firmemente" "implemented"."""
SHORTEST_COGNATE = 5
"""Shorter words ("jest", "Hur", "sont") are too often like an unrelated English word."""
SHORTEST_STEM = 4
"""An inflected form ("entreprises", "europäischen") is looked up by the longest prefix a headword shares with it,
of at least this many letters and at most three letters short of the word."""

_TOKEN = re.compile(r"\d[\d.,:/-]*\d|\d|[^\W_]+(?:[-.’'][^\W_]+)*", re.UNICODE)
_ELIDED = re.compile(r"^(?:[cdjlmnst]|qu|all|dall|dell|nell|sull)['’]", re.IGNORECASE)
"""French and Italian elision ("l'annexe", "d'emplois", "all'incontro"): the article is not the word."""
FUNCTION_WORD_LETTERS = 3
"""A lower-case word this short is an article, preposition or pronoun in every language here: not searched."""
_NOT_A_TRANSLATION = re.compile(r"^(?:\"|synonyms?:|antonyms?:|see:|note:|also:)", re.IGNORECASE)
_BRACKETED = re.compile(r"<[^>]*>|\[[^\]]*\]|\([^)]*\)|\{[^}]*\}")
_ENGLISH = re.compile(r"[A-Za-z][A-Za-z' -]*")
"""A translation is written in plain Latin letters (some dictionaries explain a word in its own language)."""
_BASE64 = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/"


def _number(encoded: str) -> int:
    value = 0
    for character in encoded:
        value = value * 64 + _BASE64.index(character)
    return value


def entry_translations(entry: str) -> list[str]:
    """The English translations of one dictd entry, first sense first: its first line is the headword (with
    pronunciation and part of speech); examples, synonyms and cross-references are indented lines that follow."""
    found: list[str] = []
    for line in entry.split("\n")[1:]:
        text = line.strip()
        if not text or _NOT_A_TRANSLATION.match(text) or (line.startswith("   ") and not text[:1].isdigit()):
            continue
        text = _BRACKETED.sub(" ", re.sub(r"^\d+\.\s*", "", text))
        for part in re.split(r"[,;/]", text):
            part = " ".join(part.split())
            if part and len(part.split()) <= 3 and _ENGLISH.fullmatch(part) and part not in found:
                found.append(part)
    return found


def read_dictd(index_path: Path, dict_path: Path) -> Iterator[tuple[str, list[str]]]:
    """(headword in lower case, its translations) of every one-word entry of a dictd dictionary."""
    opener = gzip.open if dict_path.suffix == ".dz" else open
    with opener(dict_path, "rb") as handle:
        data = handle.read()
    with index_path.open(encoding="utf-8") as index:
        for line in index:
            fields = line.rstrip("\n").split("\t")
            if len(fields) < 3 or fields[0].startswith("00database") or " " in fields[0]:
                continue
            start, length = _number(fields[1]), _number(fields[2])
            translations = entry_translations(data[start:start + length].decode("utf-8", "replace"))
            if translations:
                yield fields[0].lower(), translations


def fold(word: str) -> str:
    """Lower case without accents: "Europäischen" and "europaischen" are looked up alike. NFKD rather than the keyword
    index's NFD: compatibility forms are unfolded too (the Dutch dictionary writes "bedrĳven" with the letter "ĳ")."""
    decomposed = unicodedata.normalize("NFKD", word.lower())
    return "".join(c for c in decomposed if not unicodedata.combining(c))


@dataclass
class BilingualDictionary:
    """One language's words to English, from a lookup table built from the dictd files on first use."""

    language: str
    table: Path

    @classmethod
    def open(cls, language: str, dictionary_dir: Path, cache_dir: Path) -> BilingualDictionary | None:
        """The dictionary of ``language``, or None when no dictionary of it is installed."""
        name = DICTIONARY_NAMES.get(language)
        if name is None:
            return None
        stem = dictionary_dir / f"freedict-{name}-eng"
        index_path, dict_path = stem.with_suffix(".index"), stem.with_suffix(".dict.dz")
        if not dict_path.exists():
            dict_path = stem.with_suffix(".dict")
        if not index_path.exists() or not dict_path.exists():
            return None
        stamp = f"{LOOKUP_VERSION}:{dict_path.stat().st_size}:{int(dict_path.stat().st_mtime)}"
        table = cache_dir / f"{name}-eng.sqlite"
        if _stamp_of(table) != stamp:
            _build(table, read_dictd(index_path, dict_path), stamp)
        return cls(language, table)

    def holds(self, word: str) -> bool:
        """Whether ``word`` (or its accent-free form) is a headword, as written: no stem is guessed."""
        return bool(self.lookup_exactly(word))

    def lookup_exactly(self, word: str) -> list[str]:
        """The translations of ``word`` as written (or without accents), no stem guessed."""
        key = word.lower()
        with sqlite3.connect(self.table) as db:
            row = db.execute(
                "SELECT translations FROM words WHERE headword = ? OR folded = ? ORDER BY headword = ? DESC",
                (key, fold(key), key),
            ).fetchone()
        return str(row[0]).split("\t") if row else []

    def lookup(self, word: str) -> list[str]:
        """The translations of ``word``, of its accent-free form, or of the headword that shares its longest stem."""
        exact = self.lookup_exactly(word)
        if exact:
            return exact
        folded = fold(word)
        with sqlite3.connect(self.table) as db:
            for length in range(len(folded) - 1, max(SHORTEST_STEM, len(folded) - 3) - 1, -1):
                prefix = folded[:length]
                row = db.execute(
                    "SELECT translations FROM words WHERE folded >= ? AND folded < ? ORDER BY length(folded) LIMIT 1",
                    (prefix, prefix + "\uffff"),
                ).fetchone()
                if row:
                    return str(row[0]).split("\t")
        return []


def _stamp_of(table: Path) -> str | None:
    if not table.exists():
        return None
    try:
        with sqlite3.connect(table) as db:
            row = db.execute("SELECT value FROM about WHERE key = 'stamp'").fetchone()
    except sqlite3.DatabaseError:
        return None
    return str(row[0]) if row else None


def _build(table: Path, entries: Iterator[tuple[str, list[str]]], stamp: str) -> None:
    """Write the lookup table beside its final place and move it there: a reader never sees half a table."""
    table.parent.mkdir(parents=True, exist_ok=True)
    merged: dict[str, list[str]] = {}
    for headword, translations in entries:
        known = merged.setdefault(headword, [])
        known.extend(t for t in translations if t not in known)
    handle, temporary = tempfile.mkstemp(dir=table.parent, suffix=".building")
    os.close(handle)
    with sqlite3.connect(temporary) as db:
        db.execute("CREATE TABLE about (key TEXT PRIMARY KEY, value TEXT)")
        db.execute("CREATE TABLE words (headword TEXT PRIMARY KEY, folded TEXT, translations TEXT)")
        db.executemany(
            "INSERT INTO words VALUES (?, ?, ?)",
            ((word, fold(word), "\t".join(found[:8])) for word, found in merged.items()),
        )
        db.execute("CREATE INDEX words_folded ON words(folded)")
        db.execute("INSERT INTO about VALUES ('stamp', ?)", (stamp,))
    os.replace(temporary, table)


class Cognates:
    """The documents' own words, to find the one a word of another language is written like ("iniciativa" →
    "initiative", "clústeres" → "clusters", "Konstandopoulosa" → "konstandopoulos"): the dictionaries lack many
    inflected and international words that the documents spell almost alike. Words are compared within their first
    letter (accents folded), so that a question costs a few hundred comparisons, not one per word of the documents."""

    def __init__(self, words: Iterable[str]) -> None:
        self._by_initial: dict[str, list[str]] = {}
        for word in sorted({fold(w) for w in words if len(w) >= SHORTEST_COGNATE}):
            self._by_initial.setdefault(word[0], []).append(word)

    def of(self, word: str) -> str | None:
        """The documents' word most like ``word``, if alike enough; None for a short word."""
        folded = fold(word)
        if len(folded) < SHORTEST_COGNATE:
            return None
        found = difflib.get_close_matches(folded, self._by_initial.get(folded[0], []), n=1, cutoff=COGNATE_SIMILARITY)
        return found[0] if found else None


def gloss(
    question: str, dictionary: BilingualDictionary, known: Callable[[str], bool],
    cognate: Callable[[str], str | None] = lambda word: None,
) -> str:
    """The question in English words, in its own word order. A number, an acronym, or a word the documents use
    written as it is (a name, "innovation") is kept; another word is replaced by its translations that the
    documents use (``known``), else its first, up to ``TRANSLATIONS_PER_WORD``; a word no dictionary holds, by the
    documents' word it is written like (``cognate``), else kept; short function words are left out."""
    rendered: list[str] = []
    for match in _TOKEN.finditer(question):
        token = _ELIDED.sub("", match.group())
        if not token:
            continue
        if token[0].isdigit() or (token.isupper() and len(token) > 1) or any(c.isdigit() for c in token):
            rendered.append(token)
            continue
        if token.islower() and len(token) <= FUNCTION_WORD_LETTERS:
            # A pronoun is kept (in English): the question leans on the conversation ("Und wer hat es moderiert?").
            pronoun = next((t for t in dictionary.lookup_exactly(token) if t.lower() in PRONOUNS), None)
            if pronoun:
                rendered.append(pronoun.lower())
            continue
        if known(token) and (not token.islower() or len(token) > 4):
            rendered.append(token)
            continue
        translations = dictionary.lookup(token)
        if not translations:
            rendered.append(cognate(token) or token)
            continue
        used = [t for t in translations if known(t)]
        rendered.extend((used or translations)[:TRANSLATIONS_PER_WORD])
    return " ".join(rendered)


class QueryTranslator:
    """Renders questions in other languages into English words for search, one dictionary per language, opened
    (and its lookup table built, once per machine) when a question in that language first comes."""

    def __init__(
        self, dictionary_dir: Path, cache_dir: Path, known: Callable[[str], bool],
        cognate: Callable[[str], str | None] = lambda word: None,
    ) -> None:
        self.dictionary_dir = dictionary_dir
        self.cache_dir = cache_dir
        self.known = known
        self.cognate = cognate
        self._opened: dict[str, BilingualDictionary | None] = {}
        self.unreadable: dict[str, str] = {}
        """Languages whose dictionary is installed but could not be read, with why."""
        self._lock = threading.Lock()

    def dictionary(self, language: str) -> BilingualDictionary | None:
        """The dictionary of ``language``; None when none is installed, or when it cannot be read (what went wrong
        is kept in ``unreadable``: the question is then searched as written, never refused)."""
        with self._lock:
            if language not in self._opened:
                try:
                    self._opened[language] = BilingualDictionary.open(language, self.dictionary_dir, self.cache_dir)
                except (OSError, EOFError, zlib.error, sqlite3.Error, UnicodeError, ValueError) as error:
                    self._opened[language] = None
                    self.unreadable[language] = f"{type(error).__name__}: {error}"
            return self._opened[language]

    def open_all(self) -> None:
        """Open every language's dictionary now (building the lookup tables not built yet)."""
        for language in DICTIONARY_NAMES:
            self.dictionary(language)

    def english(self, question: str, language: str) -> str | None:
        """The question in English words, or None when no dictionary of ``language`` is installed."""
        dictionary = self.dictionary(language)
        if dictionary is None:
            return None
        try:
            return gloss(question, dictionary, self.known, self.cognate) or None
        except sqlite3.Error as error:  # its lookup table removed or damaged since it was opened
            with self._lock:
                self._opened[language] = None
                self.unreadable[language] = f"{type(error).__name__}: {error}"
            return None

    def words_of(self, language: str, words: set[str]) -> set[str]:
        """Those of ``words`` that are also words of ``language`` (German "was" and "am", Dutch "over" and "me" are
        English function words too); none without its dictionary."""
        dictionary = self.dictionary(language)
        return {w for w in words if dictionary.holds(w)} if dictionary is not None else set()

    def language_of(self, question: str, identified: str, candidates: Sequence[str]) -> str:
        """The language of a question with few English function words, where the identifier alone is not to be
        trusted (names weigh as much as words): "Krzysztof Krystowski role?" is identified as Polish, "Welche
        Organisation vertrat Athanasios Konstandopoulos?" as English. Its words are counted in each dictionary and
        in English (the documents' words and English function words); capitalised words after the first are left
        out, as names belong to no language. ``identified`` stands unless the counts say otherwise."""
        tokens = [m.group() for m in _TOKEN.finditer(question)]
        words = [_ELIDED.sub("", t) for i, t in enumerate(tokens) if t[0].isalpha() and (i == 0 or not t[0].isupper())]
        counted = [w for w in words if len(w) > 1]
        english = sum(1 for w in counted if w.lower() in STOP_WORDS or self.known(w))
        counts = {}
        for language in dict.fromkeys([identified, *candidates]):
            dictionary = self.dictionary(language) if language != "en" else None
            if dictionary is not None:
                try:
                    counts[language] = sum(1 for w in counted if dictionary.holds(w))
                except sqlite3.Error:  # its lookup table damaged since: the identifier decides
                    return identified
        if identified != "en":
            return "en" if identified in counts and english > counts[identified] else identified
        best = max(counts, key=lambda language: counts[language], default=None)
        return best if best is not None and counts[best] > english else "en"
