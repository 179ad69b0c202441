"""Growth benchmark: ``python -m evals.scale_benchmark --sizes 1000 10000 100000`` (``--keywords``: the keyword search
alone, SQLite FTS5 against the index in memory, nothing embedded; ``--replicate DATA_DIR --times 10 --work-dir W``: search
and ask on ten copies of an index it built, made in minutes).

For each size it writes a synthetic corpus to disk (documents made of the real corpus's vocabulary, one chunk
per heading), ingests it into a fresh index, and prints ingest throughput, index size on disk, resident memory
and retrieval latency (hybrid search with reranking, p50/p95 over 200 queries).
"""

from __future__ import annotations

import argparse
import multiprocessing
import random
import resource
import shutil
import sqlite3
import sys
import tempfile
import time
from collections import Counter
from pathlib import Path

from assistant.index.chroma import VectorIndex
from assistant.index.ingestion import Ingestor
from assistant.index.store import Store
from assistant.pipeline import PolicyAssistant
from assistant.reading.documents import list_corpus_files, load_catalog, read_document
from assistant.settings import PROJECT_ROOT, Settings
from assistant.text.terms import expanded_terms, search_terms, words
from evals.questionset import read_questions
from evals.score import percentile

CHUNKS_PER_FILE = 100


def corpus_vocabulary(corpus_dir: Path) -> tuple[list[str], list[int]]:
    counts: Counter[str] = Counter()
    catalog = load_catalog(corpus_dir)
    for path in list_corpus_files(corpus_dir):
        counts.update(w for w in words(read_document(path, corpus_dir, catalog, 10**8).text) if w.isalpha())
    vocabulary = sorted(counts)
    return vocabulary, [counts[w] for w in vocabulary]


def sentence(rng: random.Random, vocabulary: list[str], weights: list[int]) -> str:
    chosen = rng.choices(vocabulary, weights=weights, k=rng.randint(10, 22))
    return " ".join(chosen).capitalize() + "."


def write_corpus(folder: Path, chunks: int, seed: int = 7) -> None:
    rng = random.Random(seed)
    vocabulary, weights = corpus_vocabulary(PROJECT_ROOT / "corpus")
    folder.mkdir(parents=True, exist_ok=True)
    for file_number in range(0, chunks, CHUNKS_PER_FILE):
        sections = []
        for _ in range(min(CHUNKS_PER_FILE, chunks - file_number)):
            heading = " ".join(rng.choices(vocabulary, weights=weights, k=rng.randint(3, 6))).capitalize()
            paragraph = " ".join(sentence(rng, vocabulary, weights) for _ in range(rng.randint(2, 3)))
            sections.append(f"{heading}\n\n{paragraph}")
        (folder / f"synthetic-{file_number // CHUNKS_PER_FILE:05d}.txt").write_text("\n\n".join(sections), encoding="utf-8")


def folder_size_mb(folder: Path) -> float:
    return sum(p.stat().st_size for p in folder.rglob("*") if p.is_file()) / 1e6


def resident_mb() -> float:
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1]) / 1024
    return 0.0


def queries(rng: random.Random, count: int) -> list[str]:
    real = [q["question"] for path in ("dev_questions", "questions") for q in read_questions(PROJECT_ROOT / "evals" / f"{path}.jsonl")]
    vocabulary, weights = corpus_vocabulary(PROJECT_ROOT / "corpus")
    synthetic = [" ".join(rng.choices(vocabulary, weights=weights, k=rng.randint(3, 8))) for _ in range(count)]
    mixed = real + synthetic
    rng.shuffle(mixed)
    return mixed[:count]


def question_timings(settings: Settings) -> dict[str, float]:
    """Search and ask latency over an index (200 searches, 50 questions), resident memory after them."""
    assistant = PolicyAssistant(settings)
    assistant.warm_up()
    rng = random.Random(11)
    search_ms, ask_ms = [], []
    for query in queries(rng, 200):
        started = time.perf_counter()
        assistant.searcher.search(query)
        search_ms.append((time.perf_counter() - started) * 1000)
    for query in queries(rng, 50):
        ask_ms.append(assistant.ask(query).latency_ms)
    figures = {
        "chunks": assistant.chunk_count(),
        "rss_mb": resident_mb(),
        "peak_rss_mb": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024,
        "search_p50_ms": percentile(search_ms, 0.5),
        "search_p95_ms": percentile(search_ms, 0.95),
        "ask_p50_ms": percentile(ask_ms, 0.5),
        "ask_p95_ms": percentile(ask_ms, 0.95),
    }
    assistant.store.close()
    return figures


