from collections.abc import Sequence

import pytest

from assistant.answering.absence import about_other_years
from assistant.reading.glossary import acronym_definitions
from assistant.search.answer_types import (
    counts_what_was_asked, gives_the_figure_asked, gives_the_place_asked, names_the_role_asked, wanted_types,
)
from assistant.search.lexical import QueryCoverage
from assistant.text.matching import contains_verbatim, normalize_for_match
from assistant.text.names import names_a_person, names_a_place, places_missing, proper_names
from assistant.text.numbers import number_key
from assistant.text.patterns import is_byline
from assistant.text.sentences import as_read, reading_of, sentence_spans
from assistant.text.terms import equivalent_terms, expanded_terms, search_terms, spelling_key, stem


def test_normalisation_follows_the_eval_format() -> None:
    raw = "“Clusters” act **local** – but re-\nach  global"
    assert normalize_for_match(raw) == '"clusters" act local - but reach global'


def test_contains_verbatim_ignores_layout_but_not_words() -> None:
    document = "Clusters act local but\nreach global: through their collective action"
    assert contains_verbatim(document, "clusters act local but reach global")
    assert not contains_verbatim(document, "clusters act global but reach local")


def test_sentences_keep_offsets_and_do_not_split_decimals_or_abbreviations() -> None:
    text = "Clusters account for 61.8 million jobs, e.g. in Europe. They drive growth! Really?"
    spans = sentence_spans(text, offset=100)
    assert [s.text for s in spans] == [
        "Clusters account for 61.8 million jobs, e.g. in Europe.", "They drive growth!", "Really?",
    ]
    for span in spans:
        assert text[span.start - 100:span.end - 100] == span.text


def test_a_numbered_list_item_is_one_sentence_with_its_number_and_read_without_it() -> None:
    # "1. Short, modular courses …" was split into "1." and the item, so the item was no list item.
    text = "Measures\n\n1. Short, modular courses. They add up.\n2. Vouchers for small firms.\n12.5% of firms train."
    spans = sentence_spans(text)
    assert [s.text for s in spans] == [
        "Measures", "1. Short, modular courses.", "They add up.", "2. Vouchers for small firms.",
        "12.5% of firms train.",
    ]
    assert [reading_of(text, s) for s in spans][1:] == [
        "Short, modular courses.", "They add up.", "Vouchers for small firms.", "12.5% of firms train.",
    ]


def test_a_sentence_running_over_a_page_break_is_one_sentence_shown_on_one_line() -> None:
    """A page break of the source leaves a blank line in the middle of a sentence: the sentence is one span (the
    document's characters, so its offsets hold) and reads with a space where the page turned."""
    text = (
        "Our partners have built networks that enable\n\nthem to join international value chains. They grow.\n\n"
        "The challenges we face:\n\nchanging economies\n\nchanging climate\n\n"
        "Anna Example, director\nanna@example.eu"
    )
    spans = sentence_spans(text)
    assert [s.text for s in spans] == [
        "Our partners have built networks that enable\n\nthem to join international value chains.", "They grow.",
        # short lower-case lines that finish no sentence are a list set out as paragraphs, not one sentence
        "The challenges we face:", "changing economies", "changing climate",
        "Anna Example, director\nanna@example.eu",  # a contact entry: the address goes with whose it is
    ]
    assert all(text[s.start:s.end] == s.text for s in spans)
    whole = "Our partners have built networks that enable them to join international value chains."
    assert as_read(spans[0].text) == whole
    assert as_read(text).count("\n\n") == text.count("\n\n") - 1


def test_british_and_american_spellings_share_a_search_term() -> None:
    assert spelling_key("specialised") == spelling_key("specialized")
    assert search_terms("European Defence Fund") == search_terms("European Defense Fund")
    assert search_terms("Single Market Programme") == search_terms("single market program")
    assert search_terms("structured dialogues") == search_terms("structured dialogs")


