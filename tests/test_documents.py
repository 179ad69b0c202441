from pathlib import Path

import pytest

from assistant.errors import DocumentError
from assistant.reading.documents import (
    DocumentInfo,
    clean_text,
    date_of,
    decode_text,
    load_catalog,
    read_document,
    read_pdf_pages,
)
from assistant.text.terms import words
from tests.conftest import write_encrypted_pdf, write_image_only_pdf, write_text_pdf


def read(path: Path, catalog: dict[str, DocumentInfo] | None = None):  # type: ignore[no-untyped-def]
    return read_document(path, path.parent, catalog or {}, max_bytes=10_000_000)


def test_cleaning_joins_hyphenation_and_wrapped_lines_but_keeps_paragraphs_and_items() -> None:
    raw = "Clusters sup-\nport the trans-\nformation of\nindustry.\n\n- first item\n- second  item\ncontinued\n\nNext   paragraph."
    assert clean_text(raw) == (
        "Clusters support the transformation of industry.\n\n- first item\n- second item continued\n\nNext paragraph."
    )


def test_a_date_line_keeps_its_own_block_unless_it_continues_a_sentence() -> None:
    assert clean_text("Our position on the Programme\nBrussels, 3 March 2021\nBody text.") == (
        "Our position on the Programme\n\nBrussels, 3 March 2021\n\nBody text."
    )
    assert clean_text("We met on\n30 June 2020\nand agreed.") == "We met on 30 June 2020 and agreed."


def test_pdf_headings_without_blank_lines_stay_headings(tmp_path: Path) -> None:
    """pypdf returns single line breaks; a short heading line must not become the start of the next sentence."""
    page = (
        "Summary\n\nThe Alliance welcomes the programme and its budget of EUR 4.2 billion, which brings together "
        "actions previously funded under COSME.\n\nWhat we ask for\n\n1. Reserve at least 20% for clusters.\n"
        "2. Simplify access to the calls.\n\nContact\n\nSecretariat of the European Clusters Alliance, Avenue des "
        "Arts 56, 1000 Brussels\nEmail: secretariat@example.eu"
    )
    text = read(write_text_pdf(tmp_path / "paper.pdf", [page])).text
    assert text.startswith("Summary\n\nThe Alliance welcomes")
    assert "COSME.\n\nWhat we ask for\n\n1. Reserve" in text
    assert "Contact\n\nSecretariat" in text
    assert "1000 Brussels\nEmail: secretariat@example.eu" in text


def test_running_headers_footers_and_page_numbers_are_left_out_of_pdf_text(tmp_path: Path) -> None:
    pages = [
        f"European Clusters Alliance - Position paper\n\nSection {n}\n\nClusters connect firms and research in "
        f"region {n} of Europe.\n\nPage {n} of 3"
        for n in range(1, 4)
    ]
    document = read(write_text_pdf(tmp_path / "paper.pdf", pages))
    assert "Position paper" not in document.text and "Page" not in document.text
    assert document.text.count("Clusters connect firms and research") == 3
    assert document.page_at(document.text.index("region 2")) == 2


def test_a_title_wrapped_over_two_short_lines_stays_one_line() -> None:
    assert clean_text("EUROPEAN\nCLUSTERS ALLIANCE\n\nBody.") == "EUROPEAN CLUSTERS ALLIANCE\n\nBody."


def test_cleaning_drops_markdown_emphasis_but_keeps_the_words() -> None:
    assert clean_text("We call to **reinforce cluster's support** and *pôle de compétitivité* CIMES.") == (
        "We call to reinforce cluster's support and pôle de compétitivité CIMES."
    )


def test_a_line_set_in_bold_keeps_a_block_of_its_own() -> None:
    # a frequently-asked question in bold above its answer is a heading, whatever its length
    assert clean_text(
        "**How many representatives can we send to the General Assembly?**\nEach full member appoints one delegate."
    ) == "How many representatives can we send to the General Assembly?\n\nEach full member appoints one delegate."
    assert clean_text("**Decision:** the Board approved\nthe budget.") == "Decision: the Board approved the budget."


