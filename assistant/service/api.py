"""The HTTP API: cited answers for the alliance's other tools (``python -m assistant serve``).

Every ``/v1`` call needs a bearer token an admin created (``python -m assistant token create NAME``) and is
recorded in the audit log. Answers are the ones the chat gives, quotes verified against the stored documents.
``POST /v1/chat/completions`` speaks OpenAI's protocol, so chat front ends can use the assistant as a "model": its
answer text carries the verified citations, and only verified text is sent, streamed or not.
"""

# No ``from __future__ import annotations``: FastAPI reads the endpoints' annotations (``Caller``, defined inside
# ``create_app``) at definition time.
import hashlib
import json
import math
import threading
import time
import uuid
from collections import deque
from collections.abc import Iterator
from typing import Annotated, Any, Literal

from fastapi import Depends, FastAPI, Header, HTTPException, Query, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse, StreamingResponse
from pydantic import BaseModel, Field

from assistant.answering.citations import Citation
from assistant.errors import AssistantError, QuestionError
from assistant.pipeline import AskResult, PolicyAssistant
from assistant.records.database import open_records
from assistant.search.retrieval import SearchFilters
from assistant.settings import Settings

MODEL_NAME = "policy-assistant"
"""What ``/v1/chat/completions`` and ``/v1/models`` call the assistant."""


class Turn(BaseModel):
    role: Literal["user", "assistant"]
    content: str = Field(max_length=20_000)


class Filters(BaseModel):
    documents: list[str] = Field(default_factory=list, description="only these documents (source paths)")
    kinds: list[str] = Field(default_factory=list, description="only these kinds (position paper, minutes, …)")

    def search_filters(self) -> SearchFilters:
        return SearchFilters(tuple(self.documents), tuple(self.kinds))


class AskRequest(BaseModel):
    question: str = Field(min_length=1)
    history: list[Turn] = Field(default_factory=list, max_length=50)
    filters: Filters = Field(default_factory=Filters)
    stream: bool = Field(False, description="server-sent events: `token` events, then one `result` event")


class ChatMessage(BaseModel):
    role: Literal["system", "user", "assistant", "developer", "tool"]
    content: str | list[dict[str, Any]] | None = None

    def text(self) -> str:
        if isinstance(self.content, list):  # OpenAI's content parts: the text ones
            return " ".join(str(part.get("text", "")) for part in self.content if part.get("type") == "text")
        return self.content or ""


class ChatRequest(BaseModel):
    model: str = MODEL_NAME
    messages: list[ChatMessage] = Field(min_length=1, max_length=100)
    stream: bool = False


class RateLimiter:
    """At most ``limit`` calls per token in any 60 seconds."""

    def __init__(self, limit: int, window: float = 60.0) -> None:
        self.limit, self.window = limit, window
        self._calls: dict[str, deque[float]] = {}
        self._lock = threading.Lock()

    def wait_needed(self, key: str) -> float:
        """0 when the call may go ahead (and is counted), else the seconds until it may."""
        now = time.monotonic()
        with self._lock:
            calls = self._calls.setdefault(key, deque())
            while calls and now - calls[0] >= self.window:
                calls.popleft()
            if len(calls) >= self.limit:
                return self.window - (now - calls[0])
            calls.append(now)
            return 0.0


def sources_block(citations: list[Citation]) -> str:
    """The citations written out under an answer: number, verbatim quote, where it is."""
    if not citations:
        return ""
    lines = [f"[{c.n}] “{c.quote}” — {c.reference()} ({c.source})" for c in citations]
    return "\n\nSources:\n" + "\n".join(lines)


def conversation_of(history: list[dict[str, str]], question: str) -> str:
    """A conversation's id from its opening question (an API client sends the turns, not an id)."""
    opening = next((turn["content"] for turn in history if turn["role"] == "user"), question)
    return hashlib.sha256(opening.encode("utf-8")).hexdigest()[:32]


def event(name: str, data: dict[str, Any]) -> str:
    return f"event: {name}\ndata: {json.dumps(data, ensure_ascii=False)}\n\n"


