"""Drafter and onboarding features below the UI: verified quotes, references, export, glossary, feedback."""

import io
import json

import pytest

from assistant.answering.references import QuoteNotVerified, paragraph_number, verify_citation, verify_quote
from assistant.cli import main as cli_main
from assistant.pipeline import PolicyAssistant
from assistant.reading.glossary import acronym_definitions, extract_entries, merge_entries, written_all_in_lower_case
from assistant.records.database import open_records
from assistant.settings import Settings
from assistant.ui.export import ExportEntry, docx_footnotes, quote_entry, to_docx, to_markdown
from assistant.ui.render import passage_label, quote_markdown, readable_text
from assistant.ui.starters import starter_questions
from assistant.ui.views import document_html

MINUTES = "minutes-clusters-for-next-generation-eu-2020-06-30.txt"


def test_starter_questions_come_from_the_documents_and_all_answer_with_citations(corpus_assistant: PolicyAssistant) -> None:
    questions = starter_questions(corpus_assistant)
    assert len(questions) == 5
    titles = [d.info.title for d in corpus_assistant.documents()]
    terms = [e.term for e in corpus_assistant.store.glossary()]
    assert any(title in q for q in questions for title in titles), "a question about a document by its title"
    assert all(any(name in q for name in titles + terms) for q in questions), "each made from the indexed documents"
    for question in questions:
        result = corpus_assistant.ask(question)
        assert result.answer.outcome == "answered" and result.answer.citations


def test_copied_quote_is_checked_against_the_stored_document(corpus_assistant: PolicyAssistant) -> None:
    citation = corpus_assistant.ask("Who moderated the session with Commissioner Breton?").answer.citations[0]
    quote = verify_citation(citation, corpus_assistant.document_text)
    text = corpus_assistant.document_text(citation.source)
    assert text is not None and text[quote.start:quote.end] == quote.quote == citation.quote
    footnote = quote.formatted("footnote")
    assert footnote.startswith(f"“{citation.quote}”[^1]") and "2020-06-30" in footnote and f"¶ {quote.paragraph}" in footnote
    assert quote.formatted("plain").endswith(f"({MINUTES}).)")
    with pytest.raises(QuoteNotVerified):
        verify_quote(MINUTES, "The moderator was Jane Doe.", corpus_assistant.document_text, "t", None, None, None)


def test_the_reference_names_the_configured_organisation(corpus_assistant: PolicyAssistant) -> None:
    citation = corpus_assistant.ask("Who moderated the session with Commissioner Breton?").answer.citations[0]
    attributed = verify_citation(citation, corpus_assistant.document_text, "Alliance of Example Networks")
    assert attributed.reference().startswith(f"Alliance of Example Networks, “{citation.title}”")
    assert verify_citation(citation, corpus_assistant.document_text).reference().startswith(f"“{citation.title}”")


def test_paragraph_anchors_are_stable_for_an_unchanged_document() -> None:
    text = "First paragraph.\n\nSecond one.\n\nThird one with the quote."
    assert paragraph_number(text, text.index("quote")) == 3
    assert paragraph_number(text, 0) == 1


def test_every_citation_of_every_dev_answer_exports_verbatim_with_its_reference(corpus_assistant: PolicyAssistant) -> None:
    from assistant.settings import PROJECT_ROOT
    from evals.questionset import read_questions

    entries = []
    for question in read_questions(PROJECT_ROOT / "evals" / "dev_questions.jsonl"):
        result = corpus_assistant.ask(question["question"], question["history"])
        quotes = [verify_citation(c, corpus_assistant.document_text) for c in result.answer.citations]
        entries.append(ExportEntry(result.answer.text, quotes, heading=result.question))
    markdown = to_markdown("Dev answers", entries)
    notes = docx_footnotes(to_docx("Dev answers", entries))
    exported = [q for e in entries for q in e.quotes]
    assert exported and len(notes) == len(exported)
    for number, quote in enumerate(exported, start=1):
        text = corpus_assistant.document_text(quote.source)
        assert text is not None and text[quote.start:quote.end] == quote.quote
        assert notes[number] == f"“{quote.quote}” {quote.reference()}"
        assert f"[^{number}]: “{quote.quote}” {quote.reference()}" in markdown


def test_working_set_export_has_one_real_footnote_per_quote(corpus_assistant: PolicyAssistant) -> None:
    citations = corpus_assistant.ask("How many clusters does the European Clusters Alliance represent?").answer.citations
    quotes = [verify_citation(c, corpus_assistant.document_text) for c in citations]
    notes = docx_footnotes(to_docx("Working set", [quote_entry(q) for q in quotes]))
    assert [notes[i + 1] for i in range(len(quotes))] == [q.reference() for q in quotes]


