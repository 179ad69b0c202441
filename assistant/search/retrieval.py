"""Hybrid retrieval: dense search in Chroma and BM25 keyword search in SQLite FTS5, fused by reciprocal rank."""

from __future__ import annotations

import re
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from functools import lru_cache

import numpy as np
from langchain_core.documents import Document

from assistant.index.chroma import VectorIndex
from assistant.index.embeddings import LocalEmbeddings
from assistant.index.store import Store
from assistant.reading.chunking import Chunk
from assistant.reading.documents import full_dates, months_named
from assistant.search.answer_types import wanted_types
from assistant.search.lexical import QueryCoverage
from assistant.search.ranker import LinearModel, log_length
from assistant.settings import Settings
from assistant.text.sentences import is_fragment, reading_of, sentence_spans
from assistant.text.terms import expanded_terms, search_terms


@dataclass(frozen=True)
class SearchFilters:
    """Restrict retrieval to some documents (``source`` paths) and/or kinds."""

    sources: tuple[str, ...] = ()
    kinds: tuple[str, ...] = ()

    @property
    def narrows(self) -> bool:
        """Some documents or kinds are asked for; empty filters search everything."""
        return bool(self.sources or self.kinds)


_DOCUMENT_NOUNS = "paper|annex|minutes|letter|document|report|statement|presentation|note|notes"
_VERBS = "does|do|did|is|are|was|were|say|says|said"
_NOT_IN_A_NAME = f"the|a|an|in|of|to|for|on|at|by|with|from|and|or|{_VERBS}"
_DOCUMENT_REFERENCE = re.compile(
    rf"\b(?:the|its|their|this|that|our)\s+((?:(?!(?:{_NOT_IN_A_NAME})\b)[\w'’.-]+\s+){{0,4}}(?:{_DOCUMENT_NOUNS}))\b"
    rf"(?:\s+(?:on|about|concerning|regarding)\s+((?:(?!(?:{_VERBS})\b)[\w'’.-]+\s*){{1,10}}))?",
    re.IGNORECASE,
)
_GENERIC_REFERENCE_TERMS = frozenset(search_terms(_DOCUMENT_NOUNS.replace("|", " ") + " position"))


TITLE_NAMED_SHARE = 0.8
"""A question that holds this share of a title's words (of three or more) names that document by its title. Set,
not tuned: "nearly the whole title"; the audit row switching title naming off measures what it does."""


@lru_cache(maxsize=4096)
def title_terms(title: str) -> frozenset[str]:
    """A document title's search terms: read for every document at every question, so stemmed once."""
    return frozenset(search_terms(title))


@lru_cache(maxsize=4096)
def title_acronyms(title: str) -> frozenset[str]:
    """What a title's names are shortened to: the initials of each run of two or more capitalised words, a letter
    repeated written once with its count ("Interregional Innovation Investment": "iii" and "i3"; "Single Market
    Programme": "smp")."""
    acronyms: set[str] = set()
    for run in re.findall(r"(?:\b[A-Z][\w'’-]*(?:\s+|$)){2,}", title):
        initials = [word[0].lower() for word in run.split()]
        for start in range(len(initials)):
            for end in range(start + 2, len(initials) + 1):
                letters = "".join(initials[start:end])
                acronyms.add(letters)
                acronyms.add(re.sub(r"(\w)\1+", lambda m: f"{m.group(1)}{len(m.group())}", letters))
    return frozenset(acronyms)


def names_title(question_terms: set[str], title: str) -> bool:
    """Whether the question names a document by (nearly) its whole title: "the closing remarks at Clusters for Next
    Generation EU: dialogue between …"."""
    terms = title_terms(title)
    return len(terms) >= 3 and len(terms & question_terms) >= TITLE_NAMED_SHARE * len(terms)