def test_search_terms_keep_acronyms_and_figures_findable() -> None:
    terms = search_terms("The I3 initiative, EAAC and 740 clusters with 134,000 businesses")
    for expected in ("i3", "eaac", "740", "134", "000"):
        assert expected in terms
    assert "the" not in terms


def test_number_key_compares_thousands_separators() -> None:
    assert number_key("112.000") == number_key("112,000") == "112000"


def test_request_verbs_are_equivalent_search_terms() -> None:
    assert set(equivalent_terms(stem("wants"))) >= {"call", "ask", "propos"}
    assert expanded_terms(search_terms("What does it demand?"))[0] == "demand"
    assert "call" in expanded_terms(search_terms("What does it demand?"))
    assert equivalent_terms("cluster") == ("cluster",)


def test_what_a_drafter_asks_for_is_not_searched_for() -> None:
    assert search_terms("Give me the exact sentence quoted about digital clusters") == ["digit", "cluster"]


def test_proper_names_are_found_without_the_question_word_that_opens_them() -> None:
    assert proper_names("What did Ursula von der Leyen say about the Digital Services Act?") == [
        "Ursula von der Leyen", "Digital Services Act",
    ]
    assert proper_names("Who is the President of the European Central Bank?") == ["European Central Bank"]
    assert proper_names("Which French competitiveness cluster leads IoT4Industry?") == []


def test_country_adjectives_and_location_verbs_are_equivalent_search_terms() -> None:
    italian, located = search_terms("Italian located")
    assert stem("italy") in equivalent_terms(italian)
    assert stem("based") in equivalent_terms(located)


@pytest.mark.parametrize(
    ("question", "kinds"),
    [
        ("When was the call sent?", {"date", "year", "time"}),
        ("How much money does the Commission plan for Euroclusters?", {"quantity", "amount of money"}),
        ("What is the budget of the Just Transition Fund?", {"amount of money"}),
        ("What is the budget line called?", set()),
        ("Who is the treasurer of the alliance?", {"person"}),
        ("Who is the main beneficiary of cluster support?", set()),
        ("Who can bring a whole value chain together?", set()),
        ("To whom was the letter addressed?", {"addressee"}),
        ("What did he say when he concluded?", set()),
        ("How long did the dialogue last?", {"duration"}),
        ("How many SMEs took part?", {"quantity"}),
        ("What is her e-mail address?", {"e-mail address"}),
        ("What is the address of the secretariat?", {"postal address"}),
        ("What is the alliance's postal address?", {"postal address"}),
        ("How can clusters address the skills gap?", set()),
        ("Who is Frans Timmermans?", {"sentence naming them"}),
        ("who was Ursula von der Leyen", {"sentence naming them"}),
        ("Who is he?", set()),
        ("Where is the secretariat?", {"place"}),
        ("In which city will the assembly meet?", {"place"}),
        ("Quote the sentence where the alliance asks for more money.", set()),
        ("Who should I contact about the skills consultation?", {"contact"}),
        ("Whom can we write to about this paper?", {"contact"}),
        ("Whom should clusters connect small firms with?", set()),
    ],
)
def test_the_kind_of_answer_a_question_wants(question: str, kinds: set[str]) -> None:
    assert {kind.name for kind in wanted_types(question)} == kinds


@pytest.mark.parametrize(
    ("text", "gives"),
    [
        ("The budget amounts to EUR 96,000.", True),
        ("Income was 412,000 euros.", True),
        ("Item: Events; 2021 (EUR): 62,000; Budget 2022 (EUR): 80,000", True),  # a row under its column names
        ("| Events | 62,000 | 80,000 |", False),
        ("The Alliance counts 87 members (EUR area: 20 countries).", False),
    ],
)
def test_an_amount_of_money_is_a_figure_with_its_currency(text: str, gives: bool) -> None:
    [kind] = wanted_types("What is the budget for events?")
    assert kind.given("What is the budget for events?", text) is gives


