"""Questions about a document itself — when it is dated, who signed it — are answered with the lines that say so,
quoted where they stand; a document named that doesn't say is said not to; other questions are searched as before."""

import pytest

from assistant.answering.document_facts import (
    date_line, described_documents, document_fact_answer, named_document_description, signature_block,
)
from assistant.answering.outcomes import Answer, Question
from assistant.index.store import StoredDocument
from assistant.search.conversation import Turn
from assistant.pipeline import PolicyAssistant
from assistant.reading.documents import DocumentInfo


def stored(source: str, title: str, kind: str, text: str, date: str | None = None) -> StoredDocument:
    return StoredDocument(source, "", DocumentInfo(title, kind, date), text, ())


LETTER = stored(
    "letter.md", "Clusters and the Green Deal", "document",
    "Clusters and the Green Deal\n\nTo the Commissioner for Energy, Kadri Example\n\nDear Commissioner,\n\n"
    "We write to offer our support.\n\nYours sincerely,\n\n"
    "Jane Doe\nPresident of the Alliance\n\nBrussels, 4 May 2022\n",
)
INVESTMENT_PAPER = stored(
    "i3.md", "Clusters in the Interregional Innovation Investment Initiative", "position paper",
    "Clusters in the Interregional Innovation Investment Initiative\n\nThe Interregional Innovation Investment (I3) "
    "initiative will matter. Clusters launched 12 projects on 3 March 2020 under it, as the annual report of the "
    "European Commission recorded at length in its chapter on regional cooperation and investment.\n\n"
    "Contact Info\n\nJohn Smith\n\njohn.smith@example.org\n",
)
CALL = stored(
    "call.md", "A call for the recognition of clusters", "position paper",
    "A call for the recognition of clusters\n\n27 October 2020\n\nWe call for recognition.\n", "2020-10-27",
)
ANNEX = stored(
    "annex.md", "Annex to: A call for the recognition of clusters", "annex",
    "Annex to: A call for the recognition of clusters\n\nFacts and figures.\n",
)
ASSEMBLY = stored(
    "assembly.md", "General Assembly of the Alliance", "minutes",
    "# General Assembly of the Alliance\n\nOnline meeting, 20 May 2021, 10:00–12:30 CET\n\n"
    "The next General Assembly will take place on 18 November 2021 in Lisbon.\n", "2021-05-20",
)
LIBRARY = [LETTER, INVESTMENT_PAPER, CALL, ANNEX, ASSEMBLY]
BY_SOURCE = {d.source: d for d in LIBRARY}


def answer_to(text: str, asked_before: str = "") -> Answer | None:
    history = (Turn("user", asked_before), Turn("assistant", "…")) if asked_before else ()
    question = Question(text, f"{asked_before} {text}".strip(), (), history=history)
    return document_fact_answer(question, LIBRARY, BY_SOURCE.get)


@pytest.mark.parametrize(
    ("question", "description"),
    [
        ("When was the Green Deal letter sent?", "the Green Deal letter"),
        ("What is the date of the I3 paper?", "the I3 paper"),
        ("When did the alliance publish its paper on the Green Deal?", "the alliance its paper on the Green Deal"),
        ("How old is the annex", "the annex"),
        ("When did the General Assembly take place?", "the General Assembly"),
        ("When was the General Assembly held?", "the General Assembly"),
        ("When will the next General Assembly take place?", None),
        ("When was the Czech application accepted?", None),
    ],
)
def test_only_a_question_about_when_a_document_was_issued_asks_its_date(question: str, description: str | None) -> None:
    assert named_document_description(question) == description


