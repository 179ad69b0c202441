"""Claim checking on the model path, through the real HTTP protocol (the loopback OpenAI-compatible server):
faithful answers in English, French, German, Spanish and Italian are shown with citations; a name, figure or
date swapped for another of the same passage or title never is. Questions in other languages are rewritten
into English for retrieval by the model, and answered offline with a notice in their language."""

from collections.abc import Callable

import pytest

from assistant.answering.claims import ClaimChecker, figures, negated, swapped_role
from assistant.answering.language import detect_language
from assistant.answering.prompting import REWRITE_PROMPT
from assistant.index.embeddings import LocalEmbeddings
from assistant.pipeline import PolicyAssistant
from assistant.settings import Settings
from tests.fake_openai import Behaviour, FakeOpenAI, passage_texts

OPENING = "Commissioner Thierry Breton was invited by the moderator Teodora Jilkova to open the session."
CLOSING = "The concluding remarks were drawn by Jean-Luc Beylat, President of AFPC:"
JOBS = "European clusters account for 61.8 million jobs, equivalent to 23.4% of total European employment"


@pytest.fixture
def model_assistant(corpus_settings: Settings, corpus_assistant: PolicyAssistant, embeddings: LocalEmbeddings, fake: FakeOpenAI) -> PolicyAssistant:
    settings = corpus_settings.with_overrides(
        openai_api_key=fake.api_key, openai_base_url=fake.base_url, openai_model=fake.model,
        openai_timeout_s=5.0, openai_max_retries=1,
    )
    return PolicyAssistant(settings, embeddings)


def scripted(english_question: str, answer: Callable[[int], str], holding: str) -> Behaviour:
    """A model that rewrites any question into ``english_question`` and answers with ``answer(n)``, n being the
    number of the passage that holds ``holding`` (the same behaviour for every request)."""
    def reply(request: dict) -> str:
        if request["messages"][0]["content"] == REWRITE_PROMPT:
            return english_question
        passages = passage_texts(request)
        return answer(next((n for n, text in passages.items() if holding in text), 0))
    return Behaviour(reply=reply)


FAITHFUL = [
    ("Who moderated the dialogue with Commissioner Breton?", "Who moderated the dialogue with Commissioner Breton?",
     lambda n: f'Teodora Jilkova moderated the session [{n}: "invited by the moderator Teodora Jilkova"].'),
    ("Qui a modéré le dialogue avec le commissaire Breton ?", "Who moderated the dialogue with Commissioner Breton?",
     lambda n: f'La session a été modérée par Teodora Jilkova, qui a invité le commissaire Thierry Breton à l\'ouvrir [{n}: "{OPENING}"].'),
    ("Wer hat den Dialog mit Kommissar Breton moderiert?", "Who moderated the dialogue with Commissioner Breton?",
     lambda n: f'Die Sitzung wurde von Teodora Jilkova moderiert [{n}: "{OPENING}"].'),
    ("¿Cuántos empleos representan los clústeres europeos?", "How many jobs do European clusters account for?",
     lambda n: f'Los clústeres europeos representan 61,8 millones de empleos, el 23,4 % del empleo total [{n}: "{JOBS}"].'),
    ("Quanti posti di lavoro rappresentano i cluster europei?", "How many jobs do European clusters account for?",
     lambda n: f'I cluster europei rappresentano 61,8 milioni di posti di lavoro [{n}: "{JOBS}"].'),
]


@pytest.mark.parametrize(("question", "english", "answer"), FAITHFUL, ids=["en", "fr", "de", "es", "it"])
def test_a_faithful_answer_in_the_questions_language_is_shown_with_its_citation(
    model_assistant: PolicyAssistant, fake: FakeOpenAI, question: str, english: str, answer: Callable[[int], str]
) -> None:
    fake.default = scripted(english, answer, "Teodora Jilkova to open" if "Breton" in english else "61.8 million")
    result = model_assistant.ask(question)
    assert result.answer.answerable and result.answer.citations, result.answer.notices
    assert result.standalone_question == english
    citation = result.answer.citations[0]
    stored = model_assistant.document_text(citation.source)
    assert stored is not None and stored[citation.start:citation.end] == citation.quote
    assert ("Teodora Jilkova" in citation.quote) or ("61.8 million" in citation.quote)
    assert result.answer.text.split(" [")[0] in answer(1)


UNFAITHFUL = [
    ("name from the title", "Who gave the concluding remarks?",
     lambda n: f'The closing remarks were given by Commissioner Thierry Breton [{n}: "{CLOSING}"].', "name", CLOSING),
    ("name from the title, plain marker", "Who gave the concluding remarks?",
     lambda n: f"The closing remarks were given by Commissioner Thierry Breton [{n}].", "Breton", CLOSING),
    ("figure", "How many jobs do European clusters account for?",
     lambda n: f'European clusters account for 68.1 million jobs [{n}: "{JOBS}"].', "figure", JOBS),
    ("unit", "How many jobs do European clusters account for?",
     lambda n: f'European clusters account for 61.8 billion jobs [{n}: "{JOBS}"].', "figure", JOBS),
    ("figure in French", "How many jobs do European clusters account for?",
     lambda n: f'Les clusters représentent 23,4 % et 68,1 millions d\'emplois [{n}: "{JOBS}"].', "figure", JOBS),
    ("year", "Who opened the session with Commissioner Breton?",
     lambda n: f'In 2021, Commissioner Thierry Breton was invited to open the session [{n}: "{OPENING}"].', "figure", OPENING),
    ("roles swapped inside the sentence", "Who moderated the session with Commissioner Breton?",
     lambda n: f'The session was moderated by Commissioner Thierry Breton [{n}: "{OPENING}"].', "gives “moderated”", OPENING),
    ("negation", "Who opened the session with Commissioner Breton?",
     lambda n: f'Commissioner Thierry Breton was not invited to open the session [{n}: "{OPENING}"].', "opposite", OPENING),
    ("invented clause", "Who opened the session with Commissioner Breton?",
     lambda n: f'Commissioner Thierry Breton opened the session and announced a new funding programme for every cluster manager [{n}: "{OPENING}"].',
     "doesn't support", OPENING),
    ("words not in the passage", "Who moderated the session with Commissioner Breton?",
     lambda n: f'Teodora Jilkova moderated [{n}: "Teodora Jilkova chaired the whole meeting"].', "aren't in passage", OPENING),
]


