"""Several instances sharing one real `chroma run` server: each process has its own data folder, the server is the
single source of truth, the local store a cache any instance rebuilds from it."""

from __future__ import annotations

import json
import shutil
import time
import uuid
from collections.abc import Callable, Iterator
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Any

import pytest

from assistant.errors import AssistantError, IndexLockedError, IndexMismatchError
from assistant.index.embeddings import LocalEmbeddings
from assistant.index.ingestion import Ingestor
from assistant.index.shared import LOCK_ID, PLACEHOLDER_VECTOR, SharedIndex
from assistant.index.store import Store
from assistant.index.uploads import remove_document_file
from assistant.pipeline import PolicyAssistant
from assistant.settings import PROJECT_ROOT, Settings
from tests.browsing import ARTIFACTS_ROOT, ask, streamlit_app, wait_idle
from tests.conftest import CORPUS
from tests.instance import Instance, comparable
from tests.servers import free_port, running_chroma_server

pytestmark = pytest.mark.slow

QUESTIONS = [json.loads(line)["question"] for line in (PROJECT_ROOT / "evals" / "dev_questions.jsonl").open()][:8]
MINUTES = "minutes-clusters-for-next-generation-eu-2020-06-30.txt"
CONVERSATIONS = [
    ("What is IoT4Industry?", "Which countries are its clusters from?"),
    ("Who presented on clusters powering recovery and resilience?", "Where is her agency based?"),
    ("What happened at the 30 June 2020 meeting with Commissioner Breton?", "And who moderated it?"),
    ("What proposals did Krzysztof Krystowski present?", "What did he say about the European Defence Fund?"),
]


@pytest.fixture
def shared_environment(tmp_path: Path, chroma_server: int) -> dict[str, str]:
    """A shared corpus folder and a collection of its own on the session's Chroma server."""
    corpus = tmp_path / "corpus"
    shutil.copytree(CORPUS, corpus)
    return {
        "CHROMA_HOST": "127.0.0.1", "CHROMA_PORT": str(chroma_server),
        "ASSISTANT_COLLECTION": f"shared-{uuid.uuid4().hex[:10]}", "ASSISTANT_CORPUS_DIR": str(corpus),
    }


@pytest.fixture
def start_instance(tmp_path: Path, shared_environment: dict[str, str]) -> Iterator[Callable[[str], Instance]]:
    """Starts an instance process with the data folder ``tmp_path/<name>`` (empty the first time)."""
    started: list[Instance] = []

    def start(name: str) -> Instance:
        instance = Instance(tmp_path / name, shared_environment)
        started.append(instance)
        return instance

    yield start
    for instance in started:
        instance.stop()


@pytest.fixture
def server_settings(settings: Settings, chroma_server: int) -> Settings:
    return settings.with_overrides(
        chroma_host="127.0.0.1", chroma_port=chroma_server, collection=f"shared-{uuid.uuid4().hex[:10]}"
    )


def cited_sources(result: dict[str, Any]) -> set[str]:
    return {citation["source"] for citation in result["citations"]}


def test_an_empty_instance_answers_what_another_ingested_with_the_same_verified_citations(
    start_instance: Callable[[str], Instance],
) -> None:
    first = start_instance("a")
    assert first.ingest()["ok"]
    second = start_instance("b")  # a fresh disk: no ingest runs there
    answered = 0
    for question in QUESTIONS:
        expected, got = first.ask(question), second.ask(question)
        assert comparable(got) == comparable(expected), question
        answered += bool(got["citations"])
        cache = Store(second.data_dir / "store.sqlite")
        for citation in got["citations"]:
            document = cache.document(citation["source"])
            assert document is not None and citation["quote"] in document.text
        cache.close()
    assert answered >= 6
    assert not (second.data_dir / "ingest.lock").exists()
    caches = [Store(instance.data_dir / "store.sqlite") for instance in (first, second)]
    assert caches[0].glossary() == caches[1].glossary() and len(caches[1].glossary()) > 10
    assert caches[0].indexed_at() == caches[1].indexed_at()


