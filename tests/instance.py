"""One assistant instance in its own process, as one Streamlit server holds it: a ``PolicyAssistant`` shared by
concurrent conversations, with its own data folder. Tests talk to it in JSON lines over stdin/stdout.

Run as ``python -m tests.instance``; requests are ``{"id": 1, "ask": "...", "history": [...]}`` or
``{"id": 2, "ingest": true}``; each gets one reply line with the same id, in whatever order they finish.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import threading
import time
from collections.abc import Mapping
from concurrent.futures import Future, ThreadPoolExecutor
from pathlib import Path
from typing import Any

from assistant.errors import AssistantError
from assistant.index.ingestion import Ingestor
from assistant.pipeline import PolicyAssistant
from assistant.settings import PROJECT_ROOT, Settings


def comparable(result: Mapping[str, Any]) -> dict[str, Any]:
    """An answer without its timing: what must be the same whichever instance answered."""
    return {key: value for key, value in result.items() if key != "latency_ms"}


def serve() -> None:
    started = time.perf_counter()
    assistant = PolicyAssistant(Settings.from_env())
    assistant.warm_up()
    write_lock = threading.Lock()

    def reply(message: dict[str, Any]) -> None:
        with write_lock:
            sys.stdout.write(json.dumps(message) + "\n")
            sys.stdout.flush()

    def handle(request: dict[str, Any]) -> None:
        try:
            if request.get("ingest"):
                report = Ingestor(assistant.settings, assistant.embeddings).run()
                reply({"id": request["id"], "ok": report.ok, "summary": report.summary()})
            else:
                result = assistant.ask(request["ask"], request.get("history"))
                reply({"id": request["id"], "result": result.to_json()})
        except AssistantError as error:
            reply({"id": request["id"], "error": str(error)})

    reply({"ready": round(time.perf_counter() - started, 3), "pid": os.getpid()})
    with ThreadPoolExecutor(max_workers=16) as pool:
        for line in sys.stdin:
            pool.submit(handle, json.loads(line))


class Instance:
    """The test's side of one instance process."""

    def __init__(self, data_dir: Path, environment: Mapping[str, str]) -> None:
        env = {**os.environ, "PYTHONPATH": str(PROJECT_ROOT), "ASSISTANT_DATA_DIR": str(data_dir), **environment}
        env.pop("OPENAI_API_KEY", None)
        self.data_dir = data_dir
        self.process = subprocess.Popen(
            [sys.executable, "-m", "tests.instance"], stdin=subprocess.PIPE, stdout=subprocess.PIPE,
            stderr=subprocess.PIPE, text=True, env=env, cwd=PROJECT_ROOT,
        )
        assert self.process.stdout is not None
        first = self.process.stdout.readline()
        if not first:
            raise RuntimeError(f"instance did not start: {self.process.stderr.read() if self.process.stderr else ''}")
        hello = json.loads(first)
        self.ready_s: float = hello["ready"]
        self.pid: int = hello["pid"]
        self._pending: dict[int, Future[dict[str, Any]]] = {}
        self._next = 0
        self._lock = threading.Lock()
        threading.Thread(target=self._read, daemon=True).start()

    def _read(self) -> None:
        assert self.process.stdout is not None
        for line in self.process.stdout:
            message = json.loads(line)
            with self._lock:
                self._pending.pop(message["id"]).set_result(message)

    def send(self, request: dict[str, Any]) -> Future[dict[str, Any]]:
        future: Future[dict[str, Any]] = Future()
        with self._lock:
            self._next += 1
            self._pending[self._next] = future
            assert self.process.stdin is not None
            self.process.stdin.write(json.dumps({**request, "id": self._next}) + "\n")
            self.process.stdin.flush()
        return future

    def ask(self, question: str, history: list[dict[str, str]] | None = None) -> dict[str, Any]:
        reply = self.send({"ask": question, "history": history or []}).result(timeout=300)
        assert "result" in reply, reply
        return reply["result"]

    def ingest(self) -> dict[str, Any]:
        return self.send({"ingest": True}).result(timeout=600)

    def stop(self) -> None:
        if self.process.stdin:
            self.process.stdin.close()
        try:
            self.process.wait(timeout=30)
        except subprocess.TimeoutExpired:
            self.process.kill()


if __name__ == "__main__":
    serve()