def test_source_viewer_html_highlights_the_span_and_keeps_document_text_inert(corpus_assistant: PolicyAssistant) -> None:
    citation = corpus_assistant.ask("Who moderated the session with Commissioner Breton?").answer.citations[0]
    text = corpus_assistant.document_text(citation.source)
    assert text is not None
    page = document_html(text, citation, ())
    assert f'<mark id="cited" style="background: #ffd54f;">{citation.quote}</mark>' in page
    assert "scrollIntoView" in page
    hostile = citation.__class__(**{**citation.to_json(), "quote": "x", "start": 0, "end": 1})
    assert "<script>alert" not in document_html("<script>alert(1)</script> x", hostile, ())


def test_glossary_is_built_at_ingest_with_defining_passages(corpus_assistant: PolicyAssistant) -> None:
    entries = {e.term: e for e in corpus_assistant.store.glossary()}
    # the definition runs across a page break: "… the European" / page furniture / "Alliance Against Coronavirus (EAAC)"
    assert entries["EAAC"].expansion == "European Alliance Against Coronavirus"
    assert entries["I3"].expansion == "Interregional Innovation Investment"
    assert entries["REI"].expansion == "Reindustria Innovazione"  # "REI - Reindustria Innovazione"
    assert "GAP" not in entries and "HORIZON" not in entries, "a fragment of a dotted name or a word in capitals"
    assert "President of AFPC" in entries["AFPC"].quote, "a sentence of prose rather than the agenda line"
    assert entries["Teodora Jilkova"].kind == "person" and "moderator Teodora Jilkova" in entries["Teodora Jilkova"].quote
    assert entries["Horizon Europe"].kind == "programme"
    for entry in entries.values():
        text = corpus_assistant.document_text(entry.source)
        assert text is not None and text[entry.start:entry.end] == entry.quote


def test_people_and_programmes_are_found_by_how_documents_introduce_them() -> None:
    """Invented text, no name of the corpus: a person after a title, before an apposition, or on a contact line; a
    programme by its head noun or as "… Europe"; a capitalised phrase of ordinary words before a comma is neither."""
    text = (
        "The session was opened by Professor Anna Kowalska. Pieter Jansen, from Brainport Cluster, presented the "
        "Blue Economy Fund and the Pact for Ports under Creative Europe. Green Shipping, the new theme, and the "
        "regional Business Hubs, and the green shipping hubs, were discussed.\nContact: Lena Schulz lena.schulz@example.eu\n"
    )
    entries = merge_entries(extract_entries("invented.md", text), common_words=written_all_in_lower_case([text]))
    assert sorted(e.term for e in entries if e.kind == "person") == ["Anna Kowalska", "Lena Schulz", "Pieter Jansen"]
    assert sorted(e.term for e in entries if e.kind == "programme") == ["Blue Economy Fund", "Creative Europe", "Pact for Ports"]


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("Funds of the Single Market Programme (SMP) go to clusters.", ("SMP", "Single Market Programme")),
        ("The SMP (Single Market Programme) funds clusters.", ("SMP", "Single Market Programme")),
        ("WHO stands for World Health Organization.", ("WHO", "World Health Organization")),
        ("Projects on the Internet of Things (IoT) were shown.", ("IoT", "Internet of Things")),
        ("It is run by the European Commission (EC) in Brussels.", ("EC", "European Commission")),
        ("Mr Rossi, director of AIR – Agenzia Innovazione Regionale, spoke.", ("AIR", "Agenzia Innovazione Regionale")),
    ],
)
def test_acronym_definitions_are_found_in_every_usual_form(text: str, expected: tuple[str, str]) -> None:
    (short, long, at), = acronym_definitions(text)
    assert (short, long) == expected and text[at:at + len(short)] == short


def test_words_that_do_not_spell_the_acronym_are_not_its_expansion() -> None:
    assert acronym_definitions("We met the Commission (EC) today.") == []
    assert acronym_definitions("Firms in the field (SME) grew.") == []


def test_closest_passages_are_labelled_apart_and_shown_as_clean_text() -> None:
    first = passage_label("Annex", "About", "Source: [EOCIC European Panorama 2019](#) shows **740** clusters in Europe today")
    second = passage_label("Annex", "About", "and the alliance gathers 13 National Cluster Associations across Europe")
    assert first != second
    assert first == "Annex · About · “Source: EOCIC European Panorama 2019 shows 740 clusters …”"
    assert second.startswith("Annex · About · “… and the alliance"), "a passage starting mid-sentence says so"
    assert readable_text("See [the report](https://example.org) and **this**.") == "See the report and this."


