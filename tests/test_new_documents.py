"""Documents the assistant was not tuned on: a PDF position paper, Markdown minutes and a text letter, none of them in
the catalog, indexed beside the real corpus (real pypdf, real embedding model, real Chroma)."""

from __future__ import annotations

import re
import shutil
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from pathlib import Path

import pytest

from assistant.answering.outcomes import Answer
from assistant.index.embeddings import LocalEmbeddings
from assistant.index.ingestion import Ingestor
from assistant.pipeline import PolicyAssistant
from assistant.settings import PROJECT_ROOT, Settings
from evals.questionset import read_questions
from evals.run import run_questions
from evals.score import score
from tests.conftest import CORPUS
from tests.fake_openai import Behaviour, FakeOpenAI
from tests.test_model import citing, model_settings

EXTRA_CORPUS = PROJECT_ROOT / "evals" / "extra_corpus"
SMP_PAPER = "position-single-market-programme.pdf"
MINUTES = "minutes-general-assembly-2021-05-20.md"
LETTER = "letter-clusters-green-deal-2021-09-15.txt"


@pytest.fixture(scope="module")
def extended(tmp_path_factory: pytest.TempPathFactory, embeddings: LocalEmbeddings) -> Iterator[PolicyAssistant]:
    corpus = tmp_path_factory.mktemp("extended-corpus")
    for path in [*CORPUS.iterdir(), *EXTRA_CORPUS.iterdir()]:
        shutil.copy(path, corpus / path.name)
    settings = Settings(corpus_dir=corpus, data_dir=tmp_path_factory.mktemp("extended-index"))
    report = Ingestor(settings, embeddings).run()
    assert report.ok, report.failures
    assistant = PolicyAssistant(settings, embeddings)
    yield assistant
    assistant.store.close()


def test_uncatalogued_documents_get_their_title_kind_and_date(extended: PolicyAssistant) -> None:
    documents = {d.source: d.info for d in extended.store.documents()}
    assert documents[SMP_PAPER].title.startswith("Clusters in the Single Market Programme")
    assert (documents[SMP_PAPER].kind, documents[SMP_PAPER].date) == ("position paper", "2021-03-12")
    assert (documents[MINUTES].title, documents[MINUTES].kind) == ("General Assembly of the European Clusters Alliance", "minutes")
    assert documents[LETTER].date == "2021-09-15"


def test_figures_that_differ_across_three_documents_are_all_given_with_their_dates(extended: PolicyAssistant) -> None:
    answer = extended.ask("How many National Cluster Associations does the European Clusters Alliance gather?").answer
    assert "different figures" in answer.text
    for figure in ("15 National", "13 National", "12 National"):
        assert figure in answer.text
    assert len({c.source for c in answer.citations}) == len(answer.citations) >= 3
    dates = [c.date for c in answer.citations]
    assert "2021-03-12" in dates and "(2021-03-12)" in answer.text and "(undated)" in answer.text
    others = dates[1:]  # after the best-supported figure: the most recent first, undated last
    known = [d for d in others if d]
    assert others[: len(known)] == sorted(known, reverse=True)


@pytest.mark.parametrize(
    ("question", "expected"),
    [
        ("How much money does the Commission plan for Euroclusters?", "EUR 42 million"),
        ("How long should the first-round proposal be, at most?", "10 pages"),
        ("How many member associations were represented at the May 2021 General Assembly?", "14 of the 15"),
        ("To whom is the letter on the Green Deal addressed?", "Frans Timmermans"),
        ("When did the alliance publish its position on the Single Market Programme?", "12 March 2021"),
        ("Who is the alliance's treasurer?", "Maria Rossi"),
        ("What is the address of the alliance's secretariat?", "Avenue des Arts 56, 1000 Brussels"),
        ("When did the General Assembly take place?", "20 May 2021"),
        ("Where is the secretariat of the alliance?", "1000 Brussels"),  # an address names a place
    ],
)
def test_typed_questions_find_the_line_that_answers_them(extended: PolicyAssistant, question: str, expected: str) -> None:
    """The line is quoted, as the answer or, where the classifier is not confident enough, as the closest line."""
    answer = extended.ask(question).answer
    assert answer.outcome in ("answered", "unsure") and expected in answer.text, answer.text
    assert any(expected in c.quote for c in answer.citations)


@pytest.mark.parametrize(
    "question",
    [
        # the letter names the fund but gives no budget; the minutes give a budget, of the alliance (answered as the
        # fund's until the answer matcher: the alliance's budget sentence does not answer a question about the fund)
        "What is the budget of the Just Transition Fund?",
        # the minutes speak of the Slovenian association and, elsewhere, of the alliance's president
        "Who is the President of the Slovenian cluster association?",
    ],
)
def test_a_typed_answer_about_something_else_is_not_given_as_the_answer(
    extended: PolicyAssistant, question: str
) -> None:
    """Not answered: unsure (the closest line quoted as such) or declined, never stated as the answer."""
    answer = extended.ask(question).answer
    assert not answer.answerable and answer.outcome in ("unsure", "declined"), answer.text
    assert len(answer.citations) <= 1


def test_markdown_heading_marks_and_datelines_stay_out_of_answers(extended: PolicyAssistant) -> None:
    answer = extended.ask(
        "What did he say at the General Assembly about the alliance's growth?",
        [{"role": "user", "content": "Who signed the letter to Frans Timmermans?"},
         {"role": "assistant", "content": "Jean-Luc Beylat, President of the European Clusters Alliance."}],
    ).answer
    assert "grown from 12 to 15" in answer.text
    assert all(not c.quote.startswith("#") and "Online meeting" not in c.quote for c in answer.citations)


def test_new_document_questions_stay_above_their_floors(extended: PolicyAssistant) -> None:
    questions = read_questions(PROJECT_ROOT / "evals" / "extra_questions.jsonl")
    metrics = score(questions, list(run_questions(extended, questions)), Path(extended.settings.corpus_dir))
    # reached 2026-12-03 (models fitted on the pool, this set included): MRR 0.944, recall@1 0.923, accuracy 0.744,
    # cited gold (answer or closest passage) 0.897, wrong answers 0.043, false absence 0.000, refusal 0.857.
    # 2026-12-04: accuracy 0.692 (two answers now unsure, their line still quoted: cited gold unchanged), the price of
    # the classifier refitted with the paraphrase sets, which halved wrong answers on the fourth kept-aside set
    # (0.200 -> 0.100, docs/evaluation.md); the accuracy floor follows it down, the others stay.
    floors = {"mrr@10": 0.91, "recall@1": 0.89, "answer_accuracy": 0.68, "cited_gold": 0.86, "quotes_verbatim": 1.0,
              "refusal_accuracy": 0.70}
    below = {k: (metrics[k], floor) for k, floor in floors.items() if metrics[k] < floor}
    assert not below, below
    assert metrics["wrong_answer_rate"] <= 0.07 and metrics["false_absence_rate"] <= 0.05, metrics


MEMBERS_TABLE = """# Members of the European Clusters Alliance in 2021

The table lists the national cluster associations that are members of the Alliance.

| Country | Association | Clusters represented |
|---|---|---|
| Spain | Spanish Cluster Association (RECI) | 120 |
| Italy | Italian Cluster Association | 95 |
| Poland | Polish Cluster Association | 60 |

* Membership is renewed every year.
"""


def test_a_markdown_table_row_answers_under_its_column_names(tmp_path: Path, embeddings: LocalEmbeddings) -> None:
    corpus = tmp_path / "corpus"
    corpus.mkdir()
    (corpus / "members-2021.md").write_text(MEMBERS_TABLE)
    shutil.copy(CORPUS / "industrial-clusters-for-an-innovative-and-competitive-europe.txt", corpus)
    settings = Settings(corpus_dir=corpus, data_dir=tmp_path / "data")
    assert Ingestor(settings, embeddings).run().ok
    assistant = PolicyAssistant(settings, embeddings)
    try:
        stored = assistant.document_text("members-2021.md")
        assert stored is not None and "| Spain | Spanish Cluster Association (RECI) | 120 |\n| Italy" in stored
        answer = assistant.ask("How many clusters does the Polish Cluster Association represent?").answer
        assert answer.answerable
        assert [c.quote for c in answer.citations] == [
            "| Country | Association | Clusters represented |", "| Poland | Polish Cluster Association | 60 |",
        ]
        assert "different figures" not in answer.text  # a row is not a sentence of another paper to set against
    finally:
        assistant.store.close()


