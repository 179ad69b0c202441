"""Questions about the collection itself are answered with the indexed documents, each cited where it begins."""

import pytest

from assistant.answering.collection import (
    LISTED, asks_about_the_collection, collection_answer, documents_by_date, mentioned_topic,
)
from assistant.index.store import StoredDocument
from assistant.pipeline import PolicyAssistant
from assistant.reading.documents import DocumentInfo


@pytest.mark.parametrize(
    ("question", "about_the_collection"),
    [
        ("Which documents do you have?", True),
        ("what can I ask you about", True),
        ("Which position papers are available?", True),
        ("List all the documents.", True),
        ("What is in your collection?", True),
        ("How many documents do you have?", True),
        ("What do you know about Teodora Jilkova?", False),
        ("Which documents mention the Just Transition Fund?", False),
        ("What papers did the alliance publish in 2020?", False),
    ],
)
def test_only_a_question_about_the_collection_as_a_whole_is_one(question: str, about_the_collection: bool) -> None:
    assert asks_about_the_collection(question) is about_the_collection


@pytest.mark.slow
def test_which_documents_lists_every_indexed_document_with_a_verified_citation(
    corpus_assistant: PolicyAssistant,
) -> None:
    result = corpus_assistant.ask("Which documents do you have?")
    answer = result.answer
    indexed = corpus_assistant.documents()
    assert answer.outcome == "answered"
    assert sorted(c.source for c in answer.citations) == sorted(d.source for d in indexed)
    for citation in answer.citations:
        text = corpus_assistant.document_text(citation.source) or ""
        assert text[citation.start:citation.end] == citation.quote
        assert f"[{citation.n}]" in answer.text
    for document in indexed:
        assert document.info.title in answer.text
    assert "don't say" not in answer.text


@pytest.mark.slow
def test_a_question_about_a_person_is_still_searched(corpus_assistant: PolicyAssistant) -> None:
    answer = corpus_assistant.ask("What do you know about Teodora Jilkova?").answer
    assert not answer.text.startswith("I answer only from")
    assert any("Jilkova" in c.quote for c in answer.citations)


def test_a_large_collection_lists_the_most_recent_and_says_how_many_more() -> None:
    listed = [
        (f"paper-{n:03}.md", DocumentInfo(f"Paper {n}", "position paper", f"2020-01-{n % 28 + 1:02}"))
        for n in range(LISTED + 7)
    ]
    documents = [StoredDocument(source, "", info, "", ()) for source, info in listed]
    texts = {source: StoredDocument(source, "", info, f"{info.title}\n\nClusters matter.", ()) for source, info in listed}
    answer = collection_answer(documents, texts.get)
    assert len(answer.citations) == LISTED and "… and 7 more" in answer.text
    dates = [c.date or "" for c in answer.citations]
    assert dates == sorted(dates, reverse=True)
    assert all(c.quote == c.title for c in answer.citations)


def test_a_document_is_labelled_without_repeating_what_its_title_says() -> None:
    info = DocumentInfo("Clusters for Next Generation EU (minutes)", "minutes", "2020-06-30")
    document = StoredDocument("minutes.txt", "", info, f"{info.title}\n\nThe dialogue opened.", ())
    answer = collection_answer([document], {"minutes.txt": document}.get)
    assert "- Clusters for Next Generation EU (minutes) (2020-06-30) [1]" in answer.text


@pytest.mark.parametrize(
    ("question", "topic"),
    [
        ("Which documents mention the Just Transition Fund?", "Just Transition Fund"),
        ("In which papers is COSME mentioned?", "COSME"),
        ('What documents refer to "value chains"?', "value chains"),
        ("Where is the Vanguard Initiative mentioned?", "Vanguard Initiative"),
        ("Which documents do you have?", None),
        ("Where is the alliance based?", None),
        ("What does the annex mention about jobs?", None),
    ],
)
def test_which_documents_mention_asks_for_the_words_to_find(question: str, topic: str | None) -> None:
    assert mentioned_topic(question) == topic