def referenced_sources(
    question: str, labels: Sequence[tuple[str, str, str, str | None]], by_title: bool = True,
    sources_using: Callable[[Sequence[str]], Sequence[str]] | None = None,
) -> set[str]:
    """Documents the question names ("according to the annex", "in the minutes", "its recovery paper", "the paper on
    the Single Market Programme", its title, or its date: "the meeting on 30 June 2020", "the June 2020 dialogue"):
    for a reference, those whose title and kind share the most of its words (at least half of them), nothing when it
    fits half the library or more; for titles, the one named with the most words ("Annex to: A call for …" over "A
    call for …"). A reference may shorten a name of the title to the acronym the document itself uses ("the I3
    paper"; ``sources_using`` gives the documents using a search term); one that doesn't use it ("the ECA minutes"
    of minutes titled "… European Clusters Alliance") is not named by it."""

    @lru_cache(maxsize=None)
    def using(acronym: str) -> frozenset[str]:  # one keyword-index lookup per acronym, whatever the titles
        return frozenset(sources_using([acronym])) if sources_using is not None else frozenset()

    def acronyms_used(source: str, title: str, wanted: set[str]) -> set[str]:
        return {a for a in wanted & title_acronyms(title) if source in using(a)}

    asked = set(search_terms(question))
    named = {
        source: len(title_terms(title) & asked)
        for source, title, _, _ in labels if by_title and names_title(asked, title)
    }
    referenced = {source for source, count in named.items() if count == max(named.values())}
    for match in _DOCUMENT_REFERENCE.finditer(question):
        terms = set(search_terms(match.group(1)))
        specific = (terms | set(search_terms(match.group(2) or ""))) - _GENERIC_REFERENCE_TERMS
        wanted = specific or terms
        overlap = {
            source: len(wanted & (set(search_terms(f"{title} {kind}")) | acronyms_used(source, title, wanted)))
            for source, title, kind, _ in labels
        }
        best = max(overlap.values(), default=0)
        # "the position paper on the Net-Zero Industry Act": what it is about names none of the documents (a paper
        # the minutes speak of), so it is no reference to the position papers there are
        chosen = {source for source, count in overlap.items() if count == best and 2 * best >= len(wanted)}
        if chosen and len(chosen) < max(2, len(labels) / 2):
            referenced |= chosen
    dates = set(full_dates(question))
    months = set(months_named(question))
    return referenced | {source for source, _, _, date in labels if date and (date in dates or date[:7] in months)}


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


@dataclass
class Candidates:
    """What both rankers found for a query, before the passages are put in order."""

    query: str
    vector: list[float]
    dense: list[tuple[str, float]]
    keyword: list[tuple[str, float]]
    chunks: dict[str, Chunk]
    sentence_similarities: dict[str, np.ndarray]
    referenced: frozenset[str]

    @property
    def ids(self) -> list[str]:
        """Every candidate once, dense first: ids whose chunk is gone (an interrupted ingest) are left out."""
        ordered = dict.fromkeys([cid for cid, _ in self.dense] + [cid for cid, _ in self.keyword])
        return [cid for cid in ordered if cid in self.chunks]


