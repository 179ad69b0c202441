"""Streamlit views of the chat app: answers with citation cards, source viewer, passages, glossary, working set.

``app.py`` lays these out; they hold no state of their own beyond ``st.session_state``.
"""

from __future__ import annotations

import html
import uuid
from urllib.parse import urlencode, urlsplit, urlunsplit
from collections.abc import Callable, Sequence
from datetime import datetime
from functools import lru_cache
from typing import Any

import streamlit as st

from assistant.answering.citations import Citation
from assistant.answering.outcomes import NOTHING_INDEXED
from assistant.answering.references import QuoteNotVerified, VerifiedQuote, verify_citation, verify_quote
from assistant.errors import AssistantError
from assistant.pipeline import AskResult, PolicyAssistant
from assistant.records.database import open_records
from assistant.ui.export import ExportEntry, quote_entry, to_docx, to_markdown
from assistant.ui.starters import starter_questions as starter_questions_for
from assistant.ui.render import (
    answer_markdown, escape_markdown, passage_label, passage_with_quote_highlighted, quote_markdown, readable_text,
)
from assistant.search.retrieval import Passage, SearchFilters

DOCX_MIME = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"
ANSWER_PARAMETER = "answer"
"""The address parameter of an answer's permalink."""


def state() -> Any:
    session = st.session_state
    session.setdefault("turns", [])
    session.setdefault("working_set", [])
    session.setdefault("viewer", None)
    session.setdefault("copied", {})
    session.setdefault("pending_question", None)
    session.setdefault("answer_links", {})
    session.setdefault("conversation", uuid.uuid4().hex)
    return session


def reference_style() -> str:
    return "footnote" if st.session_state.get("reference_style", "Footnote (Markdown)").startswith("Footnote") else "plain"


# --- onboarding -----------------------------------------------------------------------------------

def knowledge_card(assistant: PolicyAssistant) -> None:
    documents = assistant.documents()
    with st.container(border=True):
        st.markdown(f"**What this assistant knows:** {len(documents)} documents, {assistant.chunk_count()} passages")
        for d in documents:
            st.markdown(
                f"- {escape_markdown(d.info.title)} · *{escape_markdown(d.info.kind)}* · "
                f"{escape_markdown(d.info.date or 'undated')}"
            )


@lru_cache(maxsize=8)
def _starters(assistant: PolicyAssistant, signature: tuple[int, int, str]) -> list[str]:
    return starter_questions_for(assistant)


def starter_questions(assistant: PolicyAssistant) -> None:
    """Questions the indexed documents answer, as pills: they wrap, so every question is shown whole at any width.
    Made again only when the documents change."""
    questions = _starters(assistant, assistant.store.content_signature())
    if questions:
        st.pills("New here? Try one of these:", questions, key="starter", on_change=ask_starter_question)


def ask_starter_question() -> None:
    state().pending_question = st.session_state.starter
    st.session_state.starter = None


def open_source(citations: Sequence[Citation], index: int) -> None:
    """Button callback: the source viewer opens over whatever tab the reader is on."""
    st.session_state.viewer = {"citations": list(citations), "index": index}


# --- quotes leaving the app -------------------------------------------------------------------------

def quote_actions(assistant: PolicyAssistant, key: str, quote: VerifiedQuote | None, error: str | None) -> None:
    """Copy (verified now, with its reference) and collect buttons for one quote."""
    session = state()
    left, right = st.columns(2)
    if left.button("Copy with reference", key=f"copy-{key}", icon=":material/content_copy:"):
        session.copied[key] = True
    if right.button("Add to working set", key=f"collect-{key}", icon=":material/playlist_add:"):
        if quote is not None and all(q.quote != quote.quote or q.source != quote.source for q in session.working_set):
            session.working_set.append(quote)
            st.toast("Added to the working set")
    if session.copied.get(key):
        if quote is None:
            st.error(f"Not copied: {error}")
        else:
            st.code(quote.formatted(reference_style()), language=None, wrap_lines=True)
            st.caption(f"Verified against the stored document at {quote.checked_at} — use the copy icon.")