def measure(size: int, work: Path) -> dict[str, float]:
    corpus = work / f"corpus-{size}"
    data = work / f"data-{size}"
    write_corpus(corpus, size)
    settings = Settings.from_env(corpus_dir=corpus, data_dir=data)
    started = time.perf_counter()
    report = Ingestor(settings).run()
    ingest_s = time.perf_counter() - started
    figures = {
        "ingest_s": ingest_s, "chunks_per_s": report.chunks_added / ingest_s, "index_mb": folder_size_mb(data),
        **question_timings(settings),
    }
    shutil.rmtree(corpus)
    return figures


def replicate(index: Path, times: int, target: Path) -> None:
    """Write in ``target`` an index of ``times`` copies of an existing one (each passage and document under new ids,
    vectors copied, nothing embedded): the search and ask timings of a large index in minutes rather than an hour of
    ingest. Its passages repeat, so its rankings are not a real corpus's; its costs per question are."""
    shutil.rmtree(target, ignore_errors=True)
    settings = Settings.from_env(data_dir=target)
    Store(settings.store_path).close()
    connection = sqlite3.connect(settings.store_path)
    connection.execute("ATTACH ? AS source", (str(index / "store.sqlite"),))
    connection.execute("INSERT OR REPLACE INTO meta SELECT * FROM source.meta")
    for copy in range(times):
        suffix = f"-{copy}"
        connection.execute(
            "INSERT INTO documents SELECT source || ?, sha256, title, kind, date, text, page_starts, ingested_at "
            "FROM source.documents", (suffix,))
        connection.execute(
            "INSERT INTO chunks SELECT id || ?, source || ?, ordinal, text, section, page, start_offset, end_offset, "
            "context FROM source.chunks", (suffix, suffix))
        connection.execute(
            "INSERT INTO chunk_terms(rowid, id, source, terms) SELECT c.rowid, c.id, c.source, t.terms "
            "FROM source.chunk_terms t JOIN main.chunks c ON c.id = t.id || ?", (suffix,))
        connection.execute(
            "INSERT INTO sentence_vectors SELECT chunk_id || ?, vectors FROM source.sentence_vectors", (suffix,))
    connection.commit()
    connection.close()
    original = VectorIndex(Settings.from_env(data_dir=index)).collection
    copies = VectorIndex(settings).collection
    for offset in range(0, original.count(), 1000):
        page = original.get(include=["embeddings", "metadatas", "documents"], limit=1000, offset=offset)
        for copy in range(times):
            copies.add(
                ids=[f"{chunk_id}-{copy}" for chunk_id in page["ids"]], embeddings=page["embeddings"],
                metadatas=[{**m, "source": f"{m['source']}-{copy}"} for m in page["metadatas"]],
                documents=page["documents"],
            )


