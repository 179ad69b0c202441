"""Streamlit chat over the policy assistant: ``streamlit run app.py`` (or ``make run``)."""

from __future__ import annotations

import streamlit as st

from assistant import views
from assistant.errors import AssistantError
from assistant.pipeline import AskResult, PolicyAssistant
from assistant.render import escape_markdown
from assistant.settings import Settings

st.set_page_config(page_title="ECA policy assistant", page_icon="📑", layout="wide")


@st.cache_resource(show_spinner="Loading the index and the embedding model…")
def load_assistant(settings_key: str) -> PolicyAssistant:
    """One assistant per configuration (the key is the settings' repr), shared by all sessions."""
    assistant = PolicyAssistant(Settings.from_env())
    assistant.warm_up()
    return assistant


def sidebar(assistant: PolicyAssistant) -> None:
    with st.sidebar:
        st.header("ECA policy assistant")
        st.markdown(f"**Answering mode:** {escape_markdown(assistant.mode_description())}")
        views.knowledge_card(assistant)
        st.radio("Reference style for copied quotes", ["Footnote (Markdown)", "Plain text"], key="reference_style")
        if views.state().turns:
            st.caption("Export this conversation")
            views.export_buttons("conversation", "Conversation with the ECA policy assistant", views.conversation_entries(assistant))
        if st.button("New conversation"):
            st.session_state.turns = []
            st.session_state.viewer = None
            st.rerun()


def ask(assistant: PolicyAssistant, question: str) -> None:
    turns = views.state().turns
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
        turns.append(("user", question))
        turns.append(("assistant", result))
        views.answer_view(assistant, result, len(turns) - 1)


def chat(assistant: PolicyAssistant) -> None:
    session = views.state()
    views.source_viewer(assistant)
    if not session.turns:
        views.starter_questions()
    for index, (role, content) in enumerate(session.turns):
        with st.chat_message(role):
            if isinstance(content, AskResult):
                views.answer_view(assistant, content, index)
            else:
                st.markdown(escape_markdown(content))
    pending, session.pending_question = session.pending_question, None
    if pending:
        ask(assistant, pending)


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
    chat_tab, passages_tab, glossary_tab, working_tab = st.tabs(["Chat", "Find passages", "Glossary", "Working set"])
    with chat_tab:
        chat(assistant)
    with passages_tab:
        views.passages_view(assistant)
    with glossary_tab:
        views.glossary_view(assistant)
    with working_tab:
        views.working_set_view(assistant)
    question = st.chat_input("Ask about the alliance's position papers and minutes")
    if question:
        views.state().pending_question = question
        st.rerun()


main()
