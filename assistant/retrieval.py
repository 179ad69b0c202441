"""Hybrid retrieval: dense search in Chroma and BM25 keyword search in SQLite FTS5, fused by reciprocal rank."""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

import numpy as np
from langchain_core.callbacks import CallbackManagerForRetrieverRun
from langchain_core.documents import Document
from langchain_core.retrievers import BaseRetriever
from pydantic import ConfigDict

from assistant.chunking import Chunk
from assistant.embeddings import LocalEmbeddings
from assistant.index import VectorIndex
from assistant.settings import Settings
from assistant.store import Store
from assistant.lexical import QueryCoverage
from assistant.text import expanded_terms, search_terms, sentence_spans


@dataclass(frozen=True)
class SearchFilters:
    """Restrict retrieval to some documents (``source`` paths) and/or kinds."""

    sources: tuple[str, ...] = ()
    kinds: tuple[str, ...] = ()


_DOCUMENT_NOUNS = "paper|annex|minutes|letter|document|report|statement|presentation|note|notes"
_NOT_IN_A_NAME = "the|a|an|in|of|to|for|on|at|by|with|from|and|or|does|do|did|is|are|was|were|say|says|said"
_DOCUMENT_REFERENCE = re.compile(
    rf"\b(?:the|its|their|this|that|our)\s+((?:(?!(?:{_NOT_IN_A_NAME})\b)[\w'’.-]+\s+){{0,4}}(?:{_DOCUMENT_NOUNS}))\b",
    re.IGNORECASE,
)
_GENERIC_REFERENCE_TERMS = frozenset(search_terms(_DOCUMENT_NOUNS.replace("|", " ") + " position"))


def referenced_sources(question: str, labels: Sequence[tuple[str, str, str]]) -> set[str]:
    """Documents the question names ("according to the annex", "in the minutes", "its recovery paper"): those whose
    title and kind share the most of the reference's words. Nothing when the reference fits half the library or more."""
    referenced: set[str] = set()
    for match in _DOCUMENT_REFERENCE.finditer(question):
        terms = set(search_terms(match.group(1)))
        specific = terms - _GENERIC_REFERENCE_TERMS
        wanted = specific or terms
        overlap = {source: len(wanted & set(search_terms(f"{title} {kind}"))) for source, title, kind in labels}
        best = max(overlap.values(), default=0)
        chosen = {source for source, count in overlap.items() if count == best and best > 0}
        if chosen and len(chosen) < max(2, len(labels) / 2):
            referenced |= chosen
    return referenced


@dataclass(frozen=True)
class Passage:
    """A retrieved chunk with its fused score and what each ranker thought of it."""

    chunk: Chunk
    score: float
    dense_similarity: float | None = None
    keyword_score: float | None = None
    dense_rank: int | None = None
    keyword_rank: int | None = None
    sentence_similarities: tuple[float, ...] = ()
    """Cosine similarity of the query to each sentence of the chunk (in ``sentence_spans`` order), when known."""


@dataclass
class RetrievalResult:
    passages: list[Passage]
    query_vector: list[float] = field(default_factory=list)
    referenced_sources: frozenset[str] = frozenset()
    """Documents the question names ("according to the annex"): their passages were ranked up."""


def reciprocal_rank_fusion(
    rankings: Sequence[tuple[Sequence[str], float]], k: int
) -> list[tuple[str, float]]:
    """Fuse ranked id lists, each with a weight: score = Σ weight / (k + rank)."""
    scores: dict[str, float] = {}
    for ids, weight in rankings:
        for rank, chunk_id in enumerate(ids, start=1):
            scores[chunk_id] = scores.get(chunk_id, 0.0) + weight / (k + rank)
    return sorted(scores.items(), key=lambda item: item[1], reverse=True)