def test_a_removal_and_an_addition_through_one_instance_reach_the_other(
    start_instance: Callable[[str], Instance], shared_environment: dict[str, str],
) -> None:
    corpus = Path(shared_environment["ASSISTANT_CORPUS_DIR"])
    writer = start_instance("a")
    assert writer.ingest()["ok"]
    reader = start_instance("b")
    moderated = "Who moderated the session with Commissioner Breton?"
    assert MINUTES in cited_sources(reader.ask(moderated))

    remove_document_file(corpus, MINUTES)
    assert writer.ingest()["ok"]
    after_removal = reader.ask(moderated)
    assert MINUTES not in cited_sources(after_removal)
    assert all(p["source"] != MINUTES for p in after_removal["passages"])

    where = "Where will the Cluster Days 2026 take place?"
    assert not reader.ask(where)["answerable"]
    (corpus / "cluster-days-2026.md").write_text(
        "# Cluster Days 2026\n\nThe Cluster Days 2026 will take place in Vilnius on 14 and 15 October 2026, "
        "hosted by the Lithuanian cluster association.\n"
    )
    assert writer.ingest()["ok"]
    added = reader.ask(where)
    assert added["answerable"] and "Vilnius" in added["answer"]
    assert cited_sources(added) == {"cluster-days-2026.md"}


def test_two_ingests_at_once_one_proceeds_and_the_other_is_told_who_is_writing(
    start_instance: Callable[[str], Instance],
) -> None:
    instances = [start_instance("a"), start_instance("b")]
    replies = [future.result(timeout=600) for future in [instance.send({"ingest": True}) for instance in instances]]
    winners = [i for i, reply in enumerate(replies) if reply.get("ok")]
    assert len(winners) == 1, replies
    winner, refused = instances[winners[0]], replies[1 - winners[0]]
    assert "Another ingest" in refused["error"] and "wait for it to finish" in refused["error"]
    assert f"pid {winner.pid} " in refused["error"] and str(winner.data_dir) in refused["error"]
    for instance in instances:
        assert instance.ask("Who moderated the session with Commissioner Breton?")["citations"]


def test_sixteen_concurrent_conversations_over_two_instances_match_one_instance_alone(
    start_instance: Callable[[str], Instance],
) -> None:
    first = start_instance("a")
    assert first.ingest()["ok"]
    second = start_instance("b")

    def converse(instance: Instance, opening: str, follow_up: str) -> tuple[dict[str, Any], dict[str, Any]]:
        answer = instance.ask(opening)
        history = [{"role": "user", "content": opening}, {"role": "assistant", "content": answer["answer"]}]
        return comparable(answer), comparable(instance.ask(follow_up, history))

    alone = [converse(first, *conversation) for conversation in CONVERSATIONS]
    with ThreadPoolExecutor(max_workers=16) as pool:
        outcomes = list(pool.map(
            lambda n: converse((first, second)[n % 2], *CONVERSATIONS[n % 4]), range(16)
        ))
    for n, outcome in enumerate(outcomes):
        assert outcome == alone[n % 4], CONVERSATIONS[n % 4]
    assert all(follow_up["citations"] for _, follow_up in alone)


def test_a_cache_in_another_format_or_from_another_model_is_rebuilt_from_the_server(
    server_settings: Settings, embeddings: LocalEmbeddings, tmp_path: Path,
) -> None:
    assert Ingestor(server_settings, embeddings).run().ok
    reference = PolicyAssistant(server_settings, embeddings).ask(QUESTIONS[0]).to_json()
    for name, meta in (("old-format", ("schema_version", "3")), ("other-model", ("embedding_model", "other-model"))):
        settings = server_settings.with_overrides(data_dir=tmp_path / name)
        cache = Store(settings.store_path)
        cache.set_meta(*meta)
        cache.close()
        assistant = PolicyAssistant(settings, embeddings)
        assert assistant.store.get_meta("schema_version") != "3"
        assert assistant.store.get_meta("embedding_model") == server_settings.embedding_model
        assert comparable(assistant.ask(QUESTIONS[0]).to_json()) == comparable(reference)