def test_the_rows_of_a_table_extracted_from_a_pdf_stay_lines_of_one_block() -> None:
    # pypdf gives a drawn table as lines of a label and figures, without the blank lines around it
    assert clean_text(
        "4. Key figures\nIndicator 2021 2022\nMember associations 15 18\nWebinars 7 11\n5. Outlook for 2023\n"
        "In 2023 the alliance will focus on skills and on the Net-Zero Industry Act, as the Board decided."
    ) == (
        "4. Key figures\n\nIndicator 2021 2022\nMember associations 15 18\nWebinars 7 11\n\n5. Outlook for 2023\n\n"
        "In 2023 the alliance will focus on skills and on the Net-Zero Industry Act, as the Board decided."
    )


def test_a_plain_text_table_whose_first_row_names_columns_by_words_and_years_stays_under_its_heading() -> None:
    # "Region Members 2023 Members 2024" ends in one figure where the rows end in two: it was taken for the table's
    # heading, and the section "1. Members by region" lost to it
    assert clean_text(
        "1. Members by region\n\nRegion               Members 2023   Members 2024\nNorthern Europe            41"
        "             47\nSouthern Europe            76             84\nTotal                     257            285\n"
    ) == (
        "1. Members by region\n\nRegion Members 2023 Members 2024\nNorthern Europe 41 47\nSouthern Europe 76 84\n"
        "Total 257 285"
    )


def test_a_date_written_in_figures_day_first_dates_the_document_and_keeps_its_line() -> None:
    text = "DECISIONS OF THE GENERAL ASSEMBLY\nLisbon, 16.11.2023\n\nThe accounts for 2022 show a deficit of EUR 1.2m."
    # it was no date: the document undated, and the line joined to the title
    assert date_of(text, Path("decisions.txt")) == "2023-11-16"
    assert clean_text(text).split("\n\n")[:2] == ["DECISIONS OF THE GENERAL ASSEMBLY", "Lisbon, 16.11.2023"]
    assert date_of("Version 1.2.3 of 12.31.2023", Path("notes.txt")) is None  # no 31st month


def test_a_title_block_s_dated_line_and_roman_numbered_items_keep_their_lines() -> None:
    # as pypdf gives a printed page: the blank lines gone
    assert clean_text(
        "Position of the European Clusters Alliance, 21 October 2024\nThe Alliance recommends that the Fund:\n"
        "(i) reserve a window for cluster partnerships of at least EUR 2 billion;\n"
        "(ii) accept cluster organisations as coordinators of projects;\n(iii) simplify reporting."
    ) == (
        "Position of the European Clusters Alliance, 21 October 2024\nThe Alliance recommends that the Fund:\n"
        "(i) reserve a window for cluster partnerships of at least EUR 2 billion;\n"
        "(ii) accept cluster organisations as coordinators of projects;\n(iii) simplify reporting."
    )
    # a sentence wrapped after a date goes on
    assert clean_text("The Board met on 21 October 2024\nand adopted the position.") == (
        "The Board met on 21 October 2024 and adopted the position."
    )


def test_a_title_set_in_capitals_is_a_heading_apart_from_the_lines_under_it() -> None:
    assert clean_text("TERMS OF REFERENCE\nWorking Group on Skills\n\nArticle 1 – Purpose").split("\n\n")[:2] == [
        "TERMS OF REFERENCE", "Working Group on Skills",
    ]
    # a title in capitals over two lines stays one
    assert clean_text("EUROPEAN\nCLUSTERS ALLIANCE\n\nText.").split("\n\n")[0] == "EUROPEAN CLUSTERS ALLIANCE"