def create_app(settings: Settings, assistant: PolicyAssistant | None = None) -> FastAPI:
    """The API over one assistant (loaded at start when not given)."""
    app = FastAPI(
        title="Policy assistant API",
        description="Cited answers from the alliance's documents. Every /v1 call needs "
        "`Authorization: Bearer <token>`.",
        version="1",
    )
    records = open_records(settings)
    tokens, audit = records.tokens, records.audit
    limiter = RateLimiter(settings.api_requests_per_minute)
    loaded: dict[str, PolicyAssistant] = {"assistant": assistant} if assistant is not None else {}
    loading = threading.Lock()

    def current() -> PolicyAssistant:
        with loading:
            if "assistant" not in loaded:
                loaded["assistant"] = PolicyAssistant(settings)
            return loaded["assistant"]

    def caller(request: Request, authorization: Annotated[str | None, Header()] = None) -> str:
        """The token holder's name; 401 without a valid token, 429 past the rate (both recorded)."""
        scheme, _, token = (authorization or "").partition(" ")
        holder = tokens.holder(token.strip()) if scheme.lower() == "bearer" and token.strip() else None
        if holder is None:
            audit.record("api:unknown", request.url.path, "", "refused: missing, unknown or revoked token")
            raise HTTPException(
                401, "A valid bearer token is required (Authorization: Bearer <token>); an admin creates one with "
                "`python -m assistant token create NAME`.", headers={"WWW-Authenticate": "Bearer"},
            )
        wait = limiter.wait_needed(holder)
        if wait:
            audit.record(f"api:{holder}", request.url.path, "", "refused: rate limit")
            raise HTTPException(
                429, f"More than {limiter.limit} calls in a minute with this token; retry in {math.ceil(wait)} s.",
                headers={"Retry-After": str(math.ceil(wait))},
            )
        return holder

    Caller = Annotated[str, Depends(caller)]

    @app.exception_handler(RequestValidationError)
    async def invalid_request(request: Request, exc: RequestValidationError) -> JSONResponse:
        problems = []
        for error in exc.errors():
            where = ".".join(str(part) for part in error.get("loc", ())[1:]) or "body"
            problems.append(f"{where}: {error.get('msg', 'invalid')}")
        return JSONResponse({"error": "; ".join(problems)}, status_code=422)

    @app.exception_handler(HTTPException)
    async def http_error(request: Request, exc: HTTPException) -> JSONResponse:
        return JSONResponse({"error": exc.detail}, status_code=exc.status_code, headers=exc.headers)

    def ask(holder: str, question: str, history: list[dict[str, str]], filters: SearchFilters) -> AskResult:
        try:
            result = current().ask(question, history, filters)
        except QuestionError as exc:
            audit.record(f"api:{holder}", "ask", question[:200], f"refused: {exc}")
            raise HTTPException(400, str(exc)) from exc
        audit.record(f"api:{holder}", "ask", question[:200], result.answer.outcome)
        records.questions.record(holder, f"api:{holder}", conversation_of(history, question), result.to_json())
        return result

    @app.get("/v1/health", summary="Is the service up (no token needed)")
    def health() -> dict[str, Any]:
        return {"status": "ok"}

    def within_limit(question: str) -> None:
        if len(question) > settings.max_question_chars:
            raise RequestValidationError([{
                "loc": ("body", "question"),
                "msg": f"at most {settings.max_question_chars} characters, got {len(question)}",
            }])

    @app.post("/v1/ask", summary="A cited answer, in the result format of `ask --json`")
    def ask_endpoint(body: AskRequest, holder: Caller) -> Any:
        within_limit(body.question)
        history = [turn.model_dump() for turn in body.history]
        if not body.stream:
            return ask(holder, body.question, history, body.filters.search_filters()).to_json()
        try:
            streaming = current().ask_streaming(body.question, history, body.filters.search_filters())
        except QuestionError as exc:
            audit.record(f"api:{holder}", "ask", body.question[:200], f"refused: {exc}")
            raise HTTPException(400, str(exc)) from exc

        def events() -> Iterator[str]:
            for piece in streaming.tokens():
                yield event("token", {"text": piece})
            result = streaming.result()
            audit.record(f"api:{holder}", "ask (streamed)", body.question[:200], result.answer.outcome)
            records.questions.record(
                holder, f"api:{holder}", conversation_of(history, body.question), result.to_json()
            )
            yield event("result", result.to_json())  # the verified answer: it replaces what was streamed

        return StreamingResponse(events(), media_type="text/event-stream")

    @app.get("/v1/passages", summary="The passages that best match a query, ranked, verbatim")
    def passages(
        holder: Caller,
        q: Annotated[str, Query(min_length=1, max_length=settings.max_question_chars, description="what to look for")],
        k: Annotated[int, Query(ge=1, le=50)] = 10,
        document: Annotated[list[str] | None, Query(description="only this document (repeatable)")] = None,
        kind: Annotated[list[str] | None, Query(description="only this kind (repeatable)")] = None,
    ) -> dict[str, Any]:
        assistant = current()
        assistant.refresh()
        filters = SearchFilters(tuple(document or ()), tuple(kind or ()))
        found = assistant.searcher.search(q, filters, k).passages
        if not found:
            try:
                assistant.check_filters(filters)
            except QuestionError as exc:
                raise HTTPException(400, str(exc)) from exc
        audit.record(f"api:{holder}", "passages", q[:200], f"{len(found)} passages")
        return {
            "query": q,
            "passages": [
                {
                    "rank": rank, "source": p.chunk.source, "title": p.chunk.title, "kind": p.chunk.kind,
                    "date": p.chunk.date, "page": p.chunk.page, "section": p.chunk.section, "text": p.chunk.text,
                    "score": round(p.score, 6), "chunk_id": p.chunk.id,
                }
                for rank, p in enumerate(found[:k], start=1)
            ],
        }

    @app.get("/v1/documents", summary="The indexed documents")
    def documents(holder: Caller) -> dict[str, Any]:
        assistant = current()
        assistant.refresh()
        found = assistant.documents()
        audit.record(f"api:{holder}", "documents", "", f"{len(found)} documents")
        return {
            "documents": [
                {
                    "source": d.source, "title": d.info.title, "kind": d.info.kind, "date": d.info.date,
                    "passages": d.chunk_count,
                }
                for d in found
            ]
        }

    @app.get("/v1/models", summary="OpenAI-compatible model list: the assistant itself")
    def models(holder: Caller) -> dict[str, Any]:
        return {"object": "list", "data": [{"id": MODEL_NAME, "object": "model", "created": 0, "owned_by": "alliance"}]}

    @app.post("/v1/chat/completions", summary="OpenAI-compatible chat: the answer text carries its verified citations")
    def chat_completions(body: ChatRequest, holder: Caller) -> Any:
        turns = [m for m in body.messages if m.role in ("user", "assistant")]
        if not turns or turns[-1].role != "user":
            raise HTTPException(400, "messages: the last user or assistant message must be the user's question.")
        history = [{"role": m.role, "content": m.text()} for m in turns[:-1]]
        within_limit(turns[-1].text())
        result = ask(holder, turns[-1].text(), history, SearchFilters())
        content = result.answer.text + sources_block(result.answer.citations)
        completion_id, created = f"chatcmpl-{uuid.uuid4().hex}", int(time.time())
        if not body.stream:
            return {
                "id": completion_id, "object": "chat.completion", "created": created, "model": MODEL_NAME,
                "choices": [
                    {"index": 0, "message": {"role": "assistant", "content": content}, "finish_reason": "stop"}
                ],
                "usage": {"prompt_tokens": 0, "completion_tokens": 0, "total_tokens": 0},
            }

        def chunk(delta: dict[str, str], finish: str | None = None) -> str:
            payload = {
                "id": completion_id, "object": "chat.completion.chunk", "created": created, "model": MODEL_NAME,
                "choices": [{"index": 0, "delta": delta, "finish_reason": finish}],
            }
            return f"data: {json.dumps(payload, ensure_ascii=False)}\n\n"

        def chunks() -> Iterator[str]:
            # Only verified text leaves: the answer is checked first, then sent in pieces (a stream cannot take
            # back a quote the check would have removed).
            yield chunk({"role": "assistant"})
            for start in range(0, len(content), 80):
                yield chunk({"content": content[start:start + 80]})
            yield chunk({}, "stop")
            yield "data: [DONE]\n\n"

        return StreamingResponse(chunks(), media_type="text/event-stream")

    @app.exception_handler(AssistantError)
    async def assistant_error(request: Request, exc: AssistantError) -> JSONResponse:
        return JSONResponse({"error": str(exc)}, status_code=503)

    return app