BOARD_MINUTES = """# Minutes of the Board meeting, 14 March 2022

## 3. Finances

The Treasurer presented the provisional accounts for 2021. Income was EUR 412,000; expenditure was EUR 389,000.

| Item | 2021 (EUR) | Budget 2022 (EUR) |
|---|---|---|
| Membership fees | 298,000 | 310,000 |
| Project income | 114,000 | 95,000 |
| Staff costs | 241,000 | 255,000 |
| Events | 62,000 | 80,000 |

The Board asked the Treasurer to prepare a proposal on fees for 2023.
"""


@pytest.mark.parametrize(("question", "row"), [
    ("What is the budget for events in 2022?", "| Events | 62,000 | 80,000 |"),
    ("How much did staff cost in 2021?", "| Staff costs | 241,000 | 255,000 |"),
    ("How much project income is budgeted for 2022?", "| Project income | 114,000 | 95,000 |"),
])
def test_a_table_row_whose_figures_are_amounts_by_its_column_names_answers_how_much(
    tmp_path: Path, embeddings: LocalEmbeddings, question: str, row: str,
) -> None:
    """Only the column names say the figures are euros and which year each is: the row is read, embedded and
    quoted under them (beside the minutes of 2021, whose sentences give amounts of money for other things)."""
    corpus = tmp_path / "corpus"
    corpus.mkdir()
    (corpus / "minutes-board-2022-03-14.md").write_text(BOARD_MINUTES)
    shutil.copy(EXTRA_CORPUS / MINUTES, corpus)
    settings = Settings(corpus_dir=corpus, data_dir=tmp_path / "data")
    assert Ingestor(settings, embeddings).run().ok
    assistant = PolicyAssistant(settings, embeddings)
    try:
        answer = assistant.ask(question).answer
        assert answer.answerable, answer.text
        quotes = [c.quote for c in answer.citations if c.source == "minutes-board-2022-03-14.md"]
        assert quotes[:2] == ["| Item | 2021 (EUR) | Budget 2022 (EUR) |", row], answer.text
        assert answer.text.startswith("| Item | 2021 (EUR) | Budget 2022 (EUR) | [1] " + row)
        unsure = assistant.ask("How much do they expect from projects in 2022?").answer
        assert unsure.unsure and [c.quote for c in unsure.citations] == ["| Project income | 114,000 | 95,000 |"]
    finally:
        assistant.store.close()


def write_report_with_a_table(path: Path) -> None:
    """A PDF activity report with a bordered table of key figures between two numbered sections, as fpdf2 draws it."""
    from fpdf import FPDF

    pdf = FPDF()
    pdf.add_page()
    pdf.set_font("helvetica", size=11)
    pdf.multi_cell(0, 6, "Activity Report 2022\n\n3. Events\n\nThe alliance organised eleven webinars in 2022 and "
                         "its annual forum in Prague, attended by about 230 delegates from 24 countries.\n\n4. Key figures")
    for row in [("Indicator", "2021", "2022"), ("Member associations", "15", "18"), ("Webinars", "7", "11"),
                ("Position papers adopted", "3", "5")]:
        for cell in row:
            pdf.cell(55, 7, cell, border=1)
        pdf.ln(7)
    pdf.multi_cell(0, 6, "\n5. Outlook for 2023\n\nIn 2023 the alliance will focus on the Net-Zero Industry Act and on "
                         "skills for the green transition.")
    pdf.output(str(path))


def test_a_table_drawn_in_a_pdf_is_quoted_row_by_row_under_its_column_names(
    tmp_path: Path, embeddings: LocalEmbeddings,
) -> None:
    """pypdf gives each row as a line of a label and figures ("Position papers adopted 3 5"): the rows stay in the
    section whose heading is above them (they were headings one by one, so the table was filed under the next
    section's), and a row is quoted with the row of years that says which figure is which year's."""
    def write(corpus: Path) -> None:
        write_report_with_a_table(corpus / "activity-report-2022.pdf")

    with assistant_over(tmp_path, embeddings, write) as assistant:
        answer = assistant.ask("How many position papers were adopted in 2021?").answer
        assert [c.quote for c in answer.citations] == ["Indicator 2021 2022", "Position papers adopted 3 5"], answer.text
        assert {c.section for c in answer.citations} == {"4. Key figures"}
        outlook = assistant.ask("What will the alliance focus on in 2023?").answer
        assert outlook.answerable and outlook.citations[0].section == "5. Outlook for 2023", outlook.text
        assert "Indicator" not in outlook.citations[0].passage


BOARD_MINUTES_2023 = """MINUTES OF THE BOARD MEETING
European Clusters Alliance
Videoconference, 9 March 2023, 14:00-16:30 CET

Present: Anna Kowalczyk (President), Elena Petrova (Treasurer), Lukas Brandt (Secretary General)
Apologies: Pedro Almeida (Portuguese Cluster Network)

4. Net-Zero Industry Act
The Board discussed the Commission's proposal for a Net-Zero Industry Act. The Board asked the secretariat to draft a
position paper by 15 April 2023.

Next meeting: 11 May 2023, Brussels.
"""


def test_a_paper_the_minutes_speak_of_is_no_reference_to_the_position_papers_indexed(
    tmp_path: Path, embeddings: LocalEmbeddings,
) -> None:
    """"The position paper on the Net-Zero Industry Act" is a paper the minutes ask for: what it is about names none
    of the indexed position papers, so the question is not confined to them (it was, and declined: a false
    absence). "The paper on <what a title says>" still names that paper."""
    with assistant_over(
        tmp_path, embeddings, lambda corpus: (corpus / "minutes-board-2023-03-09.txt").write_text(BOARD_MINUTES_2023),
        beside=[*CORPUS.iterdir(), *EXTRA_CORPUS.iterdir()],
    ) as assistant:
        answer = assistant.ask("When is the position paper on the Net-Zero Industry Act due?").answer
        assert answer.outcome != "declined", answer.text
        first = answer.citations[0]
        assert "15 April 2023" in first.quote and first.source == "minutes-board-2023-03-09.txt", answer.text
        named = assistant.ask("What does the paper on the Interregional Innovation Investment initiative ask for?")
        assert {c.source for c in named.answer.citations} == {"reinforcing-clusters-in-the-i3-initiative.txt"}


FORUM_REPORT = """# Activity Report 2022

## Events

The annual Cluster Policy Forum took place in Prague on 7 and 8 November 2022, hosted by the Czech cluster association.

## Outlook for 2023

In 2023 the alliance will focus on skills. The next Cluster Policy Forum will be held in Seville in November 2023.
"""

FORUM_AGENDA = """# Cluster Policy Forum 2023 – Agenda

Seville, 15 November 2023

| Time | Session |
|---|---|
| 09:30–09:45 | Welcome |
| 09:45–10:30 | Keynote |
"""


def test_where_something_was_in_the_year_asked_comes_before_where_it_is_in_another(
    tmp_path: Path, embeddings: LocalEmbeddings,
) -> None:
    """Both sentences say where the forum is, each dated only by its date: the one dated to the year asked answers,
    and a title naming another year's forum is no disagreement with it."""
    def write(corpus: Path) -> None:
        (corpus / "activity-report-2022.md").write_text(FORUM_REPORT)
        (corpus / "agenda-forum-2023.md").write_text(FORUM_AGENDA)

    with assistant_over(tmp_path, embeddings, write) as assistant:
        answer = assistant.ask("Where was the Cluster Policy Forum held in 2022?").answer
        assert answer.answerable and "Prague" in answer.citations[0].quote, answer.text
        assert "Seville" not in answer.text and "different figures" not in answer.text, answer.text