@pytest.mark.parametrize(
    ("description", "sources"),
    [
        ("the Green Deal letter", ["letter.md"]),
        ("the I3 paper", ["i3.md"]),  # the acronym the paper defines for its title's words
        ("the call for recognition of clusters", ["call.md"]),  # the call, not the annex that names it
        ("the annex", ["annex.md"]),
        ("the annex to the call for recognition", ["annex.md"]),
        ("the position papers", ["i3.md", "call.md"]),
        ("the I3", []),  # the initiative, not a paper about it
        ("the General Assembly", []),  # a meeting: only when the fact asked is one a meeting has too
        ("the paper on hydrogen valleys", []),
        ("the letter to Kadri Example", ["letter.md"]),  # a letter is named by its addressee too
        ("the letter to the Commissioner for Energy", ["letter.md"]),
        ("the letter to the Commissioner for Health", []),  # a name the letter lacks: another letter
        ("the Green Deal letter of Hydrogen Europe", []),
    ],
)
def test_the_document_meant_is_the_one_the_description_fits_best(description: str, sources: list[str]) -> None:
    assert [d.source for d in described_documents(description, LIBRARY)] == sources


def test_a_date_line_is_found_in_the_opening_or_under_the_signature_but_not_in_a_sentence_about_an_event() -> None:
    start, end = date_line(CALL) or (0, 0)
    assert CALL.text[start:end] == "27 October 2020"
    start, end = date_line(LETTER) or (0, 0)
    assert LETTER.text[start:end] == "Brussels, 4 May 2022"
    assert date_line(INVESTMENT_PAPER) is None


def test_the_answer_quotes_the_date_line_where_it_stands_and_a_document_without_one_is_said_to_carry_none() -> None:
    answer = answer_to("When was the Green Deal letter sent?")
    assert answer is not None and answer.outcome == "answered"
    [citation] = answer.citations
    assert LETTER.text[citation.start:citation.end] == citation.quote == "Brussels, 4 May 2022"
    assert "Brussels, 4 May 2022 [1]" in answer.text
    undated = answer_to("What is the date of the I3 paper?")
    assert undated is not None and undated.outcome == "declined"
    assert "“Clusters in the Interregional Innovation Investment Initiative” carries no date" in undated.text
    assert answer_to("When was the SMP adopted?") is None


def test_when_a_meeting_took_place_is_the_date_line_of_its_minutes_not_a_date_they_give_for_the_next() -> None:
    assert [d.source for d in described_documents("the General Assembly", LIBRARY, meetings=True)] == ["assembly.md"]
    answer = answer_to("When did the General Assembly take place?")
    assert answer is not None and answer.outcome == "answered"
    assert "Online meeting, 20 May 2021, 10:00–12:30 CET [1]" in answer.text
    assert "18 November" not in answer.text
    assert answer_to("Who is the General Assembly from?") is None  # a meeting is signed by no one: searched


@pytest.mark.slow
def test_asking_when_a_paper_was_published_quotes_its_date_line(corpus_assistant: PolicyAssistant) -> None:
    answer = corpus_assistant.ask("When was the call for recognition of clusters published?").answer
    assert answer.outcome == "answered"
    [citation] = answer.citations
    assert citation.source == "call-for-recognition-of-clusters-in-recovery-initiatives.txt"
    assert citation.quote == "27 October 2020"
    assert (corpus_assistant.document_text(citation.source) or "")[citation.start:citation.end] == citation.quote
    undated = corpus_assistant.ask("What is the date of the I3 paper?").answer
    assert undated.outcome == "declined"
    assert "Interregional Innovation Investment Initiative” carries no date" in undated.text
    unsigned = corpus_assistant.ask("Who signed the call for recognition of clusters?").answer
    assert unsigned.outcome == "declined"
    assert "European Recovery Initiatives” is signed by no one" in unsigned.text
    history = [
        {"role": "user", "content": "When was the call for recognition of clusters published?"},
        {"role": "assistant", "content": answer.text},
    ]
    follow_up = corpus_assistant.ask("And who signed it?", history).answer
    assert follow_up.outcome == "declined" and "is signed by no one" in follow_up.text, follow_up.text