@pytest.mark.slow
def test_which_documents_mention_lists_each_one_cited_where_it_first_uses_the_words(
    corpus_assistant: PolicyAssistant,
) -> None:
    answer = corpus_assistant.ask("Which documents mention the Vanguard Initiative?").answer
    assert answer.outcome == "answered"
    sources = {c.source for c in answer.citations}
    using = {
        d.source for d in corpus_assistant.documents()
        if "Vanguard Initiative" in (corpus_assistant.document_text(d.source) or "")
    }
    assert sources == using and len(using) == 2
    for citation in answer.citations:
        assert "Vanguard Initiative" in citation.quote
        text = corpus_assistant.document_text(citation.source) or ""
        assert text[citation.start:citation.end] == citation.quote
        assert text.find("Vanguard Initiative") < citation.end  # the first mention
    unused = corpus_assistant.ask("Which documents mention the hydrogen valleys?").answer
    assert "is mentioned in" not in unused.text


def _library() -> tuple[list[StoredDocument], dict[str, StoredDocument]]:
    listed = [
        ("call.txt", DocumentInfo("A call for recognition", "position paper", "2020-10-27")),
        ("dialogue.txt", DocumentInfo("Dialogue with the Commissioner (minutes)", "minutes", "2020-06-30")),
        ("assembly.md", DocumentInfo("General Assembly", "minutes", "2021-05-20")),
        ("letter.txt", DocumentInfo("Clusters and the Green Deal", "document", "2021-09-15")),
        ("annex.txt", DocumentInfo("Annex to the call", "annex", None)),
    ]
    texts = {
        source: StoredDocument(source, "", info, f"{info.title}\n\nClusters matter.", ()) for source, info in listed
    }
    return [StoredDocument(source, "", info, "", ()) for source, info in listed], texts


@pytest.mark.parametrize(
    ("question", "sources", "says"),
    [
        ("Which documents were written in 2021?", ["letter.txt", "assembly.md"], "Of the 5 documents indexed, 2 are"),
        ("What papers did the alliance publish in 2020?", ["call.txt", "dialogue.txt"], "2 are dated 2020"),
        ("What is the latest document?", ["letter.txt"], "The most recent of the 5 documents indexed"),
        ("Which is the oldest paper you have?", ["dialogue.txt"], "The oldest of the 5 documents indexed"),
        ("What documents do you have from 2019?", [], "Of the 5 documents indexed, none is dated 2019."),
    ],
)
def test_which_documents_are_of_a_year_or_the_latest_is_answered_from_their_dates(
    question: str, sources: list[str], says: str,
) -> None:
    documents, texts = _library()
    answer = documents_by_date(question, documents, texts.get)
    assert answer is not None and answer.outcome == "answered"
    assert [c.source for c in answer.citations] == sources
    assert says in answer.text
    assert "1 document has no date." in answer.text
    assert "don't say" not in answer.text


def test_which_minutes_are_of_a_year_counts_the_minutes_only() -> None:
    documents, texts = _library()
    answer = documents_by_date("Which minutes are from 2021?", documents, texts.get)
    assert answer is not None
    assert [c.source for c in answer.citations] == ["assembly.md"]
    assert "Of the 2 minutes indexed, 1 is dated 2021" in answer.text and "no date" not in answer.text


@pytest.mark.parametrize("question", [
    "Which papers mention hydrogen in 2021?", "What did the alliance ask for in 2020?", "Which documents do you have?",
])
def test_other_questions_are_no_question_about_the_documents_dates(question: str) -> None:
    documents, texts = _library()
    assert documents_by_date(question, documents, texts.get) is None


@pytest.mark.slow
def test_which_documents_are_of_a_year_is_answered_with_verified_citations(corpus_assistant: PolicyAssistant) -> None:
    answer = corpus_assistant.ask("Which documents were written in 2020?").answer
    assert answer.outcome == "answered"
    dated = {d.source for d in corpus_assistant.documents() if (d.info.date or "").startswith("2020")}
    assert {c.source for c in answer.citations} == dated and len(dated) == 2
    for citation in answer.citations:
        text = corpus_assistant.document_text(citation.source) or ""
        assert text[citation.start:citation.end] == citation.quote
