"""An OpenAI-compatible chat-completions server on loopback, scriptable per test.

It speaks the real protocol (JSON replies, server-sent events for streaming, OpenAI error bodies and status
codes) so the real ``openai`` client is exercised end to end; only the model behind it is scripted.
"""

from __future__ import annotations

import json
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

Reply = str | Callable[[dict[str, Any]], str]


@dataclass
class Behaviour:
    """What the server does for one request."""

    reply: Reply = ""
    status: int = 200
    delay_s: float = 0.0
    malformed: bool = False
    cut_after_chunks: int | None = None
    """Close the stream after this many chunks, without a finish reason."""


@dataclass
class FakeOpenAI:
    model: str = "fake-model"
    api_key: str = "test-key"
    behaviours: list[Behaviour] = field(default_factory=list)
    default: Behaviour = field(default_factory=lambda: Behaviour(reply="The documents don't say."))
    requests: list[dict[str, Any]] = field(default_factory=list)
    server: ThreadingHTTPServer | None = None

    @property
    def base_url(self) -> str:
        assert self.server is not None
        return f"http://127.0.0.1:{self.server.server_address[1]}/v1"

    def script(self, *behaviours: Behaviour) -> None:
        self.behaviours = list(behaviours)

    def next_behaviour(self) -> Behaviour:
        return self.behaviours.pop(0) if self.behaviours else self.default

    def start(self) -> FakeOpenAI:
        fake = self

        class Handler(BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"

            def log_message(self, *args: Any) -> None:  # keep test output clean
                pass

            def do_GET(self) -> None:  # noqa: N802 (http.server's naming)
                body = {"object": "list", "data": [{"id": fake.model, "object": "model", "owned_by": "test"}]}
                self._json(200, body)

            def do_POST(self) -> None:  # noqa: N802
                length = int(self.headers.get("Content-Length", 0))
                request = json.loads(self.rfile.read(length) or b"{}")
                fake.requests.append(request)
                if self.headers.get("Authorization") != f"Bearer {fake.api_key}":
                    self._error(401, "Incorrect API key provided.", "invalid_api_key")
                    return
                behaviour = fake.next_behaviour()
                if behaviour.delay_s:
                    time.sleep(behaviour.delay_s)
                if behaviour.status != 200:
                    self._error(behaviour.status, f"scripted failure {behaviour.status}", "server_error")
                    return
                text = behaviour.reply(request) if callable(behaviour.reply) else behaviour.reply
                if behaviour.malformed and request.get("stream"):
                    self._stream_raw(b'data: {"id": "x", "choices": [ {"delta": \n\n')
                elif behaviour.malformed:
                    self._raw(200, b'{"id": "x", "choices": [ {"message": ', "application/json")
                elif request.get("stream"):
                    self._stream(text, behaviour.cut_after_chunks)
                else:
                    self._json(200, completion(fake.model, text))

            def _json(self, status: int, body: dict[str, Any]) -> None:
                self._raw(status, json.dumps(body).encode(), "application/json")

            def _raw(self, status: int, data: bytes, content_type: str) -> None:
                self.send_response(status)
                self.send_header("Content-Type", content_type)
                self.send_header("Content-Length", str(len(data)))
                if status == 429:
                    self.send_header("retry-after-ms", "10")
                self.end_headers()
                self.wfile.write(data)

            def _error(self, status: int, message: str, code: str) -> None:
                self._json(status, {"error": {"message": message, "type": code, "param": None, "code": code}})

            def _stream(self, text: str, cut_after: int | None) -> None:
                self.send_response(200)
                self.send_header("Content-Type", "text/event-stream")
                self.send_header("Cache-Control", "no-cache")
                self.send_header("Connection", "close")
                self.end_headers()
                pieces = [text[i:i + 12] for i in range(0, len(text), 12)]
                for index, piece in enumerate(pieces):
                    if cut_after is not None and index >= cut_after:
                        self.wfile.flush()
                        self.close_connection = True
                        return
                    self._event(chunk(fake.model, {"content": piece}, None))
                self._event(chunk(fake.model, {}, "stop"))
                self.wfile.write(b"data: [DONE]\n\n")
                self.wfile.flush()
                self.close_connection = True

            def _stream_raw(self, data: bytes) -> None:
                self.send_response(200)
                self.send_header("Content-Type", "text/event-stream")
                self.send_header("Connection", "close")
                self.end_headers()
                self.wfile.write(data)
                self.wfile.flush()
                self.close_connection = True

            def handle(self) -> None:
                try:
                    super().handle()
                except (BrokenPipeError, ConnectionResetError):  # the client gave up (a timeout test)
                    pass

            def _event(self, body: dict[str, Any]) -> None:
                self.wfile.write(f"data: {json.dumps(body)}\n\n".encode())
                self.wfile.flush()

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        threading.Thread(target=self.server.serve_forever, daemon=True).start()
        return self

    def stop(self) -> None:
        if self.server is not None:
            self.server.shutdown()
            self.server.server_close()


def completion(model: str, text: str) -> dict[str, Any]:
    return {
        "id": "chatcmpl-test", "object": "chat.completion", "created": int(time.time()), "model": model,
        "choices": [{"index": 0, "message": {"role": "assistant", "content": text}, "finish_reason": "stop"}],
        "usage": {"prompt_tokens": 1, "completion_tokens": 1, "total_tokens": 2},
    }


def chunk(model: str, delta: dict[str, Any], finish_reason: str | None) -> dict[str, Any]:
    return {
        "id": "chatcmpl-test", "object": "chat.completion.chunk", "created": int(time.time()), "model": model,
        "choices": [{"index": 0, "delta": delta, "finish_reason": finish_reason}],
    }


def passage_texts(request: dict[str, Any]) -> dict[int, str]:
    """The numbered passages the assistant put in the prompt, as the model would read them."""
    import re

    prompt = request["messages"][-1]["content"]
    return {int(n): body.strip() for n, body in re.findall(r'<passage n="(\d+)"[^>]*>\n(.*?)\n</passage>', prompt, re.S)}