def test_a_server_index_from_another_embedding_model_says_what_to_run(
    server_settings: Settings, embeddings: LocalEmbeddings
) -> None:
    assert Ingestor(server_settings, embeddings).run().ok
    other = server_settings.with_overrides(embedding_model="paraphrase-MiniLM-L3-v2", data_dir=server_settings.data_dir / "x")
    with pytest.raises(IndexMismatchError, match=r"all-MiniLM-L6-v2.*python -m assistant ingest --rebuild"):
        PolicyAssistant(other, embeddings)


def test_a_live_lock_refuses_naming_its_writer_and_a_dead_one_is_taken_over(
    server_settings: Settings, embeddings: LocalEmbeddings
) -> None:
    shared = SharedIndex(server_settings)
    holder = {"token": "t", "writer": "pid 4242 on other-host, data folder /srv/b", "since": "2026-11-25 10:00:00"}
    shared.state.add(ids=[LOCK_ID], embeddings=[PLACEHOLDER_VECTOR], metadatas=[{**holder, "heartbeat": time.time()}])
    with pytest.raises(IndexLockedError, match=r"pid 4242 on other-host, data folder /srv/b, since 2026-11-25 10:00:00"):
        Ingestor(server_settings, embeddings).run()
    shared.state.update(ids=[LOCK_ID], metadatas=[{**holder, "heartbeat": time.time() - 3600}])
    assert Ingestor(server_settings, embeddings).run().ok
    assert shared.state.get(ids=[LOCK_ID])["ids"] == []  # released when done


def test_an_ingest_from_a_folder_without_the_indexed_documents_is_refused_and_nothing_is_lost(
    server_settings: Settings, embeddings: LocalEmbeddings, tmp_path: Path
) -> None:
    assert Ingestor(server_settings, embeddings).run().ok
    empty = tmp_path / "empty-corpus"
    empty.mkdir()
    stray = server_settings.with_overrides(corpus_dir=empty, data_dir=tmp_path / "stray")
    with pytest.raises(AssistantError, match=f"{empty} holds none of the 5 documents indexed on the Chroma server"):
        Ingestor(stray, embeddings).run()
    reader = PolicyAssistant(server_settings.with_overrides(data_dir=tmp_path / "reader"), embeddings)
    assert len(reader.documents()) == 5


def test_a_rebuild_by_another_instance_is_picked_up_at_the_next_question(
    server_settings: Settings, embeddings: LocalEmbeddings, tmp_path: Path
) -> None:
    assert Ingestor(server_settings, embeddings).run().ok
    reader = PolicyAssistant(server_settings.with_overrides(data_dir=tmp_path / "reader"), embeddings)
    before = reader.ask(QUESTIONS[0]).to_json()
    old_collection = reader.index.collection.id
    assert Ingestor(server_settings, embeddings).run(rebuild=True).ok
    after = reader.ask(QUESTIONS[0]).to_json()
    assert reader.index.collection.id != old_collection
    assert comparable(after) == comparable(before)


def test_a_fresh_streamlit_instance_answers_in_the_browser_from_the_server(
    server_settings: Settings, embeddings: LocalEmbeddings, browser, tmp_path: Path  # type: ignore[no-untyped-def]
) -> None:
    assert Ingestor(server_settings, embeddings).run().ok
    port = free_port()
    environment = {
        "CHROMA_HOST": "127.0.0.1", "CHROMA_PORT": str(server_settings.chroma_port),
        "ASSISTANT_COLLECTION": server_settings.collection, "ASSISTANT_DATA_DIR": str(tmp_path / "fresh"),
    }
    with streamlit_app(port, PROJECT_ROOT, **environment):
        page = browser.new_page()
        page.goto(f"http://127.0.0.1:{port}/")
        wait_idle(page)
        ask(page, "Who moderated the session with Commissioner Breton?")
        page.get_by_text("Teodora Jilkova to open the session").first.wait_for(timeout=90_000)
        wait_idle(page)
        artifacts = ARTIFACTS_ROOT / "shared-index"
        artifacts.mkdir(parents=True, exist_ok=True)
        page.screenshot(path=artifacts / "fresh-instance-answer.png")
        page.close()


