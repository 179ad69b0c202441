"""The admins' pages: the documents (what is indexed, add, delete, re-index, each action audited) and the usage
(what was asked, how much the documents answered, what they did not, and the audit log of every instance)."""

from __future__ import annotations

from collections.abc import Callable

import csv
import io
from datetime import datetime, timedelta, timezone

import streamlit as st

from assistant.errors import AssistantError
from assistant.index.ingestion import IngestReport, Ingestor
from assistant.index.uploads import UploadError, check_upload, remove_document_file, save_upload, suggested_details
from assistant.pipeline import PolicyAssistant
from assistant.reading.documents import KINDS
from assistant.records.audit import AuditLog
from assistant.records.database import open_records
from assistant.records.questions import OUTCOMES, outcomes_by_day, similar_groups
from assistant.ui.access import Access
from assistant.ui.render import escape_markdown
from assistant.ui.views import permalink


def documents_page(assistant: PolicyAssistant, access: Access, changed: Callable[[], None]) -> None:
    """``changed`` is called after the index changed, so that every session answers from it next."""
    settings = assistant.settings
    audit = open_records(settings).audit
    documents = assistant.documents()
    indexed_at = assistant.store.indexed_at()
    st.subheader(f"Indexed documents ({len(documents)})")
    # A static table wraps long titles and file names: every column stays readable on a 1280-pixel screen.
    st.table(
        [
            {"Title": d.info.title, "File": d.source, "Kind": d.info.kind, "Date": d.info.date or "undated",
             "Passages": d.chunk_count, "Indexed (UTC)": indexed_at.get(d.source, "")[:16].replace("T", " ")}
            for d in documents
        ],
        hide_index=True,
    )
    add_document(assistant, access, audit, changed)
    delete_document(assistant, access, audit, changed, [d.source for d in documents])
    st.subheader("Re-index")
    if st.button("Re-index the corpus folder", key="reindex"):
        report = ingest(assistant, access, audit, "re-index", str(settings.corpus_dir))
        if report is not None:
            changed()


def add_document(assistant: PolicyAssistant, access: Access, audit: AuditLog, changed: Callable[[], None]) -> None:
    settings = assistant.settings
    st.subheader("Add a document")
    limit_mb = settings.max_file_bytes // 2**20
    uploaded = st.file_uploader(
        f"PDF, Markdown or text file, up to {limit_mb} MB", type=["pdf", "md", "txt"], key="upload",
        max_upload_size=limit_mb,
    )
    if uploaded is None:
        return
    try:
        upload = check_upload(uploaded.name, uploaded.getvalue(), settings.corpus_dir, settings.max_file_bytes)
    except UploadError as error:
        audit.record(access.who, "upload", uploaded.name, f"refused: {error.reason}")
        st.error(f"Not added: {error}")
        return
    title, kind, date = suggested_details(upload)
    with st.form("upload-details"):
        title = st.text_input("Title", value=title)
        kind = st.selectbox("Kind", KINDS, index=KINDS.index(kind) if kind in KINDS else len(KINDS) - 1)
        date = st.text_input("Date (YYYY-MM-DD, optional)", value=date or "")
        replace = st.checkbox(f"A document named {upload.filename} is indexed: replace it") if upload.exists else False
        submitted = st.form_submit_button("Add and index")
    if not submitted:
        return
    try:
        save_upload(upload, settings.corpus_dir, title, kind, date.strip() or None, replace)
    except (UploadError, AssistantError) as error:
        audit.record(access.who, "upload", upload.filename, f"refused: {error}")
        st.error(f"Not added: {error}")
        return
    report = ingest(assistant, access, audit, "upload", upload.filename)
    failed = [f for f in (report.failures if report else []) if f.source == upload.filename]
    if report is None or failed:
        remove_document_file(settings.corpus_dir, upload.filename)
        ingest(assistant, access, audit, "undo upload", upload.filename)
        st.error(f"Not added: {failed[0] if failed else 'indexing failed'}. Nothing else changed.")
    else:
        st.success(f"Added {upload.filename}: {report.summary()}")
    changed()


def delete_document(
    assistant: PolicyAssistant, access: Access, audit: AuditLog, changed: Callable[[], None], sources: list[str]
) -> None:
    st.subheader("Delete a document")
    if not sources:
        return
    source = st.selectbox("Document to delete", sources, key="delete-source")
    confirmed = st.checkbox(f"Yes, delete {source} and its passages", key="delete-confirm")
    if st.button("Delete", key="delete", disabled=not confirmed):
        try:
            remove_document_file(assistant.settings.corpus_dir, source)
        except UploadError as error:
            audit.record(access.who, "delete", source, f"refused: {error.reason}")
            st.error(str(error))
            return
        if ingest(assistant, access, audit, "delete", source) is not None:
            st.success(f"Deleted {source}.")
        changed()


