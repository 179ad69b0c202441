import pytest

from assistant.answering.outcomes import DECLINE_PREFIX, Answer
from assistant.errors import QuestionError
from assistant.pipeline import PolicyAssistant
from assistant.search.answer_types import states_a_quantity
from assistant.text.matching import contains_verbatim


def test_answer_quotes_the_document_with_numbered_citations(corpus_assistant: PolicyAssistant) -> None:
    result = corpus_assistant.ask("Who moderated the session with Commissioner Breton?")
    assert result.answer.answerable
    assert "Teodora Jilkova" in result.answer.text
    assert "[1]" in result.answer.text
    first = result.answer.citations[0]
    assert first.source == "minutes-clusters-for-next-generation-eu-2020-06-30.txt"
    assert first.n == 1 and first.title and first.quote


def test_every_quote_is_verbatim_text_of_its_stored_source(corpus_assistant: PolicyAssistant) -> None:
    for question in ("What does the alliance call for?", "How many jobs do clusters account for?", "What is IoT4Industry?"):
        for citation in corpus_assistant.ask(question).answer.citations:
            stored = corpus_assistant.document_text(citation.source)
            assert stored is not None and contains_verbatim(stored, citation.quote)
            assert stored[citation.start:citation.end] == citation.quote


def test_unanswerable_question_declines_without_citations_but_shows_passages(corpus_assistant: PolicyAssistant) -> None:
    result = corpus_assistant.ask("Who is the President of the European Central Bank?")
    assert not result.answer.answerable
    assert result.answer.text.startswith(DECLINE_PREFIX)
    assert result.answer.citations == []
    assert len(result.passages) == 10


def test_follow_up_uses_the_conversation_to_find_the_minutes(corpus_assistant: PolicyAssistant) -> None:
    history = [
        {"role": "user", "content": "What happened at the 30 June 2020 meeting?"},
        {"role": "assistant", "content": "Commissioner Breton met the European Clusters Alliance."},
    ]
    result = corpus_assistant.ask("And who moderated it?", history)
    assert result.standalone_question == "What happened at the 30 June 2020 meeting? And who moderated it?"
    assert result.passages[0].chunk.source.startswith("minutes-")
    assert "Jilkova" in result.answer.text


def test_a_follow_up_of_a_follow_up_keeps_the_subject_the_conversation_started_with(
    corpus_assistant: PolicyAssistant,
) -> None:
    history = [
        {"role": "user", "content": "What happened at the 30 June 2020 meeting?"},
        {"role": "assistant", "content": "Commissioner Breton met the European Clusters Alliance."},
        {"role": "user", "content": "And who opened it?"},
        {"role": "assistant", "content": "Commissioner Thierry Breton opened the session."},
    ]
    result = corpus_assistant.ask("And who moderated it?", history)
    assert result.standalone_question == (
        "What happened at the 30 June 2020 meeting? And who opened it? And who moderated it?"
    )
    assert result.passages[0].chunk.source.startswith("minutes-")
    assert "Jilkova" in result.answer.text
    earlier = [{"role": "user", "content": "Who is the treasurer?"}, {"role": "assistant", "content": "Maria Rossi."}]
    fresh = corpus_assistant.ask("What does the annex say about employment?", earlier + history)
    assert fresh.standalone_question == "What does the annex say about employment?"


def test_follow_up_pronoun_takes_its_subject_from_the_history(corpus_assistant: PolicyAssistant) -> None:
    history = [
        {"role": "user", "content": "What is IoT4Industry?"},
        {"role": "assistant", "content": "An INNOSUP-1 project led by SCS."},
    ]
    assert "France, Italy, Germany" in corpus_assistant.ask("Which countries are its clusters from?", history).answer.text
    assert "France, Italy, Germany" not in corpus_assistant.ask("Which countries are its clusters from?").answer.text


@pytest.mark.parametrize("question", ["", "   \n\t ", "\x00\x07"])
def test_empty_questions_are_refused_with_a_message(corpus_assistant: PolicyAssistant, question: str) -> None:
    with pytest.raises(QuestionError, match="type a question"):
        corpus_assistant.ask(question)


def test_sources_begin_with_the_passage_the_answer_stands_on(corpus_assistant: PolicyAssistant) -> None:
    # The agenda ("Tuesday 30th June 2020 at 15:00") shares the date with the question but doesn't name the moderator.
    result = corpus_assistant.ask("Who was the moderator of the 30 June 2020 session?")
    assert result.answer.answerable
    first = result.answer.citations[0]
    assert "Teodora Jilkova" in first.quote
    assert result.passages[0].chunk.id == first.chunk_id
    assert result.answer.text.index("Jilkova") < result.answer.text.index("[1]")
    assert len({p.chunk.id for p in result.passages}) == len(result.passages) == 10