def test_each_row_of_a_table_written_in_html_keeps_a_line() -> None:
    assert clean_text(
        "Labels awarded\n\n<table><tr><th>Cluster</th><th>Label</th></tr><tr><td>Food Valley</td><td>Silver</td></tr>"
        "</table>\n\n<table>\n  <tr><td>Silicon Saxony</td>\n  <td>Gold</td></tr>\n<tr>\n<td>Food Valley</td>\n"
        "<td>Silver</td>\n</tr>\n</table>"
    ) == (
        "Labels awarded\n\n<table>\n<tr><th>Cluster</th><th>Label</th></tr>\n"
        "<tr><td>Food Valley</td><td>Silver</td></tr>\n</table>\n\n"
        "<table>\n<tr><td>Silicon Saxony</td> <td>Gold</td></tr>\n"
        "<tr> <td>Food Valley</td> <td>Silver</td> </tr>\n</table>"
    )


@pytest.mark.parametrize("gap", ["\n", "\n\n"])
def test_a_markdown_definition_list_reads_each_term_with_its_definition(gap: str) -> None:
    # the term in bold was a heading of its own, its definition a paragraph starting ": " under it
    text = (
        f"# Glossary\n\n**Smart specialisation strategy (S3)**{gap}: A region's plan for the research and innovation "
        f"priorities it funds.\n\n**Observer**{gap}: An organisation that follows the work without voting rights.\n"
    )
    assert clean_text(text).split("\n\n") == [
        "# Glossary",
        "Smart specialisation strategy (S3) : A region's plan for the research and innovation priorities it funds.",
        "Observer : An organisation that follows the work without voting rights.",
    ]
    # a line in bold above a paragraph stays a heading
    assert clean_text("**How do we apply?**\nBy e-mail to the secretariat.") == (
        "How do we apply?\n\nBy e-mail to the secretariat."
    )


def test_minutes_keep_the_date_line_with_its_hours_and_each_labelled_entry_on_a_line_of_its_own() -> None:
    assert clean_text(
        "MINUTES OF THE BOARD MEETING\nVideoconference, 9 March 2023, 14:00-16:30 CET\n\n"
        "Present: Anna Kowalczyk (President), Lukas Brandt (Secretary General)\nApologies: Pedro Almeida\n\n"
        "The meeting opened\nat 14:05.\nNext meeting: 11 May 2023.\n\n"
        "We thank the European\nCommission: its support matters."
    ) == (
        "MINUTES OF THE BOARD MEETING\n\nVideoconference, 9 March 2023, 14:00-16:30 CET\n\n"
        "Present: Anna Kowalczyk (President), Lukas Brandt (Secretary General)\nApologies: Pedro Almeida\n\n"
        # a label after a finished sentence opens an entry; after a line broken off, it is wrapped text
        "The meeting opened at 14:05.\nNext meeting: 11 May 2023.\n\n"
        "We thank the European Commission: its support matters."
    )
    # … and after another labelled line: two entries, not one heading
    assert clean_text("Deadline for nominations: 9 June 2023\nExpected start: September 2023\n\nPlease write.") == (
        "Deadline for nominations: 9 June 2023\nExpected start: September 2023\n\nPlease write."
    )


def test_a_footnote_mark_in_a_pdf_is_a_mark_not_part_of_the_figure_it_follows(tmp_path: Path) -> None:
    from fpdf import FPDF

    pdf = FPDF()
    pdf.add_page()
    pdf.set_font("helvetica", size=11)
    for text, position in [("Cut CO", "LINE"), ("2", "SUB"), (" by 55% by 2030", "LINE"), ("3", "SUP"),
                           (". We trained 35,000 workers in 2022", "LINE"), ("1", "SUP"), (".", "LINE")]:
        pdf.char_vpos = position  # set by a text rise, smaller, as word processors set them
        pdf.write(6, text)
    pdf.output(str(tmp_path / "notes.pdf"))
    # pypdf extracts "by 20303", a wrong figure: the superscript is a mark again, the same text once normalised as
    # quotes are checked; the subscript of "CO₂" stays as extracted
    assert read_pdf_pages(tmp_path / "notes.pdf", "notes.pdf") == [
        "Cut CO2 by 55% by 2030³. We trained 35,000 workers in 2022¹."
    ]
    assert words("in 2022¹.") == ["in", "2022"]