def test_who_someone_is_is_said_only_by_a_sentence_naming_them() -> None:
    """"Dear Executive Vice-President," is addressed to him, yet doesn't say who he is; the addressee line does."""
    [kind] = wanted_types("Who is Frans Timmermans?")
    assert kind.required
    assert kind.given("Who is Frans Timmermans?", "To the Executive Vice-President, Frans Timmermans")
    assert not kind.given("Who is Frans Timmermans?", "Dear Executive Vice-President,")


def test_an_address_is_given_by_a_street_and_number_or_a_postcode_and_city_not_by_a_year() -> None:
    [kind] = wanted_types("What is the address of the secretariat?")
    assert kind.required
    asked = "What is the address of the secretariat?"
    assert kind.given(asked, "Secretariat of the European Clusters Alliance, Avenue des Arts 56, 1000 Brussels")
    assert kind.given(asked, "Rue de la Loi 170, B-1040 Brussels")
    assert kind.given(asked, "Our office: 10 Downing Street, London")
    assert not kind.given(asked, "- Secretariat: circulate the approved accounts to all members by 4 June 2021.")
    assert not kind.given(asked, "European clusters account for 61.8 million jobs, 2020 European Panorama")


def test_a_count_must_be_of_what_was_asked() -> None:
    sentence = "IoT4Industry consists of 7 European clusters from France, Italy, Germany, Belgium, and the UK."
    assert counts_what_was_asked("How many European clusters make up IoT4Industry?", sentence)
    assert not counts_what_was_asked("How many SMEs took part in IoT4Industry?", sentence)
    # what is counted is the plural noun, not the first word after "how many"
    asked = "How many industrial ecosystems are there?"
    jobs = "“European Panorama of Clusters and Industrial Change”, European clusters account for 122.000.000 jobs."
    assert not counts_what_was_asked(asked, jobs)
    assert counts_what_was_asked(asked, "The next funding program will help the 14 ecosystems to develop projects.")


def test_the_words_of_a_name_asked_about_are_found_only_where_written_as_a_name() -> None:
    question = "What does the alliance want from the Just Transition Fund?"

    def frequencies(terms: Sequence[str]) -> tuple[dict[str, int], int]:
        return {t: 50 if t == "allianc" else 5 for t in terms}, 100  # "alliance" is in half the passages

    fund = "3. reserve part of the technical assistance of the Just Transition Fund for cluster organisations."
    other = "This alliance proposes good practices for the green and digital transition."
    plain = QueryCoverage(question, frequencies)
    assert plain.coverage(other) > plain.coverage(fund)
    named = QueryCoverage(question, frequencies, name_words=frozenset(search_terms("Just Transition Fund")))
    assert named.coverage(fund) == plain.coverage(fund)
    assert named.coverage(other) < named.coverage(fund)
    assert named.coverage(other.replace("transition", "Transition")) == plain.coverage(other)


def test_a_contact_entry_is_one_unit_with_the_name_it_belongs_to() -> None:
    """A phone number or an e-mail address is quoted with the name above it, never on its own, so an answer can't
    show one person's number for another; a sentence or a heading above contact lines stays apart."""
    text = (
        "Contact Info\n\nAnna Example\n\nanna@example.eu\n\nMobile: +32 470 12 34 56\n\nBen Sample\n\n"
        "Tel: +49 30 1234567\n\nWrite to us with any question about this paper.\nEmail: info@example.eu"
    )
    spans = sentence_spans(text)
    assert [s.text for s in spans] == [
        "Contact Info",
        "Anna Example\n\nanna@example.eu\n\nMobile: +32 470 12 34 56",
        "Ben Sample\n\nTel: +49 30 1234567",
        "Write to us with any question about this paper.",
        "Email: info@example.eu",
    ]
    assert all(text[s.start:s.end] == s.text for s in spans)
    assert as_read(spans[1].text) == "Anna Example anna@example.eu Mobile: +32 470 12 34 56"


def test_a_date_inside_a_capitalised_run_is_not_part_of_a_name() -> None:
    assert proper_names("How many attended the May 2021 General Assembly?") == ["General Assembly"]