def test_what_a_named_speaker_said_comes_from_a_passage_naming_them(extended: PolicyAssistant) -> None:
    """The minutes' action point mentions the position on the Single Market Programme, but no passage has the
    Commission answering it; what Ilaria Massari said is in a passage that names her."""
    declined = extended.ask("What did the Commission answer to the position on the Single Market Programme?").answer
    assert not declined.answerable and "what the Commission said" in declined.text
    answered = extended.ask("What did Ilaria Massari say is essential to be prepared for new disruptions?").answer
    assert answered.answerable and "fluid collaboration" in answered.text


@pytest.mark.parametrize("question", ["Who is the President of the alliance?", "Qui est le président de l'alliance ?"])
def test_documents_of_different_dates_naming_different_people_are_set_side_by_side(
    extended: PolicyAssistant, question: str,
) -> None:
    # The 2020 minutes call one man the alliance's President, the 2021 minutes another: both quoted, each with its
    # document's date, and said to disagree, rather than two Presidents read as one answer. In French the question
    # is searched word by word ("who that him president alliance"), and the 2021 minutes' action point "- President:
    # send …" names no one: the two Presidents were quoted together as one answer.
    answer = extended.ask(question).answer
    assert answer.answerable and "Other documents name someone else" in answer.text
    assert "Jean-Luc Beylat" in answer.text and "Antonio Novo Guerrero" in answer.text
    assert "(2020-06-30)" in answer.text and "2021-05-20" in answer.text
    assert any("different people" in notice.lower() for notice in answer.notices)
    assert len({c.source for c in answer.citations}) == len(answer.citations) >= 2


@pytest.mark.parametrize(
    "question",
    ["How many votes did the re-election of the President receive?", "Wer wurde im Mai 2021 zum Präsidenten gewählt?"],
)
def test_the_vice_president_is_not_given_for_the_president(extended: PolicyAssistant, question: str) -> None:
    # Only the Vice-President's re-election has votes in the 2021 minutes; its sentence holds every word of the first
    # question, as "Vice-President" is searched as "vice" and "president". Quoted as the closest, not as the answer.
    answer = extended.ask(question).answer
    assert answer.outcome == "unsure" and "re-elected Vice-President" in answer.text
    asked_as_written = extended.ask("How many votes did the re-election of the Vice-President receive?").answer
    assert asked_as_written.outcome == "answered" and "12 votes in favour" in asked_as_written.text


def test_a_model_answer_naming_one_of_them_gets_the_other_added(
    extended: PolicyAssistant, embeddings: LocalEmbeddings, fake: FakeOpenAI
) -> None:
    fake.script(Behaviour(reply=citing("The President, Jean-Luc Beylat", "The President is Jean-Luc Beylat [{n}].")))
    answer = PolicyAssistant(model_settings(extended.settings, fake), embeddings).ask(
        "Who is the President of the alliance?"
    ).answer
    assert answer.mode == "fake-model" and "Jean-Luc Beylat" in answer.text
    assert "Other documents name someone else" in answer.text and "Antonio Novo Guerrero" in answer.text


def test_one_document_naming_someone_is_not_a_disagreement(extended: PolicyAssistant) -> None:
    answer = extended.ask("Who is the treasurer?").answer
    assert "Maria Rossi" in answer.text and "someone else" not in answer.text


def test_a_sentence_about_another_year_is_not_quoted_beside_the_answer(extended: PolicyAssistant) -> None:
    """The accounts for 2020 stand next to the budget for 2021, under one heading naming both years."""
    answer = extended.ask("What is the budget for 2021?").answer
    assert answer.outcome == "answered" and "EUR 96,000" in answer.text
    assert "accounts for 2020" not in answer.text
    assert "18 November" not in extended.ask("When did the General Assembly take place?").answer.text


def test_a_sentence_about_another_year_is_not_given_as_the_answer(extended: PolicyAssistant) -> None:
    # The heading "Accounts 2020 and budget 2021" names the year asked about, the sentence speaks of 2020's accounts:
    # a near miss, quoted as the closest rather than given as the answer.
    answer = extended.ask("Who presented the accounts for 2021?").answer
    assert answer.outcome != "answered" and "Maria Rossi" not in answer.text.split("The closest is")[0]
    asked_about_its_year = extended.ask("Who presented the accounts for 2020?").answer
    assert asked_about_its_year.outcome == "answered" and "Maria Rossi" in asked_about_its_year.text


def test_a_date_or_a_share_asked_for_by_name_is_answered_only_by_a_sentence_giving_one(
    extended: PolicyAssistant,
) -> None:
    # The letter offers to present the proposals "before the end of the year": when, but no date.
    no_date = extended.ask(
        "On what date will the alliance present its proposals to the Executive Vice-President in person?"
    ).answer
    assert no_date.outcome == "unsure" and "before the end of the year" in no_date.text
    # "reserve part of the technical assistance of the Just Transition Fund": the letter names no share
    no_share = extended.ask(
        "What share of the Just Transition Fund's technical assistance did the letter ask to reserve?"
    ).answer
    assert no_share.outcome == "unsure", no_share.text
    # "almost 122.000.000 jobs" scores as high as "equivalent to 23.4% of total European employment": of the two,
    # the one that gives a share is the answer
    share = extended.ask("What share of all jobs in Europe do clusters represent?").answer
    assert share.outcome == "answered" and "23.4%" in share.citations[0].quote, share.text


@pytest.mark.parametrize(("question", "quoted"), [
    # The 2021 minutes' President scores first and its passage lacks 2020; the 2020 minutes' passage that answers is
    # retrieved further down than the passages read first.
    ("Who was the President of the alliance in 2020?", "Antonio Novo Guerrero"),
    # The annex's passage ranks seventh, below the five read first (all from other documents).
    ("Which two programmes' time frames does the annex name for the coming years?",
     "Multiannual Financial Framework (2021-2027)"),
])
def test_what_a_question_names_is_looked_for_further_down_before_its_absence_is_claimed(
    extended: PolicyAssistant, question: str, quoted: str,
) -> None:
    answer = extended.ask(question).answer
    assert answer.outcome != "declined", answer.text
    assert quoted in answer.citations[0].quote


@contextmanager
def assistant_over(
    tmp_path: Path, embeddings: LocalEmbeddings, write: Callable[[Path], None],
    beside: Sequence[Path] = (CORPUS / "industrial-clusters-for-an-innovative-and-competitive-europe.txt",),
) -> Iterator[PolicyAssistant]:
    """An assistant over the documents ``write`` puts in its corpus folder, beside others (by default one paper of
    the corpus) for search to tell apart."""
    corpus = tmp_path / "corpus"
    corpus.mkdir()
    write(corpus)
    for path in beside:
        shutil.copy(path, corpus / path.name)
    settings = Settings(corpus_dir=corpus, data_dir=tmp_path / "data")
    assert Ingestor(settings, embeddings).run().ok
    assistant = PolicyAssistant(settings, embeddings)
    try:
        yield assistant
    finally:
        assistant.store.close()


@contextmanager
def assistant_over_pdf(
    tmp_path: Path, embeddings: LocalEmbeddings, name: str, pages: list[str]
) -> Iterator[PolicyAssistant]:
    """An assistant over a generated PDF of these pages, beside one paper of the corpus for search to tell apart."""
    from tests.conftest import write_text_pdf

    with assistant_over(tmp_path, embeddings, lambda corpus: write_text_pdf(corpus / name, pages)) as assistant:
        yield assistant