def test_a_pdf_with_a_malformed_text_rise_is_read_as_before(tmp_path: Path) -> None:
    from fpdf import FPDF

    pdf = FPDF()
    pdf.set_compression(False)  # the content stream edited below
    pdf.add_page()
    pdf.set_font("helvetica", size=11)
    for text, position in [("We trained 35,000 workers in 2022", "LINE"), ("1", "SUP"), (".", "LINE")]:
        pdf.char_vpos = position
        pdf.write(6, text)
    raw = bytes(pdf.output())
    assert raw.count(b"4.40 Ts") == 1
    (tmp_path / "odd.pdf").write_bytes(raw.replace(b"4.40 Ts", b"/Up Ts"))  # a name where a number belongs
    assert read_pdf_pages(tmp_path / "odd.pdf", "odd.pdf") == ["We trained 35,000 workers in 2022¹."]


def test_a_heading_glued_under_a_pdf_paragraph_is_split_off() -> None:
    assert clean_text("make better use of this\nrelevant instrument.\n What is needed\n\nWe call") == (
        "make better use of this relevant instrument.\n\nWhat is needed\n\nWe call"
    )


def test_text_files_in_latin1_and_utf16_are_decoded() -> None:
    text, warnings = decode_text("Pôle de compétitivité".encode("latin-1"), "a.txt")
    assert text == "Pôle de compétitivité" and warnings
    text, warnings = decode_text("Pôle de compétitivité".encode("utf-16"), "b.txt")
    assert text == "Pôle de compétitivité" and not warnings


def test_binary_data_is_refused_with_the_reason() -> None:
    with pytest.raises(DocumentError, match="binary"):
        decode_text(b"\x00\x01\x02PK\x03\x04" * 10, "c.txt")


def test_multi_page_pdf_keeps_page_numbers(tmp_path: Path) -> None:
    path = write_text_pdf(tmp_path / "paper.pdf", ["Page one talks about clusters.", "Page two mentions 740 clusters."])
    document = read(path)
    assert len(document.page_starts) == 2
    offset = document.text.index("740")
    assert document.page_at(offset) == 2
    assert document.page_at(document.text.index("Page one")) == 1


def test_encrypted_pdf_needing_a_password_is_reported(tmp_path: Path) -> None:
    path = write_encrypted_pdf(tmp_path / "locked.pdf", "Secret clusters", user_password="s3cret")
    with pytest.raises(DocumentError, match="password") as caught:
        read(path)
    assert caught.value.source == "locked.pdf"


def test_encrypted_pdf_with_empty_password_is_read(tmp_path: Path) -> None:
    path = write_encrypted_pdf(tmp_path / "open.pdf", "Open clusters text", user_password="")
    assert "Open clusters text" in read(path).text


def test_pdf_without_text_layer_is_reported(tmp_path: Path) -> None:
    with pytest.raises(DocumentError, match="no text layer"):
        read(write_image_only_pdf(tmp_path / "scan.pdf"))


def test_truncated_and_fake_pdfs_are_reported(tmp_path: Path) -> None:
    good = write_text_pdf(tmp_path / "good.pdf", ["Some text here."])
    truncated = tmp_path / "truncated.pdf"
    truncated.write_bytes(good.read_bytes()[:300])
    with pytest.raises(DocumentError, match="truncated.pdf"):
        read(truncated)
    fake = tmp_path / "fake.pdf"
    fake.write_bytes(b"\x89PNG\r\n\x1a\n" + b"\x00" * 100)
    with pytest.raises(DocumentError, match="not a PDF"):
        read(fake)


def test_empty_file_is_reported(tmp_path: Path) -> None:
    empty = tmp_path / "empty.txt"
    empty.write_text("")
    with pytest.raises(DocumentError, match="empty"):
        read(empty)
    blank = tmp_path / "blank.md"
    blank.write_text("   \n\n  ")
    with pytest.raises(DocumentError, match="no text"):
        read(blank)