@pytest.mark.parametrize(
    ("text", "names"),
    [
        ("The Treasurer, Maria Rossi (Italian Cluster Association), presented the accounts.", True),
        ("The application of the Czech National Cluster Association was accepted.", False),
        ("Dear Executive Vice-President,", False),
        ("The President of the European Clusters Alliance opened the meeting.", False),
        ("To the Commissioner for Internal Market Thierry Breton", True),
        ("Feedback from Commissioner Breton", True),
        ("Ursula von der Leyen presented the plan.", True),
        ("John Smith and Frank Walker spoke.", True),
        ("Clusters should be part of the new EU Grand Plan, which is Next Generation, as a hub.", False),
        ("The COVID-19 crisis has seriously impacted the European economy.", False),
        ("EOCIC European Panorama 2020", False),
        ("The Just Transition Fund should keep part of its budget for clusters.", False),
        ("The General Assembly approved the accounts of Reindustria Innovazione.", False),
    ],
)
def test_a_person_is_named_not_only_a_body_or_a_role(text: str, names: bool) -> None:
    """First names from a lexicon of many countries' names, and common English words (WordNet) tell a person's name
    from a plan's or a programme's: "Mark Rutte" is a name, "Just Transition" is not."""
    assert names_a_person(text, "Who is the treasurer of the alliance?") is names


def test_the_name_the_question_gives_is_no_answer_to_it() -> None:
    assert not names_a_person("Thierry Breton highlighted the next steps.", "What did Thierry Breton highlight?")
    assert names_a_person("Thierry Breton highlighted the next steps.", "Who highlighted the next steps?")


def test_control_characters_are_one_idea_for_documents_and_questions() -> None:
    """Tabs and line breaks are text; other C0 characters, DEL and C1 (as PDFs and pasted text carry) are not."""
    from assistant.reading.documents import clean_text
    from assistant.search.conversation import clean_question

    assert clean_text("Clusters\x07 and\x9b SMEs\x7f.\n\nNext\tline.") == "Clusters and SMEs.\n\nNext line."
    assert clean_question("Who\x00 chairs\x1b the\x85 board?", 500) == ("Who chairs the board?", [])



@pytest.mark.parametrize(
    ("text", "says_where"),
    [
        ("A local development agency based in Cremona (Lombardy Region), Italy.", True),
        ("The next General Assembly will take place on 18 November 2021 in Lisbon.", True),
        ("A competitiveness cluster based in the region SUD.", True),
        ("Avenue des Arts 56, 1000 Brussels", True),
        ("Brussels, Belgium", True),
        ("To maintain close and trust-based collaborative relations between companies.", False),
        ("Members should tell the secretariat before 30 June 2021.", False),
        ("The assembly was held in March 2021.", False),
        ("Clusters are key in the Green Deal.", False),
        ("Travel was hard in COVID times.", False),
        ("The 2021 Budget of the COVID-19 Recovery Plan was approved.", False),
    ],
)
def test_a_place_is_a_country_a_name_after_in_at_or_from_or_an_address(text: str, says_where: bool) -> None:
    """"trust-based" does not say where anything is based: a place is a name, not the word "based"."""
    assert names_a_place(text, "Where is it based?") is says_where


@pytest.mark.parametrize(
    ("question", "answered"),
    [
        ("Where is the alliance based?", False),
        ("In which city will the assembly meet?", False),
        ("Quote the sentence where the alliance says clusters matter.", True),
    ],
)
def test_a_where_question_needs_a_place(question: str, answered: bool) -> None:
    assert gives_the_place_asked(question, "Clusters build close and trust-based relations.") is answered
    assert gives_the_place_asked(question, "The alliance is based in Brussels.")


def test_the_place_the_question_gives_is_no_answer_to_it() -> None:
    assert not names_a_place("The alliance has an office in Madrid.", "Where is the alliance's office in Madrid?")
    assert names_a_place("The alliance has an office in Madrid.", "Where is the alliance's office?")


