"""Three honest outcomes: ``answered`` (cited), ``unsure`` (the closest sentence quoted and cited, no claim that the
documents are silent) and ``declined`` (only on evidence of absence), on the real pipeline and the real corpus."""

import subprocess
import sys
from dataclasses import replace
from pathlib import Path

import pytest

from assistant.answering.extractive import ExtractiveAnswerer
from assistant.answering.outcomes import DECLINE_PREFIX, UNSURE_PREFIX
from assistant.index.embeddings import LocalEmbeddings
from assistant.index.ingestion import Ingestor
from assistant.pipeline import PolicyAssistant
from assistant.settings import Settings

pytestmark = pytest.mark.slow


@pytest.fixture
def never_sure(corpus_assistant: PolicyAssistant, monkeypatch: pytest.MonkeyPatch) -> PolicyAssistant:
    """The real assistant with a decline model that never finds the evidence strong enough to answer, and no floor:
    what it says then depends only on whether there is evidence of absence."""
    answerer = corpus_assistant.answerer
    assert isinstance(answerer, ExtractiveAnswerer)
    monkeypatch.setattr(answerer, "decline_model", replace(answerer.decline_model, threshold=1.0, floor=0.0))
    return corpus_assistant


def test_an_answer_has_the_answered_outcome_in_the_json(corpus_assistant: PolicyAssistant) -> None:
    result = corpus_assistant.ask("Who moderated the session with Commissioner Breton?")
    payload = result.to_json("q1")
    assert payload["outcome"] == "answered" and payload["answerable"] is True
    assert "Jilkova" in payload["answer"] and payload["citations"]


def test_weak_evidence_without_evidence_of_absence_is_unsure_and_quotes_the_closest_sentence(never_sure: PolicyAssistant) -> None:
    result = never_sure.ask("Who moderated the session with Commissioner Breton?")
    answer = result.answer
    assert answer.outcome == "unsure" and not answer.answerable
    assert answer.text.startswith(UNSURE_PREFIX) and DECLINE_PREFIX not in answer.text
    [citation] = answer.citations
    assert "Jilkova" in citation.quote and citation.quote in answer.text
    stored = never_sure.document_text(citation.source)
    assert stored is not None and stored[citation.start:citation.end] == citation.quote, "the quote is verified"
    payload = result.to_json()
    assert payload["outcome"] == "unsure" and payload["answerable"] is False and payload["citations"]


def test_the_closest_offered_is_a_sentence_rather_than_the_date_line_unless_a_date_is_asked(
    never_sure: PolicyAssistant,
) -> None:
    """The minutes' date line scores high on "June 2020" but tells a reader asking who spoke nothing."""
    who = never_sure.ask("Who spoke for the French digital cluster in the June 2020 dialogue?").answer
    assert who.outcome == "unsure"
    assert "June 2020 at 15:00" not in who.citations[0].quote
    assert "Marielle Campanella" in who.citations[0].quote
    when = never_sure.ask("At what time did the June 2020 dialogue start?").answer
    assert when.outcome == "unsure" and "15:00" in when.citations[0].quote


@pytest.mark.parametrize(
    ("question", "evidence"),
    [
        ("What is the alliance's position on the Digital Services Act?", "no document mentions “Digital Services Act”"),
        ("Who moderated the session with Commissioner Breton in 2023?", "don't mention 2023"),
    ],
    ids=["unknown-name", "absent-year"],
)
def test_a_decline_claims_absence_only_with_its_evidence(never_sure: PolicyAssistant, question: str, evidence: str) -> None:
    answer = never_sure.ask(question).answer
    assert answer.outcome == "declined" and answer.citations == []
    assert answer.text.startswith(DECLINE_PREFIX) and evidence in answer.text


def test_a_name_spelt_the_other_side_of_the_atlantic_is_still_mentioned(corpus_assistant: PolicyAssistant) -> None:
    """The papers write "Single market program"; a reader asking about the "Single Market Programme" is answered."""
    answer = corpus_assistant.ask("What does the alliance say about the Single Market Programme?").answer
    assert answer.outcome == "answered" and "no document mentions" not in answer.text
    assert any("Single market program" in citation.quote for citation in answer.citations)