@pytest.mark.parametrize(("kind", "english", "answer", "reason", "holding"), UNFAITHFUL, ids=[u[0] for u in UNFAITHFUL])
def test_a_swapped_name_figure_or_date_is_never_shown_with_a_citation(
    model_assistant: PolicyAssistant, fake: FakeOpenAI, kind: str, english: str, answer: Callable[[int], str],
    reason: str, holding: str,
) -> None:
    fake.default = scripted(english, answer, holding)
    result = model_assistant.ask(english)
    assert any(holding in text for text in passage_texts(fake.requests[-1]).values()), "the passage the claim is checked against was in the prompt"
    wrong = answer(1).split(" [")[0]
    assert wrong not in result.answer.text
    assert all(wrong not in citation.quote for citation in result.answer.citations)
    assert any(reason in notice for notice in result.answer.notices), result.answer.notices


def test_a_non_english_question_offline_is_answered_from_its_english_words_or_says_so_in_its_language(
    corpus_assistant: PolicyAssistant,
) -> None:
    for question in ("Qui a modéré le dialogue avec le commissaire Breton ?", "Wer hat die Sitzung mit Kommissar Breton moderiert?"):
        result = corpus_assistant.ask(question)
        assert result.answer.outcome == "answered" and "Jilkova" in result.answer.text, "its English words answer it"
        assert any(n.startswith("Searched in English word by word") for n in result.notices)
    unsure = corpus_assistant.ask("Quelle est la position de l'alliance sur l'énergie nucléaire ?")
    assert unsure.answer.outcome == "unsure" and len(unsure.answer.citations) == 1, "the closest sentence, not an answer"
    assert unsure.answer.text.startswith("Cet assistant répond hors ligne en anglais uniquement")
    assert "The closest is: “" in unsure.answer.text and unsure.passages
    assert "OPENAI_API_KEY" not in unsure.answer.text, "the reader cannot configure the server"


def test_english_questions_full_of_names_stay_english() -> None:
    for question in ("Who is Teodora Jilkova?", "What is the I3 initiative?", "EAAC?", "Who spoke?", "And the budget?"):
        assert detect_language(question) == "en", question
    assert detect_language("Kto prowadził sesję z komisarzem Bretonem?") == "pl"


def test_figures_compare_across_decimal_conventions_magnitudes_and_units() -> None:
    assert [(f.value, f.unit) for f in figures("61,8 millions d'emplois, soit 23,4 %")] == [(61_800_000, None), (23.4, "%")]
    assert figures("EUR 96,000")[0].value == figures("96 000 euros")[0].value == figures("96.000 EUR")[0].value
    assert figures("almost 122.000.000 jobs")[0].value == figures("122 million jobs")[0].value
    assert figures("a two-year term")[0].unit == "year" and figures("a two-month term")[0].unit == "month"
    assert ClaimChecker.unmatched_figures("The budget is USD 96,000.", "The budget amounts to EUR 96,000.") == ["96,000 USD"]
    assert ClaimChecker.unmatched_figures("Le budget est de 96 000 EUR.", "The budget amounts to EUR 96,000.") == []


def test_names_match_inflections_and_acronyms_but_not_other_names() -> None:
    checker = ClaimChecker()
    evidence = "Krzysztof Krystowski, from Silesian Aviation Cluster, is the vice-president of ECA."
    assert checker.unmatched_names("The European Clusters Alliance's vice-president is Krzysztof Krystowski.", evidence, "", True) == []
    assert checker.unmatched_names("Wiceprezesem jest Krzysztof Krystowski.", evidence, "", False) == []
    assert checker.unmatched_names("The vice-president of ECA is Antonio Novo Guerrero.", evidence, "", True) == ["Antonio", "Novo", "Guerrero"]
    swapped = "IoT4Industry has 4 clusters from the digital sector and 3 from industrial sectors."
    iot = "IoT4Industry consists of 7 European clusters: 3 from the digital sector and 4 from industrial sectors."
    assert swapped_role(swapped, iot, set()) == "industrial"
    assert swapped_role("IoT4Industry has 3 clusters from the digital sector.", iot, set()) is None
    assert swapped_role("Teodora Jilkova moderated the session and invited Commissioner Thierry Breton to open it.", OPENING, set()) is None
    assert negated("n'a pas été atteint") and negated("nie zostało osiągnięte") and not negated("without cluster support")
