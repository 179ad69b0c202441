"""Speed figures on this machine: ``python -m evals.benchmark`` prints ingest, re-ingest, cold start and ask latency."""

from __future__ import annotations

import argparse
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from assistant.ingestion import Ingestor
from assistant.pipeline import PolicyAssistant
from assistant.settings import PROJECT_ROOT, Settings
from evals.questionset import read_questions
from evals.score import percentile


def timed(action) -> tuple[float, object]:  # type: ignore[no-untyped-def]
    started = time.perf_counter()
    result = action()
    return time.perf_counter() - started, result


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m evals.benchmark", description=__doc__)
    parser.add_argument("--questions", type=Path, default=PROJECT_ROOT / "evals" / "dev_questions.jsonl")
    parser.add_argument("--rounds", type=int, default=3, help="passes over the question set for warm latency")
    args = parser.parse_args(argv)
    with tempfile.TemporaryDirectory(prefix="bench-") as data_dir:
        settings = Settings.from_env(data_dir=Path(data_dir))
        ingest_s, report = timed(lambda: Ingestor(settings).run())
        print(f"ingest (fresh index, model load included): {ingest_s:.2f} s  ({report.summary()})")  # type: ignore[attr-defined]
        reingest_s, report = timed(lambda: Ingestor(settings).run())
        print(f"re-ingest (unchanged corpus):               {reingest_s:.2f} s  ({report.summary()})")  # type: ignore[attr-defined]

        command = [sys.executable, "-m", "assistant", "--data-dir", data_dir, "ask", "What is the mission of the alliance?"]
        cold_s, completed = timed(lambda: subprocess.run(command, capture_output=True, text=True, check=False))
        status = "ok" if completed.returncode == 0 else f"failed: {completed.stderr[-200:]}"  # type: ignore[attr-defined]
        print(f"cold start to first answer (new process):   {cold_s:.2f} s  ({status})")

        assistant = PolicyAssistant(settings)
        assistant.warm_up()
        questions = read_questions(args.questions)
        first_pass = [assistant.ask(q["question"], q["history"]).latency_ms for q in questions]
        warm = [assistant.ask(q["question"], q["history"]).latency_ms for _ in range(args.rounds) for q in questions]
        print(
            f"ask latency, first pass over {len(questions)} questions: p50 {percentile(first_pass, 0.5):.1f} ms, "
            f"p95 {percentile(first_pass, 0.95):.1f} ms"
        )
        print(
            f"ask latency, warm ({args.rounds} more passes):        p50 {percentile(warm, 0.5):.1f} ms, "
            f"p95 {percentile(warm, 0.95):.1f} ms, mean {statistics.fmean(warm):.1f} ms"
        )
        assistant.store.close()
    return 0


if __name__ == "__main__":
    sys.exit(main())
