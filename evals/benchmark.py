"""Speed figures on this machine: ``python -m evals.benchmark`` prints ingest, re-ingest, cold start and ask latency;
the ingest of passages of real length (variants of the corpus's own documents) beside sentence-transformers embedding
the same passages once with the same packaged weights, and the ratio; then the same through a shared `chroma run`
server holding 10k passages: how long a fresh instance (empty data folder) takes to be ready, ask p50/p95 through the
server, and how soon a change made elsewhere is picked up."""

from __future__ import annotations

import argparse
import dataclasses
import os
import shutil
import sqlite3
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

from assistant.index.chroma import VectorIndex
from assistant.index.embeddings import LocalEmbeddings
from assistant.index.ingestion import Ingestor
from assistant.index.store import Store
from assistant.pipeline import PolicyAssistant
from assistant.reading.documents import list_corpus_files, load_catalog, read_document
from assistant.settings import PROJECT_ROOT, Settings
from evals.questionset import read_questions
from evals.scale_benchmark import write_corpus
from evals.score import percentile
from evals.servers import running_chroma_server


def timed(action) -> tuple[float, object]:  # type: ignore[no-untyped-def]
    started = time.perf_counter()
    result = action()
    return time.perf_counter() - started, result


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m evals.benchmark", description=__doc__)
    parser.add_argument("--questions", type=Path, default=PROJECT_ROOT / "evals" / "dev_questions.jsonl")
    parser.add_argument("--rounds", type=int, default=3, help="passes over the question set for warm latency")
    parser.add_argument(
        "--variants", type=int, default=30,
        help="copies of the corpus's documents ingested beside the reference embedding pass (0: skip)",
    )
    parser.add_argument(
        "--shared-passages", type=int, default=10_000,
        help="synthetic passages added to the corpus on the shared Chroma server (0: skip the shared-server figures)",
    )
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
    if args.variants:
        real_length_ingest(args.variants)
    if args.shared_passages:
        shared_server(args.shared_passages, read_questions(args.questions), args.rounds)
    return 0


def write_variants(folder: Path, variants: int) -> None:
    """``variants`` copies of every corpus document's text (PDFs as their extracted text), each one unique."""
    corpus = PROJECT_ROOT / "corpus"
    catalog, max_bytes = load_catalog(corpus), Settings.from_env().max_file_bytes
    texts = [read_document(path, corpus, catalog, max_bytes).text for path in list_corpus_files(corpus)]
    folder.mkdir(parents=True, exist_ok=True)
    for variant in range(variants):
        for number, text in enumerate(texts):
            (folder / f"variant-{variant:03d}-{number:02d}.md").write_text(f"{text}\n\nVariant {variant}.\n", encoding="utf-8")


def real_length_ingest(variants: int) -> None:
    """Ingest against the reference: sentence-transformers embedding the ingested passages once, batch 32."""
    from sentence_transformers import SentenceTransformer  # test extras; imported here, it takes seconds

    with tempfile.TemporaryDirectory(prefix="bench-real-") as folder:
        work = Path(folder)
        write_variants(work / "corpus", variants)
        settings = Settings.from_env(corpus_dir=work / "corpus", data_dir=work / "data")
        embeddings = LocalEmbeddings(settings.embedding_model)
        embeddings.embed_query("load the model before the clock starts")
        reference = SentenceTransformer(str(embeddings.model_dir), device="cpu", local_files_only=True)
        reference.encode(["load the model before the clock starts"])

        def reference_pass() -> float:
            return timed(lambda: reference.encode(texts, batch_size=32, normalize_embeddings=True))[0]

        ingest_s, report = timed(lambda: Ingestor(settings, embeddings).run())
        store = Store(settings.store_path)
        texts = [chunk.embedding_text() for chunk in store.chunks(sorted(store.all_chunk_ids())).values()]
        store.close()
        reference_s = statistics.median([reference_pass() for _ in range(3)])
        passages = len(texts)
        ingest_rate, reference_rate = passages / ingest_s, passages / reference_s
        print(
            f"\nreal-length passages ({variants} variants of the corpus, {passages} passages, "
            f"{sum(len(t) for t in texts) / passages:.0f} characters each on average):"
        )
        print(f"  full ingest (model loaded):                         {ingest_rate:6.1f} passages/s  ({report.summary()})")  # type: ignore[attr-defined]
        print(f"  sentence-transformers, one pass, batch 32 (median of 3): {reference_rate:6.1f} passages/s")
        print(f"  ingest / reference: {ingest_rate / reference_rate:.2f}x")