def test_a_question_naming_a_document_is_answered_from_it_first(corpus_assistant: PolicyAssistant) -> None:
    result = corpus_assistant.ask("Over which period does Next Generation EU run according to the annex?")
    assert result.answer.citations[0].source == "annex-call-for-recognition-of-clusters.txt"
    assert "2021-2023" in result.answer.citations[0].quote
    assert result.passages[0].chunk.source == "annex-call-for-recognition-of-clusters.txt"


@pytest.mark.parametrize(
    ("question", "history", "source"),
    [
        ("What does the alliance demand in the recovery initiatives?", [], "call-for-recognition-of-clusters-in-recovery-initiatives.txt"),
        (
            "What does it want for them in that initiative?",
            [
                {"role": "user", "content": "What is the paper on the Interregional Innovation Investment initiative about?"},
                {"role": "assistant", "content": "Reinforcing the role of clusters in I3."},
            ],
            "reinforcing-clusters-in-the-i3-initiative.txt",
        ),
    ],
)
def test_what_a_paper_wants_is_found_where_it_calls_for_it(
    corpus_assistant: PolicyAssistant, question: str, history: list[dict[str, str]], source: str
) -> None:
    result = corpus_assistant.ask(question, history)
    assert result.answer.answerable
    assert result.answer.citations[0].source == source
    assert "for the recognition of clusters as a strategic agent" in result.answer.citations[0].quote


def test_a_date_question_is_answered_by_the_line_that_gives_the_date(corpus_assistant: PolicyAssistant) -> None:
    result = corpus_assistant.ask("On what date was the call for the recognition of industrial clusters sent?")
    assert result.answer.outcome in ("answered", "unsure"), "quoted as the answer or as the closest line"
    first = result.answer.citations[0]
    assert first.quote == "27 October 2020"
    assert first.source == "call-for-recognition-of-clusters-in-recovery-initiatives.txt"
    assert first.title.startswith("A call for the recognition")


@pytest.mark.parametrize(
    "question",
    [
        # Every word is in the documents, but the thing named is not.
        "What is the alliance's position on the Digital Services Act?",
        "Who is the President of the European Central Bank?",
        # The annex is undated; the date of the call it annexes is not its date.
        "When was the annex to the call for recognition published?",
    ],
)
def test_questions_about_what_the_documents_never_mention_are_declined(
    corpus_assistant: PolicyAssistant, question: str
) -> None:
    result = corpus_assistant.ask(question)
    assert not result.answer.answerable and result.answer.text.startswith(DECLINE_PREFIX)
    assert result.answer.citations == []


def test_a_start_time_is_not_given_as_a_duration(corpus_assistant: PolicyAssistant) -> None:
    """No passage gives how long the dialogue lasted, but nothing shows the documents are silent on it either (the
    patterns that find a duration miss some): not answered, nor declined; the closest line of the minutes offered."""
    answer = corpus_assistant.ask("How long did the 30 June 2020 dialogue last?").answer
    assert answer.outcome == "unsure" and not answer.answerable and not answer.text.startswith(DECLINE_PREFIX)
    assert [c.source for c in answer.citations] == ["minutes-clusters-for-next-generation-eu-2020-06-30.txt"]


@pytest.mark.parametrize(
    "question",
    [
        # The cluster is in the documents; a count of its members is not.
        "How many members does the Smart North cluster have?",
        # The documents count IoT4Industry's clusters, not the SMEs that took part.
        "How many SMEs took part in IoT4Industry's cascade funding calls?",
    ],
)
def test_a_count_no_passage_gives_is_not_answered(corpus_assistant: PolicyAssistant, question: str) -> None:
    """Not answered: a quantity pattern that finds no count of the thing asked about is the classifier's evidence,
    not proof of absence (the patterns miss "a two-year term" and "12 votes … 2 abstentions"), so the outcome is
    unsure (the closest line quoted as such) or declined, never an answer."""
    result = corpus_assistant.ask(question)
    assert not result.answer.answerable and result.answer.outcome in ("unsure", "declined"), result.answer.text
    assert len(result.answer.citations) <= 1