@pytest.mark.parametrize(
    ("question", "text", "named"),
    [
        ("Who is the President?", "Ana Example was re-elected Vice-President.", False),
        ("Who are the presidents?", "Ana Example was re-elected Vice-President.", False),
        ("Who is the alliance's President?", "The co-President, Ana Example, spoke.", False),
        ("Who is the Vice-President?", "The President, Ana Example, welcomed the members.", False),
        ("Who is the Vice-President?", "The President and the Vice-President, Ana Example, spoke.", True),
        ("Who is the President?", "Ana Example, President of the alliance, spoke.", True),
        ("How many votes did the President get?", "Ana Example was elected with 12 votes.", True),
        # a word of meaning before the role may make it the other form ("deputy president"): not judged
        ("Where does the deputy president come from?", "Ana Example was re-elected Vice-President.", True),
    ],
)
def test_a_role_is_named_as_asked_not_as_another_of_its_forms(question: str, text: str, named: bool) -> None:
    assert names_the_role_asked(question, text) is named


@pytest.mark.parametrize(
    ("question", "sentence", "other_years"),
    [
        ("Who presented the accounts for 2021?", "Ana Example presented the accounts for 2020.", True),
        ("Who presented the accounts for 2020?", "Ana Example presented the accounts for 2020.", False),
        ("What is the budget for 2021?", "The budget amounts to EUR 96,000.", False),
        ("What did the members say?", "The accounts for 2020 close with a surplus.", False),
        # a date says when, not what about: a deadline in 2021 may be the one for the 2022 programme
        ("When is the 2022 programme due?", "Members should send it before 30 June 2021.", False),
        ("What was decided on 30 June 2020?", "The budget for 2021 was adopted.", False),
    ],
)
def test_a_sentence_about_other_years_than_asked_is_told_apart(question: str, sentence: str, other_years: bool) -> None:
    assert about_other_years(question, sentence, counting_dates=False) is other_years


@pytest.mark.parametrize(
    ("question", "missing"),
    [
        ("When will the General Assembly in Madrid take place?", {"madrid"}),
        ("Which Spanish association will host the assembly?", {"spain"}),
        ("Which Portuguese association will host the assembly?", set()),
        ("What did the speaker from Lisbon say?", set()),
        ("What do clusters in Europe need?", set()),
        ("In the I3 paper, how many clusters are there? Answer in French.", set()),
        ("How long may an application be in the SMP?", set()),
    ],
)
def test_the_places_a_question_names_that_a_passage_lacks(question: str, missing: set[str]) -> None:
    passage = (
        "The next General Assembly will take place in Lisbon, hosted by the Portuguese association and its European"
        " partners."
    )
    assert places_missing(question, passage) == missing


@pytest.mark.parametrize(
    ("text", "gives"),
    [
        ("Online meeting, 20 May 2021, 10:00–12:30 CET", True),
        ("for the 2021-2027 period", True),
        ("a two-year term", True),
        ("Tuesday 30th June 2020 at 15:00", False),
        ("The budget was approved with 13 votes in favour.", False),
    ],
)
def test_a_span_from_one_time_or_year_to_another_says_how_long(text: str, gives: bool) -> None:
    [duration] = [kind for kind in wanted_types("How long did the meeting last?") if kind.name == "duration"]
    assert duration.given("How long did the meeting last?", text) is gives


TABLE = (
    "Accounts.\n\n| Item | 2021 (EUR) | Budget 2022 (EUR) |\n|---|---|---|\n"
    "| Events | 62,000 | 80,000 |\n| Total | 1 |\n"
)