def test_a_sentence_running_over_a_page_break_is_quoted_whole(tmp_path: Path, embeddings: LocalEmbeddings) -> None:
    """The answer quotes the whole sentence on one line, not the half on either page; the citation keeps the
    document's characters at its offsets, so it verifies and opens at the right place."""
    with assistant_over_pdf(tmp_path, embeddings, "skills-note.pdf", [
        "Skills for cluster managers\n\nThe skills working group met four times in 2022 and heard twelve member "
        "associations. The working group recommends that every member association should train at least",
        "forty cluster managers a year in data skills. The next review of this note is planned for 2024.",
    ]) as assistant:
        answer = assistant.ask("How many cluster managers should each member association train every year?").answer
        whole = "every member association should train at least forty cluster managers a year in data skills."
        assert whole in answer.text, answer.text
        citation = next(c for c in answer.citations if "forty" in c.quote)
        text = assistant.document_text("skills-note.pdf")
        assert text is not None and text[citation.start:citation.end] == citation.quote
        assert "train at least\n\nforty" in citation.quote and citation.page == 1


def test_a_month_and_year_name_the_document_of_that_date(extended: PolicyAssistant) -> None:
    # "The June 2020 exchange" is the dialogue dated 30 June 2020: its passages are ranked up and answer. Before,
    # the 2021 minutes' action points ("by 4 June 2021") came first and the answer claimed that the passages found
    # don't mention 2020, although the dialogue's were retrieved.
    answer = extended.ask("Which member of the Commission took part in the June 2020 exchange?").answer
    assert answer.outcome != "declined", answer.text
    assert answer.citations
    assert all(c.source.startswith("minutes-clusters-for-next-generation") for c in answer.citations)


def test_what_a_letter_asks_is_its_lead_in_with_the_list_it_introduces(extended: PolicyAssistant) -> None:
    # "We therefore ask the Commission to:" was taken for a heading (six words, a colon), so it counted as a section
    # title and the letter's opening sentence was quoted instead, as unsure. It now leads into its three requests.
    answer = extended.ask("What does the Green Deal letter ask the Commission to do?").answer
    assert answer.outcome == "answered", answer.text
    quotes = [c.quote for c in answer.citations]
    assert quotes[0] == "We therefore ask the Commission to:"
    assert [q[:2] for q in quotes[1:4]] == ["1.", "2.", "3."]


def test_an_unsure_answer_offers_a_lead_in_with_its_items(extended: PolicyAssistant) -> None:
    # Offered alone as the closest passage, "We therefore ask the Commission to:" tells the reader nothing.
    prepared = extended.prepare("What label do the signatories want the Commission to introduce?", None, None)
    found = extended.extractive.candidate(prepared.question, prepared.passages)
    assert not isinstance(found, Answer)
    lead_in = next(s for s in found.sentences if s.span.text == "We therefore ask the Commission to:")
    offered = extended.extractive.closest(prepared.question.text, [lead_in, *found.sentences])[0]
    assert offered.span.text.startswith("We therefore ask the Commission to:\n\n1. involve")
    assert '2. create a European "Green Cluster" label' in offered.span.text
    document = extended.document_text(offered.passage.chunk.source)
    assert document is not None and document[offered.span.start:offered.span.end] == offered.span.text  # verbatim


def test_in_the_document_a_question_names_sentences_are_chosen_by_the_words_not_naming_it(
    extended: PolicyAssistant,
) -> None:
    # "the June 2020 minutes" names the dialogue; its agenda line repeats the title's words and was offered before
    # the sentence saying what clusters attract.
    answer = extended.ask("What do clusters attract, according to the June 2020 minutes?").answer
    assert answer.outcome != "declined", answer.text
    assert "magnets for talents and investors" in answer.citations[0].quote, answer.text


def test_a_lead_in_at_the_foot_of_a_page_is_quoted_with_the_list_on_the_next(
    tmp_path: Path, embeddings: LocalEmbeddings,
) -> None:
    """The lead-in closes page 1 and its list opens page 2 (a passage each, as no passage crosses a page): quoted
    alone, "The working group therefore recommends that member associations:" would be an answer saying nothing."""
    with assistant_over_pdf(tmp_path, embeddings, "training-note.pdf", [
        "Training for cluster managers\n\nThe training working group met four times in 2022 and heard twelve member "
        "associations about their cluster managers.\n\nThe working group therefore recommends that member "
        "associations:",
        "- train forty cluster managers a year in data skills;\n- share their course material with one another;\n"
        "- report on the courses they held at each General Assembly.",
    ]) as assistant:
        answer = assistant.ask("What does the training working group recommend to member associations?").answer
        quotes = [c.quote for c in answer.citations]
        assert quotes[0].startswith("The working group therefore recommends"), answer.text
        assert any(q.startswith("- train forty cluster managers") for q in quotes), answer.text
        assert any(q.startswith("- report on the courses") for q in quotes), answer.text
        assert {c.page for c in answer.citations if c.quote.startswith("- ")} == {2}


SKILLS_RESPONSE = """# Response to the public consultation on the European Year of Skills

Submitted by the European Clusters Alliance on 12 January 2023. Contact: Lena Hartmann, Policy Officer (lena.hartmann@clustersalliance.eu).

## Question 1: What are the main skills gaps in your sector?

The gaps our members report most often are in digital skills (named by 71 % of responding clusters) and in skills for the green transition (58 %).

## Question 2: Which measures would help most?

1. Short, modular courses that can be combined into a recognised qualification.
2. Vouchers that let small firms buy training from any accredited provider, including cluster organisations.
3. A European register of skills partnerships, so that companies can find training close to them.

We do not support a new EU-level certification body.

## Next steps

The Alliance will present these findings at the Skills Forum in Lisbon on 23 March 2023. Members who want to contribute case studies should write to the contact above before 28 February 2023.
"""
MEASURES = [
    "1. Short, modular courses that can be combined into a recognised qualification.",
    "2. Vouchers that let small firms buy training from any accredited provider, including cluster organisations.",
    "3. A European register of skills partnerships, so that companies can find training close to them.",
]


@pytest.fixture(scope="module")
def beside_a_skills_response(
    tmp_path_factory: pytest.TempPathFactory, embeddings: LocalEmbeddings,
) -> Iterator[PolicyAssistant]:
    corpus = tmp_path_factory.mktemp("skills-corpus")
    for path in [*CORPUS.iterdir(), *EXTRA_CORPUS.iterdir()]:
        shutil.copy(path, corpus / path.name)
    (corpus / "consultation-response-skills-2023.md").write_text(SKILLS_RESPONSE)
    settings = Settings(corpus_dir=corpus, data_dir=tmp_path_factory.mktemp("skills-index"))
    assert Ingestor(settings, embeddings).run().ok
    assistant = PolicyAssistant(settings, embeddings)
    yield assistant
    assistant.store.close()


@pytest.mark.parametrize("question", [
    "Which measures does the alliance propose for skills?", "Which measures would help most to close skills gaps?",
])
def test_the_list_under_a_heading_naming_what_is_asked_is_quoted_whole(
    beside_a_skills_response: PolicyAssistant, question: str,
) -> None:
    # Numbered items were split from their numbers ("1." then the item), so no list was seen, and with no lead-in
    # sentence the one item closest to the question's words was quoted alone (the register, not the courses).
    answer = beside_a_skills_response.ask(question).answer
    assert answer.outcome == "answered", answer.text
    assert [c.quote for c in answer.citations] == MEASURES


def test_an_item_asked_about_is_quoted_without_the_rest_of_its_list(beside_a_skills_response: PolicyAssistant) -> None:
    answer = beside_a_skills_response.ask("Would vouchers help small firms buy training?").answer
    assert answer.citations and answer.citations[0].quote == MEASURES[1], answer.text
    assert MEASURES[0] not in [c.quote for c in answer.citations]


def test_whom_to_contact_is_answered_by_a_line_naming_someone(beside_a_skills_response: PolicyAssistant) -> None:
    # "Members who want to contribute case studies should write to the contact above …" was the answer: it names
    # no one to write to.
    answer = beside_a_skills_response.ask("Who should I contact about the skills consultation?").answer
    assert answer.citations, answer.text
    assert "Lena Hartmann" in answer.citations[0].quote, answer.text