@pytest.mark.parametrize(
    ("question", "expected"),
    [
        ("How many clusters does IoT4Industry consist of?", "7 European clusters"),
        ("How many flagship areas did the European Commission define for the recovery?", "seven flagships areas"),
        ("What did Krystowski say about the European Defence Fund?", "European Defense Fund"),
    ],
)
def test_names_and_counts_the_documents_do_give_are_answered(
    corpus_assistant: PolicyAssistant, question: str, expected: str
) -> None:
    result = corpus_assistant.ask(question)
    assert result.answer.answerable
    assert any(expected in c.quote for c in result.answer.citations)


@pytest.mark.parametrize(
    ("text", "states"),
    [("more than 740 clusters", True), ("61.8 million jobs", True), ("seven flagships areas", True),
     ("(2021-2027)", True), ("the INNOSUP-1 project called IoT4Industry", False), ("the COVID-19 crisis", False)],
)
def test_a_quantity_is_a_number_of_its_own_not_part_of_a_name(text: str, states: bool) -> None:
    assert states_a_quantity(text) is states


@pytest.mark.parametrize(
    ("question", "expected"),
    [
        ("In which Italian city is Reindustria Innovazione located?", "Cremona"),
        ("Where is the French competitiveness cluster SCS located?", "region SUD"),
    ],
)
def test_where_questions_find_based_in_and_country_adjectives(
    corpus_assistant: PolicyAssistant, question: str, expected: str
) -> None:
    result = corpus_assistant.ask(question)
    assert result.answer.answerable
    assert expected in result.answer.citations[0].quote


@pytest.mark.parametrize(
    ("question", "expected"),
    [
        ("What is the email address of Krzysztof Krystowski?", "krzysztof.krystowski@klastrypolskie.pl"),
        ("What is Antonio Novo Guerrero's phone number?", "+34 650410080"),
    ],
)
def test_contact_details_are_answered_from_the_contact_block(
    corpus_assistant: PolicyAssistant, question: str, expected: str
) -> None:
    result = corpus_assistant.ask(question)
    assert result.answer.answerable
    assert expected in result.answer.citations[0].quote


def test_a_contact_detail_is_never_given_as_someone_elses(corpus_assistant: PolicyAssistant) -> None:
    """The contact block lists two people, each with an address and a mobile number: the number asked for is the
    named person's, quoted with the name; the other person's number is not in the answer."""
    answer = corpus_assistant.ask("What is Krzysztof Krystowski's mobile number?").answer
    assert answer.answerable and "+48 884881891" in answer.text and "+34 650410080" not in answer.text
    assert answer.citations[0].quote.startswith("Krzysztof Krystowski")
    closest = corpus_assistant.ask("What is the secretariat's phone number?").answer
    for citation in closest.citations:
        if "Mobile" in citation.quote:  # a number offered as the closest shows whose it is
            assert citation.quote.split("\n", 1)[0] in ("Antonio Novo Guerrero", "Krzysztof Krystowski")


def test_no_candidate_quote_joins_two_peoples_contact_entries(corpus_assistant: PolicyAssistant) -> None:
    """A number is quoted with the lines above that say whose it is, but another person's entry is no such line:
    no sentence the answerer could quote holds both mobile numbers."""
    prepared = corpus_assistant.prepare("What is Antonio Novo's mobile?")
    assert prepared.question is not None
    found = corpus_assistant.extractive.candidate(prepared.question, prepared.passages)
    assert not isinstance(found, Answer)
    quotes = [s.span.text for s in found.sentences]
    assert any("+34 650410080" in q for q in quotes)
    assert not any("+34 650410080" in q and "+48 884881891" in q for q in quotes)


def test_when_inside_a_question_does_not_ask_for_a_date(corpus_assistant: PolicyAssistant) -> None:
    result = corpus_assistant.ask("What did Commissioner Breton say clusters are essential for when he concluded his speech?")
    assert result.answer.answerable
    assert "accelerate the transformation" in result.answer.text


def test_a_lead_in_is_quoted_with_the_short_lines_it_introduces(corpus_assistant: PolicyAssistant) -> None:
    result = corpus_assistant.ask("Which societal challenges do clusters help Europe face over the 2021-2027 period?")
    quote = result.answer.citations[0].quote
    assert quote.rstrip().endswith("changing attitudes")
    assert "changing economies" in quote and "changing climate" in quote and "challenges we face:" in quote


def test_a_lead_in_is_followed_by_its_first_points(corpus_assistant: PolicyAssistant) -> None:
    result = corpus_assistant.ask("What next steps did Breton highlight?")
    quotes = [c.quote for c in result.answer.citations]
    assert quotes[0].endswith("highlighted the next steps for the clusters and the collaboration:")
    assert "Include Cluster Associations in European recovery plan" in quotes[1]