def test_feedback_is_logged_and_exported(tmp_path, corpus_settings: Settings) -> None:  # type: ignore[no-untyped-def]
    settings = corpus_settings.with_overrides(data_dir=tmp_path)
    log = open_records(settings).feedback
    log.record(1, "What is EAAC?", "Alliance Against Coronavirus [1]", [{"n": 1, "quote": "q"}], "extractive", "great")
    log.record(-1, "Budget?", "The documents don't say…", [], "extractive")
    out = io.StringIO()
    assert cli_main(["--data-dir", str(tmp_path), "feedback"], stdout=out, stderr=io.StringIO()) == 0
    rows = [json.loads(line) for line in out.getvalue().splitlines()]
    assert [(r["rating"], r["question"], r["comment"]) for r in rows] == [(1, "What is EAAC?", "great"), (-1, "Budget?", "")]
    assert cli_main(["--data-dir", str(tmp_path), "feedback", "--format", "csv", "--out", str(tmp_path / "f.csv")], stdout=io.StringIO()) == 0
    assert (tmp_path / "f.csv").read_text().startswith("id,created_at,rating,comment,question")


@pytest.mark.parametrize("question", [
    "Who moderated the session with Commissioner Breton?",  # answered, cited
    "Where will the Baltic Battery Summit take place?",  # declined
])
def test_an_answer_kept_in_the_history_comes_back_as_it_was_given(corpus_assistant: PolicyAssistant, question: str) -> None:
    from assistant.pipeline import AskResult

    given = corpus_assistant.ask(question)
    kept = json.loads(json.dumps(given.to_json()))  # through the database's text column
    reopened = AskResult.from_json(kept)
    assert reopened.to_json() == given.to_json() | {"notices": given.notices + given.answer.notices}
    assert reopened.answer.outcome == given.answer.outcome
    for citation in reopened.answer.citations:  # still verifiable against the stored documents
        assert verify_citation(citation, corpus_assistant.document_text, corpus_assistant.settings.organisation)


def test_the_glossary_reads_again_only_the_documents_that_changed(
    settings: Settings, embeddings, monkeypatch: pytest.MonkeyPatch  # type: ignore[no-untyped-def]
) -> None:
    """Each document's glossary entries are kept by its content hash: a change re-reads that document only, and the
    result is the glossary a rebuild from scratch makes."""
    import assistant.index.store as store_module
    from assistant.index.ingestion import Ingestor
    from assistant.index.store import Store

    assert Ingestor(settings, embeddings).run().ok
    read: list[str] = []
    extract = store_module.extract_entries
    monkeypatch.setattr(store_module, "extract_entries", lambda source, text: read.append(source) or extract(source, text))
    changed = settings.corpus_dir / "reinforcing-clusters-in-the-i3-initiative.txt"
    changed.write_text(changed.read_text() + "\nThe Baltic Sea Cluster Network (BSCN) joined in 2021.\n")
    (settings.corpus_dir / "annex-call-for-recognition-of-clusters.txt").unlink()
    assert Ingestor(settings, embeddings).run().ok
    assert read == [changed.name]
    store = Store(settings.store_path)
    kept = store.glossary()
    assert {e.term: e.expansion for e in kept}["BSCN"] == "Baltic Sea Cluster Network"
    assert not any(e.source == "annex-call-for-recognition-of-clusters.txt" for e in kept)
    with store._connect() as connection:
        connection.execute("DELETE FROM glossary_sources")
    store.rebuild_glossary()
    assert store.glossary() == kept and len(read) == 5  # every remaining document read again: the same glossary


def test_a_quote_running_over_a_page_break_reads_on_one_line_everywhere_it_is_shown_or_copied() -> None:
    """The quote verifies against the document's own characters (a blank line where the page turned); the card, the
    copied reference and the export show the sentence as it reads."""
    document = "Networks\n\nOur partners have built networks that enable\n\nthem to join international value chains.\n"
    quote = "Our partners have built networks that enable\n\nthem to join international value chains."
    verified = verify_quote("note.pdf", quote, {"note.pdf": document}.get, "Note", None, None, 1)
    reads = "networks that enable them to join"
    assert verified.quote == quote and document[verified.start:verified.end] == quote
    assert reads in verified.formatted("plain") and reads in verified.formatted("footnote")
    assert reads in quote_entry(verified).text and reads in to_markdown("Working set", [quote_entry(verified)])
    assert "\n" not in quote_markdown(quote) and "enable them" in quote_markdown(quote)