def test_a_table_row_is_read_under_its_column_names() -> None:
    read = {span.text: reading_of(TABLE, span, 100) for span in sentence_spans(TABLE, offset=100)}
    assert read == {
        "Accounts.": "Accounts.",
        "| Item | 2021 (EUR) | Budget 2022 (EUR) |": "| Item | 2021 (EUR) | Budget 2022 (EUR) |",
        "|---|---|---|": "|---|---|---|",
        "| Events | 62,000 | 80,000 |": "Item: Events; 2021 (EUR): 62,000; Budget 2022 (EUR): 80,000",
        "| Total | 1 |": "| Item | 2021 (EUR) | Budget 2022 (EUR) |\n| Total | 1 |",  # cells not one per column
    }
    table_alone = "| Events | 62,000 | 80,000 |"  # its column names in an earlier passage: read as written
    assert reading_of(table_alone, sentence_spans(table_alone)[0]) == table_alone


SPACED_TABLE = (
    "Key figures\n\nIndicator 2021 2022\nMember associations 15 18\nWebinar participants 1,100 1,950\n\n"
    "Income 61,000\nExpenditure 57,300\nSurplus 3,700\n\nOn 12 October 2022 we met.\nIn 2023 we meet again 2\n"
)


def test_a_row_of_a_table_extracted_from_a_pdf_is_read_under_the_years_naming_its_columns() -> None:
    read = {span.text: reading_of(SPACED_TABLE, span) for span in sentence_spans(SPACED_TABLE)}
    assert read == {
        "Key figures": "Key figures",
        "Indicator 2021 2022": "Indicator 2021 2022",
        "Member associations 15 18": "Indicator: Member associations; 2021: 15; 2022: 18",
        "Webinar participants 1,100 1,950": "Indicator: Webinar participants; 2021: 1,100; 2022: 1,950",
        # no row names the columns: each row is data, read as written
        "Income 61,000": "Income 61,000", "Expenditure 57,300": "Expenditure 57,300", "Surplus 3,700": "Surplus 3,700",
        # two lines ending in figures are no table
        "On 12 October 2022 we met.": "On 12 October 2022 we met.", "In 2023 we meet again 2": "In 2023 we meet again 2",
    }


def test_a_row_of_an_html_table_is_read_under_its_header_cells() -> None:
    table = (
        "<table>\n<tr><th>Cluster</th><th>Label</th></tr>\n<tr><td>Food Valley</td><td><b>Silver</b></td></tr>\n"
        "</table>"
    )
    read = [reading_of(table, span) for span in sentence_spans(table)]
    assert read == [
        "<table>", "<tr><th>Cluster</th><th>Label</th></tr>", "Cluster: Food Valley; Label: Silver", "</table>",
    ]


def test_a_row_is_read_under_column_names_that_each_close_on_a_year() -> None:
    table = "Region Members 2023 Members 2024\nNorthern Europe 41 47\nSouthern Europe 76 84\nTotal 257 285"
    read = [reading_of(table, span) for span in sentence_spans(table)]
    assert read == [
        "Region Members 2023 Members 2024",
        "Region: Northern Europe; Members 2023: 41; Members 2024: 47",
        "Region: Southern Europe; Members 2023: 76; Members 2024: 84",
        "Region: Total; Members 2023: 257; Members 2024: 285",
    ]
    # words between the years that differ name no columns this way
    uneven = "Members 2023 Change since 2024\nNorth 41 47\nSouth 76 84\nTotal 257 285"
    assert [reading_of(uneven, span) for span in sentence_spans(uneven)][1] == "North 41 47"


@pytest.mark.parametrize(
    ("question", "text", "gives"),
    [
        ("On what date will they present it?", "We would present it before the end of the year.", False),
        ("On what date will they present it?", "The next General Assembly will take place on 18 November 2021.", True),
        ("Which day was the call sent?", "Brussels, 27 October 2020", True),
        ("What share of SMEs had started a project?", "68% of their SMEs had started at least one project", True),
        ("What share of the budget should go to clusters?", "reserve part of the technical assistance", False),
        ("What proportion of members voted?", "14 of the 15 member associations were represented", True),
        ("What percentage of firms export?", "their success rates are higher", False),
        ("When will they present it?", "We would present it before the end of the year.", True),  # "when" is not a date
        ("How many jobs do clusters account for?", "almost 122.000.000 jobs", True),
    ],
)
def test_a_date_or_a_share_asked_for_by_name_is_given_only_by_one(question: str, text: str, gives: bool) -> None:
    assert gives_the_figure_asked(question, text) is gives