def test_catalog_gives_title_kind_date_and_uncatalogued_files_get_a_title(tmp_path: Path) -> None:
    (tmp_path / "catalog.json").write_text(
        '{"documents": {"a.txt": {"title": "Paper A", "kind": "minutes", "date": "2020-06-30"}}}'
    )
    (tmp_path / "a.txt").write_text("Body of A.")
    (tmp_path / "b-notes.txt").write_text("Clusters and Growth\n\nBody of B.")
    catalog = load_catalog(tmp_path)
    assert read(tmp_path / "a.txt", catalog).info == DocumentInfo("Paper A", "minutes", "2020-06-30")
    assert read(tmp_path / "b-notes.txt", catalog).info.title == "Clusters and Growth"


@pytest.mark.parametrize(
    ("name", "text", "expected"),
    [
        ("minutes-general-assembly-2021-05-20.md", "Tuesday 20th May 2021 at 10:00\n\nGeneral Assembly\n\nBody.",
         DocumentInfo("General Assembly", "minutes", "2021-05-20")),
        ("letter.txt", "Clusters for a Green Deal\n\nBrussels, 3 March 2021\n\nDear Vice-President,",
         DocumentInfo("Clusters for a Green Deal", "document", "2021-03-03")),
        ("smp.pdf", "Our position on the Single Market Programme\n\nMarch 12, 2021\n\nBody.",
         DocumentInfo("Our position on the Single Market Programme", "position paper", "2021-03-12")),
        ("annex-20210231.txt", "Annex: figures\n\nIssued 31 February 2021. The 2019 report counts 3,000 clusters.",
         DocumentInfo("Annex: figures", "annex", None)),
        ("notes.txt", "Notes\n\n" + "Body text. " * 60 + "Next meeting on 1 June 2021.",
         DocumentInfo("Notes", "document", None)),
        # An e-mail's "Date:" line was its title, and a press release's banner.
        ("decision.txt", "From: Anna Kowalczyk <anna.kowalczyk@example.org>\nTo: All members\nDate: 14 June 2023\n"
         "Subject: Board decision on space\n\nDear colleagues,\nthe Board decided.",
         DocumentInfo("Subject: Board decision on space", "document", "2023-06-14")),
        ("awards.md", "**FOR IMMEDIATE RELEASE**\n\n# Cluster Excellence Awards 2024\n\nBrussels, 18 April 2024 – Winners.",
         DocumentInfo("Cluster Excellence Awards 2024", "document", "2024-04-18")),
    ],
)
def test_uncatalogued_documents_describe_themselves(tmp_path: Path, name: str, text: str, expected: DocumentInfo) -> None:
    """Title from the first heading that is not a date line, kind from the name or title, date from the file name
    or the opening lines only; an impossible date is no date."""
    path = tmp_path / name
    if name.endswith(".pdf"):
        write_text_pdf(path, [text])
    else:
        path.write_text(text)
    assert read(path).info == expected


def test_broken_catalog_names_the_field(tmp_path: Path) -> None:
    (tmp_path / "catalog.json").write_text('{"documents": {"a.txt": {"title": "A", "kind": "novel"}}}')
    with pytest.raises(DocumentError, match="'kind'"):
        load_catalog(tmp_path)


def test_short_lines_in_a_row_above_a_pdf_paragraph_each_keep_their_line() -> None:
    """PDF extraction drops blank lines: a letter's place and addressee are not the start of its first sentence."""
    text = clean_text(
        "27 October 2020\nBrussels, Belgium\nTo the Commissioner for Internal Market\n"
        "The COVID-19 crisis has seriously impacted the European economy. Companies need to improve their\n"
        "business models and resilience."
    )
    assert text.split("\n\n") == [
        "27 October 2020", "Brussels, Belgium", "To the Commissioner for Internal Market",
        "The COVID-19 crisis has seriously impacted the European economy. Companies need to improve their business "
        "models and resilience.",
    ]


def test_contact_lines_of_a_pdf_are_not_glued_into_one_paragraph() -> None:
    text = clean_text(
        "We call for the recognition of clusters as the most strategic agents in the next programmes.\n"
        "Anna Example\nanna@example.org\nMobile: +34 600000000\nJan Muster\njan.muster@example.org\nMobile: +48 800000000"
    )
    lines = text.replace("\n\n", "\n").split("\n")
    assert "anna@example.org" in lines and "Mobile: +34 600000000" in lines and "jan.muster@example.org" in lines