class HybridSearcher:
    """Runs both rankers and fuses them; shared by the LangChain retriever and the answerer."""

    def __init__(self, settings: Settings, store: Store, index: VectorIndex, embeddings: LocalEmbeddings) -> None:
        self.settings = settings
        self.store = store
        self.index = index
        self.embeddings = embeddings

    def search(self, query: str, filters: SearchFilters | None = None, top_k: int | None = None) -> RetrievalResult:
        filters = filters or SearchFilters()
        top_k = top_k or self.settings.top_k
        limit = self.settings.candidates_per_ranker
        vector = self.embeddings.embed_query(query)
        dense = self.index.search(vector, limit, filters.sources or None, filters.kinds or None)
        keyword = self.store.keyword_search(expanded_terms(search_terms(query)), limit, filters.sources or None, filters.kinds or None)
        fused = reciprocal_rank_fusion(
            [([cid for cid, _ in dense], self.settings.dense_weight), ([cid for cid, _ in keyword], self.settings.keyword_weight)],
            self.settings.rrf_k,
        )
        depth = max(top_k, self.settings.rerank_depth)
        chunks = self.store.chunks([cid for cid, _ in fused[: depth + 10]])
        # Vectors left behind by an interrupted ingest have no chunk in the store: they are skipped.
        fused = [(cid, score) for cid, score in fused if cid in chunks][:depth]
        sentence_similarities = self.sentence_similarities(vector, chunks, [cid for cid, _ in fused])
        scored = self.rerank(query, fused, chunks, sentence_similarities)
        referenced = referenced_sources(query, self.store.document_labels())
        if referenced:
            scored = sorted(
                ((cid, score + self.settings.referenced_document_boost * (chunks[cid].source in referenced))
                 for cid, score in scored),
                key=lambda item: item[1], reverse=True,
            )
        dense_info = {cid: (rank, sim) for rank, (cid, sim) in enumerate(dense, start=1)}
        keyword_info = {cid: (rank, score) for rank, (cid, score) in enumerate(keyword, start=1)}
        passages: list[Passage] = []
        for chunk_id, score in scored[:top_k]:
            d_rank, d_sim = dense_info.get(chunk_id, (None, None))
            k_rank, k_score = keyword_info.get(chunk_id, (None, None))
            similarities = tuple(float(x) for x in sentence_similarities.get(chunk_id, ()))
            passages.append(Passage(chunks[chunk_id], score, d_sim, k_score, d_rank, k_rank, similarities))
        return RetrievalResult(passages, vector, frozenset(referenced))

    def sentence_similarities(
        self, vector: Sequence[float], chunks: dict[str, Chunk], chunk_ids: Sequence[str]
    ) -> dict[str, np.ndarray]:
        """Query-to-sentence cosine for each candidate chunk, from the sentence vectors stored at ingest."""
        stored = self.store.sentence_vectors(list(chunk_ids))
        query = np.asarray(vector, dtype=np.float32)
        similarities: dict[str, np.ndarray] = {}
        for chunk_id, matrix in stored.items():
            if matrix.size and len(matrix) == len(sentence_spans(chunks[chunk_id].text)):
                similarities[chunk_id] = matrix @ query
        return similarities

    def rerank(
        self, query: str, fused: list[tuple[str, float]], chunks: dict[str, Chunk],
        sentence_similarities: dict[str, np.ndarray],
    ) -> list[tuple[str, float]]:
        """Blend the fused rank with the passage's best sentence: its share of the question's rare words and its
        closeness in meaning to the question.

        Rank fusion alone favours passages that repeat common query words (an agenda listing "Commissioner
        Breton" three times); a single sentence that holds the question's words or meaning is better evidence.
        """
        coverage_weight = self.settings.sentence_rerank_weight
        dense_weight = self.settings.sentence_dense_weight
        if not fused or coverage_weight + dense_weight <= 0:
            return fused
        coverage = QueryCoverage(query, self.store.document_frequencies)
        top = fused[0][1]
        rescored = []
        for chunk_id, score in fused:
            chunk = chunks[chunk_id]
            header = chunk.situation()
            best_coverage = max((coverage.coverage(s.text, header) for s in sentence_spans(chunk.text)), default=0.0)
            similarities = sentence_similarities.get(chunk_id)
            best_meaning = float(similarities.max()) if similarities is not None and similarities.size else 0.0
            blended = (
                (1 - coverage_weight - dense_weight) * score / top
                + coverage_weight * best_coverage
                + dense_weight * best_meaning
            )
            rescored.append((chunk_id, blended))
        return sorted(rescored, key=lambda item: item[1], reverse=True)


def passage_document(passage: Passage) -> Document:
    """A passage as a LangChain ``Document`` with citation metadata."""
    chunk = passage.chunk
    return Document(
        page_content=chunk.text,
        id=chunk.id,
        metadata={
            "source": chunk.source, "title": chunk.title, "kind": chunk.kind, "date": chunk.date,
            "page": chunk.page, "section": chunk.section, "start": chunk.start, "end": chunk.end,
            "score": passage.score, "dense_similarity": passage.dense_similarity,
            "keyword_score": passage.keyword_score,
        },
    )


class HybridRetriever(BaseRetriever):
    """LangChain retriever over the hybrid searcher, with optional document and kind filters."""

    model_config = ConfigDict(arbitrary_types_allowed=True)

    searcher: Any
    filters: SearchFilters = SearchFilters()
    k: int = 10

    def _get_relevant_documents(self, query: str, *, run_manager: CallbackManagerForRetrieverRun) -> list[Document]:
        result = self.searcher.search(query, self.filters, self.k)
        return [passage_document(p) for p in result.passages]