def test_a_signatory_is_one_unit_with_the_role_signed_under_the_name() -> None:
    # "What is the role of Karin Lindqvist?" found "Karin Lindqvist" and "Secretary General" as two sentences,
    # neither of which answers it.
    text = "We hope to meet you soon.\n\nYours sincerely,\nKarin Lindqvist\nSecretary General\nEuropean Clusters Alliance\n2"
    assert [s.text for s in sentence_spans(text)] == [
        "We hope to meet you soon.", "Yours sincerely,", "Karin Lindqvist\nSecretary General\nEuropean Clusters Alliance",
        "2",
    ]
    # Lines under a heading that names no one stay apart.
    assert len(sentence_spans("Kind regards,\nThe Secretariat\nBrussels")) == 3


def test_a_quotation_is_one_unit_with_the_name_of_whoever_said_it() -> None:
    # "Who said that hydrogen valleys will not scale without SMEs?" was answered with the quotation alone.
    text = '> "Hydrogen valleys will not scale without SMEs." > — Tomasz Wójcik, Clean Hydrogen Partnership\n\nNext.'
    assert [s.text for s in sentence_spans(text)][0].endswith("Tomasz Wójcik, Clean Hydrogen Partnership")
    # A dash opening a sentence that names no one stays a sentence of its own.
    assert [s.text for s in sentence_spans('He said "no." — The end is near.')] == ['He said "no."', "— The end is near."]


def test_a_heading_above_a_sentence_giving_an_address_is_no_contact_name() -> None:
    # The sentence holds an e-mail address, so it was taken for a contact detail and "3. Next steps" for the name it
    # belongs to: heading and sentence were quoted as one, and the heading was no section.
    text = (
        "3. Next steps\n\nThe alliance will discuss these recommendations with the Directorate-General for Defence "
        "Industry and Space at a roundtable on 12 June 2024. Contact: Piotr Zielinski, defence@clustersalliance.eu."
    )
    assert [s.text for s in sentence_spans(text)][:2] == [
        "3. Next steps",
        "The alliance will discuss these recommendations with the Directorate-General for Defence Industry and Space "
        "at a roundtable on 12 June 2024.",
    ]
    # A name above its address stays one entry.
    assert len(sentence_spans("Piotr Zielinski\n\npiotr.zielinski@clustersalliance.eu")) == 1


@pytest.mark.parametrize(("line", "byline"), [
    ("Author: Maria Conti, Policy Officer", True), ("Authors: J. Novak, E. Berg", True),
    ("*Prepared by Jan Novak and Eva Berg*", True), ("Drafted by the Digital Task Force", True),
    ("Written by: Eva Berg", True), ("By Jan Novak", True), ("By the ECA Secretariat", True),
    ("By contrast, the alliance wants more.", False), ("By March 2025 the Commission should adopt the", False),
    ("By 2030 the Union must halve its emissions.", False), ("By the end of April 2024 members will answer.", False),
    ("Authors and contributors", False),
    ("Prepared by the secretariat", True), ("Prepared by hand, the samples were", False),
])
def test_a_byline_names_who_wrote_the_document_and_a_sentence_opening_alike_is_none(line: str, byline: bool) -> None:
    assert is_byline(line) is byline


def test_a_list_of_abbreviations_defines_each_row_whose_long_form_spells_it() -> None:
    rows = "List of abbreviations\n\nCID Clean Industrial Deal\nTRL Technology readiness level\nEU funds matter\n"
    assert [(short, long) for short, long, _ in acronym_definitions(rows)] == [
        ("CID", "Clean Industrial Deal"), ("TRL", "Technology readiness level"),
    ]