def test_a_numbered_heading_of_a_pdf_is_not_glued_to_the_sentence_below_it() -> None:
    text = clean_text(
        "The application was postponed to the next General Assembly, because its statutes had to be translated.\n"
        "4. Work plan 2021–2022\nThe Assembly adopted three priorities for the coming period:\n- resilience;\n- skills."
    )
    assert "\n\n4. Work plan 2021–2022\n\nThe Assembly adopted" in text
    wrapped = clean_text("1. Reserve at least 20% of the competitiveness strand for actions led by clusters and\n"
                         "European partners. 2. Simplify access.")
    assert "\n" not in wrapped  # a numbered item wrapping onto a capitalised word stays one item


def test_a_letter_of_a_pdf_keeps_its_opening_closing_and_signature_lines() -> None:
    # pypdf drops a letter's blank lines: "Dear Commissioner," was glued to the addressee line and the body, "Yours
    # sincerely," to the last sentence, and "Secretary General" to the organisation line and taken for a heading,
    # so no signature was found and the document's title was the signatory's name.
    raw = (
        "Brussels, 3 March 2023\nTo the Commissioner for Internal Market\nDear Commissioner,\n"
        "The European Clusters Alliance welcomes the proposal for a Critical Raw Materials Act. We ask that cluster\n"
        "organisations be represented in the European Raw Materials Board, where small suppliers are not heard.\n"
        "Yours sincerely,\nKarin Lindqvist\nSecretary General\nEuropean Clusters Alliance"
    )
    assert clean_text(raw).split("\n\n") == [
        "Brussels, 3 March 2023",
        "To the Commissioner for Internal Market",
        "Dear Commissioner,",
        "The European Clusters Alliance welcomes the proposal for a Critical Raw Materials Act. We ask that cluster "
        "organisations be represented in the European Raw Materials Board, where small suppliers are not heard.",
        "Yours sincerely,\nKarin Lindqvist\nSecretary General\nEuropean Clusters Alliance",
    ]


def test_the_lines_signed_under_a_closing_stay_lines() -> None:
    # A note's closing lines were joined into "Kind regards, Jean-Luc Marchetti Treasurer" and taken for a heading.
    text = clean_text("We hope to meet you soon.\n\nKind regards,\nJean-Luc Marchetti\nTreasurer\n")
    assert text.split("\n\n") == ["We hope to meet you soon.", "Kind regards,\nJean-Luc Marchetti\nTreasurer"]
    # Wrapped prose with a short line ending in a comma is not a letter's formula.
    prose = "The Board discussed the budget for the next two years and agreed, after a long debate,\nand a vote,\nto cut it."
    assert clean_text(prose) == prose.replace("\n", " ")


def test_a_table_of_contents_is_left_out() -> None:
    # Quoted, "3. Data spaces and SMEs ....... 3" answered what section 3 says.
    raw = (
        "Clusters and the Digital Decade\n\nContents\n1. Introduction .................... 2\n"
        "2. Skills for the digital transition ....... 2\n3. Data spaces and SMEs . . . . . . . . 3\n\n"
        "1. Introduction\n\nThe Digital Decade sets targets for 2030."
    )
    assert clean_text(raw).split("\n\n") == [
        "Clusters and the Digital Decade", "1. Introduction", "The Digital Decade sets targets for 2030."
    ]
    assert "Signature ........ 3" in clean_text("Signature ........ 3")  # one line with a leader is no table


