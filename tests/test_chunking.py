from pathlib import Path

import pytest

from assistant.index.embeddings import WordPieceCounter, packaged_model_dir
from assistant.reading.chunking import chunk_document, parse_units
from assistant.reading.documents import DocumentInfo, SourceDocument, clean_text, list_corpus_files, load_catalog, read_document
from assistant.text.sentences import sentence_spans
from tests.conftest import CORPUS


@pytest.fixture(scope="module")
def count_tokens() -> WordPieceCounter:
    return WordPieceCounter(packaged_model_dir("all-MiniLM-L6-v2"))


def make_document(raw: str, source: str = "doc.txt") -> SourceDocument:
    return SourceDocument(source, clean_text(raw), DocumentInfo("Doc title"), "sha")


def test_units_distinguish_headings_paragraphs_and_items() -> None:
    text = clean_text("What we call for\n\nWe call for recognition.\n\n- first item\n- second item")
    assert [u.kind for u in parse_units(text)] == ["heading", "paragraph", "item", "item"]


def test_every_chunk_is_a_verbatim_span_that_fits_the_embedding_model(count_tokens: WordPieceCounter) -> None:
    catalog = load_catalog(CORPUS)
    for path in list_corpus_files(CORPUS):
        document = read_document(path, CORPUS, catalog, 10_000_000)
        for chunk in chunk_document(document, count_tokens, 160):
            assert document.text[chunk.start:chunk.end] == chunk.text
            assert count_tokens(chunk.text) <= 160
            assert count_tokens(chunk.embedding_text()) <= 254


def test_chunks_carry_their_section_heading(count_tokens: WordPieceCounter) -> None:
    document = make_document("Capacity building\n\nClusters build capacity.\n\nWhat is needed\n\nWe call for recognition.")
    chunks = chunk_document(document, count_tokens, 160)
    assert [(c.section, c.text.splitlines()[-1]) for c in chunks] == [
        ("Capacity building", "Clusters build capacity."),
        ("What is needed", "We call for recognition."),
    ]


def test_list_items_stay_whole_when_a_chunk_fills_up(count_tokens: WordPieceCounter) -> None:
    items = "\n".join(f"- Item {i} says clusters help small firms find partners across borders." for i in range(12))
    document = make_document(f"Proposals\n\n{items}")
    chunks = chunk_document(document, count_tokens, 60)
    assert len(chunks) > 1
    for chunk in chunks:
        for line in chunk.text.splitlines():
            if line.startswith("- "):
                assert line.endswith("across borders.")


def test_a_short_lead_in_is_no_heading_and_opens_the_chunk_of_its_list(count_tokens: WordPieceCounter) -> None:
    # "We therefore ask the Commission to:" is six words, as short as a heading, but it ends mid-sentence: it leads
    # into the list, and when the chunk before it fills up it moves on with the list instead of being left behind.
    opening = " ".join(f"Clusters in region {i} already work with small firms on energy." for i in range(5))
    document = make_document(
        f"Dear Commissioner,\n\n{opening}\n\nWe therefore ask the Commission to:\n\n"
        "1. involve clusters in the transition pathways;\n2. create a green cluster label;\n3. fund coal regions."
    )
    assert "heading" not in [u.kind for u in parse_units(document.text)][1:]
    chunks = chunk_document(document, count_tokens, 75)  # the opening and the lead-in fit, the first item not
    assert len(chunks) == 2
    assert chunks[1].text.startswith("We therefore ask the Commission to:\n\n1. involve")
    assert chunks[1].section != "We therefore ask the Commission to:"
    # a lead-in that would not fit beside its first item stays where it is: no chunk outgrows the limit
    pathways = " ".join(["involve clusters in the transition pathways of every ecosystem"] * 7)
    long_item = f"1. {pathways} and in all regions;"  # 70 tokens alone, 77 with the lead-in
    crowded = make_document(f"Dear Commissioner,\n\n{opening}\n\nWe therefore ask the Commission to:\n\n{long_item}")
    assert all(count_tokens(c.text) <= 75 for c in chunk_document(crowded, count_tokens, 75))
    # a heading with a colon still names its section; a line that is only a colon is read, not a crash
    agenda = make_document("Agenda:\n\n- Opening by the President\n- Accounts\n\n:\n\nAny other business To:")
    assert [u.kind for u in parse_units(agenda.text)] == ["heading", "item", "item", "paragraph", "paragraph"]


def test_an_over_long_paragraph_is_cut_at_sentence_boundaries(count_tokens: WordPieceCounter) -> None:
    paragraph = " ".join(f"Sentence number {i} explains why clusters matter for Europe." for i in range(40))
    chunks = chunk_document(make_document(paragraph), count_tokens, 50)
    assert len(chunks) > 4
    assert all(c.text.endswith("for Europe.") for c in chunks)
    assert all(count_tokens(c.text) <= 50 for c in chunks)


def test_chunk_ids_are_stable_and_depend_on_content_and_source(count_tokens: WordPieceCounter) -> None:
    raw = "Heading\n\nSame paragraph."
    first = chunk_document(make_document(raw), count_tokens, 160)
    again = chunk_document(make_document(raw), count_tokens, 160)
    elsewhere = chunk_document(make_document(raw, source="other.txt"), count_tokens, 160)
    changed = chunk_document(make_document(raw + " Edited."), count_tokens, 160)
    assert [c.id for c in first] == [c.id for c in again]
    assert first[0].id != elsewhere[0].id
    assert first[0].id != changed[0].id