def citation_card(assistant: PolicyAssistant, citation: Citation, citations: Sequence[Citation], key: str) -> None:
    """A source card: reference, the quoted words, actions; the whole passage on demand."""
    with st.container(border=True):
        st.markdown(f"**[{citation.n}]** {escape_markdown(citation.reference())}")
        st.markdown(quote_markdown(citation.quote))
        if citation.passage:
            with st.expander("Whole passage"):
                st.markdown(passage_with_quote_highlighted(citation.passage, citation.quote))
        st.button("Open in source", key=f"open-{key}", icon=":material/description:",
                  on_click=open_source, args=(citations, citations.index(citation)))
        try:
            quote, error = verify_citation(citation, assistant.document_text, assistant.settings.organisation), None
        except QuoteNotVerified as exc:
            quote, error = None, str(exc)
        quote_actions(assistant, key, quote, error)


# --- answers ------------------------------------------------------------------------------------------

OUTCOME_LABELS = {
    "answered": ("Answered from the documents", "green"),
    "unsure": ("Unsure: the closest passage, not a confirmed answer", "orange"),
    "declined": ("The documents don't say", "gray"),
    "nothing indexed": ("No documents to answer from", "gray"),
}


def answer_view(assistant: PolicyAssistant, result: AskResult, index: int, read_only: bool = False) -> None:
    """One answer with its sources; unless read only (a shared answer), its permalink and the feedback controls."""
    nothing_indexed = result.answer.text.startswith(NOTHING_INDEXED)
    label, color = OUTCOME_LABELS["nothing indexed" if nothing_indexed else result.answer.outcome]
    st.badge(label, color=color)
    st.markdown(answer_markdown(result.answer.text))
    for notice in result.notices + result.answer.notices:
        st.info(notice)
    if result.answer.citations:
        st.caption("Closest passage" if result.answer.unsure else "Sources")
        for citation in result.answer.citations:
            citation_card(assistant, citation, result.answer.citations, f"a{index}-c{citation.n}")
    elif result.passages:
        st.caption("Closest passages")
        for passage in result.passages[:3]:
            chunk = passage.chunk
            with st.expander(passage_label(chunk.title, chunk.section, chunk.text)):
                st.markdown(escape_markdown(readable_text(chunk.text)))
    if not read_only:
        share_button(state().answer_links.get(index))
        feedback_view(assistant, result, index)


def permalink(link: str) -> str:
    """The answer's address on the server the reader is using."""
    here = urlsplit(st.context.url or "")
    return urlunsplit((here.scheme, here.netloc, here.path, urlencode({ANSWER_PARAMETER: link}), ""))


def share_button(link: str | None) -> None:
    if link is None:
        return
    with st.popover("Link to this answer", icon=":material/link:"):
        st.code(permalink(link), language=None, wrap_lines=True)
        st.caption("A colleague signed in to this assistant can open it (read only); its quotes are checked against "
                   "the documents when it is opened.")


def feedback_view(assistant: PolicyAssistant, result: AskResult, index: int) -> None:
    link = state().answer_links.get(index)
    key = f"feedback-{link or index}"  # by answer, not position: a reopened conversation has answers at the same places
    if st.session_state.get(f"{key}-saved"):
        st.caption("Thank you, your feedback was saved.")
        return
    rating = st.feedback("thumbs", key=key)
    if rating is None:
        return
    comment = st.text_input("Comment (optional)", key=f"{key}-comment", placeholder="What was right or wrong?")
    if st.button("Send feedback", key=f"{key}-send"):
        open_records(assistant.settings).feedback.record(
            1 if rating == 1 else -1, result.question, result.answer.text,
            [c.to_json() for c in result.answer.citations], result.mode, comment, st.session_state.get("user_email", ""),
            link,
        )
        st.session_state[f"{key}-saved"] = True
        st.rerun()


# --- source viewer ------------------------------------------------------------------------------------

def source_viewer(assistant: PolicyAssistant) -> None:
    """The open source, if any, in a dialog over the page: the reader sees it where they clicked, from any tab."""
    viewer = st.session_state.get("viewer")
    if viewer:
        source_dialog(assistant)


def close_source() -> None:
    st.session_state.viewer = None


def step_source(step: int) -> None:
    st.session_state.viewer["index"] += step


