"""The Chroma vector index: embedded on disk by default, or a Chroma server when ``CHROMA_HOST`` is set."""

from __future__ import annotations

import base64
from collections.abc import Mapping, Sequence
from typing import Any

import numpy as np

from assistant.errors import AssistantError, IndexMismatchError
from assistant.reading.chunking import Chunk
from assistant.settings import Settings

from assistant.index.store import REBUILD_HINT, pack_vectors, unpack_vectors


def chroma_client(settings: Settings) -> Any:
    """A Chroma client with telemetry off: embedded under ``data_dir``, or HTTP to a server."""
    import chromadb
    from chromadb.config import Settings as ChromaSettings

    chroma_settings = ChromaSettings(anonymized_telemetry=False, allow_reset=False)
    if settings.uses_chroma_server:
        headers = {"Authorization": f"Bearer {settings.chroma_token}"} if settings.chroma_token else None
        try:
            return chromadb.HttpClient(
                host=settings.chroma_host or "localhost", port=settings.chroma_port, headers=headers,
                settings=chroma_settings,
            )
        except Exception as exc:  # chromadb raises plain ValueError/ConnectionError variants
            raise AssistantError(
                f"Cannot reach the Chroma server at {settings.chroma_host}:{settings.chroma_port} ({exc}). "
                "Start it with `chroma run --path DIR --port PORT` or unset CHROMA_HOST to use the embedded store."
            ) from exc
    settings.chroma_dir.mkdir(parents=True, exist_ok=True)
    return chromadb.PersistentClient(path=str(settings.chroma_dir), settings=chroma_settings)


def where_filter(sources: Sequence[str] | None, kinds: Sequence[str] | None) -> dict[str, Any] | None:
    clauses: list[dict[str, Any]] = []
    if sources:
        clauses.append({"source": {"$in": list(sources)}})
    if kinds:
        clauses.append({"kind": {"$in": list(kinds)}})
    if not clauses:
        return None
    return clauses[0] if len(clauses) == 1 else {"$and": clauses}


def encode_vectors(vectors: np.ndarray) -> str:
    return base64.b64encode(pack_vectors(vectors)).decode("ascii")


def decode_vectors(text: str) -> np.ndarray:
    return unpack_vectors(base64.b64decode(text))


def chunk_metadata(chunk: Chunk, sentence_vectors: np.ndarray | None = None) -> dict[str, Any]:
    """What a passage's record carries besides its vector and text: enough for another instance to rebuild it
    (positions in the document live in the document's record, as they move when text before them changes)."""
    metadata: dict[str, Any] = {
        "source": chunk.source, "title": chunk.title, "kind": chunk.kind, "ordinal": chunk.ordinal,
        "start": chunk.start, "end": chunk.end,
    }
    for key, value in (("date", chunk.date), ("page", chunk.page), ("section", chunk.section), ("context", chunk.context)):
        if value is not None:
            metadata[key] = value
    if sentence_vectors is not None:
        metadata["sentences"] = encode_vectors(sentence_vectors)
    return metadata


class VectorIndex:
    """One Chroma collection holding chunk embeddings, tagged with the embedding model that made them."""

    def __init__(self, settings: Settings, client: Any | None = None) -> None:
        self.settings = settings
        self.client = client if client is not None else chroma_client(settings)
        self.reopen()

    def reopen(self) -> None:
        """(Re)open the collection by name: after another instance rebuilt the shared index, it has a new id."""
        self.collection = self.client.get_or_create_collection(
            self.settings.collection,
            metadata={"embedding_model": self.settings.embedding_model},
            configuration={"hnsw": {"space": "cosine"}},
            embedding_function=None,
        )
        self.check_model()

    def check_model(self) -> None:
        stored = (self.collection.metadata or {}).get("embedding_model")
        if stored and stored != self.settings.embedding_model:
            raise IndexMismatchError(
                f"The index in {self.location} was built with the embedding model {stored!r}, "
                f"but {self.settings.embedding_model!r} is configured: {REBUILD_HINT}, or configure {stored!r} again."
            )

    @property
    def location(self) -> str:
        if self.settings.uses_chroma_server:
            return f"Chroma server {self.settings.chroma_host}:{self.settings.chroma_port}"
        return str(self.settings.chroma_dir)

    def count(self) -> int:
        return int(self.collection.count())

    def ids(self) -> set[str]:
        found: set[str] = set()
        offset = 0
        while True:
            page = self.collection.get(include=[], limit=5000, offset=offset)
            found.update(page["ids"])
            if len(page["ids"]) < 5000:
                return found
            offset += 5000

    def upsert(
        self, chunks: Sequence[Chunk], vectors: Sequence[Sequence[float]],
        sentence_vectors: Mapping[str, np.ndarray] | None = None,
    ) -> None:
        sentence_vectors = sentence_vectors or {}
        for start in range(0, len(chunks), 1000):
            batch = chunks[start:start + 1000]
            self.collection.upsert(
                ids=[c.id for c in batch],
                embeddings=[list(v) for v in vectors[start:start + 1000]],
                metadatas=[chunk_metadata(c, sentence_vectors.get(c.id)) for c in batch],
                documents=[c.text for c in batch],
            )

    def delete(self, ids: Sequence[str]) -> None:
        ids = list(ids)
        for start in range(0, len(ids), 1000):
            self.collection.delete(ids=ids[start:start + 1000])

    def search(
        self, vector: Sequence[float], limit: int, sources: Sequence[str] | None = None,
        kinds: Sequence[str] | None = None,
    ) -> list[tuple[str, float]]:
        """Chunk ids by cosine similarity to ``vector``, best first."""
        if limit <= 0:
            return []
        result = self.collection.query(
            query_embeddings=[list(vector)], n_results=limit, where=where_filter(sources, kinds), include=["distances"],
        )
        return [(cid, 1.0 - float(d)) for cid, d in zip(result["ids"][0], result["distances"][0], strict=True)]
