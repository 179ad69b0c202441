"""Quality floors: the real pipeline on both question sets must not fall below what it reached (minus a margin)."""

from pathlib import Path

import pytest

from assistant.pipeline import PolicyAssistant
from assistant.settings import PROJECT_ROOT
from assistant.text.matching import contains_verbatim
from evals.questionset import read_questions
from evals.run import run_questions
from evals.score import corpus_texts, score
from tests.conftest import CORPUS

# The shipped models were fitted on these sets (held-out figures are evals/REPORT.md's): these guard against a change
# that breaks what worked, not a claim about unseen questions. Reached on 2026-12-03 with the models of issue 20
# (dev / questions / holdout): MRR 1.000 / 0.887 / 0.929, accuracy 0.929 / 0.826 / 0.857, cited gold (the answer's or
# the closest passage's quote) 1.000 / 0.899 / 0.911; floors a little below so noise doesn't fail the build.
# 2026-12-04, the answer-type change and the classifier refitted on 552 questions (kept for halving wrong answers on
# the fourth kept-aside set, docs/evaluation.md): MRR 1.000 / 0.894 / 0.929, accuracy 0.857 / 0.754 / 0.839 (more
# questions unsure, their line still quoted), cited gold 1.000 / 0.884 / 0.911; the accuracy floor of `questions`
# follows the trade down, and the harm ceilings below come down with what was reached.
SETS = {
    "dev_questions": {"mrr@10": 0.92, "recall@1": 0.85, "recall@3": 0.95, "answer_accuracy": 0.85,
                      "cited_gold": 0.90, "refusal_accuracy": 0.95},
    "questions": {"mrr@10": 0.86, "recall@1": 0.81, "recall@3": 0.88, "answer_accuracy": 0.73,
                  "cited_gold": 0.86, "refusal_accuracy": 0.90},
    "holdout_questions": {"mrr@10": 0.89, "recall@1": 0.86, "recall@3": 0.92, "answer_accuracy": 0.82,
                          "cited_gold": 0.87, "refusal_accuracy": 0.85},
}
# Harm first: answered wrongly (reached 0.000 / 0.047 / 0.026, now 0.000 / 0.012 / 0.013) and "the documents don't
# say" when they do (0.000 / 0.015 / 0.000, now 0.000 / 0.000 / 0.000).
CEILINGS = {
    "dev_questions": {"wrong_answer_rate": 0.05, "false_absence_rate": 0.05},
    "questions": {"wrong_answer_rate": 0.04, "false_absence_rate": 0.03},
    "holdout_questions": {"wrong_answer_rate": 0.04, "false_absence_rate": 0.03},
}


@pytest.fixture(scope="module")
def scored(corpus_assistant: PolicyAssistant) -> dict[str, dict]:
    outcome = {}
    for name in SETS:
        questions = read_questions(PROJECT_ROOT / "evals" / f"{name}.jsonl")
        results = list(run_questions(corpus_assistant, questions))
        outcome[name] = {"metrics": score(questions, results, CORPUS), "results": results}
    return outcome


@pytest.mark.parametrize("name", sorted(SETS))
def test_metrics_stay_above_their_floors(scored: dict[str, dict], name: str) -> None:
    metrics = scored[name]["metrics"]
    below = {k: (metrics[k], floor) for k, floor in SETS[name].items() if metrics[k] < floor}
    above = {k: (metrics[k], ceiling) for k, ceiling in CEILINGS[name].items() if metrics[k] > ceiling}
    assert not below and not above, f"{name}: below floor {below}, above ceiling {above}"


@pytest.mark.parametrize("name", sorted(SETS))
def test_every_citation_quote_is_verbatim_text_of_its_document(
    scored: dict[str, dict], name: str, corpus_assistant: PolicyAssistant
) -> None:
    citations = [c for r in scored[name]["results"] for c in r["citations"]]
    assert citations
    for citation in citations:
        stored = corpus_assistant.document_text(citation["source"])
        assert stored is not None and stored[citation["start"]:citation["end"]] == citation["quote"]
    assert scored[name]["metrics"]["quotes_verbatim"] == 1.0


@pytest.mark.parametrize("name", sorted(SETS))
def test_each_outcome_carries_the_citations_it_promises(scored: dict[str, dict], name: str) -> None:
    """Answered: at least one citation; unsure: exactly the closest sentence, quoted in the text, without claiming
    the documents are silent; declined: none. ``answerable`` is true for answered only."""
    outcomes = {r["outcome"] for r in scored[name]["results"]}
    assert "answered" in outcomes and outcomes <= {"answered", "unsure", "declined"}
    for result in scored[name]["results"]:
        assert result["answerable"] == (result["outcome"] == "answered")
        if result["outcome"] == "answered":
            assert result["citations"]
        elif result["outcome"] == "unsure":
            assert len(result["citations"]) <= 1 and "The documents don't say" not in result["answer"]
            assert all(c["quote"] in result["answer"] for c in result["citations"])
        else:
            assert result["citations"] == [] and result["answer"].startswith("The documents don't say")


def test_every_gold_snippet_is_verbatim_corpus_text() -> None:
    corpus = corpus_texts(CORPUS)
    for name in SETS:
        for question in read_questions(Path(PROJECT_ROOT / "evals" / f"{name}.jsonl")):
            for gold in question["gold_passages"]:
                assert any(contains_verbatim(text, gold) for text in corpus), f"{question['id']}: {gold!r}"


def test_our_question_set_covers_every_kind_with_at_least_80_questions() -> None:
    questions = read_questions(PROJECT_ROOT / "evals" / "questions.jsonl")
    assert len(questions) >= 80
    kinds = {q["kind"] for q in questions}
    assert kinds >= {"fact", "figure", "paraphrase", "conflict", "quote", "followup", "unanswerable", "injection"}


def test_a_definition_question_starts_with_the_definition_then_the_differing_figures(corpus_assistant: PolicyAssistant) -> None:
    text = corpus_assistant.ask("What is the European Clusters Alliance?").answer.text
    assert text.startswith("The European Clusters Alliance is a bottom-up initiative"), text[:120]
    assert text.index("different figures") > text.index("[1]"), "the answer comes first, the other figures after"


def test_conflicting_figures_are_reported_with_both_documents(corpus_assistant: PolicyAssistant) -> None:
    result = corpus_assistant.ask("How many clusters does the European Clusters Alliance represent?")
    text = result.answer.text
    assert "740" in text and "700" in text and "different figures" in text
    sources = {c.source for c in result.answer.citations}
    assert "industrial-clusters-for-an-innovative-and-competitive-europe.txt" in sources and len(sources) >= 2


@pytest.mark.parametrize("name", sorted(SETS))
def test_every_number_in_an_answer_appears_in_what_it_cites(scored: dict[str, dict], name: str) -> None:
    from assistant.answering.citations import ungrounded_numbers

    for result in scored[name]["results"]:
        if result["answerable"]:
            grounding = [c["quote"] for c in result["citations"]] + [f"{c['title']} {c['date'] or ''}" for c in result["citations"]]
            assert ungrounded_numbers(result["answer"], grounding) == [], result["id"]