@st.dialog("Source", width="large", on_dismiss=close_source)
def source_dialog(assistant: PolicyAssistant) -> None:
    viewer = st.session_state.viewer
    if not viewer:
        return
    citations: list[Citation] = viewer["citations"]
    index = viewer["index"] % len(citations)
    citation = citations[index]
    text = assistant.document_text(citation.source)
    st.markdown(f"**Source of [{citation.n}]:** {escape_markdown(citation.reference())}")
    if len(citations) > 1:
        previous, counter, following = st.columns([2, 2, 2], vertical_alignment="center")
        previous.button("◀ Previous citation", key="viewer-prev", on_click=step_source, args=(-1,))
        counter.markdown(f"Citation {index + 1} of {len(citations)}")
        following.button("Next citation ▶", key="viewer-next", on_click=step_source, args=(1,))
    else:
        st.caption("Citation 1 of 1")
    if text is None:
        st.error(f"{citation.source} is no longer indexed.")
        return
    st.iframe(document_html(text, citation, assistant.page_starts(citation.source)), height=460)


def document_html(text: str, citation: Citation, page_starts: Sequence[int]) -> str:
    """The whole document (the cited page for PDFs) as inert HTML with the cited span highlighted and scrolled to."""
    start = citation.start if citation.start is not None else max(0, text.find(citation.quote))
    end = citation.end if citation.end is not None else start + len(citation.quote)
    shown_from, shown_to = 0, len(text)
    if page_starts:
        page_index = max(i for i, s in enumerate(page_starts) if s <= start)
        shown_from = page_starts[page_index]
        shown_to = page_starts[page_index + 1] if page_index + 1 < len(page_starts) else len(text)
    before = html.escape(text[shown_from:start])
    cited = html.escape(text[start:end])
    after = html.escape(text[end:shown_to])
    return (
        "<div style=\"font-family: sans-serif; font-size: 15px; line-height: 1.5; white-space: pre-wrap; padding: 8px;\">"
        f"{before}<mark id=\"cited\" style=\"background: #ffd54f;\">{cited}</mark>{after}</div>"
        "<script>document.getElementById('cited').scrollIntoView({block: 'center'});</script>"
    )


# --- find passages ------------------------------------------------------------------------------------

def passages_view(assistant: PolicyAssistant) -> None:
    documents = assistant.documents()
    st.caption("Ranked verbatim passages, no synthesis. Filter by document, kind or date.")
    query = st.text_input("Search the documents", key="passage-query", placeholder="e.g. value chains, 740, EAAC")
    titles = {d.info.title: d.source for d in documents}
    columns = st.columns(3)
    chosen_titles = columns[0].multiselect("Documents", list(titles), key="passage-docs")
    kinds = columns[1].multiselect("Kinds", sorted({d.info.kind for d in documents}), key="passage-kinds")
    dates = sorted({d.info.date for d in documents if d.info.date})
    date_range = columns[2].select_slider("Dated between", options=dates, value=(dates[0], dates[-1]), key="passage-dates") if len(dates) > 1 else None
    include_undated = columns[2].checkbox("Include undated documents", value=True, key="passage-undated")
    if not query.strip():
        return
    sources = [titles[t] for t in chosen_titles] or [d.source for d in documents]
    if date_range:
        sources = [
            s for s in sources
            if (date := next(d.info.date for d in documents if d.source == s)) is None and include_undated
            or date is not None and date_range[0] <= date <= date_range[1]
        ]
    if not sources:
        st.warning("No document matches these filters.")
        return
    try:
        passages = assistant.searcher.search(query, SearchFilters(tuple(sources), tuple(kinds))).passages
    except AssistantError as exc:
        st.warning(str(exc))
        return
    if not passages:
        st.info("No passage matches.")
    for rank, passage in enumerate(passages, start=1):
        passage_card(assistant, passage, rank)