def ingest(assistant: PolicyAssistant, access: Access, audit: AuditLog, action: str, target: str) -> IngestReport | None:
    """The command line's ingestion, with a progress bar; failures named per file; the action audited."""
    bar = st.progress(0.0, text="Indexing…")

    def progress(done: int, total: int) -> None:
        bar.progress(done / total if total else 1.0, text=f"Indexing… {done}/{total} passages")

    try:
        report = Ingestor(assistant.settings, assistant.embeddings).run(progress=progress)
    except AssistantError as error:
        audit.record(access.who, action, target, f"failed: {error}")
        st.error(f"Indexing failed: {error}")
        return None
    finally:
        bar.empty()
    for failure in report.failures:
        st.warning(f"{failure}")
    audit.record(access.who, action, target, "ok: " + report.summary() if report.ok else f"partly failed: {report.summary()}")
    return report


def usage_page(assistant: PolicyAssistant) -> None:
    """The secretariat's view: questions over time, answered / unsure / declined, what the documents did not answer
    (grouped by meaning), thumbs-down with comments; the questions as CSV."""
    records = open_records(assistant.settings)
    days = st.selectbox("Period", (7, 30, 90, 365), index=1, format_func=lambda d: f"last {d} days", key="usage_days")
    since = (datetime.now(timezone.utc) - timedelta(days=days)).isoformat(timespec="seconds")
    asked = records.questions.entries(since=since)
    st.subheader(f"Questions asked ({len(asked)})")
    if not asked:
        st.info("No question was asked in this period.")
    else:
        shares = {outcome: sum(q.outcome == outcome for q in asked) / len(asked) for outcome in OUTCOMES}
        for column, outcome in zip(st.columns(len(OUTCOMES)), OUTCOMES, strict=True):
            column.metric(outcome.capitalize(), f"{shares[outcome]:.0%}")
        by_day = outcomes_by_day(asked)
        st.bar_chart(
            {outcome: [counts[outcome] for counts in by_day.values()] for outcome in OUTCOMES} | {"day": list(by_day)},
            x="day", y=list(OUTCOMES), color=["#2e7d32", "#f9a825", "#c62828"],
        )
        unanswered = [q for q in asked if q.outcome != "answered"]
        latest = {q.question: q for q in unanswered}
        st.subheader("What the documents did not answer")
        groups = similar_groups([q.question for q in unanswered], assistant.embeddings.embed_documents)
        if groups:
            st.table(
                [{"Asked": len(group), "Question": escape_markdown(group[0]),
                  "Also asked as": escape_markdown(" · ".join(sorted(set(group[1:])))[:300]),
                  "Answer given": f"[Open]({permalink(latest[group[0]].link)})" if latest[group[0]].link else ""}
                 for group in groups[:15]],
                hide_index=True,
            )
        else:
            st.caption("Every question of the period was answered.")
        st.download_button(
            "Download the questions (CSV)", data=lambda: questions_csv(asked), file_name="questions.csv",
            mime="text/csv", on_click="ignore", key="usage_csv",
        )
    disliked = [r for r in records.feedback.records() if r.rating < 0 and r.created_at >= since]
    st.subheader(f"Thumbs down ({len(disliked)})")
    if disliked:
        st.table(
            [{"When (UTC)": r.created_at[:16].replace("T", " "), "Who": r.user, "Question": escape_markdown(r.question),
              "Comment": escape_markdown(r.comment), "Answer given": f"[Open]({permalink(r.link)})" if r.link else ""}
             for r in disliked],
            hide_index=True,
        )
    actions = records.audit.entries(since=since)[::-1]
    st.subheader(f"Document changes and API calls ({len(actions)})")
    if actions:
        st.dataframe(
            [{"When (UTC)": e.at[:16].replace("T", " "), "Who": e.who, "Action": e.action, "Target": e.target,
              "Result": e.result} for e in actions[:500]],
            hide_index=True,
        )


def questions_csv(asked: list) -> str:  # type: ignore[type-arg]
    buffer = io.StringIO()
    writer = csv.DictWriter(buffer, fieldnames=list(asked[0].row()))
    writer.writeheader()
    writer.writerows(q.row() for q in asked)
    return buffer.getvalue()