def embedded_twin(reader: PolicyAssistant, data_dir: Path, embeddings: LocalEmbeddings) -> PolicyAssistant:
    """An embedded instance holding what ``reader`` reads from its server: its cache copied, the vectors copied
    into a local Chroma (no embedding), so that both answer from the same passages."""
    settings = dataclasses.replace(reader.settings, data_dir=data_dir, chroma_host=None)
    data_dir.mkdir(parents=True)
    with sqlite3.connect(reader.settings.store_path) as source, sqlite3.connect(settings.store_path) as target:
        source.backup(target)
    local = VectorIndex(settings)
    served = reader.index.collection
    for offset in range(0, served.count(), 1000):
        batch = served.get(limit=1000, offset=offset, include=["embeddings", "metadatas", "documents"])
        local.collection.upsert(
            ids=batch["ids"], embeddings=batch["embeddings"], metadatas=batch["metadatas"], documents=batch["documents"]
        )
    twin = PolicyAssistant(settings, embeddings)
    twin.warm_up()
    return twin


def shared_server(passages: int, questions: list[dict[str, Any]], rounds: int) -> None:
    """Several instances on one `chroma run` server: the corpus plus ``passages`` synthetic passages."""
    with tempfile.TemporaryDirectory(prefix="bench-shared-") as folder:
        work = Path(folder)
        corpus = work / "corpus"
        write_corpus(corpus, passages)
        for path in (PROJECT_ROOT / "corpus").iterdir():
            shutil.copy(path, corpus)
        with running_chroma_server(work / "chroma") as port:
            settings = Settings.from_env(
                corpus_dir=corpus, data_dir=work / "writer", chroma_host="127.0.0.1", chroma_port=port
            )
            embeddings = LocalEmbeddings(settings.embedding_model)
            ingest_s, report = timed(lambda: Ingestor(settings, embeddings).run())
            print(f"\nshared Chroma server, ingest of {report.chunks_added} passages: {ingest_s:.0f} s")  # type: ignore[attr-defined]

            env = {**os.environ, "CHROMA_HOST": "127.0.0.1", "CHROMA_PORT": str(port), "ASSISTANT_DATA_DIR": str(work / "fresh")}
            env.pop("OPENAI_API_KEY", None)
            command = [sys.executable, "-m", "assistant", "ask", questions[0]["question"]]
            cold_s, completed = timed(lambda: subprocess.run(command, capture_output=True, text=True, env=env, check=False))
            status = "ok" if completed.returncode == 0 else f"failed: {completed.stderr[-200:]}"  # type: ignore[attr-defined]
            print(f"fresh instance, new process, empty data folder, to first answer: {cold_s:.1f} s ({status})")

            fill_s, reader = timed(lambda: PolicyAssistant(settings.with_overrides(data_dir=work / "reader"), embeddings))
            print(f"fresh instance, cache filled from the server (model already loaded): {fill_s:.1f} s "
                  f"({reader.chunk_count()} passages, {len(reader.documents())} documents)")  # type: ignore[attr-defined]
            twin = embedded_twin(reader, work / "embedded", embeddings)  # type: ignore[arg-type]
            served, embedded = [], []
            for turn in range(rounds + 1):  # alternated, so both meet the same load; the first pass warms up
                for instance, latencies in ((reader, served), (twin, embedded)):
                    timings = [instance.ask(q["question"], q["history"]).latency_ms for q in questions]  # type: ignore[attr-defined]
                    latencies.extend(timings if turn else [])
            print(f"ask latency through the server, warm ({rounds} passes): p50 {percentile(served, 0.5):.1f} ms, "
                  f"p95 {percentile(served, 0.95):.1f} ms")
            print(f"the same passages embedded (vectors copied from the server): p50 {percentile(embedded, 0.5):.1f} ms, "
                  f"p95 {percentile(embedded, 0.95):.1f} ms; server / embedded p50: "
                  f"{percentile(served, 0.5) / percentile(embedded, 0.5):.2f}x")
            twin.store.close()
            checks = [timed(reader.shared.generation)[0] * 1000 for _ in range(50)]  # type: ignore[attr-defined]
            print(f"generation check before each question: median {statistics.median(checks):.1f} ms")

            picked_ms, answered = [], 0
            for number, city in enumerate(("Vilnius", "Tartu", "Gdansk", "Porto", "Ghent")):
                (corpus / f"added-by-another-instance-{number}.md").write_text(
                    f"# Added elsewhere\n\nThe Cluster Days {2030 + number} will take place in {city}.\n", encoding="utf-8"
                )
                Ingestor(settings, embeddings).run()
                picked_s, result = timed(
                    lambda: reader.ask(f"Where will the Cluster Days {2030 + number} take place?")  # type: ignore[attr-defined]
                )
                picked_ms.append(picked_s * 1000)
                answered += city in result.answer.text  # type: ignore[attr-defined]
            print(f"a document added by another instance, five times: the next question median "
                  f"{statistics.median(picked_ms):.0f} ms ({', '.join(f'{ms:.0f}' for ms in picked_ms)}), refresh "
                  f"included; answered from the new document {answered} of 5")
            reader.store.close()  # type: ignore[attr-defined]


if __name__ == "__main__":
    sys.exit(main())
