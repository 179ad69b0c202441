"""Starter questions for a new member, made from what is indexed (document titles and kinds, the glossary's
defined acronyms and programmes), and kept only if the offline answerer answers them with a citation: on any
corpus the starters are questions its documents answer, and none is copied from an evaluation set."""

from __future__ import annotations

from collections.abc import Iterator

from assistant.pipeline import PolicyAssistant

QUESTION_FOR_KIND = {
    "position paper": "What does “{title}” call for?",
    "annex": "What does “{title}” call for?",
    "minutes": "What was discussed at “{title}”?",
}
OTHER_KIND = "What is “{title}” about?"


def candidate_questions(assistant: PolicyAssistant) -> Iterator[str]:
    """One question per document (newest first), then per defined acronym and per programme, interleaved so
    that a few starters cover different kinds of question."""
    documents = sorted(assistant.documents(), key=lambda d: d.info.date or "", reverse=True)
    by_title = [QUESTION_FOR_KIND.get(d.info.kind, OTHER_KIND).format(title=d.info.title) for d in documents]
    glossary = assistant.store.glossary()
    acronyms = [f"What does {e.term} stand for?" for e in glossary if e.kind == "acronym" and e.expansion]
    programmes = [f"What is the {e.term}?" for e in glossary if e.kind == "programme"]
    for position in range(max(len(by_title), len(acronyms), len(programmes))):
        for group in (by_title, acronyms, programmes):
            if position < len(group):
                yield group[position]


def starter_questions(assistant: PolicyAssistant, limit: int = 5, tries: int = 12) -> list[str]:
    """Up to ``limit`` candidates the offline answerer answers (outcome "answered", with a citation), in candidate
    order; no model is called, whatever answers in the chat."""
    chosen: list[str] = []
    for tried, question in enumerate(candidate_questions(assistant)):
        if len(chosen) == limit or tried == tries:
            break
        answer = assistant.offline_answer(question)
        if answer.outcome == "answered" and answer.citations:
            chosen.append(question)
    return chosen