def keyword_timing(size: int, work: Path) -> dict[str, float]:
    """The keyword search alone at ``size`` passages (chunked and stored, nothing embedded): SQLite FTS5 against
    the index in memory on the same 200 queries, with how many ranked differently (expected: none)."""
    corpus = work / f"corpus-{size}"
    write_corpus(corpus, size)
    settings = Settings.from_env(corpus_dir=corpus, data_dir=work / f"keywords-{size}")
    chunker = Ingestor(settings)
    writer = Store(settings.store_path)
    catalog = load_catalog(corpus)
    stored = []
    for path in list_corpus_files(corpus):
        document = read_document(path, corpus, catalog, settings.max_file_bytes)
        stored.append((document, chunker.chunk(document)))
        writer.replace_document(*stored[-1])
    store = Store(settings.store_path)
    started = time.perf_counter()
    store.load_keyword_index()
    load_ms = (time.perf_counter() - started) * 1000
    in_memory_ms, fts_ms, differ = [], [], 0
    for query in queries(random.Random(11), 200):
        terms = expanded_terms(search_terms(query))
        started = time.perf_counter()
        found = store.keyword_search(terms, settings.candidates_per_ranker)
        in_memory_ms.append((time.perf_counter() - started) * 1000)
        started = time.perf_counter()
        expected = store.fts_keyword_search(terms, settings.candidates_per_ranker)
        fts_ms.append((time.perf_counter() - started) * 1000)
        differ += [cid for cid, _ in found] != [cid for cid, _ in expected]
    changed_ms = []
    for document, chunks in random.Random(12).sample(stored, min(20, len(stored))):
        # Stored again by another connection, as another process would: the next search reads that document anew.
        writer.replace_document(document, chunks, ingested_at=f"2000-01-01 00:00:{len(changed_ms):02d}")
        started = time.perf_counter()
        store.keyword_search(["cluster"], settings.candidates_per_ranker)
        changed_ms.append((time.perf_counter() - started) * 1000)
    writer.close()
    figures = {
        "changed_p50_ms": percentile(changed_ms, 0.5),
        "chunks": store.chunk_count(), "load_ms": load_ms, "differ": differ,
        "fts_p50_ms": percentile(fts_ms, 0.5), "fts_p95_ms": percentile(fts_ms, 0.95),
        "memory_p50_ms": percentile(in_memory_ms, 0.5), "memory_p95_ms": percentile(in_memory_ms, 0.95),
    }
    store.close()
    shutil.rmtree(corpus)
    shutil.rmtree(settings.data_dir)
    return figures


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m evals.scale_benchmark", description=__doc__)
    parser.add_argument("--sizes", type=int, nargs="+", default=[1000, 10000, 100000])
    parser.add_argument("--work-dir", type=Path, help="where corpora and indexes are written (default: a temp dir)")
    parser.add_argument("--keywords", action="store_true", help="time the keyword search alone (FTS5 and in memory)")
    parser.add_argument(
        "--replicate", type=Path, metavar="INDEX",
        help="time search and ask on copies of an index this benchmark built (its data-N folder), --times copies",
    )
    parser.add_argument("--times", type=int, default=10)
    args = parser.parse_args(argv)
    work = args.work_dir or Path(tempfile.mkdtemp(prefix="scale-"))
    if args.replicate:
        # made in a process of its own, so that the peak memory printed is that of answering questions
        built = work / f"replicated-{args.times}x"
        making = multiprocessing.get_context("spawn").Process(target=replicate, args=(args.replicate, args.times, built))
        making.start()
        making.join()
        f = question_timings(Settings.from_env(data_dir=built))
        print("| chunks (copies) | RSS (MB) | peak RSS (MB) | search p50 / p95 (ms) | ask p50 / p95 (ms) |\n|---|---|---|---|---|")
        print(
            f"| {f['chunks']:.0f} ({args.times} x) | {f['rss_mb']:.0f} | {f['peak_rss_mb']:.0f} | "
            f"{f['search_p50_ms']:.0f} / {f['search_p95_ms']:.0f} | {f['ask_p50_ms']:.0f} / {f['ask_p95_ms']:.0f} |"
        )
        if not args.work_dir:
            shutil.rmtree(work, ignore_errors=True)
        return 0
    if args.keywords:
        print(
            "| chunks | load into memory (ms) | FTS5 p50 / p95 (ms) | in memory p50 / p95 (ms) | rankings that differ "
            "| search after another process changed a document, p50 (ms) |"
        )
        print("|---|---|---|---|---|---|", flush=True)
        for size in args.sizes:
            f = keyword_timing(size, work)
            print(
                f"| {f['chunks']:.0f} | {f['load_ms']:.0f} | {f['fts_p50_ms']:.1f} / {f['fts_p95_ms']:.1f} | "
                f"{f['memory_p50_ms']:.1f} / {f['memory_p95_ms']:.1f} | {f['differ']:.0f} of 200 | {f['changed_p50_ms']:.1f} |",
                flush=True,
            )
        if not args.work_dir:
            shutil.rmtree(work, ignore_errors=True)
        return 0
    header = "| chunks | ingest (s) | chunks/s | index on disk (MB) | RSS (MB) | peak RSS (MB) | search p50 / p95 (ms) | ask p50 / p95 (ms) |"
    print(header)
    print("|---|---|---|---|---|---|---|---|", flush=True)
    for size in args.sizes:
        f = measure(size, work)
        print(
            f"| {f['chunks']:.0f} | {f['ingest_s']:.0f} | {f['chunks_per_s']:.0f} | {f['index_mb']:.0f} | {f['rss_mb']:.0f} | "
            f"{f['peak_rss_mb']:.0f} | {f['search_p50_ms']:.0f} / {f['search_p95_ms']:.0f} | "
            f"{f['ask_p50_ms']:.0f} / {f['ask_p95_ms']:.0f} |",
            flush=True,
        )
    if not args.work_dir:
        shutil.rmtree(work, ignore_errors=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
