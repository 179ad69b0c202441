"""SQLite store beside Chroma: documents as stored (for verbatim checks), chunks, and the FTS5 keyword index.

SQLite is the source of truth for what is indexed: a chunk id that Chroma returns but SQLite doesn't know
(left by an interrupted ingest) is ignored at query time and removed by the next ingest.
"""

from __future__ import annotations

import json
import sqlite3
import threading
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import astuple, dataclass
from pathlib import Path

import numpy as np

from assistant.errors import IndexMismatchError
from assistant.index.keywords import KEYWORD_ROWS_OF_SOURCE, KeywordIndex
from assistant.reading.chunking import Chunk
from assistant.reading.documents import DocumentInfo, SourceDocument
from assistant.reading.glossary import (
    GLOSSARY_VERSION, GlossaryEntry, extract_entries, merge_entries, written_all_in_lower_case, written_in_lower_case,
)
from assistant.text.terms import search_terms

REBUILD_HINT = "rebuild the index with `python -m assistant ingest --rebuild`"

_SELECT_CHUNKS = (
    "SELECT c.id, c.source, c.ordinal, c.text, c.section, c.page, c.start_offset, c.end_offset, "
    "d.title, d.kind, d.date, c.context FROM chunks c JOIN documents d ON d.source = c.source"
)
"""Columns in the order of ``Chunk``'s fields."""

SCHEMA_VERSION = "4"
"""Bump when the tables change: an index in an older format is rebuilt by the next ingest."""

KEYWORD_VERSION = "6"
"""Bump when ``search_terms`` or the keyword rows change: the keyword index is then rebuilt from the stored chunks
(no re-embedding). 5: a keyword row has its chunk's rowid. 6: ``programme`` and ``dialogue`` spelt as in American."""

SCHEMA = """
CREATE TABLE IF NOT EXISTS meta (key TEXT PRIMARY KEY, value TEXT NOT NULL);
CREATE TABLE IF NOT EXISTS documents (
    source TEXT PRIMARY KEY, sha256 TEXT NOT NULL, title TEXT NOT NULL, kind TEXT NOT NULL, date TEXT,
    text TEXT NOT NULL, page_starts TEXT NOT NULL, ingested_at TEXT NOT NULL DEFAULT CURRENT_TIMESTAMP
);
CREATE TABLE IF NOT EXISTS chunks (
    id TEXT PRIMARY KEY, source TEXT NOT NULL REFERENCES documents(source) ON DELETE CASCADE,
    ordinal INTEGER NOT NULL, text TEXT NOT NULL, section TEXT, page INTEGER,
    start_offset INTEGER NOT NULL, end_offset INTEGER NOT NULL, context TEXT
);
CREATE VIRTUAL TABLE IF NOT EXISTS chunk_vocab USING fts5vocab(chunk_terms, 'row');
CREATE TABLE IF NOT EXISTS sentence_vectors (
    chunk_id TEXT PRIMARY KEY REFERENCES chunks(id) ON DELETE CASCADE, vectors BLOB NOT NULL
);
CREATE TABLE IF NOT EXISTS glossary (
    term TEXT PRIMARY KEY, kind TEXT NOT NULL, expansion TEXT, source TEXT NOT NULL, quote TEXT NOT NULL,
    start_offset INTEGER NOT NULL, end_offset INTEGER NOT NULL
);
CREATE TABLE IF NOT EXISTS glossary_sources (
    source TEXT PRIMARY KEY, sha256 TEXT NOT NULL, version TEXT NOT NULL, entries TEXT NOT NULL, ordinary TEXT NOT NULL,
    common TEXT NOT NULL
);
CREATE INDEX IF NOT EXISTS chunks_by_source ON chunks(source, ordinal);
CREATE INDEX IF NOT EXISTS document_versions ON documents(source, sha256, ingested_at);
CREATE VIRTUAL TABLE IF NOT EXISTS chunk_terms USING fts5(
    id UNINDEXED, source UNINDEXED, terms, tokenize = 'unicode61 remove_diacritics 2'
);
"""


@dataclass(frozen=True)
class StoredDocument:
    source: str
    sha256: str
    info: DocumentInfo
    text: str
    page_starts: tuple[int, ...]
    chunk_count: int = 0


def keyword_text(chunk: Chunk) -> str:
    """What the keyword index sees for a chunk: its section heading, lead-in and text, as search terms."""
    return " ".join(search_terms(f"{chunk.header()}\n{chunk.search_text()}"))