@pytest.mark.parametrize(
    ("question", "description"),
    [
        ("Who signed the Green Deal letter?", "the Green Deal letter"),
        ("Who is the author of the I3 paper?", "the I3 paper"),
        ("Who is the Green Deal letter from?", "the Green Deal letter"),
        ("Who signed up to the task force?", None),  # matched, but names no document: searched as before
        ("Who chaired the General Assembly?", None),
    ],
)
def test_a_question_about_who_signed_a_document_names_it(question: str, description: str | None) -> None:
    from assistant.answering.document_facts import DOCUMENT_FACTS

    found = [named_document_description(question, fact.asked) for fact in DOCUMENT_FACTS]
    described = next((d for d in found if d), None)
    if description is None:
        assert described is None or not described_documents(described, LIBRARY)
    else:
        assert described == description


def test_a_signature_is_the_name_under_a_closing_line_not_a_contact_list() -> None:
    start, end = signature_block(LETTER) or (0, 0)
    assert LETTER.text[start:end] == "Jane Doe\nPresident of the Alliance"
    assert signature_block(INVESTMENT_PAPER) is None  # "Contact Info" then a name is no signature
    assert signature_block(CALL) is None


def test_who_signed_is_answered_with_the_signature_or_said_to_be_unsigned() -> None:
    answer = answer_to("Who signed the Green Deal letter?")
    assert answer is not None and answer.outcome == "answered"
    assert "Jane Doe, President of the Alliance [1]" in answer.text
    [citation] = answer.citations
    assert LETTER.text[citation.start:citation.end] == citation.quote
    unsigned = answer_to("Who wrote the I3 paper?")
    assert unsigned is not None and unsigned.outcome == "declined"
    assert "is signed by no one and names no author" in unsigned.text
    assert "John Smith" not in unsigned.text


def test_who_signed_it_names_the_document_the_conversation_is_about() -> None:
    answer = answer_to("Who signed it?", "What does the Green Deal letter ask for?")
    assert answer is not None and [c.source for c in answer.citations] == ["letter.md"]
    dated = answer_to("And when was it sent?", "Who signed the Green Deal letter?")
    assert dated is not None and "Brussels, 4 May 2022 [1]" in dated.text
    assert answer_to("Who signed it?") is None  # no conversation: searched as any question


def test_a_press_release_is_dated_by_the_dateline_opening_its_first_paragraph() -> None:
    # The date stood in the first sentence ("Brussels, 18 April 2024 – The …"), too long for a date line, so "When
    # was the awards press release published?" was left unsure.
    release = stored(
        "press-release-awards.md", "Cluster Excellence Awards 2024", "document",
        "# Cluster Excellence Awards 2024\n\nBrussels, 18 April 2024 – The European Clusters Alliance today announced "
        "the winners of its 2024 Cluster Excellence Awards, chosen by a jury of seven experts from 112 applications.\n\n"
        "The awards will be presented in Namur on 23 April 2024.\n",
        "2024-04-18",
    )
    start, end = date_line(release) or (0, 0)
    assert release.text[start:end] == "Brussels, 18 April 2024"
    answer = document_fact_answer(
        Question("When was the awards press release published?", "", ()), [release], {release.source: release}.get
    )
    assert answer is not None and answer.citations[0].quote == "Brussels, 18 April 2024", answer


def test_a_date_line_may_be_in_another_language_but_is_never_a_sentence() -> None:
    french = stored(
        "position.md", "Position sur l'économie circulaire", "position paper",
        "# Position sur l'économie circulaire\n\nBruxelles, le 7 juin 2022\n\nLe texte.\n", "2022-06-07",
    )
    start, end = date_line(french) or (0, 0)
    assert french.text[start:end] == "Bruxelles, le 7 juin 2022"
    # "When was the note sent?" was answered with the note's last sentence, which gives a deadline.
    note = stored(
        "note.txt", "Note to members", "document",
        "Note to members\n\nDear members,\n\nInvoices will be sent in January.\n\n"
        "Members may request a reduction of the fee by writing to the treasurer before 28 February 2024.\n\n"
        "Kind regards,\nJean-Luc Marchetti\nTreasurer\n",
    )
    assert date_line(note) is None
