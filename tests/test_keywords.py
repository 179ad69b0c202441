"""The keyword index in memory scores as SQLite FTS5 does, and follows every change to the store per document."""

from pathlib import Path

import pytest

from assistant.index.embeddings import LocalEmbeddings
from assistant.index.ingestion import Ingestor
from assistant.index.keywords import KEYWORD_ROWS_OF_SOURCE, fts_tokens
from assistant.index.store import Store
from assistant.pipeline import PolicyAssistant
from assistant.settings import PROJECT_ROOT, Settings
from assistant.text.terms import expanded_terms, search_terms
from evals.questionset import read_questions


def assert_same_as_fts(
    store: Store, terms: list[str], limit: int = 40, **filters: list[str]
) -> list[tuple[str, float]]:
    in_memory = store.keyword_search(terms, limit, **filters)
    by_fts = store.fts_keyword_search(terms, limit, **filters)
    assert [cid for cid, _ in in_memory] == [cid for cid, _ in by_fts], terms
    assert [score for _, score in in_memory] == pytest.approx([score for _, score in by_fts], rel=1e-9), terms
    return in_memory


def test_every_question_ranks_and_scores_as_fts5_ranks_them(corpus_assistant: PolicyAssistant) -> None:
    store = corpus_assistant.store
    questions = read_questions(PROJECT_ROOT / "evals" / "questions.jsonl")
    found = [assert_same_as_fts(store, expanded_terms(search_terms(q["question"]))) for q in questions]
    assert sum(len(f) > 0 for f in found) == len(questions)
    minutes = next(d.source for d in store.documents() if d.info.kind == "minutes")
    for q in questions[:20]:
        terms = search_terms(q["question"])
        assert_same_as_fts(store, terms, 5, sources=[minutes])
        assert_same_as_fts(store, terms, 5, kinds=["minutes"])
        assert {cid for cid, _ in store.keyword_search(terms, 40, sources=[minutes])} <= store.chunk_ids_of(minutes)


def test_document_frequencies_are_those_of_the_fts5_vocabulary(corpus_assistant: PolicyAssistant) -> None:
    store = corpus_assistant.store
    connection = store._connect()
    for q in read_questions(PROJECT_ROOT / "evals" / "questions.jsonl"):
        terms = search_terms(q["question"])
        expected = {}
        for term in set(terms):
            row = connection.execute("SELECT doc FROM chunk_vocab WHERE term = ?", (term,)).fetchone()
            expected[term] = int(row[0]) if row else 0
        assert store.document_frequencies(terms) == (expected, store.chunk_count())
    assert store.document_frequencies(["recoveri"])[0]["recoveri"] > 0


def test_tokens_fold_case_and_diacritics_as_the_fts5_tokenizer_does() -> None:
    assert fts_tokens("Pôle compétitivité R&D") == ["pole", "competitivite", "r", "d"]


def test_a_term_read_as_a_phrase_is_answered_by_fts5(corpus_assistant: PolicyAssistant) -> None:
    store = corpus_assistant.store
    phrase = "-".join(search_terms("next generation"))  # two tokens to FTS5's tokenizer
    assert store._keywords.search([phrase], 5) is None
    assert store.keyword_search([phrase], 5) == store.fts_keyword_search([phrase], 5)
    assert store.keyword_search([phrase], 5)


def test_a_document_added_changed_or_removed_elsewhere_is_searched_as_it_now_is(
    settings: Settings, embeddings: LocalEmbeddings
) -> None:
    Ingestor(settings, embeddings).run()
    reader = Store(settings.store_path)  # another process's view of the same index
    assert reader.keyword_search(["zygomorph"], 10) == []
    before = assert_same_as_fts(reader, ["cluster", "recoveri"])

    note = settings.corpus_dir / "note-on-zygomorphs.md"
    note.write_text("# Zygomorph clusters\n\nZygomorph clusters met in Riga to plan the recovery of the cluster.\n")
    Ingestor(settings, embeddings).run()
    added = assert_same_as_fts(reader, ["zygomorph"])
    assert added and all(cid in reader.chunk_ids_of("note-on-zygomorphs.md") for cid, _ in added)
    assert reader.document_frequencies(["zygomorph"]) == ({"zygomorph": len(added)}, reader.chunk_count())
    assert assert_same_as_fts(reader, ["cluster", "recoveri"]) != before  # idf and average length moved

    note.write_text("# Other clusters\n\nThe clusters met in Riga.\n")
    Ingestor(settings, embeddings).run()
    assert reader.keyword_search(["zygomorph"], 10) == []
    assert assert_same_as_fts(reader, ["riga"])
    assert reader.document_frequencies(["zygomorph"]) == ({"zygomorph": 0}, reader.chunk_count())

    note.unlink()
    Ingestor(settings, embeddings).run()
    assert reader.keyword_search(["riga"], 10) == []
    after = assert_same_as_fts(reader, ["cluster", "recoveri"])
    assert [cid for cid, _ in after] == [cid for cid, _ in before]
    assert [score for _, score in after] == pytest.approx([score for _, score in before], rel=1e-9)
    reader.close()