def fts_query(terms: Iterable[str]) -> str:
    """An FTS5 OR-query of quoted terms (quoting keeps user text from being read as FTS syntax)."""
    unique = dict.fromkeys(t.replace('"', "") for t in terms if t.strip('"'))
    return " OR ".join(f'"{term}"' for term in unique)


class Store:
    """Thread-safe access to the SQLite file; one connection per thread."""

    def __init__(self, path: Path) -> None:
        self.path = path
        path.parent.mkdir(parents=True, exist_ok=True)
        self._local = threading.local()
        self._keywords = KeywordIndex(self._connect)
        found = stored_schema_version(path)
        if found not in (None, SCHEMA_VERSION):
            raise IndexMismatchError(f"The index in {path.parent} has an older format (version {found}): {REBUILD_HINT}.")
        with self._connect() as connection:
            connection.executescript(SCHEMA)
            connection.execute("INSERT OR IGNORE INTO meta(key, value) VALUES ('schema_version', ?)", (SCHEMA_VERSION,))
        if self.get_meta("keyword_version") != KEYWORD_VERSION:
            self.rebuild_keyword_index()

    def rebuild_keyword_index(self) -> None:
        """Recompute every chunk's search terms (after a change to how text is tokenised)."""
        connection = self._connect()
        with connection:
            connection.execute("DELETE FROM chunk_terms")
            rows = connection.execute(_SELECT_CHUNKS.replace("SELECT ", "SELECT c.rowid, ", 1)).fetchall()
            connection.executemany(
                "INSERT INTO chunk_terms(rowid, id, source, terms) VALUES (?,?,?,?)",
                [(row[0], row[1], row[2], keyword_text(Chunk(*row[1:]))) for row in rows],
            )
            connection.execute(
                "INSERT OR REPLACE INTO meta(key, value) VALUES ('keyword_version', ?)", (KEYWORD_VERSION,)
            )
        self._keywords.forget()

    def _connect(self) -> sqlite3.Connection:
        connection: sqlite3.Connection | None = getattr(self._local, "connection", None)
        if connection is None:
            connection = sqlite3.connect(self.path, timeout=30, check_same_thread=False)
            connection.execute("PRAGMA journal_mode=WAL")
            connection.execute("PRAGMA foreign_keys=ON")
            self._local.connection = connection
        return connection

    def close(self) -> None:
        connection = getattr(self._local, "connection", None)
        if connection is not None:
            connection.close()
            self._local.connection = None

    # --- meta -------------------------------------------------------------------------------

    def get_meta(self, key: str) -> str | None:
        row = self._connect().execute("SELECT value FROM meta WHERE key = ?", (key,)).fetchone()
        return row[0] if row else None

    def set_meta(self, key: str, value: str) -> None:
        with self._connect() as connection:
            connection.execute("INSERT OR REPLACE INTO meta(key, value) VALUES (?, ?)", (key, value))

    # --- documents --------------------------------------------------------------------------

    def documents(self) -> list[StoredDocument]:
        rows = self._connect().execute(
            "SELECT d.source, d.sha256, d.title, d.kind, d.date, '', d.page_starts, COUNT(c.id) "
            "FROM documents d LEFT JOIN chunks c ON c.source = d.source GROUP BY d.source ORDER BY d.source"
        ).fetchall()
        return [_stored_document(row) for row in rows]

    def indexed_at(self) -> dict[str, str]:
        """When each document was last (re)indexed, UTC."""
        return dict(self._connect().execute("SELECT source, ingested_at FROM documents").fetchall())

    def document_labels(self) -> list[tuple[str, str, str, str | None]]:
        """(source, title, kind, date) of every indexed document: cheap enough to read for each question."""
        return self._connect().execute("SELECT source, title, kind, date FROM documents").fetchall()

    def document(self, source: str) -> StoredDocument | None:
        row = self._connect().execute(
            "SELECT source, sha256, title, kind, date, text, page_starts, 0 FROM documents WHERE source = ?",
            (source,),
        ).fetchone()
        return _stored_document(row) if row else None

    def chunk_ids_of(self, source: str) -> set[str]:
        rows = self._connect().execute("SELECT id FROM chunks WHERE source = ?", (source,)).fetchall()
        return {row[0] for row in rows}

    def all_chunk_ids(self) -> set[str]:
        return {row[0] for row in self._connect().execute("SELECT id FROM chunks")}

    def chunk_count(self) -> int:
        return int(self._connect().execute("SELECT COUNT(*) FROM chunks").fetchone()[0])

    def document_sha256(self, source: str) -> str | None:
        row = self._connect().execute("SELECT sha256 FROM documents WHERE source = ?", (source,)).fetchone()
        return row[0] if row else None

    def document_layout(self, source: str) -> list[tuple[str, int, int, int | None]]:
        """(id, start, end, page) of a document's chunks in order."""
        return self._connect().execute(
            "SELECT id, start_offset, end_offset, page FROM chunks WHERE source = ? ORDER BY ordinal", (source,)
        ).fetchall()

    def replace_document(
        self, document: SourceDocument, chunks: Sequence[Chunk],
        sentence_vectors: Mapping[str, np.ndarray] | None = None, ingested_at: str | None = None,
    ) -> None:
        """Swap a document and its chunks in one transaction: readers see the old or the new version, never a mix.
        ``ingested_at``: when it was indexed (UTC), if not now (a cache copying the shared index)."""
        connection = self._connect()
        with connection:
            self._delete(connection, document.source)
            connection.execute(
                "INSERT INTO documents(source, sha256, title, kind, date, text, page_starts, ingested_at) "
                "VALUES (?,?,?,?,?,?,?,COALESCE(?, CURRENT_TIMESTAMP))",
                (
                    document.source, document.sha256, document.info.title, document.info.kind, document.info.date,
                    document.text, json.dumps(list(document.page_starts)), ingested_at,
                ),
            )
            connection.executemany(
                "INSERT INTO chunks(id, source, ordinal, text, section, page, start_offset, end_offset, context) "
                "VALUES (?,?,?,?,?,?,?,?,?)",
                [(c.id, c.source, c.ordinal, c.text, c.section, c.page, c.start, c.end, c.context) for c in chunks],
            )
            rowids = dict(connection.execute("SELECT id, rowid FROM chunks WHERE source = ?", (document.source,)))
            connection.executemany(
                "INSERT INTO chunk_terms(rowid, id, source, terms) VALUES (?,?,?,?)",
                [(rowids[c.id], c.id, c.source, keyword_text(c)) for c in chunks],
            )
            connection.executemany(
                "INSERT INTO sentence_vectors(chunk_id, vectors) VALUES (?, ?)",
                [(c.id, pack_vectors(sentence_vectors[c.id])) for c in chunks if sentence_vectors and c.id in sentence_vectors],
            )

    def rebuild_glossary(self) -> int:
        """Recompute the glossary of every stored document; returns the number of entries. What each document
        contributes is kept by its content hash, so only new or changed documents are read again: one changed
        document among thousands costs its own extraction and the merge."""
        connection = self._connect()
        kept = {row[0]: row[1:] for row in connection.execute(
            "SELECT source, sha256, version, entries, ordinary, common FROM glossary_sources"
        )}
        entries: list[GlossaryEntry] = []
        ordinary: set[str] = set()
        common: set[str] = set()
        fresh: list[tuple[str, str, str, str, str, str]] = []
        documents = connection.execute("SELECT source, sha256 FROM documents ORDER BY source").fetchall()
        for source, sha256 in documents:
            cached = kept.get(source)
            if cached is not None and cached[:2] == (sha256, GLOSSARY_VERSION):
                found = [GlossaryEntry(*fields) for fields in json.loads(cached[2])]
                its_ordinary, its_common = json.loads(cached[3]), json.loads(cached[4])
            else:
                (text,) = connection.execute("SELECT text FROM documents WHERE source = ?", (source,)).fetchone()
                found = extract_entries(source, text)
                its_ordinary, its_common = sorted(written_in_lower_case([text])), sorted(written_all_in_lower_case([text]))
                fresh.append((source, sha256, GLOSSARY_VERSION, json.dumps([astuple(e) for e in found]),
                              json.dumps(its_ordinary), json.dumps(its_common)))
            entries.extend(found)
            ordinary.update(its_ordinary)
            common.update(its_common)
        merged = merge_entries(entries, frozenset(ordinary), frozenset(common))
        with connection:
            gone = set(kept) - {source for source, _ in documents}
            connection.executemany("DELETE FROM glossary_sources WHERE source = ?", [(source,) for source in gone])
            connection.executemany("INSERT OR REPLACE INTO glossary_sources VALUES (?,?,?,?,?,?)", fresh)
            connection.execute("DELETE FROM glossary")
            connection.executemany(
                "INSERT OR REPLACE INTO glossary(term, kind, expansion, source, quote, start_offset, end_offset) "
                "VALUES (?,?,?,?,?,?,?)",
                [(e.term, e.kind, e.expansion, e.source, e.quote, e.start, e.end) for e in merged],
            )
        return len(merged)

    def words(self) -> set[str]:
        """The words the documents write with a lower-case letter, in lower case (kept per document with the
        glossary): names and ordinary words, not acronyms."""
        found: set[str] = set()
        for (ordinary,) in self._connect().execute("SELECT ordinary FROM glossary_sources"):
            found.update(json.loads(ordinary))
        return found

    def glossary(self) -> list[GlossaryEntry]:
        rows = self._connect().execute(
            "SELECT term, kind, expansion, source, quote, start_offset, end_offset FROM glossary ORDER BY kind, lower(term)"
        ).fetchall()
        return [GlossaryEntry(*row) for row in rows]

    def sentence_vectors(self, chunk_ids: Sequence[str]) -> dict[str, np.ndarray]:
        """Per chunk, the vectors of its sentences (rows in the order of ``sentence_spans``)."""
        found: dict[str, np.ndarray] = {}
        for batch_start in range(0, len(chunk_ids), 500):
            batch = list(chunk_ids[batch_start:batch_start + 500])
            marks = ",".join("?" * len(batch))
            for chunk_id, blob in self._connect().execute(
                f"SELECT chunk_id, vectors FROM sentence_vectors WHERE chunk_id IN ({marks})", batch
            ):
                found[chunk_id] = unpack_vectors(blob)
        return found

    def remove_document(self, source: str) -> None:
        connection = self._connect()
        with connection:
            self._delete(connection, source)

    def clear(self) -> None:
        """Forget every document (a cache whose source was replaced)."""
        connection = self._connect()
        with connection:
            connection.execute("DELETE FROM chunk_terms")
            connection.execute("DELETE FROM chunks")
            connection.execute("DELETE FROM documents")
            connection.execute("DELETE FROM glossary")
            connection.execute("DELETE FROM glossary_sources")
            connection.execute("DELETE FROM meta WHERE key IN ('generation', 'collection_id')")

    @staticmethod
    def _delete(connection: sqlite3.Connection, source: str) -> None:
        connection.execute(f"DELETE FROM chunk_terms WHERE rowid IN ({KEYWORD_ROWS_OF_SOURCE})", (source,))
        connection.execute("DELETE FROM chunks WHERE source = ?", (source,))
        connection.execute("DELETE FROM documents WHERE source = ?", (source,))

    # --- chunks -----------------------------------------------------------------------------

    def chunks(self, ids: Sequence[str]) -> dict[str, Chunk]:
        """Chunks by id (ids unknown to the store are left out)."""
        found: dict[str, Chunk] = {}
        for batch_start in range(0, len(ids), 500):
            batch = list(ids[batch_start:batch_start + 500])
            marks = ",".join("?" * len(batch))
            rows = self._connect().execute(
                f"{_SELECT_CHUNKS} WHERE c.id IN ({marks})",
                batch,
            ).fetchall()
            for row in rows:
                found[row[0]] = Chunk(*row)
        return found

    def keyword_search(
        self, terms: Sequence[str], limit: int, sources: Sequence[str] | None = None, kinds: Sequence[str] | None = None
    ) -> list[tuple[str, float]]:
        """Chunk ids ranked by BM25 over the search terms, best first, with a positive score: from the keyword index
        in memory, or from FTS5 for a term that reads as a phrase (the same scores)."""
        allowed: set[str] | None = set(sources) if sources else None
        if kinds:
            of_kinds = {source for source, _, kind, _ in self.document_labels() if kind in kinds}
            allowed = of_kinds if allowed is None else allowed & of_kinds
        found = self._keywords.search(terms, limit, allowed)
        return self.fts_keyword_search(terms, limit, sources, kinds) if found is None else found

    def load_keyword_index(self) -> None:
        """Read the keyword index into memory now (2 s at 100,000 passages) rather than at the first question."""
        self._keywords.load()

    def fts_keyword_search(
        self, terms: Sequence[str], limit: int, sources: Sequence[str] | None = None, kinds: Sequence[str] | None = None
    ) -> list[tuple[str, float]]:
        """``keyword_search`` by SQLite FTS5: each question visits every row holding any of its terms."""
        query = fts_query(terms)
        if not query:
            return []
        # The join with documents is only made for a filter on kind: it doubled the cost of every search.
        sql = "SELECT t.id, -bm25(chunk_terms) AS score FROM chunk_terms t"
        if kinds:
            sql += " JOIN documents d ON d.source = t.source"
        sql += " WHERE chunk_terms MATCH ?"
        params: list[object] = [query]
        if sources:
            sql += f" AND t.source IN ({','.join('?' * len(sources))})"
            params.extend(sources)
        if kinds:
            sql += f" AND d.kind IN ({','.join('?' * len(kinds))})"
            params.extend(kinds)
        sql += " ORDER BY bm25(chunk_terms) LIMIT ?"
        params.append(limit)
        return [(row[0], float(row[1])) for row in self._connect().execute(sql, params)]

    def content_signature(self) -> tuple[int, int, str]:
        """Documents, passages and the latest indexing time: changes whenever any process indexes or removes
        something, so an assistant can tell that what it derived from the store is out of date."""
        row = self._connect().execute(
            "SELECT (SELECT count(*) FROM documents), (SELECT count(*) FROM chunks), "
            "(SELECT coalesce(max(ingested_at), '') FROM documents)"
        ).fetchone()
        return int(row[0]), int(row[1]), str(row[2])

    def phrase_exists(self, terms: Sequence[str]) -> bool:
        """Does some chunk hold these search terms side by side, in this order?"""
        phrase = " ".join(t.replace('"', "") for t in terms if t.strip('"'))
        if not phrase:
            return True
        row = self._connect().execute(
            "SELECT 1 FROM chunk_terms WHERE chunk_terms MATCH ? LIMIT 1", (f'"{phrase}"',)
        ).fetchone()
        return row is not None

    def sources_with_phrase(self, terms: Sequence[str]) -> list[str]:
        """The documents with a chunk holding these search terms side by side, in this order."""
        phrase = " ".join(t.replace('"', "") for t in terms if t.strip('"'))
        if not phrase:
            return []
        rows = self._connect().execute(
            "SELECT DISTINCT source FROM chunk_terms WHERE chunk_terms MATCH ?", (f'"{phrase}"',)
        ).fetchall()
        return sorted(row[0] for row in rows)

    def has_word_starting(self, prefix: str) -> bool:
        """Does any chunk hold a (stemmed) search term beginning with ``prefix``?"""
        row = self._connect().execute(
            "SELECT 1 FROM chunk_vocab WHERE term >= ? AND term < ? LIMIT 1", (prefix, prefix + "\U0010ffff")
        ).fetchone()
        return row is not None

    def document_frequencies(self, terms: Iterable[str]) -> tuple[dict[str, int], int]:
        """How many chunks contain each (stemmed) term, and how many chunks there are."""
        unique = sorted(set(terms))
        counted = self._keywords.document_frequencies(unique)
        if counted is not None:
            return counted
        frequencies: dict[str, int] = {}
        connection = self._connect()
        for term in unique:
            row = connection.execute("SELECT doc FROM chunk_vocab WHERE term = ?", (term,)).fetchone()
            frequencies[term] = int(row[0]) if row else 0
        return frequencies, self.chunk_count()