def test_a_line_giving_the_e_mail_address_asked_for_answers_without_saying_e_mail(
    beside_a_skills_response: PolicyAssistant,
) -> None:
    # The contact line names the officer and gives her address but never says "e-mail address": its coverage of
    # the question's words was too low for the classifier, so the right line was only offered as the closest.
    answer = beside_a_skills_response.ask("What is the email address of the policy officer?").answer
    assert answer.outcome == "answered", answer.text
    assert "lena.hartmann@clustersalliance.eu" in answer.citations[0].quote


def test_the_lines_before_the_first_heading_are_read_under_the_title(beside_a_skills_response: PolicyAssistant) -> None:
    # "Submitted by … on 12 January 2023" says nothing of a response or skills: only the title does. Without it,
    # "The Alliance will present these findings … on 23 March 2023" was the closer date.
    answer = beside_a_skills_response.ask("When did the alliance submit its response on the Year of Skills?").answer
    assert answer.outcome == "answered", answer.text
    assert answer.citations[0].quote == "Submitted by the European Clusters Alliance on 12 January 2023."


def test_an_e_mail_address_is_quoted_only_from_the_document_that_answers(
    beside_a_skills_response: PolicyAssistant,
) -> None:
    # Two documents give an address: the position paper its secretariat's, the response its policy officer's. The
    # answer quoted the best line and the other document's as well, as if both were the one asked for.
    answer = beside_a_skills_response.ask("What is the contact e-mail?").answer
    addresses = [address for c in answer.citations for address in re.findall(r"[\w.]+@[\w.]+", c.quote)]
    assert addresses and len({c.source for c in answer.citations}) == 1, answer.text


def write_letter_and_paper_as_printed(corpus: Path) -> None:
    """A PDF letter laid out as printed (no blank lines survive pypdf: addressee, opening, body, closing and
    signature come out as consecutive lines), and a PDF paper with a table of contents, dot leaders and page
    numbers, as fpdf2 typesets them; and a Markdown report with front matter and a comment."""
    from fpdf import FPDF

    letter = FPDF()
    letter.add_page()
    letter.set_font("helvetica", size=11)
    for paragraph in [
        "Brussels, 3 March 2023", "To the Commissioner for Internal Market", "Dear Commissioner,",
        "The European Clusters Alliance welcomes the proposal for a Critical Raw Materials Act. We ask that cluster "
        "organisations be represented in the European Raw Materials Board, where the needs of small suppliers are "
        "not yet heard.",
        "Yours sincerely,", "Karin Lindqvist", "Secretary General", "European Clusters Alliance",
    ]:
        letter.multi_cell(0, 6, paragraph, new_x="LMARGIN", new_y="NEXT")
    letter.output(str(corpus / "letter-raw-materials-2023.pdf"))

    paper = FPDF()
    paper.set_font("helvetica", size=11)
    paper.add_page()
    paper.multi_cell(0, 6, "Clusters and the Digital Decade\n\nContents", new_x="LMARGIN", new_y="NEXT")
    for title, page in [("1. Skills for the digital transition", 2), ("2. Data spaces and SMEs", 2)]:
        paper.cell(0, 6, f"{title} {'.' * (70 - len(title))} {page}", new_x="LMARGIN", new_y="NEXT")
    paper.add_page()
    paper.multi_cell(0, 6, "1. Skills for the digital transition\n\nThe alliance estimates that 40,000 workers will "
                           "need reskilling in data analytics by 2027.\n\n2. Data spaces and SMEs\n\nCommon European "
                           "data spaces remain difficult to join for SMEs.", new_x="LMARGIN", new_y="NEXT")
    paper.output(str(corpus / "digital-decade-2024.pdf"))

    (corpus / "hydrogen-workshop.md").write_text(
        "---\ntitle: Workshop report - Hydrogen Valleys and clusters\ndate: 2023-10-05\nauthor: ECA Secretariat\n"
        "tags: [hydrogen, energy]\n---\n\n# Workshop report: Hydrogen Valleys and clusters\n\n"
        "<!-- internal draft, do not circulate before approval -->\n\n"
        "The workshop took place online on 5 October 2023 and gathered 64 participants from 19 countries.\n",
        encoding="utf-8",
    )


def test_a_printed_letter_a_table_of_contents_and_front_matter_are_read_as_a_reader_would(
    tmp_path: Path, embeddings: LocalEmbeddings,
) -> None:
    with assistant_over(tmp_path, embeddings, write_letter_and_paper_as_printed) as assistant:
        # The signature was glued into one heading-like line, and "Yours sincerely," into the body: declined.
        role = assistant.ask("What is the role of Karin Lindqvist?").answer
        assert role.outcome == "answered", role.text
        assert role.citations[0].quote == "Karin Lindqvist\nSecretary General\nEuropean Clusters Alliance"
        assert assistant.store.document("letter-raw-materials-2023.pdf").info.title != "Karin Lindqvist"
        # "2. Data spaces and SMEs ....... 2" was quoted as what the paper says about data spaces.
        spaces = assistant.ask("What does the paper say about data spaces for SMEs?").answer
        assert spaces.citations and all("...." not in c.quote for c in spaces.citations), spaces.text
        assert "Common European data spaces remain difficult to join for SMEs." in spaces.text
        # The front matter was a passage of its own, quoted as the closest to questions about the workshop.
        report = assistant.store.document("hydrogen-workshop.md")
        assert report.info.title == "Workshop report - Hydrogen Valleys and clusters"
        assert "tags:" not in report.text and "internal draft" not in report.text
        attended = assistant.ask("How many people took part in the hydrogen valleys workshop?").answer
        assert attended.citations and "64 participants" in attended.citations[0].quote, attended.text


def write_papers_with_bylines(corpus: Path) -> None:
    """Papers that say who wrote them under their title, as papers without a signature do: a labelled author line
    in a text note, an italic "Prepared by" line in a Markdown report, a Markdown post's front matter listing its
    authors, and a "Drafted by" line in a PDF's title block (no blank lines survive pypdf there)."""
    from tests.conftest import write_text_pdf

    (corpus / "note-hydrogen-valleys-2024.txt").write_text(
        "Hydrogen valleys and industrial clusters: a briefing note\n\n"
        "Author: Maria Conti, Policy Officer, European Clusters Alliance\nDate: 12 March 2024\n\n1. Purpose\n\n"
        "This note sets out how industrial clusters can support the roll-out of hydrogen valleys across Europe.\n",
        encoding="utf-8",
    )
    (corpus / "report-skills-workshop-2023.md").write_text(
        "# Skills for the twin transition: workshop report\n\n"
        "*Prepared by Jan Novak and Eva Berg for the Working Group on Skills*\n\nOctober 2023\n\n## Summary\n\n"
        "Thirty-two cluster managers met in Vienna on 5 October 2023 to discuss skills shortages in manufacturing.\n",
        encoding="utf-8",
    )
    (corpus / "blog-cluster-week-2024.md").write_text(
        "---\ntitle: 'European Cluster Week 2024: what we learned'\nauthors:\n  - Anna Keller\n  - Tomas Horak\n"
        "date: 2024-11-20\ntags: [events, clusters]\n---\n\nMore than 900 participants joined the European Cluster "
        "Week in Budapest.\n",
        encoding="utf-8",
    )
    write_text_pdf(corpus / "paper-data-spaces-2022.pdf", [
        "European data spaces: what clusters can offer\n\nPosition paper of the European Clusters Alliance\n"
        "Drafted by the Digital Task Force, chaired by Pieter de Vries\nSeptember 2022\n\nIntroduction\n\n"
        "Common European data spaces will only work if small firms take part in them.",
    ])


