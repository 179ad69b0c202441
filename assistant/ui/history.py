"""A user's conversations in the chat: kept as they are asked, listed in the sidebar to reopen, rename or delete,
kept across a reload (the conversation's id is in the address), and one answer shared by its permalink."""

from __future__ import annotations

import re
import sys
import uuid

import streamlit as st

from assistant.answering.references import QuoteNotVerified, verify_citation
from assistant.pipeline import AskResult, PolicyAssistant
from assistant.records.conversations import Conversations
from assistant.records.database import open_records
from assistant.ui.render import escape_markdown
from assistant.ui.views import ANSWER_PARAMETER, answer_view

CONVERSATION_PARAMETER = "conversation"
# Streamlit's sign-in always returns to the app's root, so a permalink opened before signing in would lose its
# address: the browser keeps the answer's key in a short-lived cookie across the identity provider's pages.
AFTER_SIGN_IN_COOKIE = "eca_answer_after_sign_in"
_LINK_KEY = re.compile(r"[A-Za-z0-9_-]{1,64}")
_SET_COOKIE = st.components.v2.component(
    "eca_answer_after_sign_in",
    js="""
export default function ({ data }) {
  const value = data.value ? encodeURIComponent(data.value) : "";
  document.cookie = `${data.name}=${value}; path=/; max-age=${data.max_age}; SameSite=Lax`;
}
""",
)


def owner() -> str:
    """Whose history this is: the signed-in e-mail, or the one local user when sign-in is off."""
    return st.session_state.get("user_email") or "local user"


def conversations(assistant: PolicyAssistant) -> Conversations:
    return open_records(assistant.settings).conversations


def remember(assistant: PolicyAssistant, result: AskResult) -> str | None:
    """The question and its answer into the user's history and the secretariat's view; returns the answer's
    permalink key. A database fault does not cost the reader the answer."""
    session = st.session_state
    try:
        link = open_records(assistant.settings).questions.record(owner(), "chat", session.conversation, result.to_json())
    except Exception as exc:  # noqa: BLE001 (any database error: the answer is shown, the reader told nothing)
        print(f"could not record the question: {exc}", file=sys.stderr)
        return None
    st.query_params[CONVERSATION_PARAMETER] = session.conversation
    return link


def start_new() -> None:
    session = st.session_state
    session.turns = []
    session.answer_links = {}
    session.viewer = None
    session.conversation = uuid.uuid4().hex
    st.query_params.pop(CONVERSATION_PARAMETER, None)


def open_conversation(assistant: PolicyAssistant, conversation: str) -> bool:
    """The user's conversation back in the chat, to read and continue; False when it is not theirs (or gone)."""
    kept = conversations(assistant).turns(owner(), conversation)
    if not kept:
        return False
    session = st.session_state
    session.turns, session.answer_links = [], {}
    for result, link in kept:
        answer = AskResult.from_json(result)
        session.turns.append(("user", answer.question))
        session.turns.append(("assistant", answer))
        if link:
            session.answer_links[len(session.turns) - 1] = link
    session.conversation = conversation
    session.viewer = None
    st.query_params[CONVERSATION_PARAMETER] = conversation
    return True


def restore_after_reload(assistant: PolicyAssistant) -> None:
    """A new browser session (a reload, a link, another instance) on a conversation's address reopens it, once."""
    session = st.session_state
    if session.get("restored"):
        return
    session.restored = True
    wanted = st.query_params.get(CONVERSATION_PARAMETER)
    if wanted and not session.get("turns") and not open_conversation(assistant, wanted):
        st.query_params.pop(CONVERSATION_PARAMETER, None)


