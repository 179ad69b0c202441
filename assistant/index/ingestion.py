"""Incremental ingestion of the corpus folder into the store and the vector index."""

from __future__ import annotations

import fcntl
import os
import shutil
from collections.abc import Callable, Iterator
from contextlib import contextmanager, nullcontext
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np

from assistant.reading.chunking import Chunk, chunk_document
from assistant.reading.documents import (
    DocumentInfo,
    SourceDocument,
    file_sha256,
    list_corpus_files,
    load_catalog,
    read_document,
    relative_source,
)
from assistant.errors import AssistantError, DocumentError, IndexLockedError, IndexMismatchError
from assistant.index.chroma import REBUILD_HINT, VectorIndex
from assistant.index.embeddings import LocalEmbeddings, WordPieceCounter, packaged_model_dir
from assistant.index.shared import SharedIndex, open_cache, remove_cache_files, utc_now, writer_name
from assistant.index.store import SCHEMA_VERSION, Store, stored_schema_version
from assistant.reading.glossary import GLOSSARY_VERSION
from assistant.settings import Settings
from assistant.text.sentences import reading_of, sentence_spans

CHUNKING_VERSION = 18
"""Bump when the chunking algorithm changes, so existing indexes are re-chunked at the next ingest."""

Progress = Callable[[int, int], None]
"""Called with (chunks embedded so far, chunks to embed)."""


@dataclass
class IngestReport:
    files_read: int = 0
    files_unchanged: int = 0
    chunks_added: int = 0
    chunks_unchanged: int = 0
    chunks_removed: int = 0
    documents_removed: list[str] = field(default_factory=list)
    failures: list[DocumentError] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return not self.failures

    def summary(self) -> str:
        return (
            f"{self.files_read} files read ({self.files_unchanged} unchanged), "
            f"chunks: {self.chunks_added} added, {self.chunks_unchanged} unchanged, {self.chunks_removed} removed; "
            f"{len(self.failures)} files failed"
        )


