"""Simple retrieval baselines that every report shows beside the assistant: what its complexity must beat.

- plain BM25 (Okapi, ``rank_bm25``) over the assistant's own chunks: lower-cased words less scikit-learn's English
  stop words, with and without Snowball stemming, no expansion, no title;
- the LangChain-tutorial pipeline: ``RecursiveCharacterTextSplitter`` (1000 characters, 200 overlap) over the same
  cleaned documents, dense search with the same embedding model and LangChain's default BM25 tokenisation
  (``str.split``), fused by reciprocal rank (k = 60) as ``EnsembleRetriever`` does.
Dense only and plain RRF are orderings of the assistant's own searcher (``Settings.ranking``).
"""

from __future__ import annotations

import re
from collections.abc import Callable, Sequence

import numpy as np
from langchain_text_splitters import RecursiveCharacterTextSplitter
from rank_bm25 import BM25Okapi
from sklearn.feature_extraction.text import ENGLISH_STOP_WORDS

from assistant.index.embeddings import LocalEmbeddings
from assistant.index.store import Store
from assistant.search.retrieval import reciprocal_rank_fusion
from assistant.text.terms import stem

Ranker = Callable[[str], list[str]]
"""A query in, passage texts out, best first."""

_WORD = re.compile(r"\w+")


def plain_tokens(text: str) -> list[str]:
    return [w for w in _WORD.findall(text.lower()) if w not in ENGLISH_STOP_WORDS]


def stemmed_tokens(text: str) -> list[str]:
    return [stem(w) for w in plain_tokens(text)]


class PlainBM25:
    """Okapi BM25 over fixed passages with a given tokeniser."""

    def __init__(self, texts: Sequence[str], tokenize: Callable[[str], list[str]]) -> None:
        self.texts = list(texts)
        self.tokenize = tokenize
        self.bm25 = BM25Okapi([tokenize(t) or [""] for t in self.texts])

    def order(self, query: str, depth: int = 10) -> list[int]:
        scores = self.bm25.get_scores(self.tokenize(query))
        return [int(i) for i in np.argsort(-scores, kind="stable")[:depth]]

    def __call__(self, query: str, depth: int = 10) -> list[str]:
        return [self.texts[i] for i in self.order(query, depth)]


class TutorialPipeline:
    """The LangChain-tutorial hybrid: 1000/200 character splits, dense + BM25, reciprocal rank fusion."""

    def __init__(self, documents: Sequence[str], embeddings: LocalEmbeddings) -> None:
        splitter = RecursiveCharacterTextSplitter(chunk_size=1000, chunk_overlap=200)
        self.texts = [piece for text in documents for piece in splitter.split_text(text)]
        self.embeddings = embeddings
        self.vectors = np.asarray(embeddings.embed_documents(self.texts), dtype=np.float32)
        self.bm25 = PlainBM25(self.texts, str.split)

    def __call__(self, query: str, depth: int = 10) -> list[str]:
        query_vector = np.asarray(self.embeddings.embed_query(query), dtype=np.float32)
        dense = [str(i) for i in np.argsort(-(self.vectors @ query_vector), kind="stable")[:depth * 4]]
        keyword = [str(i) for i in self.bm25.order(query, depth * 4)]
        fused = reciprocal_rank_fusion([(dense, 1.0), (keyword, 1.0)], 60)
        return [self.texts[int(i)] for i, _ in fused[:depth]]


def baseline_rankers(store: Store, embeddings: LocalEmbeddings) -> dict[str, Ranker]:
    """The baselines over one indexed corpus: plain BM25 on its chunks (two tokenisers) and the tutorial pipeline."""
    chunk_texts = [chunk.text for chunk in store.chunks(sorted(store.all_chunk_ids())).values()]
    documents = [text for d in store.documents() if (text := store.document(d.source).text)]
    return {
        "plain BM25 (no stemming)": PlainBM25(chunk_texts, plain_tokens),
        "plain BM25 (stemmed)": PlainBM25(chunk_texts, stemmed_tokens),
        "LangChain tutorial (1000/200 splits, dense + BM25, RRF)": TutorialPipeline(documents, embeddings),
    }


def main(argv: list[str] | None = None) -> int:
    """``python -m evals.baselines QUESTIONS --corpus C --data-dir D``: the baselines' retrieval figures on one set,
    over the index ``evals.run`` built in D (so they are measured on the same passages in the same run)."""
    import argparse
    import json
    from pathlib import Path

    from assistant.settings import Settings
    from evals.questionset import read_questions
    from evals.score import first_gold_rank, rank_metrics

    parser = argparse.ArgumentParser(prog="python -m evals.baselines", description=main.__doc__)
    parser.add_argument("questions", type=Path)
    parser.add_argument("--corpus", type=Path)
    parser.add_argument("--data-dir", type=Path)
    args = parser.parse_args(argv)
    settings = Settings.from_env(data_dir=args.data_dir, corpus_dir=args.corpus)
    rankers = baseline_rankers(Store(settings.store_path), LocalEmbeddings(settings.embedding_model))
    questions = [q for q in read_questions(args.questions) if q["answerable"] and q["gold_passages"]]
    for name, ranker in rankers.items():
        ranks = []
        for question in questions:
            texts = ranker(question["question"])
            passages = [{"rank": rank, "text": text} for rank, text in enumerate(texts, start=1)]
            ranks.append(first_gold_rank(question, {"passages": passages}))
        print(json.dumps({"baseline": name, **rank_metrics(ranks)}))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
