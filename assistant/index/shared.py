"""The Chroma server as the single source of truth for several instances of the assistant (``CHROMA_HOST``).

Three collections on the server hold everything needed to answer, verify quotes and build the glossary:

- ``{collection}``: a record per passage: its vector, its text and, in metadata, its title, section, lead-in and
  the vectors of its sentences;
- ``{collection}-documents``: a record per document: the stored text that quotes are verified against, its title,
  kind, date, page starts, and the id and position of each of its passages;
- ``{collection}-state``: the generation each ingest writes when it finishes, and the ingest lock.

Each instance keeps its SQLite ``Store`` as a cache of these records (keyword index, glossary and sentence vectors
are rebuilt from them). Before every question the instance reads the generation; when it changed, the cache takes
the documents whose record changed and drops the ones gone, so a change made anywhere is answered from no later
than the next question.
"""

from __future__ import annotations

import json
import os
import socket
import threading
import time
import uuid
from collections.abc import Iterator, Mapping, Sequence
from contextlib import contextmanager
from dataclasses import asdict, dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from assistant.errors import AssistantError, IndexLockedError, IndexMismatchError
from assistant.index.chroma import chroma_client, decode_vectors
from assistant.index.store import REBUILD_HINT, Store
from assistant.reading.chunking import Chunk
from assistant.reading.documents import DocumentInfo, SourceDocument
from assistant.reading.glossary import GLOSSARY_VERSION
from assistant.settings import Settings

SERVER_FORMAT = "1"
"""Bump when the records above change: instances then ask for a rebuild, and the next ingest rebuilds."""

GENERATION_ID = "generation"
LOCK_ID = "ingest-lock"
PLACEHOLDER_VECTOR = [1.0]
"""Chroma stores a vector with every record; documents and state records are never searched by vector."""

HEARTBEAT_S = 10.0
"""How often a running ingest renews its lock."""

STALE_LOCK_S = 120.0
"""A lock not renewed for this long belongs to an ingest that died: the next ingest takes it over."""

FETCH_BATCH = 1000
"""Passages read from the server per request when the cache is filled."""


def writer_name(settings: Settings) -> str:
    """Who is writing, as the other writers are told: process, machine and data folder."""
    return f"pid {os.getpid()} on {socket.gethostname()}, data folder {settings.data_dir}"


def utc_now() -> str:
    return datetime.now(UTC).strftime("%Y-%m-%d %H:%M:%S")


@dataclass(frozen=True)
class Generation:
    """What the last finished ingest wrote on the server."""

    marker: str
    collection_id: str
    embedding_model: str
    chunking: str
    format: str
    writer: str
    written_at: str

    @classmethod
    def from_metadata(cls, metadata: Mapping[str, Any]) -> Generation:
        return cls(*(str(metadata.get(name, "")) for name in cls.__dataclass_fields__))


def remove_cache_files(settings: Settings) -> None:
    for suffix in ("", "-wal", "-shm"):
        Path(f"{settings.store_path}{suffix}").unlink(missing_ok=True)


def open_cache(settings: Settings) -> Store:
    """The instance's local cache of the server's index; one in another format, or built with another embedding
    model, is dropped (it is rebuilt from the server)."""
    try:
        store = Store(settings.store_path)
    except IndexMismatchError:
        remove_cache_files(settings)
        return Store(settings.store_path)
    if store.get_meta("embedding_model") not in (None, settings.embedding_model):
        store.close()
        remove_cache_files(settings)
        return Store(settings.store_path)
    return store