@contextmanager
def ingest_lock(path: Path) -> Iterator[None]:
    """An exclusive lock on the index: a second ingest stops at once with a clear message."""
    path.parent.mkdir(parents=True, exist_ok=True)
    with path.open("a+") as handle:
        try:
            fcntl.flock(handle, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError as exc:
            handle.seek(0)
            holder = handle.read().strip() or "another process"
            raise IndexLockedError(
                f"Another ingest ({holder}) is writing the index in {path.parent}; wait for it to finish and run again."
            ) from exc
        handle.seek(0)
        handle.truncate()
        handle.write(f"pid {os.getpid()}")
        handle.flush()
        try:
            yield
        finally:
            fcntl.flock(handle, fcntl.LOCK_UN)


def check_store_model(store: Store, settings: Settings) -> None:
    stored = store.get_meta("embedding_model")
    if stored and stored != settings.embedding_model:
        raise IndexMismatchError(
            f"The index in {settings.data_dir} was built with the embedding model {stored!r}, "
            f"but {settings.embedding_model!r} is configured: {REBUILD_HINT}."
        )


def wipe_index(settings: Settings, shared: SharedIndex | None = None) -> None:
    """Remove the whole index (store and vectors) so it can be rebuilt from the corpus."""
    if shared is not None:
        shared.wipe()
    elif settings.chroma_dir.exists():
        shutil.rmtree(settings.chroma_dir)
    remove_cache_files(settings)


EMBED_GROUP_CHUNKS = 128
"""Chunks embedded together: sorted by length across documents, they waste less of the model on padding."""


def groups_of_documents(
    pending: list[tuple[SourceDocument, list[Chunk]]], size: int
) -> Iterator[list[tuple[SourceDocument, list[Chunk]]]]:
    group: list[tuple[SourceDocument, list[Chunk]]] = []
    count = 0
    for document, chunks in pending:
        if group and count + len(chunks) > size:
            yield group
            group, count = [], 0
        group.append((document, chunks))
        count += len(chunks)
    if group:
        yield group


class Ingestor:
    """Brings the index in line with the corpus folder: new and changed files in, deleted files out."""

    def __init__(self, settings: Settings, embeddings: LocalEmbeddings | None = None) -> None:
        self.settings = settings
        self._embeddings = embeddings
        self.count_tokens = embeddings.count_tokens if embeddings else WordPieceCounter(
            packaged_model_dir(settings.embedding_model)
        )

    @property
    def embeddings(self) -> LocalEmbeddings:
        if self._embeddings is None:  # loaded only when something needs embedding
            self._embeddings = LocalEmbeddings(self.settings.embedding_model)
        return self._embeddings

    def chunk(self, document: SourceDocument) -> list[Chunk]:
        """Chunks whose embedded text (title, section, body) fits the model's input."""
        header_budget = 90  # title, section heading and lead-in sentence
        body_limit = min(self.settings.chunk_max_tokens, self.settings.embedding_max_tokens - 2 - header_budget)
        return chunk_document(document, self.count_tokens, body_limit)

    def chunking_signature(self) -> str:
        """Changes whenever the same file would be cut into different chunks or its sentences embedded otherwise: then
        every file is re-chunked."""
        return f"v{CHUNKING_VERSION}:{self.settings.chunk_max_tokens}:{self.settings.embedding_max_tokens}"

    def run(self, rebuild: bool = False, progress: Progress | None = None) -> IngestReport:
        shared = SharedIndex(self.settings) if self.settings.uses_chroma_server else None
        writer = writer_name(self.settings)
        with ingest_lock(self.settings.lock_path), shared.writer_lock(writer) if shared else nullcontext():
            if shared is not None:
                if rebuild or shared.outdated():
                    wipe_index(self.settings, shared)
                store = open_cache(self.settings)
            else:
                if rebuild or stored_schema_version(self.settings.store_path) not in (None, SCHEMA_VERSION):
                    wipe_index(self.settings)
                store = Store(self.settings.store_path)
            try:
                index = VectorIndex(self.settings)
                if shared is not None:
                    shared.sync(store)  # start from what the server holds, whoever wrote it
                check_store_model(store, self.settings)
                report = self._sync(store, index, progress, shared)
                store.set_meta("embedding_model", self.settings.embedding_model)
                if shared is not None:
                    generation = shared.publish(str(index.collection.id), self.chunking_signature(), writer)
                    store.set_meta("generation", generation.marker)
                    store.set_meta("collection_id", generation.collection_id)
                return report
            finally:
                store.close()

    def _sync(
        self, store: Store, index: VectorIndex, progress: Progress | None, shared: SharedIndex | None = None
    ) -> IngestReport:
        report = IngestReport()
        corpus = self.settings.corpus_dir
        if not corpus.is_dir():
            raise DocumentError(str(corpus), "corpus folder not found")
        try:
            catalog = load_catalog(corpus)
        except DocumentError as error:
            report.failures.append(error)
            catalog = {}
        known = {doc.source: doc for doc in store.documents()}
        rechunk_all = store.get_meta("chunking") != self.chunking_signature()
        seen: set[str] = set()
        first_source_of_hash: dict[str, str] = {}
        pending: list[tuple[SourceDocument, list[Chunk]]] = []
        for path in list_corpus_files(corpus):
            source = relative_source(path, corpus)
            seen.add(source)
            report.files_read += 1
            stored = known.get(source)
            try:
                if stored and not rechunk_all and self._unchanged(path, stored.sha256, stored.info, catalog.get(source)):
                    report.files_unchanged += 1
                    report.chunks_unchanged += stored.chunk_count
                    first_source_of_hash.setdefault(stored.sha256, source)
                    continue
                document = read_document(path, corpus, catalog, self.settings.max_file_bytes)
            except DocumentError as error:
                report.failures.append(error)
                continue
            duplicate_of = first_source_of_hash.setdefault(document.sha256, source)
            if duplicate_of != source:
                report.failures.append(DocumentError(source, f"same content as {duplicate_of}: skipped as a duplicate"))
                continue
            report.warnings.extend(f"{source}: {warning}" for warning in document.warnings)
            pending.append((document, self.chunk(document)))

        failed_sources = {failure.source for failure in report.failures}
        gone = sorted(set(known) - seen - failed_sources)
        if shared is not None and known and len(gone) == len(known):
            raise AssistantError(
                f"The corpus folder {corpus} holds none of the {len(known)} documents indexed on {shared.location} "
                f"(for example {gone[0]}): an ingest from it would remove them all. Point ASSISTANT_CORPUS_DIR at "
                "the folder the index was built from, or run `python -m assistant ingest --rebuild` to replace the "
                "index with this folder."
            )
        self._write(store, index, pending, report, progress, shared)
        for source in gone:
            old_ids = store.chunk_ids_of(source)
            store.remove_document(source)
            if shared is not None:
                shared.remove_document(source)
            index.delete(sorted(old_ids))
            report.chunks_removed += len(old_ids)
            report.documents_removed.append(source)
        self._remove_orphans(store, index)
        if pending or report.documents_removed or store.get_meta("glossary") != GLOSSARY_VERSION:
            store.rebuild_glossary()
            store.set_meta("glossary", GLOSSARY_VERSION)
        store.set_meta("chunking", self.chunking_signature())
        return report

    def _unchanged(self, path: Path, stored_sha: str, stored_info: DocumentInfo, catalog_info: DocumentInfo | None) -> bool:
        if catalog_info is not None and catalog_info != stored_info:
            return False
        try:
            return file_sha256(path) == stored_sha
        except OSError:
            return False

    def _write(
        self, store: Store, index: VectorIndex, pending: list[tuple[SourceDocument, list[Chunk]]],
        report: IngestReport, progress: Progress | None, shared: SharedIndex | None = None,
    ) -> None:
        """Embed a few documents at a time (their chunks batched by length together), then store each document:
        an interruption keeps every finished document."""
        existing = index.ids()
        total = sum(1 for _, chunks in pending for chunk in chunks if chunk.id not in existing)
        done = 0
        if progress:
            progress(0, total)
        for group in groups_of_documents(pending, EMBED_GROUP_CHUNKS):
            all_chunks = [chunk for _, chunks in group for chunk in chunks]
            sentence_vectors = store.sentence_vectors([c.id for c in all_chunks if c.id in existing])
            new_chunks = [c for c in all_chunks if c.id not in existing]
            missing_sentences = [c for c in all_chunks if c.id not in sentence_vectors]
            chunk_vectors, new_sentence_vectors = self._embed_batch(new_chunks, missing_sentences)
            sentence_vectors.update(new_sentence_vectors)
            vector_of = dict(zip((c.id for c in new_chunks), chunk_vectors, strict=True))
            for document, chunks in group:
                self._store_document(store, index, shared, report, document, chunks, vector_of, sentence_vectors)
            done += len(new_chunks)
            if progress:
                progress(done, total)

    @staticmethod
    def _store_document(
        store: Store, index: VectorIndex, shared: SharedIndex | None, report: IngestReport, document: SourceDocument,
        chunks: list[Chunk], vector_of: dict[str, list[float]], sentence_vectors: dict[str, np.ndarray],
    ) -> None:
        old_ids = store.chunk_ids_of(document.source)
        new_chunks = [c for c in chunks if c.id in vector_of]
        index.upsert(new_chunks, [vector_of[c.id] for c in new_chunks], sentence_vectors)
        indexed_at = utc_now()
        store.replace_document(document, chunks, sentence_vectors, indexed_at)
        if shared is not None:
            shared.put_document(document, chunks, indexed_at)
        new_ids = {chunk.id for chunk in chunks}
        stale = old_ids - new_ids
        index.delete(sorted(stale))
        report.chunks_added += len(new_ids - old_ids)
        report.chunks_unchanged += len(new_ids & old_ids)
        report.chunks_removed += len(stale)

    def _embed_batch(
        self, need_chunk_vector: list[Chunk], need_sentence_vectors: list[Chunk]
    ) -> tuple[list[list[float]], dict[str, np.ndarray]]:
        """Chunk vectors (for Chroma) and per-sentence vectors (for reranking and answering) in one model call."""
        sentences = [[reading_of(c.text, s) for s in sentence_spans(c.text)] for c in need_sentence_vectors]
        texts = [c.embedding_text() for c in need_chunk_vector] + [t for group in sentences for t in group]
        if not texts:
            return [], {}
        vectors = self.embeddings.embed_documents(texts)
        chunk_vectors = vectors[: len(need_chunk_vector)]
        position = len(need_chunk_vector)
        per_chunk: dict[str, np.ndarray] = {}
        for chunk, group in zip(need_sentence_vectors, sentences, strict=True):
            per_chunk[chunk.id] = np.asarray(vectors[position:position + len(group)], dtype=np.float32)
            position += len(group)
        return chunk_vectors, per_chunk

    @staticmethod
    def _remove_orphans(store: Store, index: VectorIndex) -> None:
        """Vectors whose chunk the store doesn't know (an interrupted ingest) are deleted."""
        orphans = index.ids() - store.all_chunk_ids()
        if orphans:
            index.delete(sorted(orphans))