def test_who_wrote_a_paper_is_answered_by_its_byline(tmp_path: Path, embeddings: LocalEmbeddings) -> None:
    with assistant_over(tmp_path, embeddings, write_papers_with_bylines) as assistant:
        # Each was declined with a false claim: "… is signed by no one and names no author".
        for question, byline in [
            ("Who wrote the briefing note on hydrogen valleys?",
             "Author: Maria Conti, Policy Officer, European Clusters Alliance"),
            ("Who wrote the workshop report?", "Prepared by Jan Novak and Eva Berg for the Working Group on Skills"),
            ("Who prepared the skills workshop report?",
             "Prepared by Jan Novak and Eva Berg for the Working Group on Skills"),
            ("Who drafted the data spaces paper?", "Drafted by the Digital Task Force, chaired by Pieter de Vries"),
        ]:
            answer = assistant.ask(question).answer
            assert answer.outcome == "answered" and answer.citations[0].quote == byline, (question, answer.text)
        # The front matter's authors and date were no part of the text: both questions were unsure.
        post = assistant.ask("Who wrote the blog post on the European Cluster Week?").answer
        assert post.outcome == "answered" and post.citations[0].quote == "authors:\n- Anna Keller\n- Tomas Horak"
        assert "authors: Anna Keller, Tomas Horak [1]" in post.text, post.text
        published = assistant.ask("When was the Cluster Week post published?").answer
        assert published.outcome == "answered" and published.citations[0].quote == "date: 2024-11-20", published.text
        # The byline is read under the title, not under the first section below it ("Summary").
        report = assistant.ask("Who wrote the workshop report?").answer.citations[0]
        assert report.section == "Skills for the twin transition: workshop report", report.section
        # In the PDF, the byline keeps its line: it was one line with the lines above and below it.
        chair = assistant.ask("Who chairs the Digital Task Force?").answer
        assert chair.citations[0].quote == "Drafted by the Digital Task Force, chaired by Pieter de Vries", chair.text
        # A paper that names no author is still said to name none.
        unsigned = assistant.ask("Who wrote the paper on an innovative and competitive Europe?").answer
        assert unsigned.outcome == "declined" and "names no author" in unsigned.text, unsigned.text


def write_brief_and_agenda(corpus: Path) -> None:
    """A PDF policy brief as a word processor prints it (a list of abbreviations in two columns, "1. Context" above
    numbered paragraphs "1.1 …", no blank lines surviving pypdf), a note dated only by its month, and a plain-text
    agenda with time slots."""
    from fpdf import FPDF

    pdf = FPDF()
    pdf.set_font("helvetica", size=11)
    pdf.add_page()

    def line(text: str) -> None:
        pdf.multi_cell(0, 6, text, new_x="LMARGIN", new_y="NEXT")

    line("Clusters and the Clean Industrial Deal")
    line("Policy brief, European Clusters Alliance, February 2025")
    line("List of abbreviations")
    for short, long in [("CID", "Clean Industrial Deal"), ("IPCEI", "Important Project of Common European Interest"),
                        ("SME", "Small and medium-sized enterprise")]:
        pdf.cell(30, 6, short)
        pdf.cell(0, 6, long, new_x="LMARGIN", new_y="NEXT")
    line("1. Context")
    line("1.1 The CID was presented by the Commission on 26 February 2025. It aims to lower energy costs for industry "
         "and to create lead markets for clean products.")
    line("1.2 Clusters represent more than 140,000 SMEs in energy-intensive value chains.")
    line("2. Recommendations")
    line("2.1 The alliance recommends that IPCEI calls reserve at least 20% of their budget for projects led by SMEs.")
    pdf.output(str(corpus / "brief-clean-industrial-deal-2025.pdf"))
    (corpus / "note-skills-platform.txt").write_text(
        "A European skills platform for clusters\n\nSecretariat note, June 2023\n\n"
        "The alliance proposes a shared platform where clusters publish their training courses.\n",
        encoding="utf-8",
    )
    (corpus / "agenda-board-meeting-2024-03-14.txt").write_text(
        "European Clusters Alliance\nBoard meeting - draft agenda\nThursday 14 March 2024, 09:30-13:00 CET\n\n"
        "09:30 - 09:45  Welcome and adoption of the agenda (President)\n"
        "09:45 - 10:30  Report of the Secretary General on activities since December\n"
        "10:30 - 11:15  Budget 2024: proposal of the Treasurer\n11:15 - 11:30  Coffee break\n"
        "11:30 - 12:30  Position on the Industrial Decarbonisation Accelerator Act: discussion and adoption\n",
        encoding="utf-8",
    )


def test_a_brief_with_numbered_paragraphs_and_abbreviations_and_an_agenda_are_read_as_printed(
    tmp_path: Path, embeddings: LocalEmbeddings,
) -> None:
    with assistant_over(tmp_path, embeddings, write_brief_and_agenda) as assistant:
        # "1. Context 1.1 The CID …" was one paragraph filed under the last abbreviation, read as a heading.
        smes = assistant.ask("How many SMEs do clusters represent in energy-intensive value chains?").answer
        assert smes.citations[0].section == "1. Context", smes.citations[0].section
        assert smes.citations[0].quote == (
            "1.2 Clusters represent more than 140,000 SMEs in energy-intensive value chains."
        )
        # The rows of the list of abbreviations were headings, and no definitions: unsure.
        ipcei = assistant.ask("What does IPCEI stand for?").answer
        assert ipcei.outcome == "answered", ipcei.text
        assert ipcei.citations[0].quote == "IPCEI Important Project of Common European Interest"
        assert ipcei.citations[0].section == "List of abbreviations"
        # The agenda's time slots were one line; the title line and the date line were joined.
        coffee = assistant.ask("What time is the coffee break at the Board meeting?").answer
        assert coffee.outcome == "answered" and coffee.citations[0].quote == "11:15 - 11:30 Coffee break", coffee.text
        # A note dated by its month in its title block was said to carry no date.
        dated = assistant.ask("When was the note on a skills platform written?").answer
        assert dated.outcome == "answered" and dated.citations[0].quote == "Secretariat note, June 2023", dated.text
        agenda = assistant.document_text("agenda-board-meeting-2024-03-14.txt")
        assert agenda is not None
        assert "Board meeting - draft agenda\n\nThursday 14 March 2024, 09:30-13:00 CET" in agenda


def write_paper_with_footer_and_footnote(corpus: Path) -> None:
    """A PDF position paper over three pages as a word processor prints it: a running header, "1 | Page" footers,
    a subtitle closing on its acronym above "Executive summary", a footnote mark after a full stop, and the footnote
    at the foot of the page, under a list."""
    from fpdf import FPDF

    class Paper(FPDF):
        def header(self) -> None:
            self.set_font("helvetica", size=8)
            running = "ECA Position Paper | Defence industrial strategy | May 2024"
            self.cell(0, 5, running, new_x="LMARGIN", new_y="NEXT")

        def footer(self) -> None:
            self.set_y(-15)
            self.set_font("helvetica", size=8)
            self.cell(0, 5, f"{self.page_no()} | Page", align="C")

    pdf = Paper()

    def line(text: str, size: int = 11) -> None:
        pdf.set_font("helvetica", size=size)
        pdf.multi_cell(0, 6, text, new_x="LMARGIN", new_y="NEXT")

    pdf.add_page()
    line("Clusters for a stronger European defence industry", 14)
    line("Position paper of the European Clusters Alliance on the European Defence Industrial Strategy (EDIS)")
    line("Executive summary", 12)
    line("The European Defence Industrial Strategy sets the goal that at least 40% of defence equipment be procured "
         "collaboratively by 2030. Clusters can connect the 2,500 defence SMEs in Europe with prime contractors.1")
    line("Key figures", 12)
    for item in ["- 18 Member States host a defence cluster",
                 "- EUR 1.5 billion is proposed for the European Defence Industry Programme (EDIP)"]:
        line(item)
    pdf.set_y(-30)
    line("1 European Commission, European Defence Industrial Strategy, JOIN(2024) 10 final, 5 March 2024.", 8)
    for heading, text in [
        ("Our recommendations", "Recommendation 1: Shorten security clearance for SME staff to six months."),
        ("Contact", "Marta Kowalska, Policy Officer, marta.kowalska@clustersalliance.eu"),
    ]:
        pdf.add_page()
        line(heading, 12)
        line(text)
    pdf.output(str(corpus / "position-defence-industrial-strategy-2024.pdf"))