def test_what_an_acronym_stands_for_is_answered_only_by_a_sentence_that_writes_it_out(
    corpus_assistant: PolicyAssistant,
) -> None:
    """The documents write out EAAC and REI but only ever use "ECA": a sentence that merely uses it is no answer,
    however sure the classifier is of it."""
    expanded = corpus_assistant.ask("What does EAAC stand for?").answer
    assert expanded.outcome == "answered" and "Alliance Against Coronavirus" in expanded.text
    assert "Reindustria Innovazione" in corpus_assistant.ask("What does REI stand for?").answer.text
    never_written_out = corpus_assistant.ask("What does ECA stand for?").answer
    assert never_written_out.outcome == "unsure", never_written_out.text
    assert never_written_out.citations and "ECA" in never_written_out.citations[0].quote


def test_who_holds_a_role_is_answered_by_the_line_naming_them_alone(corpus_assistant: PolicyAssistant) -> None:
    """The recovery paper's addressee line ("To the Commissioner for Internal Market Thierry Breton") is the answer,
    although it is the section's heading; the sentences around it, which name no one, are not quoted with it."""
    answer = corpus_assistant.ask("Who is the Commissioner for the Internal Market?").answer
    assert answer.outcome == "answered", answer.text
    assert [citation.quote for citation in answer.citations] == ["To the Commissioner for Internal Market Thierry Breton"]


def test_a_plan_named_in_capitals_is_not_taken_for_the_person_asked_about(corpus_assistant: PolicyAssistant) -> None:
    """No document names the Commission's president; "the new EU Grand Plan, which is Next Generation" names no one,
    so the sentence holding it is no answer."""
    answer = corpus_assistant.ask("Who is the president of the European Commission?").answer
    assert answer.outcome != "answered", answer.text


def test_a_sentence_naming_no_place_does_not_say_where(corpus_assistant: PolicyAssistant) -> None:
    """No document says where the alliance is based: "close and trust-based collaborative relations" shares a word
    with the question and says nothing of a place."""
    answer = corpus_assistant.ask("Where is the alliance based?").answer
    assert answer.outcome != "answered", answer.text


def test_where_something_is_based_is_answered_by_the_sentence_naming_the_place(
    corpus_assistant: PolicyAssistant,
) -> None:
    answer = corpus_assistant.ask("Where is Reindustria Innovazione based?").answer
    assert answer.outcome == "answered" and "Cremona" in answer.text, answer.text


@pytest.fixture
def sure_classifier(corpus_assistant: PolicyAssistant, monkeypatch: pytest.MonkeyPatch) -> PolicyAssistant:
    """The corpus assistant with an answer classifier sure of every answer: what still keeps one back is a check after
    the classifier."""
    answerer = corpus_assistant.answerer
    monkeypatch.setattr(answerer, "decline_model", replace(answerer.decline_model, threshold=0.0, floor=0.0))
    return corpus_assistant


def test_a_sentence_without_the_kind_of_answer_required_is_not_an_answer_however_sure_the_classifier(
    sure_classifier: PolicyAssistant,
) -> None:
    assert sure_classifier.ask("What does EAAC stand for?").answer.outcome == "answered"
    assert sure_classifier.ask("What does ECA stand for?").answer.outcome == "unsure"


def test_who_someone_is_is_answered_by_a_sentence_naming_them_however_sure_the_classifier(
    sure_classifier: PolicyAssistant,
) -> None:
    answer = sure_classifier.ask("Who is Teodora Jilkova?").answer
    assert answer.outcome == "answered" and "moderator Teodora Jilkova" in answer.text, answer.text
    assert all("Jilkova" in citation.quote for citation in answer.citations)


def test_a_passage_that_does_not_name_the_place_asked_about_does_not_answer_however_sure_the_classifier(
    sure_classifier: PolicyAssistant,
) -> None:
    """IoT4Industry's clusters come "from France, Italy, Germany, Belgium, and the UK": the sentence answers how many
    come from Italy, not how many come from Spain."""
    italian = sure_classifier.ask("Do Italian clusters take part in IoT4Industry?").answer
    assert italian.outcome == "answered" and "Italy" in italian.text, italian.text
    spanish = sure_classifier.ask("Do Spanish clusters take part in IoT4Industry?").answer
    assert spanish.outcome == "unsure", spanish.text


def test_nothing_relevant_enough_under_the_fitted_floor_is_declined(
    corpus_assistant: PolicyAssistant, monkeypatch: pytest.MonkeyPatch
) -> None:
    answerer = corpus_assistant.answerer
    monkeypatch.setattr(answerer, "decline_model", replace(answerer.decline_model, threshold=1.0, floor=1.0))
    answer = corpus_assistant.ask("Who moderated the session with Commissioner Breton?").answer
    assert answer.outcome == "declined" and answer.citations == []


