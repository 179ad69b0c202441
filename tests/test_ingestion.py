import io
import json
from pathlib import Path

import pytest

from assistant.cli import main as cli_main
from assistant.errors import IndexLockedError, IndexMismatchError
from assistant.index.chroma import VectorIndex
from assistant.index.embeddings import LocalEmbeddings
from assistant.index.ingestion import Ingestor, ingest_lock
from assistant.index.store import Store
from assistant.pipeline import PolicyAssistant
from assistant.settings import Settings
from tests.conftest import indexed_sources, write_encrypted_pdf, write_image_only_pdf


def vector_count(settings: Settings) -> int:
    return VectorIndex(settings).count()


def test_first_ingest_indexes_every_document_and_the_same_chunks_in_both_stores(
    settings: Settings, embeddings: LocalEmbeddings
) -> None:
    report = Ingestor(settings, embeddings).run()
    assert report.ok and report.files_read == 5
    sources = indexed_sources(settings)
    assert len(sources) == 5 and all(count > 0 for count in sources.values())
    assert report.chunks_added == sum(sources.values()) == vector_count(settings)


def test_unchanged_files_are_skipped_changed_reembedded_deleted_removed(
    settings: Settings, embeddings: LocalEmbeddings
) -> None:
    Ingestor(settings, embeddings).run()
    again = Ingestor(settings, embeddings).run()
    assert again.files_unchanged == 5 and again.chunks_added == 0 and again.chunks_removed == 0

    minutes = settings.corpus_dir / "minutes-clusters-for-next-generation-eu-2020-06-30.txt"
    minutes.write_text(minutes.read_text() + "\n\nAn added closing paragraph about cluster twinning.\n")
    (settings.corpus_dir / "annex-call-for-recognition-of-clusters.txt").unlink()
    changed = Ingestor(settings, embeddings).run()
    assert changed.files_unchanged == 3
    assert changed.chunks_added >= 1
    assert changed.documents_removed == ["annex-call-for-recognition-of-clusters.txt"]
    sources = indexed_sources(settings)
    assert "annex-call-for-recognition-of-clusters.txt" not in sources
    assert vector_count(settings) == sum(sources.values())


def test_one_bad_file_is_reported_by_name_and_the_rest_is_indexed(
    settings: Settings, embeddings: LocalEmbeddings, tmp_path: Path
) -> None:
    write_encrypted_pdf(settings.corpus_dir / "locked.pdf", "secret", user_password="pw")
    write_image_only_pdf(settings.corpus_dir / "scan.pdf")
    (settings.corpus_dir / "empty.txt").write_text("")
    (settings.corpus_dir / "binary.pdf").write_bytes(b"\x00\x01garbage" * 50)
    report = Ingestor(settings, embeddings).run()
    failed = {failure.source: failure.reason for failure in report.failures}
    assert set(failed) == {"locked.pdf", "scan.pdf", "empty.txt", "binary.pdf"}
    assert "password" in failed["locked.pdf"] and "text layer" in failed["scan.pdf"]
    assert len(indexed_sources(settings)) == 5


def test_cli_exit_status_is_non_zero_when_a_file_failed(settings: Settings, embeddings: LocalEmbeddings) -> None:
    (settings.corpus_dir / "empty.md").write_text("")
    out, err = io.StringIO(), io.StringIO()
    code = cli_main(["--data-dir", str(settings.data_dir), "ingest", str(settings.corpus_dir)], stdout=out, stderr=err)
    assert code == 1
    assert "FAILED empty.md: empty file" in err.getvalue()
    assert "5 files" not in out.getvalue() and "6 files read" in out.getvalue()
    assert "1 files failed" in out.getvalue()


def test_a_file_that_breaks_later_keeps_its_indexed_version(settings: Settings, embeddings: LocalEmbeddings) -> None:
    Ingestor(settings, embeddings).run()
    before = indexed_sources(settings)
    target = settings.corpus_dir / "reinforcing-clusters-in-the-i3-initiative.txt"
    target.write_bytes(b"\x00\x00\x00 binary now")
    report = Ingestor(settings, embeddings).run()
    assert [f.source for f in report.failures] == [target.name]
    assert indexed_sources(settings) == before


def test_same_document_under_two_names_is_flagged_not_indexed_twice(settings: Settings, embeddings: LocalEmbeddings) -> None:
    original = settings.corpus_dir / "annex-call-for-recognition-of-clusters.txt"
    (settings.corpus_dir / "zz-copy-of-annex.txt").write_bytes(original.read_bytes())
    report = Ingestor(settings, embeddings).run()
    assert [(f.source, "duplicate" in f.reason) for f in report.failures] == [("zz-copy-of-annex.txt", True)]
    assert "zz-copy-of-annex.txt" not in indexed_sources(settings)


def test_a_different_embedding_model_stops_with_a_rebuild_hint(settings: Settings, embeddings: LocalEmbeddings) -> None:
    Ingestor(settings, embeddings).run()
    store = Store(settings.store_path)
    store.set_meta("embedding_model", "some-other-model")
    store.close()
    with pytest.raises(IndexMismatchError, match="--rebuild"):
        Ingestor(settings, embeddings).run()
    with pytest.raises(IndexMismatchError, match="--rebuild"):
        PolicyAssistant(settings, embeddings)
    rebuilt = Ingestor(settings, embeddings).run(rebuild=True)
    assert rebuilt.ok and rebuilt.chunks_added > 0


def test_second_ingest_while_one_runs_stops_with_a_clear_message(settings: Settings) -> None:
    with ingest_lock(settings.lock_path):
        with pytest.raises(IndexLockedError, match="Another ingest"):
            Ingestor(settings).run()


def test_catalog_change_reindexes_the_document_with_new_metadata(settings: Settings, embeddings: LocalEmbeddings) -> None:
    Ingestor(settings, embeddings).run()
    catalog_path = settings.corpus_dir / "catalog.json"
    catalog = json.loads(catalog_path.read_text())
    catalog["documents"]["annex-call-for-recognition-of-clusters.txt"]["date"] = "2020-10-27"
    catalog_path.write_text(json.dumps(catalog))
    report = Ingestor(settings, embeddings).run()
    assert report.files_unchanged == 4 and report.chunks_added == report.chunks_removed > 0
    assert {m["date"] for m in VectorIndex(settings).collection.get(where={"source": "annex-call-for-recognition-of-clusters.txt"})["metadatas"]} == {"2020-10-27"}
    store = Store(settings.store_path)
    assert store.document("annex-call-for-recognition-of-clusters.txt").info.date == "2020-10-27"  # type: ignore[union-attr]
    store.close()


def test_documents_are_embedded_in_groups_that_keep_their_order_and_size() -> None:
    from assistant.index.ingestion import groups_of_documents

    pending = [(name, list(range(count))) for name, count in [("a", 60), ("b", 60), ("c", 30), ("d", 300), ("e", 5)]]
    groups = list(groups_of_documents(pending, 128))  # type: ignore[arg-type]
    assert [[name for name, _ in group] for group in groups] == [["a", "b"], ["c"], ["d"], ["e"]]


def test_the_benchmark_ingests_real_length_passages_beside_the_reference_pass(capsys: pytest.CaptureFixture[str]) -> None:
    pytest.importorskip("sentence_transformers")
    from evals.benchmark import real_length_ingest

    real_length_ingest(1)
    printed = capsys.readouterr().out
    passages = int(printed.split(" passages, ")[0].rsplit("variants of the corpus, ", 1)[1])
    assert passages > 50 and "0 files failed" in printed
    assert "sentence-transformers, one pass" in printed and "ingest / reference:" in printed