def test_pdf_chunks_do_not_cross_pages(tmp_path: Path, count_tokens: WordPieceCounter) -> None:
    from tests.conftest import write_text_pdf

    path = write_text_pdf(tmp_path / "two.pdf", ["First page paragraph.", "Second page paragraph."])
    document = read_document(path, tmp_path, {}, 10_000_000)
    chunks = chunk_document(document, count_tokens, 160)
    assert [(c.page, c.text) for c in chunks] == [(1, "First page paragraph."), (2, "Second page paragraph.")]


def test_numbered_section_headings_name_their_sections_but_numbered_lists_stay_lists() -> None:
    from assistant.reading.chunking import parse_units

    text = (
        "1. Context\n\nThe programme brings together actions.\n\nII. What we ask for\n\nWe ask for a simpler call.\n\n"
        "1. Resilience of supply chains\n\n2. Skills for cluster managers\n\n3. Reserve 20% for clusters.\n\nEnd."
    )
    headings = [text[u.start:u.end] for u in parse_units(text) if u.kind == "heading"]
    assert headings == ["1. Context", "II. What we ask for"]


def test_a_contact_block_stays_under_its_heading_and_its_names_are_not_headings(count_tokens: WordPieceCounter) -> None:
    document = make_document(
        "What is needed\n\nWe call for recognition.\n\nContact Info\n\nAnna Example\n\nanna@example.org\n\n"
        "Mobile: +34 600000000\n\nJan Muster\n\njan.muster@example.org\n\nMobile: +48 800000000"
    )
    chunks = chunk_document(document, count_tokens, 160)
    assert [c.section for c in chunks] == ["What is needed", "Contact Info"]
    contact = chunks[-1].text
    assert "Anna Example" in contact and "Jan Muster" in contact and contact.endswith("+48 800000000")


def test_a_markdown_heading_above_a_contact_line_names_its_section(count_tokens: WordPieceCounter) -> None:
    # without its marks, "Contact" above an address reads like the name of a contact entry
    document = make_document(
        "# A paper\n\nWe call for recognition.\n\n## Contact\n\nFor questions, please write to policy@example.org."
    )
    chunks = chunk_document(document, count_tokens, 160)
    assert [c.section for c in chunks] == ["A paper", "Contact"]
    assert [s.text for s in sentence_spans(chunks[-1].text)] == [
        "Contact", "For questions, please write to policy@example.org.",
    ]


def test_a_sentence_running_over_a_page_break_keeps_its_halves_in_one_passage(
    tmp_path: Path, count_tokens: WordPieceCounter
) -> None:
    from tests.conftest import write_text_pdf

    path = write_text_pdf(tmp_path / "two.pdf", [
        "The President of the alliance introduced the Alliance and", "its objectives. Clusters drive growth.",
    ])
    document = read_document(path, tmp_path, {}, 10_000_000)
    chunks = chunk_document(document, count_tokens, 160)
    assert len(chunks) == 1 and chunks[0].page == 1
    assert "introduced the Alliance and\n\nits objectives." in chunks[0].text


def test_page_furniture_interrupting_a_sentence_is_left_out_of_what_search_reads(count_tokens: WordPieceCounter) -> None:
    document = make_document(
        "About us\n\nThe alliance gathers thirteen associations. To find solutions it initiated a group of experts "
        "which has been meeting every day since March 2020: the European\n\nSource: [Panorama 2019](#)\n\n"
        "EUROPEAN\nCLUSTERS ALLIANCE\n\nAlliance Against Coronavirus (EAAC). This alliance detects disruptions."
    )
    chunks = chunk_document(document, count_tokens, 160)
    assert [c.section for c in chunks] == ["About us"]  # the logo words are no heading
    assert "the European Alliance Against Coronavirus (EAAC)." in chunks[0].search_text()
    assert "Source:" not in chunks[0].search_text() and "Source:" in chunks[0].text  # quotes keep the text


def test_a_list_ending_without_a_full_stop_is_not_taken_for_a_broken_sentence(count_tokens: WordPieceCounter) -> None:
    document = make_document(
        "Agenda:\n\n- Closing remarks\nJean-Luc Example, European Clusters Alliance / AFPC and several other guests "
        "of the alliance\n\nThe recording is available [here](#)\n\nInitial remarks\n\nThe Commissioner opened the "
        "session with a few words."
    )
    assert [c.section for c in chunk_document(document, count_tokens, 160)][-1] == "Initial remarks"


def test_the_first_half_of_a_sentence_broken_by_a_page_is_no_heading(tmp_path: Path, count_tokens: WordPieceCounter) -> None:
    from tests.conftest import write_text_pdf

    path = write_text_pdf(tmp_path / "two.pdf", [
        "Presentation\n\nThe first paragraph of the presentation is long enough to be read as a paragraph.\n\n"
        "The President of the alliance introduced the Alliance and",
        "its objectives. Clusters drive growth.",
    ])
    chunks = chunk_document(read_document(path, tmp_path, {}, 10_000_000), count_tokens, 160)
    assert [c.section for c in chunks] == ["Presentation"]
    assert "introduced the Alliance and\n\nits objectives." in chunks[0].text