def test_the_shipped_floor_sits_under_the_threshold() -> None:
    from assistant.search.ranker import LinearModel
    from assistant.settings import DECLINE_PATH

    shipped = LinearModel.load(DECLINE_PATH)
    assert 0.0 < shipped.floor <= shipped.threshold < 1.0
    assert {"likelihood_gain", "likelihood_low_gain"} <= set(shipped.features)


def test_a_document_indexed_by_another_process_is_known_to_the_next_question(
    settings: Settings, embeddings: LocalEmbeddings
) -> None:
    """Whatever the decline checks read (names no document mentions, word frequencies) follows the index."""
    assert Ingestor(settings, embeddings).run().ok
    assistant = PolicyAssistant(settings, embeddings)
    question = "Where will the Nordic Hydrogen Valley Forum take place?"
    before = assistant.ask(question).answer
    assert before.outcome == "declined" and "no document mentions" in before.text
    (settings.corpus_dir / "forum.md").write_text(
        "# Nordic Hydrogen Valley Forum\n\nThe Nordic Hydrogen Valley Forum will take place in Tampere on "
        "4 March 2027, hosted by the Finnish cluster association.\n"
    )
    command = [sys.executable, "-m", "assistant", "--data-dir", str(settings.data_dir), "ingest", str(settings.corpus_dir)]
    subprocess.run(command, check=True, capture_output=True, cwd=Path(__file__).parent.parent)
    after = assistant.ask(question).answer
    assert after.outcome == "answered" and "Tampere" in after.text
    (settings.corpus_dir / "forum.md").unlink()
    assert Ingestor(settings, embeddings).run().ok  # in this process this time
    again = assistant.ask(question).answer
    assert again.outcome == "declined" and "no document mentions" in again.text


def test_a_decline_repeats_a_long_question_shortened() -> None:
    from assistant.answering.outcomes import TOPIC_CHARS, decline

    pasted = "What does the alliance say about " + "clusters, regions and ecosystems " * 20
    text = decline(pasted).text
    assert "What does the alliance say about clusters" in text and " …”" in text
    assert len(text) < TOPIC_CHARS + 120


def test_a_year_the_question_names_is_looked_for_before_a_close_sentence_about_another(
    tmp_path: Path, embeddings: LocalEmbeddings, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A date from a 2021 work plan is a close contender for "when … according to the 2020 dialogue?"; the sentence
    of the 2020 minutes answers, so the question is not declined for a year the first contender's passage lacks.
    Invented documents; the classifier set never to be sure, so only the evidence of absence decides."""
    corpus = tmp_path / "corpus"
    corpus.mkdir()
    (corpus / "dialogue-minutes-2020-06-30.md").write_text(  # dated by its name
        "# Dialogue between the Commissioner and the network\n\n## Conclusions\n\n"
        "- Recovery plans: cluster associations must be part of the recovery plans of the Member States, which the "
        "Member States will present to the Commission in the last quarter of this year.\n"
        "- Digital clusters: meetings can move online when travel is impossible.\n"
    )
    (corpus / "work-plan.md").write_text(
        "# Work plan of the network\n\nAdopted on 20 May 2021\n\n## Task force\n\nA task force on batteries will be "
        "set up by the Member States' associations. Members wishing to join it should tell the secretariat before "
        "30 June 2021.\n"
    )
    settings = Settings(corpus_dir=corpus, data_dir=tmp_path / "data")
    assert Ingestor(settings, embeddings).run().ok
    assistant = PolicyAssistant(settings, embeddings)
    try:
        answerer = assistant.answerer
        assert isinstance(answerer, ExtractiveAnswerer)
        monkeypatch.setattr(answerer, "decline_model", replace(answerer.decline_model, threshold=1.0, floor=0.0))
        answer = assistant.ask(
            "When will the Member States hand their recovery plans to the Commission, according to the 2020 dialogue?"
        ).answer
        assert answer.outcome == "unsure" and "last quarter of this year" in answer.text, answer.text
        declined = assistant.ask("When will the Member States hand their recovery plans over in 2023?").answer
        assert declined.outcome == "declined" and "2023" in declined.text
    finally:
        assistant.store.close()
