"""Latency of the HTTP API as a client sees it: POST /v1/ask through a real uvicorn on loopback, one question at a
time and 8 at once, over the development questions. Prints figures; asserts nothing.

    python -m evals.api_benchmark [--rounds 3]
"""

from __future__ import annotations

import argparse
import json
import statistics
import tempfile
import threading
import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import httpx
import uvicorn

from assistant.pipeline import PolicyAssistant
from assistant.records.database import open_records
from assistant.service.api import create_app
from assistant.settings import PROJECT_ROOT, Settings
from evals.servers import free_port

QUESTIONS = PROJECT_ROOT / "evals" / "dev_questions.jsonl"


def percentile(values: list[float], share: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(share * (len(ordered) - 1)))]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rounds", type=int, default=3)
    args = parser.parse_args()
    settings = Settings.from_env()
    assistant = PolicyAssistant(settings)
    served = settings.with_overrides(data_dir=Path(tempfile.mkdtemp(prefix="api-bench-")), api_requests_per_minute=100_000)
    token = open_records(served).tokens.create("benchmark")
    port = free_port()
    server = uvicorn.Server(uvicorn.Config(create_app(served, assistant), host="127.0.0.1", port=port, log_level="warning"))
    threading.Thread(target=server.run, daemon=True).start()
    while not server.started:
        time.sleep(0.05)
    questions = [json.loads(line)["question"] for line in QUESTIONS.read_text().splitlines() if line.strip()]
    client = httpx.Client(base_url=f"http://127.0.0.1:{port}", headers={"Authorization": f"Bearer {token}"}, timeout=120)

    def timed(question: str) -> float:
        started = time.perf_counter()
        assert client.post("/v1/ask", json={"question": question}).status_code == 200
        return (time.perf_counter() - started) * 1000

    timed(questions[0])  # warm-up
    one = [timed(q) for _ in range(args.rounds) for q in questions]
    with ThreadPoolExecutor(max_workers=8) as pool:
        eight = list(pool.map(timed, questions * args.rounds))
    print(f"{len(questions)} questions x {args.rounds} rounds, {settings.chroma_host or 'embedded Chroma'}")
    print(f"POST /v1/ask, one at a time: p50 {statistics.median(one):.0f} ms, p95 {percentile(one, 0.95):.0f} ms")
    print(f"POST /v1/ask, 8 at once:     p50 {statistics.median(eight):.0f} ms, p95 {percentile(eight, 0.95):.0f} ms")
    server.should_exit = True


if __name__ == "__main__":
    main()
