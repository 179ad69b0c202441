"""Interrupted and concurrent ingests, a real Chroma server, and many conversations at once."""

import io
import os
import re
import signal
import subprocess
import sys
import time
from concurrent.futures import ThreadPoolExecutor

import pytest

from assistant.cli import main as cli_main
from assistant.index.chroma import VectorIndex
from assistant.index.embeddings import LocalEmbeddings
from assistant.index.ingestion import Ingestor
from assistant.index.store import Store
from assistant.pipeline import PolicyAssistant
from assistant.settings import PROJECT_ROOT, Settings
from evals.scale_benchmark import write_corpus
from tests.servers import free_port

pytestmark = pytest.mark.slow


def start_ingest(settings: Settings) -> subprocess.Popen[str]:
    env = {**os.environ, "PYTHONPATH": str(PROJECT_ROOT)}
    return subprocess.Popen(
        [sys.executable, "-m", "assistant", "--data-dir", str(settings.data_dir), "ingest", str(settings.corpus_dir)],
        stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, env=env, cwd=PROJECT_ROOT,
    )


def wait_for_embedding_progress(process: subprocess.Popen[str], timeout_s: float = 120) -> None:
    """Block until the ingest reports embedding progress past zero (tqdm writes to stderr with \\r)."""
    assert process.stderr is not None
    deadline = time.monotonic() + timeout_s
    seen = ""
    while time.monotonic() < deadline:
        character = process.stderr.read(1)
        if not character:
            pytest.fail(f"ingest ended before embedding: {seen[-500:]}")
        seen += character
        if re.search(r"Embedding chunks:\s+\d+%\|[^|]*\|\s*[1-9]\d*/\d+", seen):
            return
    pytest.fail("no embedding progress in time")


def consistency(settings: Settings) -> tuple[set[str], set[str]]:
    store = Store(settings.store_path)
    try:
        return store.all_chunk_ids(), VectorIndex(settings).ids()
    finally:
        store.close()


@pytest.fixture
def grown_corpus(settings: Settings, embeddings: LocalEmbeddings) -> Settings:
    """The real corpus indexed, then 400 synthetic chunks added to the folder (not yet indexed)."""
    assert Ingestor(settings, embeddings).run().ok
    write_corpus(settings.corpus_dir / "synthetic", 400)
    return settings


def test_killed_ingest_leaves_the_index_queryable_and_the_next_run_completes(grown_corpus: Settings, embeddings: LocalEmbeddings) -> None:
    process = start_ingest(grown_corpus)
    wait_for_embedding_progress(process)
    process.send_signal(signal.SIGKILL)
    process.wait(timeout=30)

    assistant = PolicyAssistant(grown_corpus, embeddings)
    result = assistant.ask("What does EAAC stand for?")
    assert "Alliance Against Coronavirus" in result.answer.text and result.answer.citations
    assert all(assistant.store.chunks([p.chunk.id for p in result.passages]) for p in result.passages)
    assistant.store.close()

    report = Ingestor(grown_corpus, embeddings).run()
    assert report.ok
    stored, vectors = consistency(grown_corpus)
    assert stored == vectors  # no duplicates, no orphans
    store = Store(grown_corpus.store_path)
    assert len([d for d in store.documents() if d.source.startswith("synthetic/")]) == 4
    store.close()
    again = Ingestor(grown_corpus, embeddings).run()
    assert again.chunks_added == 0 and again.files_unchanged == 9


def test_a_second_ingest_while_one_runs_stops_with_a_message(grown_corpus: Settings) -> None:
    process = start_ingest(grown_corpus)
    wait_for_embedding_progress(process)
    out, err = io.StringIO(), io.StringIO()
    code = cli_main(["--data-dir", str(grown_corpus.data_dir), "ingest", str(grown_corpus.corpus_dir)], stdout=out, stderr=err)
    assert code == 1 and "Another ingest" in err.getvalue() and "wait for it to finish" in err.getvalue()
    assert process.wait(timeout=300) == 0
    stored, vectors = consistency(grown_corpus)
    assert stored == vectors


def test_ingest_and_ask_against_a_chroma_server(settings: Settings, embeddings: LocalEmbeddings, chroma_server: int) -> None:
    server_settings = settings.with_overrides(chroma_host="127.0.0.1", chroma_port=chroma_server)
    report = Ingestor(server_settings, embeddings).run()
    assert report.ok and report.chunks_added > 0
    assert not server_settings.chroma_dir.exists()  # nothing went to the embedded store
    assistant = PolicyAssistant(server_settings, embeddings)
    result = assistant.ask("Who moderated the session with Commissioner Breton?")
    assert "Jilkova" in result.answer.text and result.answer.citations
    assert VectorIndex(server_settings).count() == assistant.chunk_count()
    unchanged = Ingestor(server_settings, embeddings).run()
    assert unchanged.files_unchanged == 5 and unchanged.chunks_added == 0


def test_unreachable_chroma_server_is_a_clear_error(settings: Settings, embeddings: LocalEmbeddings) -> None:
    from assistant.errors import AssistantError

    server_settings = settings.with_overrides(chroma_host="127.0.0.1", chroma_port=free_port())
    with pytest.raises(AssistantError, match="Cannot reach the Chroma server"):
        Ingestor(server_settings, embeddings).run()


CONVERSATIONS = [
    ("What is IoT4Industry?", "Which countries are its clusters from?", "France, Italy, Germany"),
    ("Who presented on clusters powering recovery and resilience?", "Where is her agency based?", "Cremona"),
    ("What happened at the 30 June 2020 meeting with Commissioner Breton?", "And who moderated it?", "Jilkova"),
    ("What proposals did Krzysztof Krystowski present?", "What did he say about the European Defence Fund?", "Defense Fund"),
]


def test_sixteen_concurrent_conversations_get_their_own_answers(corpus_assistant: PolicyAssistant) -> None:
    def converse(index: int) -> tuple[int, str, list[str]]:
        first, follow_up, _ = CONVERSATIONS[index % 4]
        opening = corpus_assistant.ask(first)
        history = [{"role": "user", "content": first}, {"role": "assistant", "content": opening.answer.text}]
        answer = corpus_assistant.ask(follow_up, history)
        return index, answer.answer.text, [c.quote for c in answer.answer.citations]

    with ThreadPoolExecutor(max_workers=16) as pool:
        outcomes = list(pool.map(converse, range(16)))
    for index, text, quotes in outcomes:
        expected = CONVERSATIONS[index % 4][2]
        assert expected in text and any(expected in quote for quote in quotes), (index, text)
        for other_index, (_, _, other_expected) in enumerate(CONVERSATIONS):
            if other_index != index % 4:
                assert other_expected not in text