def pack_vectors(vectors: np.ndarray) -> bytes:
    """Sentence vectors as float16 with their dimension in front: half the size, same ranking."""
    matrix = np.asarray(vectors, dtype=np.float16)
    return np.int32(matrix.shape[1] if matrix.ndim == 2 and matrix.size else 0).tobytes() + matrix.tobytes()


def unpack_vectors(blob: bytes) -> np.ndarray:
    dimension = int(np.frombuffer(blob[:4], dtype=np.int32)[0])
    if dimension == 0:
        return np.zeros((0, 0), dtype=np.float32)
    return np.frombuffer(blob[4:], dtype=np.float16).reshape(-1, dimension).astype(np.float32)


def stored_schema_version(path: Path) -> str | None:
    """The format version of an existing store file, "1" for files from before versions were kept, None if new."""
    if not path.exists():
        return None
    connection = sqlite3.connect(path)
    try:
        tables = {row[0] for row in connection.execute("SELECT name FROM sqlite_master WHERE type = 'table'")}
        if "meta" not in tables:
            return None
        row = connection.execute("SELECT value FROM meta WHERE key = 'schema_version'").fetchone()
        return row[0] if row else "1"
    finally:
        connection.close()


def _stored_document(row: tuple) -> StoredDocument:
    source, sha, title, kind, date, text, page_starts, count = row
    return StoredDocument(source, sha, DocumentInfo(title, kind, date), text, tuple(json.loads(page_starts)), count)