def test_terms_recomputed_in_place_are_read_again(settings: Settings, embeddings: LocalEmbeddings) -> None:
    Ingestor(settings, embeddings).run()
    store = Store(settings.store_path)
    assert store.keyword_search(["cluster"], 3) and store.keyword_search(["quokka"], 3) == []
    connection = store._connect()
    with connection:  # as a new version of the search terms would: same documents, other terms
        connection.execute("UPDATE chunks SET text = text || ' Quokkas.' WHERE rowid = (SELECT min(rowid) FROM chunks)")
    store.rebuild_keyword_index()
    assert len(assert_same_as_fts(store, ["quokka"])) == 1
    store.close()


def test_a_store_opened_on_an_existing_file_gets_the_version_index(tmp_path: Path) -> None:
    store = Store(tmp_path / "store.sqlite")
    plan = store._connect().execute(
        "EXPLAIN QUERY PLAN SELECT source, sha256, ingested_at FROM documents"
    ).fetchall()
    assert "document_versions" in str(plan)  # the per-question change check doesn't read the documents' texts
    store.close()


def aligned_keyword_rows(store: Store) -> int:
    return store._connect().execute(
        "SELECT count(*) FROM chunk_terms t JOIN chunks c ON c.rowid = t.rowid AND c.id = t.id"
    ).fetchone()[0]


def test_a_documents_keyword_rows_are_found_through_the_chunks_index_not_a_scan(
    settings: Settings, embeddings: LocalEmbeddings
) -> None:
    Ingestor(settings, embeddings).run()
    store = Store(settings.store_path)
    assert aligned_keyword_rows(store) == store.chunk_count() > 0
    plan = str(store._connect().execute(
        f"EXPLAIN QUERY PLAN SELECT id, terms FROM chunk_terms WHERE rowid IN ({KEYWORD_ROWS_OF_SOURCE})", ("x",)
    ).fetchall())
    assert "chunks_by_source" in plan
    unindexed = str(store._connect().execute(
        "EXPLAIN QUERY PLAN SELECT id, terms FROM chunk_terms WHERE source = ?", ("x",)
    ).fetchall())
    assert "chunks_by_source" not in unindexed  # what the rowid spares: FTS5 visits every row for this one
    store.close()


def test_an_index_whose_keyword_rows_lack_their_chunks_rowids_is_realigned_when_opened(
    settings: Settings, embeddings: LocalEmbeddings
) -> None:
    Ingestor(settings, embeddings).run()
    store = Store(settings.store_path)
    connection = store._connect()
    with connection:  # as keyword version 4 wrote them: rows numbered in their own order
        connection.execute("UPDATE chunk_terms SET rowid = rowid + 100000")
        connection.execute("UPDATE meta SET value = '4' WHERE key = 'keyword_version'")
    assert aligned_keyword_rows(store) == 0
    store.close()

    reader = Store(settings.store_path)
    assert aligned_keyword_rows(reader) == reader.chunk_count()
    removed = next(d.source for d in reader.documents() if d.info.kind == "minutes")
    removed_ids = reader.chunk_ids_of(removed)
    terms = search_terms(reader.chunks(sorted(removed_ids)[:1]).popitem()[1].text)
    assert any(cid in removed_ids for cid, _ in assert_same_as_fts(reader, terms))
    reader.remove_document(removed)
    assert aligned_keyword_rows(reader) == reader.chunk_count()
    assert reader._connect().execute("SELECT count(*) FROM chunk_terms").fetchone()[0] == reader.chunk_count()
    assert not any(cid in removed_ids for cid, _ in assert_same_as_fts(reader, terms))
    reader.close()