def history_sidebar(assistant: PolicyAssistant) -> None:
    """The user's conversations, newest first: open one; rename or delete the open one."""
    try:
        kept = conversations(assistant).of(owner())
    except Exception as exc:  # noqa: BLE001 (the chat works without its history)
        st.caption(f"Your conversations cannot be listed now: {exc}")
        return
    current = st.session_state.get("conversation")
    st.subheader("Your conversations")
    if not kept:
        st.caption("Your questions will be listed here, to reopen later.")
        return
    # a long history scrolls in its own box rather than pushing the rest of the sidebar away
    listing = st.container(height=320 if len(kept) > 6 else "content", border=False)
    for conversation in kept:
        is_open = conversation.id == current
        listing.button(
            conversation.title, key=f"history-{conversation.id}", width="stretch", disabled=is_open,
            help=f"{conversation.questions} question{'s' if conversation.questions != 1 else ''} · "
                 f"last {conversation.updated_at[:16].replace('T', ' ')} UTC",
            icon=":material/chat:" if is_open else ":material/history:",
            on_click=open_conversation, args=(assistant, conversation.id),
        )
    if any(c.id == current for c in kept):
        with st.popover("Rename or delete this conversation", width="stretch"):
            title = st.text_input("Title", value=next(c.title for c in kept if c.id == current), key="rename-title")
            if st.button("Rename", key="rename-conversation", width="stretch"):
                try:
                    conversations(assistant).rename(owner(), current, title)
                    st.rerun()
                except ValueError as exc:
                    st.error(str(exc))
            if st.button("Delete this conversation", key="delete-conversation", type="primary", width="stretch"):
                conversations(assistant).delete(owner(), current)
                start_new()
                st.rerun()


def forget_my_questions(assistant: PolicyAssistant) -> None:
    """Every question this user asked, their conversations and answers, deleted from the records on request."""
    with st.popover("Delete my questions"):
        st.caption("Your questions and their answers are kept for your history and the secretariat's view of what "
                   "the documents answer; feedback you gave stays.")
        if st.button("Delete all my questions", key="forget-my-questions"):
            st.session_state.forgotten = open_records(assistant.settings).questions.forget(owner())
            start_new()
            st.rerun()  # the conversation list above is drawn again, empty
    deleted = st.session_state.pop("forgotten", None)
    if deleted is not None:
        st.success(f"Deleted {deleted} question{'s' if deleted != 1 else ''}.")


def shared_answer_requested() -> str | None:
    """The permalink's key in the address, or the one a visitor opened before signing in (once per session)."""
    if not st.session_state.get("answer_after_sign_in_checked"):
        st.session_state.answer_after_sign_in_checked = True
        kept = st.context.cookies.get(AFTER_SIGN_IN_COOKIE)
        if isinstance(kept, str) and kept:  # (Streamlit's AppTest has no browser: no cookies)
            _SET_COOKIE(data={"name": AFTER_SIGN_IN_COOKIE, "value": "", "max_age": 0}, key="forget_answer_after_sign_in")
            if _LINK_KEY.fullmatch(kept) and ANSWER_PARAMETER not in st.query_params:
                st.query_params[ANSWER_PARAMETER] = kept
    return st.query_params.get(ANSWER_PARAMETER)


def keep_requested_answer_through_sign_in() -> None:
    """On the sign-in page: an answer's permalink is remembered for 15 minutes, to open once signed in."""
    link = st.query_params.get(ANSWER_PARAMETER)
    if link and _LINK_KEY.fullmatch(link):
        st.caption("Sign in to see the answer this link leads to.")
        _SET_COOKIE(data={"name": AFTER_SIGN_IN_COOKIE, "value": link, "max_age": 900}, key="keep_answer_after_sign_in")


def close_shared_answer() -> None:
    st.query_params.pop(ANSWER_PARAMETER, None)


def shared_answer_page(assistant: PolicyAssistant, link: str) -> None:
    """One answer, read only, as it was given; its quotes verified against the documents as they are now."""
    st.button("Back to the chat", on_click=close_shared_answer, icon=":material/arrow_back:")
    shared = conversations(assistant).shared(link)
    if shared is None:
        st.error("This link does not lead to an answer: it was deleted by the person who asked, or is older than "
                 "the history is kept.")
        return
    result = AskResult.from_json(shared.result)
    st.subheader("A shared answer")
    st.caption(f"Asked by {shared.user} on {shared.asked_at[:16].replace('T', ' ')} UTC")
    changed = []
    for citation in result.answer.citations:
        try:
            verify_citation(citation, assistant.document_text, assistant.settings.organisation)
        except QuoteNotVerified:
            changed.append(citation)
    if changed:
        st.warning(
            "Since this answer was given, the documents changed: "
            + "; ".join(f"[{c.n}] is no longer found as quoted in “{escape_markdown(c.title)}”" for c in changed)
            + ". Check the answer against the current documents before using it."
        )
    elif result.answer.citations:
        st.success("Every quote was checked against the current documents just now.")
    with st.chat_message("user"):
        st.markdown(escape_markdown(result.question))
    with st.chat_message("assistant"):
        answer_view(assistant, result, 0, read_only=True)