def test_markdown_front_matter_and_comments_are_metadata_not_text_but_who_wrote_it_and_when(tmp_path: Path) -> None:
    path = tmp_path / "workshop-report.md"
    path.write_text(
        "---\ntitle: 'Workshop report: Hydrogen Valleys'\ndate: 2023-10-05\nauthor: ECA Secretariat\n---\n\n"
        "# Hydrogen Valleys and clusters\n\n<!-- internal draft,\ndo not circulate -->\n\n"
        "The workshop gathered 64 participants from 19 countries.\n",
        encoding="utf-8",
    )
    document = read(path)
    # The author and date are shown under the title, as written, as Pandoc and site generators show them.
    assert document.text == (
        "# Hydrogen Valleys and clusters\n\ndate: 2023-10-05\n\nauthor: ECA Secretariat\n\n"
        "The workshop gathered 64 participants from 19 countries."
    )
    assert (document.info.title, document.info.date) == ("Workshop report: Hydrogen Valleys", "2023-10-05")
    # Text between two horizontal rules at the start of a Markdown file is text, not front matter.
    ruled = tmp_path / "ruled.md"
    ruled.write_text("---\n\nThe alliance was founded in 2017.\n\n---\n\nMore text.\n", encoding="utf-8")
    assert "The alliance was founded in 2017." in read(ruled).text
    # A text file's dashes are its text.
    text_file = tmp_path / "note.txt"
    text_file.write_text("---\ntitle: x\n---\n\nBody.\n", encoding="utf-8")
    assert "title: x" in read(text_file).text


@pytest.mark.parametrize(("opening", "date"), [
    ("Bruxelles, le 7 juin 2022", "2022-06-07"), ("Berlin, 27. Oktober 2020", "2020-10-27"),
    ("Warszawa, 3 marca 2021", "2021-03-03"),
])
def test_a_paper_in_another_language_is_dated_by_its_date_line(tmp_path: Path, opening: str, date: str) -> None:
    # Left undated, "When was the circular economy position published?" was declined: "… carries no date".
    path = tmp_path / "position.md"
    path.write_text(f"# Position de l'Alliance\n\n{opening}\n\nLe texte.\n", encoding="utf-8")
    assert read(path).info.date == date


def test_bullets_of_word_processors_mark_list_items() -> None:
    # "▪ a single contact point." was glued to the item above it, so the two were quoted as one.
    raw = "The alliance asks for:\n• a cluster label;\n▪ more funding for SMEs;\n◦ a single contact point;\n● a register."
    assert clean_text(raw).split("\n") == [
        "The alliance asks for:", "• a cluster label;", "▪ more funding for SMEs;", "◦ a single contact point;",
        "● a register.",
    ]


def test_a_wrapped_line_holding_an_e_mail_address_carries_its_sentence_on() -> None:
    # "… for Defence Industry and" / "Space at a roundtable on 12 June 2024. Contact: …@…" stayed two lines, so the
    # sentence was quoted in halves.
    raw = (
        "The alliance will discuss these recommendations with the Directorate-General for Defence Industry and\n"
        "Space at a roundtable on 12 June 2024. Contact: Piotr Zielinski, defence@clustersalliance.eu."
    )
    assert clean_text(raw) == raw.replace("\n", " ")
    # A contact entry's lines keep theirs.
    assert clean_text("Antonio Novo Guerrero\nantonio.novo@clustersalliance.eu\nMobile: +34 650410080").count("\n") == 2


def test_a_slide_title_above_its_bullets_is_their_heading() -> None:
    # A slide deck printed to PDF: "Budget 2025" above its bullets was read as the first row of a table named by a
    # year (its bullets ending in figures), so the slide was filed under the previous slide's title.
    raw = "Budget 2025\n- Income: EUR 410,000\n- Membership fees: EUR 63,000\n- EU projects: EUR 347,000\n- Reserve: 3 months"
    assert clean_text(raw).split("\n\n") == ["Budget 2025", raw.split("\n", 1)[1]]
    # A lead-in ending in a colon stays with its list.
    assert clean_text("Our priorities:\n- skills\n- data") == "Our priorities:\n- skills\n- data"


def test_a_byline_kept_from_front_matter_is_no_title(tmp_path: Path) -> None:
    path = tmp_path / "skills-note.md"
    path.write_text(
        "---\nAuthor: Jane Doe\n---\n\nSkills for clusters\n\nThe alliance trains cluster managers.\n", encoding="utf-8"
    )
    document = read(path)
    assert document.text.startswith("Author: Jane Doe\n\nSkills for clusters")
    assert document.info.title == "Skills for clusters"
