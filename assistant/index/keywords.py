"""The keyword index in memory: BM25 over the stored chunks' search terms, scored exactly as SQLite FTS5's ``bm25()``.

FTS5 answers an OR-query by visiting every row that holds any query term, so a question with a common word costs
time proportional to the corpus (60 ms at 100,000 passages). Here each term's postings (rows and term counts) are
numpy arrays: a question adds up a few arrays. The index follows the store per changed document (a new, changed or
removed document is read again, nothing else), whichever process or thread changed it.

The formula is FTS5's (``fts5_aux.c``): for each query term, idf = ln((N − n + 0.5) / (n + 0.5)), 1e-6 where that is
not positive, times tf · (k1 + 1) / (tf + k1 · (1 − b + b · dl / avgdl)), k1 = 1.2, b = 0.75; tokens as its
``unicode61 remove_diacritics 2`` tokenizer reads them. A query term that reads as several tokens (a phrase to FTS5)
is left to FTS5.
"""

from __future__ import annotations

import math
import re
import sqlite3
import threading
import unicodedata
from array import array
from collections import Counter
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field

import numpy as np

K1 = 1.2
B = 0.75
IDF_FLOOR = 1e-6

_TOKEN = re.compile(r"[^\W_]+")


KEYWORD_ROWS_OF_SOURCE = "SELECT rowid FROM chunks WHERE source = ?"
"""A document's rows of ``chunk_terms`` (each has its chunk's rowid), found through the index on ``chunks``: FTS5
reads a condition on its unindexed ``source`` column by visiting every row (45 ms at 100,000 passages)."""


def fts_tokens(text: str) -> list[str]:
    """Tokens as FTS5's ``unicode61 remove_diacritics 2`` tokenizer makes them: runs of letters and digits, case
    and diacritics folded."""
    text = text.lower()
    if not text.isascii():
        text = "".join(c for c in unicodedata.normalize("NFD", text) if not unicodedata.combining(c))
    return _TOKEN.findall(text)


@dataclass
class _Postings:
    rows: np.ndarray = field(default_factory=lambda: np.zeros(0, dtype=np.int32))
    counts: np.ndarray = field(default_factory=lambda: np.zeros(0, dtype=np.float64))
    live: int = 0
    """Rows still indexed that hold the term (its document frequency)."""


