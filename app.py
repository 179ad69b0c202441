"""Streamlit chat over the policy assistant: ``streamlit run app.py`` (or ``make run``)."""

from __future__ import annotations

import streamlit as st

from assistant.citations import Citation
from assistant.errors import AssistantError
from assistant.pipeline import AskResult, PolicyAssistant
from assistant.render import (
    answer_markdown,
    citation_heading,
    citation_markdown,
    documents_table,
    escape_markdown,
    passage_with_quote_highlighted,
)
from assistant.settings import Settings

st.set_page_config(page_title="ECA policy assistant", page_icon="📑", layout="wide")


@st.cache_resource(show_spinner="Loading the index and the embedding model…")
def load_assistant(settings_key: str) -> PolicyAssistant:
    """One assistant per configuration (the key is the settings' repr), shared by all sessions."""
    assistant = PolicyAssistant(Settings.from_env())
    assistant.warm_up()
    return assistant


def show_citation(citation: Citation) -> None:
    with st.expander(citation_heading(citation), expanded=False):
        st.markdown(citation_markdown(citation))
        if citation.passage:
            st.caption("Whole passage")
            st.markdown(passage_with_quote_highlighted(citation.passage, citation.quote))


def show_result(result: AskResult) -> None:
    st.markdown(answer_markdown(result.answer.text))
    for notice in result.notices + result.answer.notices:
        st.info(notice)
    if result.answer.citations:
        st.caption("Sources")
        for citation in result.answer.citations:
            show_citation(citation)
    elif result.passages:
        st.caption("Closest passages")
        for passage in result.passages[:3]:
            with st.expander(f"{passage.chunk.title} · {passage.chunk.section or ''}"):
                st.markdown(escape_markdown(passage.chunk.text))


def sidebar(assistant: PolicyAssistant) -> None:
    with st.sidebar:
        st.header("ECA policy assistant")
        st.markdown(f"**Answering mode:** {escape_markdown(assistant.mode_description())}")
        documents = assistant.documents()
        st.markdown(f"**Indexed:** {len(documents)} documents, {assistant.chunk_count()} passages")
        st.markdown(documents_table([(d.info.title, d.info.kind, d.info.date, d.chunk_count) for d in documents]))
        if st.button("New conversation"):
            st.session_state.turns = []
            st.rerun()


def main() -> None:
    try:
        assistant = load_assistant(repr(Settings.from_env()))
    except AssistantError as exc:
        st.error(f"The assistant could not start: {exc}")
        st.stop()
    sidebar(assistant)
    st.title("Ask the alliance's documents")
    if assistant.chunk_count() == 0:
        st.warning("The index is empty: run `make run` (or `python -m assistant ingest`) to index the corpus.")
    turns: list[tuple[str, str | AskResult]] = st.session_state.setdefault("turns", [])
    for role, content in turns:
        with st.chat_message(role):
            if isinstance(content, AskResult):
                show_result(content)
            else:
                st.markdown(escape_markdown(content))
    question = st.chat_input("Ask about the alliance's position papers and minutes")
    if not question:
        return
    with st.chat_message("user"):
        st.markdown(escape_markdown(question))
    history = [
        {"role": role, "content": content.answer.text if isinstance(content, AskResult) else content}
        for role, content in turns
    ]
    with st.chat_message("assistant"):
        try:
            streaming = assistant.ask_streaming(question, history)
            if assistant.uses_model:
                # Show the model's words as they come, then replace them with the verified answer.
                draft = st.empty()
                with draft.container():
                    st.write_stream(escape_markdown(token) for token in streaming.tokens())
                result = streaming.result()
                draft.empty()
            else:
                result = streaming.result()
        except AssistantError as exc:
            st.warning(str(exc))
            return
        show_result(result)
    turns.append(("user", question))
    turns.append(("assistant", result))


main()