def test_a_paper_s_footers_footnotes_and_headings_are_read_as_printed(
    tmp_path: Path, embeddings: LocalEmbeddings,
) -> None:
    with assistant_over(tmp_path, embeddings, write_paper_with_footer_and_footnote) as assistant:
        text = assistant.document_text("position-defence-industrial-strategy-2024.pdf")
        assert text is not None
        # "2 | Page" was read as a heading, and the contact filed under it.
        assert "| Page" not in text
        # The subtitle, "Executive summary" and the paragraph were one paragraph.
        assert "(EDIS)\n\nExecutive summary\n\nThe European" in text
        # After "… prime contractors.1" the heading "Key figures" was taken for page furniture.
        states = assistant.ask("How many Member States host a defence cluster?").answer
        assert states.citations[0].section == "Key figures", states.citations[0].section
        # The footnote was read as the end of the last list item, its date quoted with the programme's budget.
        budget = assistant.ask("How much money is proposed for the European Defence Industry Programme?").answer
        assert budget.citations[0].quote == (
            "- EUR 1.5 billion is proposed for the European Defence Industry Programme (EDIP)"
        ), budget.text
        contact = assistant.ask("What is Marta Kowalska's e-mail address?").answer
        assert contact.citations[0].section != "2 | Page" and contact.citations[0].page == 3, contact.citations[0]


HYDROGEN_DRAFT = """DRAFT - NOT FOR CIRCULATION
Position on Hydrogen Valleys (version 1, 14 January 2025)

The Alliance calls on the Commission to fund 20 hydrogen valleys by 2030 through the Clean Hydrogen Partnership.
A budget of EUR 300 million should be earmarked for cluster-led valleys.

Clusters will coordinate the regional supply chains and train 5,000 technicians.
"""
HYDROGEN_FINAL = """Position on Hydrogen Valleys
Final version adopted by the Board on 27 February 2025

The Alliance calls on the Commission to fund 30 hydrogen valleys by 2030 through the Clean Hydrogen Partnership.
A budget of EUR 450 million should be earmarked for cluster-led valleys.

Clusters will coordinate the regional supply chains and train 8,000 technicians by 2028.
"""
MEMBERSHIP_STATISTICS = """MEMBERSHIP STATISTICS 2024
European Clusters Alliance - Secretariat report to the General Assembly, 5 December 2024

1. Members by region

Region               Members 2023   Members 2024
Northern Europe            41             47
Western Europe             88             93
Southern Europe            76             84
Central and Eastern        52             61
Total                     257            285
"""
ANNUAL_REPORT = """# Annual Report 2024

Presented to the General Assembly on 5 December 2024.

## Finances

Income was EUR 1.31 million, of which 68 percent came from membership fees and 32 percent from EU projects.
Expenditure was EUR 1.24 million, leaving a surplus of EUR 70,000, which the Board proposes to add to the reserve.

## Recommendations for 2025

Recommendation 1: Open a liaison office for candidate countries in Vienna.
Recommendation 2: Publish the membership statistics twice a year.

## Words you will meet

**Smart specialisation strategy (S3)**
: A region's plan for the research and innovation priorities it funds, required for some EU regional funds.

**Thematic partnership**
: A group of regions working together on one S3 priority, such as batteries or agri-food.
"""

LABELS = """# Cluster excellence labels awarded in 2024

The European Secretariat for Cluster Analysis awarded the following labels to members of the Alliance.

<table>
  <tr><th>Cluster</th><th>Country</th><th>Label</th></tr>
  <tr><td>Basque Energy Cluster</td><td>Spain</td><td>Gold</td></tr>
  <tr><td>Silicon Saxony</td><td>Germany</td><td>Gold</td></tr>
  <tr><td>Food Valley</td><td>Netherlands</td><td>Silver</td></tr>
  <tr><td>Lithuanian Laser Cluster</td><td>Lithuania</td><td>Bronze</td></tr>
</table>

Labels are valid for two years.
"""

DECISIONS = """DECISIONS OF THE GENERAL ASSEMBLY
Lisbon, 16.11.2023

The General Assembly decided:
(a) to approve the accounts for 2022, showing a deficit of EUR 12,400;
(b) to elect Elena Marquez as President for a term of three years;
(c) to admit the cluster associations of Slovenia and Estonia as members;
(d) to hold the next General Assembly in Ghent in April 2024.
"""

INTERVIEW = """Five questions for our Secretary General
Newsletter of the European Clusters Alliance, issue 14, 10 September 2024

Q: What is the Alliance's priority for the new Commission?
Hanna Korhonen: A cluster chapter in the Competitiveness Fund. Without it, regional ecosystems will be left out of
the largest industrial programme of the next budget.

Q: What keeps you awake at night?
Hanna Korhonen: Energy prices. Three of our battery clusters have lost a member company to relocation this year.
"""

TERMS_OF_REFERENCE = """TERMS OF REFERENCE
Working Group on Skills
Adopted by the Board on 3 April 2024

Article 1 – Purpose
The Working Group prepares the Alliance's positions on skills, vocational training and talent attraction.

Article 3 – Meetings
The Working Group meets at least four times a year, of which at least one meeting in person.

Article 4 – Reporting
The chair reports to the Board twice a year.
"""
VOTES = """# Board meeting of 12 June 2024: record of votes

## Item 3: Budget revision 2024

The revised budget of EUR 1.28 million was adopted.

In favour: 9; Against: 1; Abstentions: 2.
"""


def write_versions_statistics_and_report(corpus: Path) -> None:
    (corpus / "draft-position-hydrogen-v1.txt").write_text(HYDROGEN_DRAFT)
    (corpus / "position-hydrogen-final.txt").write_text(HYDROGEN_FINAL)
    (corpus / "membership-statistics-2024.txt").write_text(MEMBERSHIP_STATISTICS)
    (corpus / "annual-report-2024.md").write_text(ANNUAL_REPORT)
    (corpus / "cluster-excellence-labels.md").write_text(LABELS)
    (corpus / "general-assembly-decisions-2023.txt").write_text(DECISIONS)
    (corpus / "interview-secretary-general.txt").write_text(INTERVIEW)
    (corpus / "terms-of-reference-skills-group.txt").write_text(TERMS_OF_REFERENCE)
    (corpus / "board-vote-record-2024.md").write_text(VOTES)


@pytest.fixture(scope="module")
def versions(tmp_path_factory: pytest.TempPathFactory, embeddings: LocalEmbeddings) -> Iterator[PolicyAssistant]:
    folder = tmp_path_factory.mktemp("versions")
    with assistant_over(folder, embeddings, write_versions_statistics_and_report) as assistant:
        yield assistant


def test_where_a_draft_and_its_final_version_disagree_the_final_leads(versions: PolicyAssistant) -> None:
    # the draft's figure led, its wording matching the question a little better, the final's given as "other"
    for question, final, draft in [
        ("How many hydrogen valleys should the Commission fund by 2030?", "30 hydrogen valleys", "20 hydrogen valleys"),
        ("What budget does the Alliance ask for cluster-led hydrogen valleys?", "EUR 450 million", "EUR 300 million"),
    ]:
        answer = versions.ask(question).answer
        assert answer.citations[0].source == "position-hydrogen-final.txt", answer.text
        assert final in answer.citations[0].quote and draft in answer.text, answer.text
    # unless the question names the other document
    drafted = versions.ask("How many technicians did the draft say clusters would train?").answer
    assert drafted.citations[0].source == "draft-position-hydrogen-v1.txt", drafted.text
    assert "8,000 technicians" in drafted.text  # the final's figure is still given beside it


def test_a_title_line_is_no_statement_the_answer_disagrees_with(versions: PolicyAssistant) -> None:
    # "MEMBERSHIP STATISTICS 2024", another document's title, shares the words of "Publish the membership statistics
    # twice a year" and has another figure: it was quoted as a document giving different figures
    answer = versions.ask("Quote the recommendation on publishing membership statistics.").answer
    assert answer.citations[0].quote == "Recommendation 2: Publish the membership statistics twice a year.", answer.text
    assert "different figures" not in answer.text, answer.text