def test_a_running_ingest_renews_its_lock(server_settings: Settings, monkeypatch: pytest.MonkeyPatch) -> None:
    import assistant.index.shared as shared_module

    monkeypatch.setattr(shared_module, "HEARTBEAT_S", 0.2)
    shared = SharedIndex(server_settings)
    with shared.writer_lock("this test"):
        first = shared.state.get(ids=[LOCK_ID], include=["metadatas"])["metadatas"][0]
        time.sleep(1.0)
        later = shared.state.get(ids=[LOCK_ID], include=["metadatas"])["metadatas"][0]
        assert later["writer"] == "this test" and later["heartbeat"] > first["heartbeat"]
        with pytest.raises(IndexLockedError, match="this test"):
            with SharedIndex(server_settings).writer_lock("another writer"):
                pass
    assert shared.state.get(ids=[LOCK_ID])["ids"] == []


def test_when_the_server_goes_away_questions_get_a_clear_error_and_the_document_list_stays(
    settings: Settings, embeddings: LocalEmbeddings, tmp_path: Path
) -> None:
    with running_chroma_server(tmp_path / "chroma") as port:
        on_server = settings.with_overrides(chroma_host="127.0.0.1", chroma_port=port)
        assert Ingestor(on_server, embeddings).run().ok
        reader = PolicyAssistant(on_server.with_overrides(data_dir=tmp_path / "reader"), embeddings)
        assert len(reader.documents()) == 5
    assert len(reader.documents()) == 5
    with pytest.raises(AssistantError, match=f"Cannot read the index from the Chroma server 127.0.0.1:{port}"):
        reader.ask(QUESTIONS[0])


def test_an_ingest_that_changes_nothing_costs_other_instances_no_rebuild(
    server_settings: Settings, embeddings: LocalEmbeddings, tmp_path: Path
) -> None:
    assert Ingestor(server_settings, embeddings).run().ok
    reader = PolicyAssistant(server_settings.with_overrides(data_dir=tmp_path / "reader"), embeddings)
    assert Ingestor(server_settings, embeddings).run().files_unchanged == 5
    assert reader.shared is not None and reader.shared.sync(reader.store) is False
    generation = reader.shared.generation()
    assert generation is not None and reader.store.get_meta("generation") == generation.marker


def test_another_instances_new_document_is_read_through_the_collections_already_open(
    server_settings: Settings, embeddings: LocalEmbeddings, tmp_path: Path
) -> None:
    assert Ingestor(server_settings, embeddings).run().ok
    reader = PolicyAssistant(server_settings.with_overrides(data_dir=tmp_path / "reader"), embeddings)
    reader.ask(QUESTIONS[0])
    assert reader.shared is not None
    opened = (reader.index.collection, reader.shared.documents, reader.shared.state)
    (server_settings.corpus_dir / "cluster-days-2026.md").write_text(
        "# Cluster Days 2026\n\nThe Cluster Days 2026 will take place in Vilnius.\n", encoding="utf-8"
    )
    assert Ingestor(server_settings, embeddings).run().chunks_added > 0
    answer = reader.ask("Where will the Cluster Days 2026 take place?")
    assert answer.answer.answerable and "Vilnius" in answer.answer.text
    # no round trips to open them again: only a rebuild elsewhere replaces them
    now = (reader.index.collection, reader.shared.documents, reader.shared.state)
    assert all(held is before for held, before in zip(now, opened, strict=True))
