"""Streamlit chat over the policy assistant: ``streamlit run app.py`` (or ``make run``)."""

from __future__ import annotations

import streamlit as st
from streamlit.delta_generator import DeltaGenerator

from assistant.errors import AssistantError
from assistant.pipeline import AskResult, PolicyAssistant
from assistant.settings import Settings
from assistant.ui import admin_views, history, views
from assistant.ui.access import Access, Role, auth_configured, decide
from assistant.ui.render import escape_markdown

st.set_page_config(page_title="ECA policy assistant", page_icon="📑", layout="wide")


@st.cache_resource(show_spinner="Loading the index and the embedding model…")
def load_assistant(settings_key: str) -> PolicyAssistant:
    """One assistant per configuration (the key is the settings' repr), shared by all sessions."""
    assistant = PolicyAssistant(Settings.from_env())
    assistant.warm_up(wait=False)
    return assistant


def gate(settings: Settings) -> Access:
    """Who is visiting; anyone who may not chat sees a page with nothing of the documents, and the script stops."""
    try:
        sign_in_on = auth_configured(st.secrets)
    except ValueError as exc:
        st.error(f"Sign-in is misconfigured: {exc}")
        st.stop()
    user = st.user if sign_in_on else None
    access = decide(settings, sign_in_on, bool(user and user.is_logged_in), user.get("email") if user else None)
    if access.role is Role.ANONYMOUS:
        st.title("ECA policy assistant")
        st.write("Sign in with your organisation account to ask the alliance's documents.")
        history.keep_requested_answer_through_sign_in()
        st.button("Sign in", on_click=st.login, type="primary")
        st.stop()
    if access.role is Role.REFUSED:
        st.title("ECA policy assistant")
        st.error(
            f"{access.email or 'This account'} is not allowed to use this assistant. "
            "Ask an administrator to add your organisation, or sign in with another account."
        )
        st.button("Sign out", on_click=st.logout)
        st.stop()
    st.session_state.user_email = access.email or ""
    return access


def sidebar(assistant: PolicyAssistant, access: Access) -> DeltaGenerator:
    """The sidebar; returns its slot for the conversation's export, filled once this run's question is answered."""
    with st.sidebar:
        st.header("ECA policy assistant")
        if access.role is Role.LOCAL:
            st.caption("Sign-in is off: this is for one person's local use on 127.0.0.1 (see docs/deploying.md).")
        else:
            st.caption(f"Signed in as {access.email}{' (admin)' if access.role is Role.ADMIN else ''}")
            st.button("Sign out", on_click=st.logout)
        st.button("New conversation", on_click=history.start_new, icon=":material/add_comment:", width="stretch")
        history.history_sidebar(assistant)
        export_slot = st.container()
        st.divider()
        st.markdown(f"**Answering mode:** {escape_markdown(assistant.mode_description())}")
        if access.may_manage_documents and not assistant.uses_model:
            st.caption("Offline answers are in English: questions in other languages are searched word by word with "
                       "dictionaries. To answer in every EU language, set OPENAI_API_KEY (and OPENAI_BASE_URL) for the "
                       "server: docs/model-path.md.")
        views.knowledge_card(assistant)
        st.radio("Reference style for copied quotes", ["Footnote (Markdown)", "Plain text"], key="reference_style")
        history.forget_my_questions(assistant)
    return export_slot


def conversation_export(assistant: PolicyAssistant, slot: DeltaGenerator) -> None:
    if views.state().turns:
        with slot:
            st.caption("Export this conversation")
            turns = list(views.state().turns)
            views.export_buttons(
                "conversation", "Conversation with the ECA policy assistant", lambda: views.conversation_entries(assistant, turns)
            )


def ask(assistant: PolicyAssistant, question: str) -> None:
    turns = views.state().turns
    with st.chat_message("user"):
        st.markdown(escape_markdown(question))
    earlier_turns = [
        {"role": role, "content": content.answer.text if isinstance(content, AskResult) else content}
        for role, content in turns
    ]
    with st.chat_message("assistant"):
        try:
            streaming = assistant.ask_streaming(question, earlier_turns)
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
        link = history.remember(assistant, result)
        if link is not None:
            views.state().answer_links[len(turns) - 1] = link
        views.answer_view(assistant, result, len(turns) - 1)


def chat(assistant: PolicyAssistant) -> None:
    session = views.state()
    if not session.turns:
        views.starter_questions(assistant)
    for index, (role, content) in enumerate(session.turns):
        with st.chat_message(role):
            if isinstance(content, AskResult):
                views.answer_view(assistant, content, index)
            else:
                st.markdown(escape_markdown(content))
    # A question typed this run is answered in this run: no second round trip before the answer shows.
    pending = session.pending_question or st.session_state.get("question")
    session.pending_question = None
    if pending:
        ask(assistant, pending)


def main() -> None:
    settings = Settings.from_env()
    access = gate(settings)
    try:
        assistant = load_assistant(repr(settings))
    except AssistantError as exc:
        st.error(f"The assistant could not start: {exc}")
        st.stop()
    views.state()
    history.restore_after_reload(assistant)
    export_slot = sidebar(assistant, access)
    shared = history.shared_answer_requested()
    if shared:
        views.source_viewer(assistant)
        history.shared_answer_page(assistant, shared)
        return
    st.title("Ask the alliance's documents")
    if assistant.chunk_count() == 0:
        st.warning("The index is empty: run `make run` (or `python -m assistant ingest`) to index the corpus.")
    views.source_viewer(assistant)
    if st.session_state.get("question"):
        st.session_state.page = "Chat"
    admin_pages = ["Documents", "Usage"] if access.may_manage_documents else []
    names = ["Chat", "Find passages", "Glossary", "Working set", *admin_pages]
    # Only the open tab runs: a rerun (every click, every question) draws one tab, not five.
    chat_tab, passages_tab, glossary_tab, working_tab, *admin_tabs = st.tabs(names, key="page", on_change="rerun")
    views_by_tab = [
        (chat_tab, lambda: chat(assistant)),
        (passages_tab, lambda: views.passages_view(assistant)),
        (glossary_tab, lambda: views.glossary_view(assistant)),
        (working_tab, lambda: views.working_set_view(assistant)),
        *zip(admin_tabs, (
            lambda: admin_views.documents_page(assistant, access, load_assistant.clear),
            lambda: admin_views.usage_page(assistant),
        )),
    ]
    for tab, view in views_by_tab:
        if tab.open:
            with tab:
                view()
    st.chat_input("Ask about the alliance's position papers and minutes", key="question")
    conversation_export(assistant, export_slot)


main()