class SharedIndex:
    """The documents and state collections of a Chroma server, and the local cache kept in line with them."""

    def __init__(self, settings: Settings, client: Any | None = None) -> None:
        self.settings = settings
        self.client = client if client is not None else chroma_client(settings)
        self._sync_lock = threading.Lock()
        self._open()

    def _open(self) -> None:
        name = self.settings.collection
        self.documents = self.client.get_or_create_collection(f"{name}-documents", embedding_function=None)
        self.state = self.client.get_or_create_collection(f"{name}-state", embedding_function=None)
        self._opened_for: str | None = None
        """The passages collection whose generation the handles were opened for (a rebuild replaces them)."""

    def _opened(self, generation: Generation | None) -> Any:
        """The passages collection, the documents and state collections open for ``generation``: opened again only
        when a rebuild elsewhere replaced them (three round trips saved on every other change)."""
        if generation is None or generation.collection_id != self._opened_for:
            self._open()
            self._passages_collection = self._passages()
            self._opened_for = generation.collection_id if generation else None
        return self._passages_collection

    @property
    def location(self) -> str:
        return f"the Chroma server {self.settings.chroma_host}:{self.settings.chroma_port}"

    # --- generation -------------------------------------------------------------------------

    def generation(self) -> Generation | None:
        found = self.state.get(ids=[GENERATION_ID], include=["metadatas"])
        return Generation.from_metadata(found["metadatas"][0]) if found["ids"] else None

    def read_generation(self) -> Generation | None:
        """``generation()``, with a failure to reach the server said as such."""
        try:
            return self.generation()
        except Exception as exc:  # chromadb raises plain HTTP and value errors
            raise self._unreadable(exc) from exc

    def _unreadable(self, error: Exception) -> AssistantError:
        return AssistantError(f"Cannot read the index from {self.location}: {error}")

    def publish(self, collection_id: str, chunking: str, writer: str) -> Generation:
        """Mark the end of an ingest: every instance refreshes its cache before its next question."""
        generation = Generation(
            uuid.uuid4().hex, collection_id, self.settings.embedding_model, chunking, SERVER_FORMAT, writer, utc_now()
        )
        self.state.upsert(ids=[GENERATION_ID], embeddings=[PLACEHOLDER_VECTOR], metadatas=[asdict(generation)])
        return generation

    def check_readable(self, generation: Generation | None, passages: int) -> None:
        """An index another version wrote, or one built with another embedding model, cannot be read: say what to run."""
        if generation is None:
            if passages:
                raise IndexMismatchError(
                    f"The index on {self.location} was written by an older version of the assistant: {REBUILD_HINT}."
                )
            return
        if generation.format != SERVER_FORMAT:
            raise IndexMismatchError(
                f"The index on {self.location} is in format {generation.format}, this version reads "
                f"{SERVER_FORMAT}: {REBUILD_HINT}."
            )
        if generation.embedding_model != self.settings.embedding_model:
            raise IndexMismatchError(
                f"The index on {self.location} was built with the embedding model {generation.embedding_model!r}, "
                f"but {self.settings.embedding_model!r} is configured: {REBUILD_HINT}, or configure "
                f"{generation.embedding_model!r} again."
            )

    # --- writing (an ingest holding the lock) -----------------------------------------------

    def put_document(self, document: SourceDocument, chunks: Sequence[Chunk], ingested_at: str) -> None:
        """Written after the document's passages: a reader that sees this record finds all of them."""
        layout = [[c.id, c.start, c.end, c.page] for c in chunks]
        metadata: dict[str, Any] = {
            "sha256": document.sha256, "title": document.info.title, "kind": document.info.kind,
            "page_starts": json.dumps(list(document.page_starts)), "chunks": json.dumps(layout),
            "ingested_at": ingested_at,
        }
        if document.info.date:
            metadata["date"] = document.info.date
        self.documents.upsert(
            ids=[document.source], embeddings=[PLACEHOLDER_VECTOR], metadatas=[metadata], documents=[document.text]
        )

    def remove_document(self, source: str) -> None:
        """Written before its passages are deleted: readers stop taking the document first."""
        self.documents.delete(ids=[source])

    def wipe(self) -> None:
        """Delete every document and passage (the lock stays with the ingest that wipes)."""
        names = {collection.name for collection in self.client.list_collections()}
        for name in (self.settings.collection, f"{self.settings.collection}-documents"):
            if name in names:
                self.client.delete_collection(name)
        self.state.delete(ids=[GENERATION_ID])
        self._open()

    @contextmanager
    def writer_lock(self, writer: str) -> Iterator[None]:
        """One writer at a time across every instance and job sharing the server; the others are refused at once,
        told who is writing and since when."""
        token = uuid.uuid4().hex
        self._acquire(token, writer)
        stop = threading.Event()
        beating = threading.Thread(target=self._heartbeat, args=(token, stop), daemon=True)
        beating.start()
        try:
            yield
        finally:
            stop.set()
            beating.join()
            if (self._lock_holder() or {}).get("token") == token:
                self.state.delete(ids=[LOCK_ID])

    def _acquire(self, token: str, writer: str) -> None:
        now = time.time()
        record = {"token": token, "writer": writer, "since": utc_now(), "heartbeat": now}
        # ``add`` leaves an existing record alone, and the server applies writes one at a time: of several
        # writers adding the lock at once, exactly one finds its own token when it reads the record back.
        self.state.add(ids=[LOCK_ID], embeddings=[PLACEHOLDER_VECTOR], metadatas=[record])
        holder = self._lock_holder() or {}
        if holder.get("token") == token:
            return
        if now - float(holder.get("heartbeat", now)) > STALE_LOCK_S:
            self.state.delete(ids=[LOCK_ID], where={"token": holder.get("token", "")})
            return self._acquire(token, writer)
        raise IndexLockedError(
            f"Another ingest ({holder.get('writer', 'unknown writer')}, since {holder.get('since', '?')} UTC) is "
            f"writing the index on {self.location}; wait for it to finish and run again."
        )

    def _lock_holder(self) -> dict[str, Any] | None:
        found = self.state.get(ids=[LOCK_ID], include=["metadatas"])
        return dict(found["metadatas"][0]) if found["ids"] else None

    def _heartbeat(self, token: str, stop: threading.Event) -> None:
        while not stop.wait(HEARTBEAT_S):
            try:
                holder = self._lock_holder() or {}
                if holder.get("token") == token:
                    self.state.update(ids=[LOCK_ID], metadatas=[{**holder, "heartbeat": time.time()}])
            except Exception:  # a missed beat is retried; only STALE_LOCK_S without one frees the lock
                continue

    # --- reading into the cache -------------------------------------------------------------

    def outdated(self) -> bool:
        """Was the server's index written by another version (an ingest then rebuilds it)?"""
        generation = self.generation()
        if generation is not None:
            return generation.format != SERVER_FORMAT
        names = {collection.name for collection in self.client.list_collections()}
        return self.settings.collection in names and self._passages().count() > 0

    def _passages(self) -> Any:
        return self.client.get_or_create_collection(self.settings.collection, embedding_function=None)

    def sync(self, store: Store, fetched: tuple[Generation | None] | None = None) -> bool:
        """Bring ``store`` in line with the server if another generation was published; True if a document of the
        cache changed (a generation whose ingest changed nothing costs one comparison, not a glossary rebuild).
        ``fetched``: the server's generation, already read by the caller (then no round trip is made for it)."""
        with self._sync_lock:
            try:
                generation = self.generation() if fetched is None else fetched[0]
                if generation is not None and generation.marker == store.get_meta("generation"):
                    return False
                passages = self._opened(generation)
                if generation is None and self._lock_holder() is None:
                    self.check_readable(None, passages.count())
                    changed = bool(store.documents())
                    store.clear()
                    return changed
                cleared = False
                if generation is not None:
                    self.check_readable(generation, 0)
                    if store.get_meta("collection_id") not in (None, generation.collection_id):
                        cleared = bool(store.documents())
                        store.clear()
                try:
                    changed, complete = self._copy_documents(store, passages)
                except Exception:  # a rebuild under way deleted the collections held open: open them again
                    self._opened_for = None
                    changed, complete = self._copy_documents(store, self._opened(generation))
            except AssistantError:
                raise
            except Exception as exc:  # chromadb raises plain HTTP and value errors
                self._opened_for = None
                raise self._unreadable(exc) from exc
            changed = changed or cleared
            if changed:
                store.rebuild_glossary()
                store.set_meta("glossary", GLOSSARY_VERSION)
            if generation is not None:
                store.set_meta("embedding_model", generation.embedding_model)
                store.set_meta("chunking", generation.chunking)
                store.set_meta("collection_id", generation.collection_id)
                if complete:  # else an ingest is changing documents right now: read again at the next question
                    store.set_meta("generation", generation.marker)
            return changed

    def _copy_documents(self, store: Store, passages: Any) -> tuple[bool, bool]:
        """Take every document whose passages differ from the cache's, drop those gone. Returns whether the cache
        changed, and whether it is complete (False if a document's passages were not all on the server: an ingest
        is writing them)."""
        records = self._all_document_metadata()
        layouts = {source: [tuple(item) for item in json.loads(m["chunks"])] for source, m in records.items()}
        gone = {d.source for d in store.documents()} - set(records)
        for source in gone:
            store.remove_document(source)
        wanted = [
            source for source, metadata in records.items()
            if store.document_layout(source) != layouts[source] or store.document_sha256(source) != metadata["sha256"]
        ]
        copied, complete = 0, True
        for batch in _batches_by_passages(wanted, layouts, FETCH_BATCH):
            taken = self._copy_batch(store, passages, batch, layouts)
            copied += taken
            complete &= taken == len(batch)
        return bool(gone) or copied > 0, complete

    def _all_document_metadata(self) -> dict[str, Mapping[str, Any]]:
        found: dict[str, Mapping[str, Any]] = {}
        offset = 0
        while True:
            page = self.documents.get(include=["metadatas"], limit=1000, offset=offset)
            found.update(zip(page["ids"], page["metadatas"], strict=True))
            if len(page["ids"]) < 1000:
                return found
            offset += 1000

    def _copy_batch(
        self, store: Store, passages: Any, sources: Sequence[str], layouts: Mapping[str, Sequence[Sequence[Any]]]
    ) -> int:
        """Copy these documents into the cache; returns how many were complete on the server and copied."""
        texts = self.documents.get(ids=list(sources), include=["documents", "metadatas"])
        by_source = dict(zip(texts["ids"], zip(texts["documents"], texts["metadatas"], strict=True), strict=True))
        ids = [item[0] for source in sources for item in layouts[source]]
        found = passages.get(ids=ids, include=["metadatas"]) if ids else {"ids": [], "metadatas": []}
        chunk_metadata = dict(zip(found["ids"], found["metadatas"], strict=True))
        copied = 0
        for source in sources:
            if source not in by_source:  # removed since the list was read
                continue
            text, metadata = by_source[source]
            layout = json.loads(metadata["chunks"])  # as read with the text: it may be newer than the list
            if any(item[0] not in chunk_metadata for item in layout):
                continue
            document = SourceDocument(
                source, text, DocumentInfo(metadata["title"], metadata["kind"], metadata.get("date")),
                metadata["sha256"], tuple(json.loads(metadata["page_starts"])),
            )
            chunks, vectors = [], {}
            for ordinal, (chunk_id, start, end, page) in enumerate(layout):
                stored = chunk_metadata[chunk_id]
                chunks.append(Chunk(
                    chunk_id, source, ordinal, text[start:end], stored.get("section"), page, start, end,
                    document.info.title, document.info.kind, document.info.date, stored.get("context"),
                ))
                if "sentences" in stored:
                    vectors[chunk_id] = decode_vectors(stored["sentences"])
            store.replace_document(document, chunks, vectors, ingested_at=metadata.get("ingested_at"))
            copied += 1
        return copied


def _batches_by_passages(
    sources: Sequence[str], layouts: Mapping[str, Sequence[object]], size: int
) -> Iterator[list[str]]:
    """Documents grouped so that each request reads about ``size`` passages."""
    batch: list[str] = []
    count = 0
    for source in sources:
        batch.append(source)
        count += len(layouts[source])
        if count >= size:
            yield batch
            batch, count = [], 0
    if batch:
        yield batch