def test_a_report_s_year_tables_and_definitions_answer_as_written(versions: PolicyAssistant) -> None:
    # the year asked is the report's: its sentences don't repeat it (unsure before)
    surplus = versions.ask("How large was the surplus in 2024?").answer
    assert surplus.outcome == "answered" and "EUR 70,000" in surplus.citations[0].quote, surplus.text
    # a year no document of it is of is still missing
    assert versions.ask("How large was the surplus in 2022?").answer.outcome != "answered"
    # the row under "Region Members 2023 Members 2024" (unsure before, its first row read as a heading)
    southern = versions.ask("How many members from Southern Europe were there in 2023?").answer
    assert southern.outcome == "answered", southern.text
    assert "Southern Europe 76 84" in [c.quote for c in southern.citations], southern.text
    assert southern.citations[0].section == "1. Members by region", southern.citations[0]
    # a definition list's term read with its definition: unsure before, and "What is S3?" answered with the
    # definition of a thematic partnership, which only mentions S3
    for question in ("What does S3 stand for?", "What is S3?"):
        answer = versions.ask(question).answer
        assert answer.outcome == "answered", answer.text
        assert answer.citations[0].quote.startswith("Smart specialisation strategy (S3)"), answer.text


def test_a_table_written_in_html_is_read_row_by_row(versions: PolicyAssistant) -> None:
    # its lines were joined into one, cut between two passages in the middle of a name: "no document mentions
    # “Lithuanian Laser Cluster”", and the label of Food Valley unsure
    country = versions.ask("Which country is the Lithuanian Laser Cluster from?").answer
    assert country.outcome == "answered", country.text
    row = "<tr><td>Lithuanian Laser Cluster</td><td>Lithuania</td><td>Bronze</td></tr>"
    assert row in [c.quote for c in country.citations], country.text
    label = versions.ask("Which label did Food Valley receive?").answer
    assert label.outcome == "answered", label.text
    assert [c.quote for c in label.citations] == [
        "<tr><th>Cluster</th><th>Country</th><th>Label</th></tr>",
        "<tr><td>Food Valley</td><td>Netherlands</td><td>Silver</td></tr>",
    ], label.text


def test_decisions_dated_in_figures_answer_for_their_year(versions: PolicyAssistant) -> None:
    # "16.11.2023" was no date: "the passages found don't mention 2023", a false absence
    elected = versions.ask("Who was elected President in 2023?").answer
    assert elected.outcome == "answered", elected.text
    assert "Elena Marquez" in elected.citations[0].quote, elected.text
    # the title line is no statement of a place other than the one answering
    assert "different figures" not in versions.ask("Where will the next General Assembly be held?").answer.text


def test_a_lead_in_repeating_the_question_is_quoted_with_its_list(tmp_path: Path, embeddings: LocalEmbeddings) -> None:
    with assistant_over_pdf(tmp_path, embeddings, "recommendations-competitiveness-fund.pdf", [
        "Recommendations on the Competitiveness Fund\n\nPosition of the European Clusters Alliance, 21 October 2024\n"
        "The Alliance recommends that the Competitiveness Fund:\n"
        "(i) reserve a window for cluster partnerships of at least EUR 2 billion;\n"
        "(ii) accept cluster organisations as coordinators of projects;\n"
        "(iii) simplify reporting for projects below EUR 500,000."
    ]) as assistant:
        answer = assistant.ask("What does the Alliance recommend for the Competitiveness Fund?").answer
        quotes = [c.quote for c in answer.citations]
        assert quotes[:2] == [
            "The Alliance recommends that the Competitiveness Fund:",
            "(i) reserve a window for cluster partnerships of at least EUR 2 billion;",
        ], answer.text
        dated = assistant.ask("When was the position on the Competitiveness Fund published?").answer
        assert dated.citations[0].quote.endswith("21 October 2024"), dated.text


def test_a_document_s_title_alone_answers_nothing_it_says(versions: PolicyAssistant) -> None:
    # "Five questions for our Secretary General" was the answer to what worries her
    worries = versions.ask("What worries the Secretary General?").answer
    assert worries.outcome != "answered" or "Energy prices" in worries.text, worries.text
    assert not any(c.quote == "Five questions for our Secretary General" for c in worries.citations), worries.text


def test_rules_adopted_in_a_year_say_nothing_of_what_happened_that_year(versions: PolicyAssistant) -> None:
    # a near miss answered: the terms of reference are dated 2024, which did not make "meets at least four times a
    # year" say how often the group met in 2024
    met = versions.ask("How many times did the skills working group meet in 2024?").answer
    assert met.outcome != "answered", met.text
    # the title set in capitals is the document's title, not the three lines of its title block joined
    documents = {d.source: d.info for d in versions.store.documents()}
    assert documents["terms-of-reference-skills-group.txt"].title == "TERMS OF REFERENCE"
    # a heading alone answers nothing: "Article 1 – Purpose" was the answer to what Article 4 says
    article = versions.ask("What does Article 4 of the terms of reference say?").answer
    assert article.outcome != "answered" or "twice a year" in article.text, article.text
    # the day of the meeting's date is no count of Board members: the title was the answer
    against = versions.ask("How many Board members voted against the budget revision?").answer
    assert not any(c.quote.startswith("Board meeting of 12 June") for c in against.citations), against.text


def test_the_words_of_a_name_asked_about_count_only_where_they_name_it(extended: PolicyAssistant) -> None:
    # "transition" in "the green and digital transition" and "alliance" outweighed the letter's item on the fund
    answer = extended.ask("What does the alliance want from the Just Transition Fund?").answer
    assert answer.outcome == "answered"
    assert answer.citations[0].source == LETTER
    assert "technical assistance of the Just Transition Fund" in answer.citations[0].quote


def test_a_question_about_the_present_is_led_by_the_most_recent_document(extended: PolicyAssistant) -> None:
    answer = extended.ask("How many clusters does the alliance currently represent?").answer
    assert "different figures" in answer.text
    assert answer.citations[0].source == LETTER
    assert "more than 1,000 clusters" in answer.citations[0].quote
    assert answer.citations[0].date == max(c.date or "" for c in answer.citations)


def test_a_lead_in_quoted_after_the_first_sentence_comes_with_its_items(extended: PolicyAssistant) -> None:
    answer = extended.ask("What exactly did the alliance ask Frans Timmermans to do?").answer
    quotes = [c.quote for c in answer.citations]
    assert "We therefore ask the Commission to:" in quotes
    after = quotes[quotes.index("We therefore ask the Commission to:") + 1:]
    for item in ("co-creation of the transition pathways", '"Green Cluster" label', "Just Transition Fund"):
        assert any(item in quote for quote in after), item


def test_a_paper_named_by_the_acronym_it_uses_for_its_title_is_the_one_read(extended: PolicyAssistant) -> None:
    answer = extended.ask("What does the I3 paper say about capacity building?").answer
    assert answer.outcome == "answered"
    assert answer.citations[0].source == "reinforcing-clusters-in-the-i3-initiative.txt"
    assert answer.citations[0].section == "Capacity building"
    # minutes whose title is "… of the European Clusters Alliance" don't use "ECA": they are not "the ECA minutes"
    minutes = extended.ask("What did the ECA minutes say about Breton?").answer
    assert minutes.outcome != "declined"
    assert "Breton" in minutes.citations[0].quote


def test_a_follow_up_about_whom_the_previous_answer_named_is_answered_from_its_sentence(
    extended: PolicyAssistant,
) -> None:
    first = "Who is the Treasurer of the alliance?"
    treasurer = extended.ask(first).answer
    history = [{"role": "user", "content": first}, {"role": "assistant", "content": treasurer.text}]
    association = extended.ask("Which association is she from?", history).answer
    assert association.outcome == "answered"
    assert "Maria Rossi (Italian Cluster Association)" in association.citations[0].quote


def test_a_time_of_day_asked_for_is_quoted_from_the_line_giving_it(extended: PolicyAssistant) -> None:
    answer = extended.ask("What time did the General Assembly start?").answer
    assert answer.citations[0].quote == "Online meeting, 20 May 2021, 10:00–12:30 CET"