def passage_card(assistant: PolicyAssistant, passage: Passage, rank: int) -> None:
    chunk = passage.chunk
    citation = Citation(
        n=rank, source=chunk.source, title=chunk.title, page=chunk.page, section=chunk.section, quote=chunk.text,
        date=chunk.date, kind=chunk.kind, chunk_id=chunk.id, start=chunk.start, end=chunk.end, passage=chunk.text,
    )
    with st.container(border=True):
        st.markdown(f"**{rank}.** {escape_markdown(citation.reference())} · score {passage.score:.3f}")
        st.markdown(escape_markdown(chunk.text))
        st.button("Open in source", key=f"p-open-{chunk.id}", icon=":material/description:",
                  on_click=open_source, args=([citation], 0))
        try:
            quote, error = verify_citation(citation, assistant.document_text, assistant.settings.organisation), None
        except QuoteNotVerified as exc:
            quote, error = None, str(exc)
        quote_actions(assistant, f"p-{chunk.id}", quote, error)


# --- glossary ------------------------------------------------------------------------------------------

def glossary_view(assistant: PolicyAssistant) -> None:
    entries = assistant.store.glossary()
    st.caption(f"{len(entries)} acronyms, programmes and people found in the documents at indexing time.")
    labels = {"acronym": "Acronyms", "programme": "Programmes and initiatives", "person": "People"}
    for kind, label in labels.items():
        group = [e for e in entries if e.kind == kind]
        if not group:
            continue
        st.subheader(label)
        for entry in group:
            title = entry.term + (f" — {entry.expansion}" if entry.expansion else "")
            with st.expander(title):
                st.markdown(quote_markdown(entry.quote))
                document = assistant.store.document(entry.source)
                st.caption(f"{document.info.title if document else entry.source} ({entry.source})")


# --- working set and export ---------------------------------------------------------------------------

def working_set_view(assistant: PolicyAssistant) -> None:
    session = state()
    quotes: list[VerifiedQuote] = session.working_set
    if not quotes:
        st.info("Collect passages with “Add to working set” on any citation or passage.")
    for index, quote in enumerate(quotes):
        with st.container(border=True):
            st.markdown(quote_markdown(quote.quote))
            st.caption(quote.reference())
            if st.button("Remove", key=f"ws-remove-{index}"):
                quotes.pop(index)
                st.rerun()
    if quotes:
        entries = [quote_entry(q) for q in reverified(assistant, quotes)]
        export_buttons("working-set", "Working set", lambda: entries)


def reverified(assistant: PolicyAssistant, quotes: Sequence[VerifiedQuote]) -> list[VerifiedQuote]:
    """Every exported quote is checked against the stored document again at export time."""
    checked = []
    for q in quotes:
        try:
            checked.append(verify_quote(
                q.source, q.quote, assistant.document_text, q.title, q.date, q.section, q.page, q.start,
                assistant.settings.organisation,
            ))
        except QuoteNotVerified as exc:
            st.warning(f"Left out of the export: {exc}")
    return checked


def conversation_entries(assistant: PolicyAssistant, turns: Sequence[tuple[str, Any]]) -> list[ExportEntry]:
    """Each answer with its quotes, verified against the stored documents now (at export)."""
    entries = []
    for role, content in turns:
        if role != "assistant" or not isinstance(content, AskResult):
            continue
        quotes = []
        for citation in content.answer.citations:
            try:
                quotes.append(verify_citation(citation, assistant.document_text, assistant.settings.organisation))
            except QuoteNotVerified:
                continue
        entries.append(ExportEntry(text=content.answer.text, quotes=quotes, heading=content.question))
    return entries


def export_buttons(key: str, title: str, entries: Callable[[], list[ExportEntry]]) -> None:
    """Stacked, full width: in the narrow sidebar two side by side would be cut to "Export …". The file is made
    when clicked (not at every rerun, and no rerun after), so a click during a rerun still downloads."""
    stamp = datetime.now().strftime("%Y-%m-%d")
    st.download_button(
        "Markdown (.md)", lambda: to_markdown(title, entries()), file_name=f"{key}-{stamp}.md", mime="text/markdown",
        key=f"{key}-md", icon=":material/download:", width="stretch", on_click="ignore",
    )
    st.download_button(
        "Word with footnotes (.docx)", lambda: to_docx(title, entries()), file_name=f"{key}-{stamp}.docx",
        mime=DOCX_MIME, key=f"{key}-docx", icon=":material/download:", width="stretch", on_click="ignore",
    )
