"""The model path: OpenAI or any OpenAI-compatible server, streamed, grounded, and never worse than offline.

Any failure of the endpoint (down, slow, 429/500 after retries, wrong key, malformed or empty reply, a stream
cut mid-answer) ends in a notice and the offline extractive answer, never in a traceback or a blank reply.
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field
from typing import Any

from assistant.answering.claims import ClaimChecker
from assistant.answering.conflicts import add_missing_conflicts
from assistant.answering.extractive import ExtractiveAnswerer
from assistant.answering.outcomes import Answer, Question, as_unsure, decline
from assistant.answering.grounding import ground
from assistant.answering.prompting import build_prompt, rewrite_messages
from assistant.errors import ModelUnavailable
from assistant.search.conversation import Turn
from assistant.search.retrieval import Passage
from assistant.settings import Settings


def describe_failure(error: Exception, settings: Settings) -> str:
    """A sentence a user can act on, from whatever the client raised."""
    import openai

    where = settings.openai_base_url or "api.openai.com"
    if isinstance(error, openai.AuthenticationError):
        return f"the model endpoint refused the API key (HTTP 401) at {where}; check OPENAI_API_KEY"
    if isinstance(error, openai.RateLimitError):
        return f"the model endpoint is rate-limiting requests (HTTP 429) at {where}, even after retries"
    if isinstance(error, openai.APITimeoutError):
        return f"the model at {where} did not answer within {settings.openai_timeout_s:g} s"
    if isinstance(error, openai.APIConnectionError):
        return f"cannot reach the model endpoint at {where}"
    if isinstance(error, openai.APIStatusError):
        return f"the model endpoint at {where} failed with HTTP {error.status_code}"
    if isinstance(error, ModelUnavailable):
        return str(error)
    return f"the model endpoint at {where} sent a reply that could not be read ({type(error).__name__})"


class ModelClient:
    """Chat completions through the ``openai`` package, with its bounded retries and backoff."""

    def __init__(self, settings: Settings) -> None:
        import openai

        self.settings = settings
        self.client = openai.OpenAI(
            api_key=settings.openai_api_key,
            base_url=settings.openai_base_url,
            timeout=settings.openai_timeout_s,
            max_retries=settings.openai_max_retries,
        )

    def _create(self, messages: list[dict[str, str]], max_tokens: int, stream: bool) -> Any:
        return self.client.chat.completions.create(
            model=self.settings.openai_model,
            messages=messages,  # type: ignore[arg-type]
            temperature=self.settings.openai_temperature,
            max_tokens=max_tokens,
            stream=stream,
        )

    def complete(self, messages: list[dict[str, str]], max_tokens: int) -> str:
        try:
            response = self._create(messages, max_tokens, stream=False)
            content = response.choices[0].message.content if response.choices else None
        except Exception as error:  # every client failure becomes one readable reason
            raise ModelUnavailable(describe_failure(error, self.settings)) from error
        if not content or not content.strip():
            raise ModelUnavailable("the model returned an empty answer")
        return content

    def stream(self, messages: list[dict[str, str]], max_tokens: int) -> Iterator[str]:
        """Text deltas as they arrive; a stream that stops without a finish reason counts as cut."""
        finished = False
        produced = False
        try:
            for event in self._create(messages, max_tokens, stream=True):
                if not event.choices:
                    continue
                choice = event.choices[0]
                delta = choice.delta.content if choice.delta else None
                if delta:
                    produced = True
                    yield delta
                if choice.finish_reason:
                    finished = True
        except ModelUnavailable:
            raise
        except Exception as error:  # a stream can break in the transport or in parsing
            raise ModelUnavailable(describe_failure(error, self.settings)) from error
        if not finished:
            raise ModelUnavailable("the model's answer was cut off before it finished")
        if not produced:
            raise ModelUnavailable("the model returned an empty answer")


@dataclass
class AnswerStream:
    """Tokens to show as they come; ``answer`` holds the validated answer once the tokens are consumed."""

    tokens: Iterator[str]
    answer: Answer | None = None
    notices: list[str] = field(default_factory=list)


class ModelAnswerer:
    """Answers with the configured model from numbered passages, then keeps only what the passages support."""

    def __init__(
        self, settings: Settings, fallback: ExtractiveAnswerer, client: ModelClient | None = None,
        relevance_floor: float = 0.0, checker: ClaimChecker | None = None,
    ) -> None:
        """``relevance_floor``: passages the ranker rates below it (its base rate: less likely relevant than a
        random candidate) are left out of the prompt, beyond the first ``max_answer_sentences``."""
        self.settings = settings
        self.fallback = fallback
        self.client = client or ModelClient(settings)
        self.mode = settings.openai_model
        self.relevance_floor = relevance_floor
        self.checker = checker or ClaimChecker(document_frequencies=fallback.document_frequencies)

    def prompt_passages(self, passages: Sequence[Passage]) -> list[Passage]:
        """The passages the model reads: a small model copies from a distractor it is given (a 135M model wrote
        "the alliance's roadmap" when eight near-irrelevant passages followed the right one)."""
        keep = self.settings.max_answer_sentences
        return [p for n, p in enumerate(passages) if n < keep or p.score >= self.relevance_floor]

    def rewrite(self, question: str, history: Sequence[Turn]) -> str:
        """A standalone form of a follow-up, written by the model; raises ModelUnavailable on failure."""
        text = self.client.complete(rewrite_messages(question, history), max_tokens=96).strip().strip('"')
        return text.splitlines()[0][:500] if text else question

    def answer(self, question: Question, passages: Sequence[Passage]) -> Answer:
        stream = self.stream(question, passages)
        for _ in stream.tokens:
            pass
        assert stream.answer is not None
        return stream.answer

    def stream(self, question: Question, passages: Sequence[Passage]) -> AnswerStream:
        result = AnswerStream(iter(()))
        result.tokens = self._tokens(question, passages, result)
        return result

    def _tokens(self, question: Question, passages: Sequence[Passage], result: AnswerStream) -> Iterator[str]:
        if not passages:
            result.answer = decline(question.text, mode=self.mode)
            return
        if self.fallback.unmentioned_names(question.standalone):
            # "The Digital Services Act" is in no document: the offline check decides, and the model isn't asked to
            # write about something the passages can only touch by accident.
            offline = self.fallback.answer(question, passages)
            if not offline.answerable:
                result.answer = offline
                return
        prompt = build_prompt(
            question.text, self.prompt_passages(passages), self.settings.openai_context_tokens, self.settings.openai_answer_tokens,
            question.history,
        )
        written: list[str] = []
        try:
            for delta in self.client.stream(prompt.messages, self.settings.openai_answer_tokens):
                written.append(delta)
                yield delta
        except ModelUnavailable as error:
            result.answer = self._offline(question, passages, f"The model could not answer: {error}.")
            return
        grounded = ground(
            "".join(written), prompt.passages, self.checker, english=question.language == "en", question=question.text
        )
        if grounded.declined:
            # The model's "the documents don't say" is taken as absence only where the offline check finds
            # evidence of it; otherwise the closest passage is offered (a small model misses paraphrases too).
            offline = self.fallback.answer(question, passages)
            if offline.outcome == "declined":
                answer = decline(question.text, offline.evidence, mode=self.mode)
            else:
                answer = as_unsure(offline, self.mode) if offline.citations else offline
            answer.notices.extend(grounded.notices)
            result.answer = answer
            return
        if not grounded.citations:
            result.answer = self._offline(
                question, passages, "The model's answer could not be matched to any passage, so it is not shown."
            )
            result.answer.notices.extend(grounded.notices)
            return
        answer = Answer(grounded.text, True, grounded.citations, evidence=1.0, notices=grounded.notices, mode=self.mode)
        result.answer = add_missing_conflicts(answer, self.fallback.answer(question, passages))

    def _offline(self, question: Question, passages: Sequence[Passage], reason: str) -> Answer:
        answer = self.fallback.answer(question, passages)
        answer.notices.insert(0, f"{reason} Showing the offline extractive answer instead.")
        return answer