class HybridSearcher:
    """Runs both rankers, then orders their candidates with the learned ranker (or a baseline ordering)."""

    def __init__(
        self, settings: Settings, store: Store, index: VectorIndex, embeddings: LocalEmbeddings,
        ranker: LinearModel | None = None,
    ) -> None:
        self.settings = settings
        self.store = store
        self.index = index
        self.embeddings = embeddings
        if ranker is None and settings.ranking == "learned":
            ranker = LinearModel.load(settings.ranker_path)
        self.ranker = ranker
        # A question's vector doesn't depend on the documents: a search made again after a refresh, or the same
        # question asked again, doesn't run the model again.
        self._query_vector = lru_cache(maxsize=256)(embeddings.embed_query)

    def candidates(self, query: str, filters: SearchFilters | None = None) -> Candidates:
        filters = filters or SearchFilters()
        limit = self.settings.candidates_per_ranker
        vector = self._query_vector(query)
        dense = self.index.search(vector, limit, filters.sources or None, filters.kinds or None)
        terms = search_terms(query)
        if self.settings.expand_equivalents:
            terms = expanded_terms(terms)
        keyword = self.store.keyword_search(terms, limit, filters.sources or None, filters.kinds or None)
        chunks = self.store.chunks(list(dict.fromkeys([cid for cid, _ in dense] + [cid for cid, _ in keyword])))
        similarities = self.sentence_similarities(vector, chunks, list(chunks))
        labels = self.store.document_labels()
        referenced = frozenset(
            referenced_sources(query, labels, self.settings.titles_name_documents, self.store.sources_with_phrase)
        )
        return Candidates(query, vector, dense, keyword, chunks, similarities, referenced)

    def search(self, query: str, filters: SearchFilters | None = None, top_k: int | None = None) -> RetrievalResult:
        found = self.candidates(query, filters)
        ordered = self.order(found)[: top_k or self.settings.top_k]
        dense_info = {cid: (rank, sim) for rank, (cid, sim) in enumerate(found.dense, start=1)}
        keyword_info = {cid: (rank, score) for rank, (cid, score) in enumerate(found.keyword, start=1)}
        passages: list[Passage] = []
        for chunk_id, score in ordered:
            d_rank, d_sim = dense_info.get(chunk_id, (None, None))
            k_rank, k_score = keyword_info.get(chunk_id, (None, None))
            similarities = tuple(float(x) for x in found.sentence_similarities.get(chunk_id, ()))
            passages.append(Passage(found.chunks[chunk_id], score, d_sim, k_score, d_rank, k_rank, similarities))
        return RetrievalResult(passages, found.vector, found.referenced)

    def order(self, found: Candidates, ranking: str | None = None) -> list[tuple[str, float]]:
        """Candidates best first with their scores: the learned ranker's probability, or a baseline's score
        (``ranking``: as in ``Settings.ranking``, default the configured one)."""
        ids = found.ids
        ranking = ranking or self.settings.ranking
        if ranking == "dense":
            return [(cid, sim) for cid, sim in found.dense if cid in found.chunks]
        if ranking == "keyword":
            return [(cid, score) for cid, score in found.keyword if cid in found.chunks]
        if ranking == "rrf" or self.ranker is None:
            fused = reciprocal_rank_fusion(
                [([cid for cid, _ in found.dense], 1.0), ([cid for cid, _ in found.keyword], 1.0)], self.settings.rrf_k
            )
            return [(cid, score) for cid, score in fused if cid in found.chunks]
        features = self.features(found)
        probabilities = self.ranker.probabilities(self.ranker.rows([features[cid] for cid in ids]))
        return sorted(zip(ids, (float(p) for p in probabilities)), key=lambda item: item[1], reverse=True)

    def features(self, found: Candidates) -> dict[str, dict[str, float]]:
        """The ranker's features (``RANKER_FEATURES``) of every candidate."""
        coverage = QueryCoverage(found.query, self.store.document_frequencies)
        kinds = wanted_types(found.query)
        top_keyword = max((score for _, score in found.keyword), default=0.0) or 1.0
        top_dense = max((sim for _, sim in found.dense), default=0.0)
        floor_dense = min((sim for _, sim in found.dense), default=0.0)
        dense = {cid: (rank, sim) for rank, (cid, sim) in enumerate(found.dense, start=1)}
        keyword = {cid: (rank, score) for rank, (cid, score) in enumerate(found.keyword, start=1)}
        ids = found.ids
        best_sentence = {
            cid: float(found.sentence_similarities[cid].max())
            for cid in ids if cid in found.sentence_similarities and found.sentence_similarities[cid].size
        }
        top_sentence = max(best_sentence.values(), default=0.0)
        rows: dict[str, dict[str, float]] = {}
        for cid in ids:
            chunk = found.chunks[cid]
            header = chunk.situation()
            spans = sentence_spans(chunk.text)
            readings = [reading_of(chunk.text, s) for s in spans]
            d_rank, d_sim = dense.get(cid, (None, floor_dense))
            k_rank, k_score = keyword.get(cid, (None, 0.0))
            sentence_similarity = best_sentence.get(cid, 0.0)
            given = [kind for kind in kinds if any(kind.given(found.query, r) for r in readings)]
            rows[cid] = {
                "keyword_score": k_score / top_keyword,
                "keyword_reciprocal_rank": 1.0 / k_rank if k_rank else 0.0,
                "dense_similarity": d_sim,
                "dense_gap": top_dense - d_sim,
                "dense_reciprocal_rank": 1.0 / d_rank if d_rank else 0.0,
                "sentence_coverage": max((coverage.coverage(r, header) for r in readings), default=0.0),
                "sentence_similarity": sentence_similarity,
                "sentence_similarity_gap": top_sentence - sentence_similarity,
                "passage_coverage": coverage.coverage(chunk.text, f"{chunk.title}\n{header}"),
                "coverage_beyond_title": max(
                    (coverage.coverage_beyond(r, header, chunk.title) for r in readings), default=0.0
                ),
                "named_document": float(chunk.source in found.referenced),
                "log_length": log_length(chunk.text),
                "opening_passage": float(chunk.ordinal == 0),
                "answer_type_given": float(bool(given)),
                "answer_type_missing": float(bool(kinds) and not given),
                "fragment_share": sum(is_fragment(s.text) for s in spans) / max(1, len(spans)),
            }
        return rows

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