class KeywordIndex:
    """BM25 search over one SQLite store's ``chunk_terms``, kept in step with it per document."""

    def __init__(self, connect: Callable[[], sqlite3.Connection]) -> None:
        self._connect = connect
        self._lock = threading.Lock()
        self._reset()

    def _reset(self) -> None:
        self._term_numbers: dict[str, int] = {}
        self._postings: list[_Postings] = []
        self._ids: list[str] = []
        self._row_sources = np.zeros(0, dtype=np.int32)
        self._lengths = np.zeros(0, dtype=np.float64)
        self._alive = np.zeros(0, dtype=bool)
        self._source_numbers: dict[str, int] = {}
        self._rows_of: dict[str, range] = {}
        self._terms_of: dict[str, np.ndarray] = {}
        """Per document, the term of each of its postings (to lower the terms' document frequencies if it goes)."""
        self._versions: dict[str, tuple[str, str]] | None = None
        self._live_rows = 0
        self._live_tokens = 0.0

    def load(self) -> None:
        """Read the store now rather than at the first search."""
        with self._lock:
            self._follow()

    def forget(self) -> None:
        """Read everything again at the next search (the stored terms were recomputed in place)."""
        with self._lock:
            self._versions = None

    # --- keeping in step --------------------------------------------------------------------

    @staticmethod
    def _stored_versions(connection: sqlite3.Connection) -> dict[str, tuple[str, str]]:
        rows = connection.execute("SELECT source, sha256, ingested_at FROM documents")
        return {source: (sha, at) for source, sha, at in rows}

    def _follow(self) -> None:
        """Read again the documents added, changed or removed since the last search (by their hash and indexing
        time); everything at the first search."""
        connection = self._connect()
        if self._versions is None:
            self._reset()
            with connection:  # one read transaction: the versions are those of the rows read
                if not connection.in_transaction:
                    connection.execute("BEGIN")
                versions = self._stored_versions(connection)
                rows = connection.execute("SELECT source, id, terms FROM chunk_terms ORDER BY rowid").fetchall()
            by_source: dict[str, list[tuple[str, str]]] = {}
            for source, chunk_id, terms in rows:
                by_source.setdefault(source, []).append((chunk_id, terms))
            self._add_all(by_source)
            self._versions = versions
            return
        versions = self._stored_versions(connection)
        if versions == self._versions:
            return
        changed = {s for s in set(versions) | set(self._versions) if versions.get(s) != self._versions.get(s)}
        for source in changed:
            self._forget(source)
        self._add_all({
            source: connection.execute(
                f"SELECT id, terms FROM chunk_terms WHERE rowid IN ({KEYWORD_ROWS_OF_SOURCE}) ORDER BY rowid", (source,)
            ).fetchall()
            for source in sorted(changed & set(versions))
        })
        self._versions = versions
        if len(self._ids) > 2 * max(self._live_rows, 1000):
            self._versions = None  # mostly removed rows: read afresh at the next search

    def _forget(self, source: str) -> None:
        rows = self._rows_of.pop(source, range(0))
        self._alive[rows.start:rows.stop] = False
        self._live_rows -= len(rows)
        self._live_tokens -= float(self._lengths[rows.start:rows.stop].sum())
        held = self._terms_of.pop(source, np.zeros(0, dtype=np.int32))
        for term, count in zip(*np.unique(held, return_counts=True)):
            self._postings[term].live -= int(count)

    def _add_all(self, by_source: dict[str, list[tuple[str, str]]]) -> None:
        # Postings gathered in compact C arrays, then split per term with one sort: lists of Python ints cost
        # several times the memory at 100,000 passages.
        term_of, row_of, count_of = array("i"), array("i"), array("d")
        spans: dict[str, tuple[int, int]] = {}
        lengths, row_sources = array("d"), array("i")
        for source, rows in by_source.items():
            number = self._source_numbers.setdefault(source, len(self._source_numbers))
            first_row, first_posting = len(self._ids), len(term_of)
            for chunk_id, terms in rows:
                tokens = fts_tokens(terms)
                row = len(self._ids)
                for term, count in Counter(tokens).items():
                    term_of.append(self._term_numbers.setdefault(term, len(self._term_numbers)))
                    row_of.append(row)
                    count_of.append(count)
                self._ids.append(chunk_id)
                lengths.append(len(tokens))
                row_sources.append(number)
            self._rows_of[source] = range(first_row, len(self._ids))
            spans[source] = (first_posting, len(term_of))
        terms = np.frombuffer(term_of, dtype=np.intc).astype(np.int32)
        for source, (first, last) in spans.items():
            self._terms_of[source] = terms[first:last].copy()
        self._lengths = np.concatenate([self._lengths, np.frombuffer(lengths, dtype=np.float64)])
        numbers = np.frombuffer(row_sources, dtype=np.intc).astype(np.int32)
        self._row_sources = np.concatenate([self._row_sources, numbers])
        self._alive = np.concatenate([self._alive, np.ones(len(lengths), dtype=bool)])
        self._live_rows += len(lengths)
        self._live_tokens += float(sum(lengths))
        self._postings += [_Postings() for _ in range(len(self._term_numbers) - len(self._postings))]
        order = np.argsort(terms, kind="stable")
        terms = terms[order]
        rows = np.frombuffer(row_of, dtype=np.intc).astype(np.int32)[order]
        counts = np.frombuffer(count_of, dtype=np.float64)[order]
        starts = np.flatnonzero(np.diff(terms, prepend=-1))
        for start, end in zip(starts.tolist(), [*starts[1:].tolist(), len(terms)]):
            postings = self._postings[terms[start]]
            postings.rows = np.concatenate([postings.rows, rows[start:end]])
            postings.counts = np.concatenate([postings.counts, counts[start:end]])
            postings.live += end - start

    def document_frequencies(self, terms: Iterable[str]) -> tuple[dict[str, int], int] | None:
        """How many passages hold each term, and how many there are (FTS5's ``fts5vocab`` counts); None when a
        term is not one token as the tokenizer writes it (the vocabulary table is then asked as before)."""
        unique = set(terms)
        if any(fts_tokens(term) != [term] for term in unique):
            return None
        with self._lock:
            self._follow()
            counts = {}
            for term in unique:
                number = self._term_numbers.get(term)
                counts[term] = 0 if number is None else self._postings[number].live
            return counts, self._live_rows

    # --- searching --------------------------------------------------------------------------

    def search(
        self, terms: Sequence[str], limit: int, allowed_sources: Iterable[str] | None = None
    ) -> list[tuple[str, float]] | None:
        """Chunk ids ranked by BM25, best first, with their (positive) scores; None when a term reads as a phrase
        (several tokens), which FTS5 answers. ``allowed_sources``: only these documents' chunks."""
        tokens = [fts_tokens(t) for t in dict.fromkeys(terms)]
        if any(len(found) > 1 for found in tokens):
            return None
        query = list(dict.fromkeys(found[0] for found in tokens if found))
        with self._lock:
            self._follow()
            if not query or not self._live_rows:
                return []
            scores = np.zeros(len(self._ids), dtype=np.float64)
            matched = np.zeros(len(self._ids), dtype=bool)
            for term in query:
                number = self._term_numbers.get(term)
                postings = None if number is None else self._postings[number]
                if postings is None or not postings.live:
                    continue
                idf = math.log((self._live_rows - postings.live + 0.5) / (postings.live + 0.5))
                idf = idf if idf > 0 else IDF_FLOOR
                rows, counts = postings.rows, postings.counts
                norm = K1 * (1 - B + B * self._lengths[rows] * (self._live_rows / self._live_tokens))
                scores[rows] += idf * counts * (K1 + 1) / (counts + norm)
                matched[rows] = True
            matched &= self._alive
            if allowed_sources is not None:
                numbers = [self._source_numbers[s] for s in allowed_sources if s in self._source_numbers]
                matched &= np.isin(self._row_sources, numbers)
            candidates = np.flatnonzero(matched)
            if len(candidates) > limit:
                cutoff = -np.partition(-scores[candidates], limit - 1)[limit - 1]
                candidates = candidates[scores[candidates] >= cutoff]
            # ties in FTS5's order: the row inserted first
            order = sorted(candidates.tolist(), key=lambda row: (-scores[row], row))[:limit]
            return [(self._ids[row], float(scores[row])) for row in order]