def test_a_sentence_is_quoted_with_the_next_one_that_speaks_of_it(corpus_assistant: PolicyAssistant) -> None:
    """The annex names the alliance in one sentence and says what it does in the next ("This alliance has been …")."""
    answer = corpus_assistant.ask("What has the European Alliance Against Coronavirus been working on?").answer
    quotes = [c.quote for c in answer.citations]
    assert answer.outcome == "answered" and quotes[0].endswith("Alliance Against Coronavirus (EAAC).")
    assert quotes[1].startswith("This alliance has been deeply involved in detecting COVID-related disruptions")
    # a next sentence that introduces a list of its own is not added (it answers something else)
    introduced = corpus_assistant.ask("Whose vice-president is Krzysztof Krystowski?").answer
    assert not any(c.quote.startswith("He recapped") for c in introduced.citations)
    # offered as the closest when unsure, the two are one quote: the first alone says nothing of what was done
    asked = "Besides spotting supply-chain problems, what did the anti-coronavirus alliance pass on?"
    unsure = corpus_assistant.ask(asked).answer
    assert unsure.outcome == "unsure" and len(unsure.citations) == 1
    assert unsure.citations[0].quote.startswith("Alliance Against Coronavirus (EAAC). This alliance has been")


def test_a_conclusion_is_quoted_with_the_sentence_it_is_drawn_from(corpus_assistant: PolicyAssistant) -> None:
    """"Hence, they can provide policymakers with valuable information …": why is said in the sentence before."""
    answer = corpus_assistant.ask("Why can clusters give policymakers useful information for the recovery?").answer
    quotes = [c.quote for c in answer.citations]
    assert answer.outcome == "answered", answer.text
    # the reason is the first item of a numbered list, quoted with its number
    assert quotes[0].startswith("1. Being so close to the market, clusters have real-time information"), quotes
    quoted = " ".join(quotes)
    assert quoted.index("Being so close to the market") < quoted.index("Hence, they can provide policymakers"), quotes


def test_a_question_in_the_document_is_not_quoted_as_an_answer_on_its_own(corpus_assistant: PolicyAssistant) -> None:
    """"What is the role of clusters in industrial ecosystems?" is a heading that asks; it answers nothing."""
    answer = corpus_assistant.ask("What is a cluster?").answer
    assert answer.answerable and not any(c.quote.endswith("?") for c in answer.citations)
    paired = corpus_assistant.ask("How can we be prepared for new disruptions?").answer
    assert "It is essential to have a fluid collaboration" in paired.citations[0].quote  # asked and answered together


def test_a_document_named_by_its_whole_title_is_searched_for_the_other_words(corpus_assistant: PolicyAssistant) -> None:
    """The title's words are common to all of the document's passages; "closing remarks" tells them apart."""
    result = corpus_assistant.ask(
        "Who gave the closing remarks at Clusters for Next Generation EU: dialogue between Commissioner Thierry Breton "
        "and the European Clusters Alliance?"
    )
    assert result.answer.answerable and "Beylat" in result.answer.text
    annex = corpus_assistant.ask(
        "According to the Annex to: A call for the recognition of Industrial Clusters in the European Recovery "
        "Initiatives, what share of total European employment do clusters represent?"
    )
    assert "23.4%" in annex.answer.text
    assert {c.source for c in annex.answer.citations} == {"annex-call-for-recognition-of-clusters.txt"}


def test_a_list_asked_for_is_quoted_whole_after_its_lead_in(corpus_assistant: PolicyAssistant) -> None:
    result = corpus_assistant.ask("What were the concluding remarks drawn by Jean-Luc Beylat?")
    quotes = [c.quote for c in result.answer.citations]
    assert quotes[0].endswith("drawn by Jean-Luc Beylat, President of AFPC:")
    assert len(quotes) == 7 and quotes[-1].startswith("- Need of a strong support from the EC")


def test_a_year_the_answering_passage_does_not_mention_is_given_as_the_reason_to_decline(
    corpus_assistant: PolicyAssistant,
) -> None:
    answer = corpus_assistant.ask("Who moderated the dialogue with Commissioner Breton in June 2023?").answer
    assert not answer.answerable
    assert "don't mention 2023" in answer.text
    assert corpus_assistant.ask("Who moderated the dialogue with Commissioner Breton in June 2020?").answer.answerable
