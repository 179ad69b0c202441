"""One database for questions and conversations, feedback, the audit log and API tokens: the same tests on SQLite and
on a real PostgreSQL."""

from __future__ import annotations

import io
import sqlite3
from pathlib import Path

import pytest
from sqlalchemy import Connection, create_engine, text

from assistant.cli import main as cli_main
from assistant.records.database import MIGRATIONS, engine_for, metadata, open_records
from assistant.records.questions import outcomes_by_day, similar_groups
from assistant.settings import Settings
from tests.postgres import fresh_database


@pytest.fixture(params=["sqlite", "postgresql"])
def database_url(request: pytest.FixtureRequest, tmp_path: Path) -> str:
    if request.param == "sqlite":
        return f"sqlite:///{tmp_path / 'shared' / 'records.sqlite'}"
    return fresh_database(request.getfixturevalue("postgres_server"))


def test_feedback_audit_and_tokens_are_kept(database_url: str, tmp_path: Path) -> None:
    records = open_records(Settings(data_dir=tmp_path / "data", database_url=database_url))
    first = records.feedback.record(
        1, "What is EAAC?", "An alliance [1]", [{"n": 1, "quote": "q"}], "extractive", " good ", "bob@example.org", "k3y"
    )
    second = records.feedback.record(-1, "Budget?", "The documents don't say…", [], "extractive")
    assert second == first + 1
    kept = records.feedback.records()
    assert [(r.rating, r.comment, r.user, r.citations, r.link) for r in kept] == [
        (1, "good", "bob@example.org", [{"n": 1, "quote": "q"}], "k3y"), (-1, "", "", [], None)
    ]
    assert records.feedback.export("csv").splitlines()[0].endswith(",user,link")
    records.audit.record("alice@example.org", "upload", "new.md", "ok: 1 files read")
    assert [(e.who, e.action, e.target, e.result) for e in records.audit.entries()] == [
        ("alice@example.org", "upload", "new.md", "ok: 1 files read")
    ]
    at = records.audit.entries()[0].at
    assert len(records.audit.entries(since=at)) == 1 and records.audit.entries(since=at + "1") == []
    token = records.tokens.create("intranet")
    assert records.tokens.holder(token) == "intranet" and records.tokens.holder(token + "x") is None
    records.tokens.revoke("intranet")
    assert records.tokens.holder(token) is None and records.tokens.tokens()[0].revoked_at


def test_two_instances_on_one_database_keep_one_feedback_log_one_audit_log_and_one_set_of_tokens(
    database_url: str, tmp_path: Path
) -> None:
    first = open_records(Settings(data_dir=tmp_path / "instance-a", database_url=database_url))
    second = open_records(Settings(data_dir=tmp_path / "instance-b", database_url=database_url))
    first.audit.record("alice@example.org", "delete", "old.md", "ok")
    second.feedback.record(-1, "q", "a", [], "extractive", "wrong figure")
    token = second.tokens.create("bot")
    assert [e.target for e in second.audit.entries()] == ["old.md"]
    assert [r.comment for r in first.feedback.records()] == ["wrong figure"]
    assert first.tokens.holder(token) == "bot"


def write_old_logs(folder: Path) -> None:
    """The per-instance SQLite files of earlier versions (a feedback log from before sign-in: no user column)."""
    folder.mkdir(parents=True, exist_ok=True)
    with sqlite3.connect(folder / "feedback.sqlite") as connection:
        connection.execute(
            "CREATE TABLE feedback (id INTEGER PRIMARY KEY AUTOINCREMENT, created_at TEXT NOT NULL, rating INTEGER NOT NULL, "
            "comment TEXT NOT NULL DEFAULT '', question TEXT NOT NULL, answer TEXT NOT NULL, citations TEXT NOT NULL, mode TEXT NOT NULL)"
        )
        connection.execute(
            "INSERT INTO feedback(created_at, rating, comment, question, answer, citations, mode) VALUES "
            "('2026-11-30T10:00:00+00:00', -1, 'old comment', 'old question', 'old answer', '[]', 'extractive')"
        )
    with sqlite3.connect(folder / "audit.sqlite") as connection:
        connection.execute(
            "CREATE TABLE audit (id INTEGER PRIMARY KEY AUTOINCREMENT, at TEXT NOT NULL, who TEXT NOT NULL, "
            "action TEXT NOT NULL, target TEXT NOT NULL, result TEXT NOT NULL)"
        )
        connection.executemany(
            "INSERT INTO audit(at, who, action, target, result) VALUES (?,?,?,?,?)",
            [("2026-11-29T09:00:00+00:00", "alice@example.org", "upload", "a.md", "ok"),
             ("2026-11-29T09:05:00+00:00", "alice@example.org", "delete", "b.md", "ok")],
        )


def test_the_logs_of_earlier_versions_are_imported_once_and_nothing_is_lost(database_url: str, tmp_path: Path) -> None:
    settings = Settings(data_dir=tmp_path / "data", database_url=database_url)
    write_old_logs(settings.data_dir)
    records = open_records(settings)
    records.audit.record("bob@example.org", "upload", "c.md", "ok")
    again = open_records(settings)  # a restart, or a second process on the same data folder
    assert [(e.who, e.target) for e in again.audit.entries()] == [
        ("alice@example.org", "a.md"), ("alice@example.org", "b.md"), ("bob@example.org", "c.md")
    ]
    (old,) = again.feedback.records()
    assert (old.created_at, old.rating, old.comment, old.question, old.user) == (
        "2026-11-30T10:00:00+00:00", -1, "old comment", "old question", ""
    )
    assert (settings.data_dir / "audit.sqlite").exists(), "the old files are left in place"


def test_the_schema_is_alembic_s_newest_migration(database_url: str, tmp_path: Path) -> None:
    from alembic.autogenerate import compare_metadata
    from alembic.migration import MigrationContext
    from alembic.script import ScriptDirectory

    open_records(Settings(data_dir=tmp_path, database_url=database_url))
    newest = ScriptDirectory(str(MIGRATIONS)).get_current_head()
    assert newest == "0004"
    with engine_for(database_url).connect() as connection:
        assert connection.execute(text("SELECT version_num FROM alembic_version")).scalar_one() == newest
        # the tables the code writes are the tables the migrations made
        assert compare_metadata(MigrationContext.configure(connection), metadata) == []


def upgrade_to(connection: Connection, revision: str) -> None:
    """The schema as an earlier version of the assistant left it."""
    from alembic import command
    from alembic.config import Config

    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS))
    config.attributes["connection"] = connection
    command.upgrade(config, revision)


def test_a_database_of_the_first_version_is_migrated_keeping_its_rows(tmp_path: Path) -> None:
    url = f"sqlite:///{tmp_path / 'old.sqlite'}"
    with create_engine(url).begin() as connection:
        upgrade_to(connection, "0001")
        connection.execute(text(
            "INSERT INTO audit(at, who, action, target, result) VALUES ('2026-12-01T00:00:00+00:00', 'a', 'upload', 'x.md', 'ok')"
        ))
    records = open_records(Settings(data_dir=tmp_path, database_url=url))
    assert [e.target for e in records.audit.entries()] == ["x.md"]
    records.questions.record("a", "chat", "c", {"question": "q", "answer": "a", "outcome": "answered", "mode": "m"})
    assert len(records.questions.entries()) == 1


def test_the_command_line_reads_the_configured_database(
    database_url: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    open_records(Settings(data_dir=tmp_path / "web", database_url=database_url)).audit.record(
        "alice@example.org", "upload", "new.md", "ok: 1 files read"
    )
    monkeypatch.setenv("ASSISTANT_DATABASE_URL", database_url)
    out = io.StringIO()
    assert cli_main(["--data-dir", str(tmp_path / "other"), "audit"], stdout=out) == 0
    assert "alice@example.org  upload  new.md  ok: 1 files read" in out.getvalue()


def test_without_a_database_setting_the_records_live_in_the_data_folder(tmp_path: Path) -> None:
    settings = Settings(data_dir=tmp_path / "data")
    open_records(settings).audit.record("me", "upload", "x.md", "ok")
    assert settings.records_url == f"sqlite:///{tmp_path / 'data' / 'records.sqlite'}"
    assert (tmp_path / "data" / "records.sqlite").exists()


def asked(question: str, outcome: str) -> dict[str, object]:
    return {"question": question, "answer": f"answer to {question}", "outcome": outcome, "mode": "extractive",
            "citations": []}


def test_questions_are_kept_with_their_outcome_forgotten_on_request_and_past_the_retention(
    database_url: str, tmp_path: Path
) -> None:
    records = open_records(Settings(data_dir=tmp_path, database_url=database_url))
    records.questions.record("bob@example.org", "chat", "c1", asked("Who chairs the alliance?", "answered"))
    records.questions.record("bob@example.org", "chat", "c1", asked("And the treasurer?", "unsure"))
    records.questions.record("eve@example.org", "api:intranet", "c2", asked("What is the 2030 budget?", "declined"))
    kept = records.questions.entries()
    assert [(q.user, q.channel, q.conversation, q.outcome) for q in kept] == [
        ("bob@example.org", "chat", "c1", "answered"), ("bob@example.org", "chat", "c1", "unsure"),
        ("eve@example.org", "api:intranet", "c2", "declined"),
    ]
    today = kept[0].asked_at[:10]
    assert outcomes_by_day(kept) == {today: {"answered": 1, "unsure": 1, "declined": 1}}
    assert records.questions.forget("bob@example.org") == 2
    assert [q.user for q in records.questions.entries()] == ["eve@example.org"]
    with engine_for(database_url).begin() as connection:  # a question asked 40 days ago
        connection.execute(text("UPDATE questions SET asked_at = '2020-01-01T00:00:00+00:00'"))
    keeping_30_days = open_records(Settings(data_dir=tmp_path, database_url=database_url, history_days=30))
    keeping_30_days.questions.record("bob@example.org", "chat", "c3", asked("Who is the president?", "answered"))
    assert [q.question for q in keeping_30_days.questions.entries()] == ["Who is the president?"]


def test_unanswered_questions_are_grouped_by_meaning(embeddings) -> None:  # type: ignore[no-untyped-def]
    groups = similar_groups(
        ["What is the budget for 2030?", "Who leads the hydrogen task force?", "What is the 2030 budget?",
         "How large is the budget for 2030?"],
        embeddings.embed_documents,
    )
    assert groups[0] == ["What is the budget for 2030?", "What is the 2030 budget?", "How large is the budget for 2030?"]
    assert groups[1:] == [["Who leads the hydrogen task force?"]]


def test_a_users_conversations_are_listed_reopened_renamed_and_deleted_by_that_user_only(
    database_url: str, tmp_path: Path
) -> None:
    records = open_records(Settings(data_dir=tmp_path, database_url=database_url))
    first = records.questions.record("bob@example.org", "chat", "c1", asked("Who chairs the alliance?", "answered"))
    records.questions.record("bob@example.org", "chat", "c1", asked("And the treasurer?", "unsure"))
    records.questions.record("bob@example.org", "chat", "c2", asked("What is the 2030 budget?", "declined"))
    records.questions.record("eve@example.org", "chat", "c1", asked("Where is the office?", "answered"))
    with engine_for(database_url).begin() as connection:  # c1 yesterday, so that the order is by date, not by chance
        connection.execute(text("UPDATE conversations SET updated_at = '2026-01-01T00:00:00+00:00' WHERE id = 'c1'"))
    bobs = records.conversations.of("bob@example.org")
    assert [(c.id, c.title, c.questions) for c in bobs] == [
        ("c2", "What is the 2030 budget?", 1), ("c1", "Who chairs the alliance?", 2)
    ]
    turns = records.conversations.turns("bob@example.org", "c1")
    assert [result["question"] for result, _ in turns] == ["Who chairs the alliance?", "And the treasurer?"]
    assert turns[0][1] == first and len(first) >= 20  # the permalink key: random, not a counter
    assert records.conversations.turns("eve@example.org", "c2") == []  # another user's conversation stays theirs
    assert records.conversations.rename("bob@example.org", "c1", "  Chairs  and treasurer ")
    assert not records.conversations.rename("eve@example.org", "c2", "Mine now")
    with pytest.raises(ValueError, match="cannot be empty"):
        records.conversations.rename("bob@example.org", "c1", "   ")
    assert records.conversations.of("bob@example.org")[1].title == "Chairs and treasurer"
    shared = records.conversations.shared(first)
    assert shared is not None and shared.user == "bob@example.org" and shared.result["answer"] == "answer to Who chairs the alliance?"
    assert records.conversations.shared("not-a-link") is None
    assert records.conversations.delete("bob@example.org", "c1") == 2
    assert [c.id for c in records.conversations.of("bob@example.org")] == ["c2"]
    assert records.conversations.shared(first) is None  # a deleted answer's link leads nowhere
    assert [c.title for c in records.conversations.of("eve@example.org")] == ["Where is the office?"]
    records.questions.forget("bob@example.org")
    assert records.conversations.of("bob@example.org") == []


def test_questions_kept_before_conversations_existed_become_conversations(tmp_path: Path) -> None:
    url = f"sqlite:///{tmp_path / 'old.sqlite'}"
    with create_engine(url).begin() as connection:
        upgrade_to(connection, "0002")
        for at, question in (("2026-11-01T09:00:00+00:00", "Who chairs the alliance?"), ("2026-11-01T09:05:00+00:00", "And the treasurer?")):
            connection.execute(text(
                "INSERT INTO questions(asked_at, user, channel, conversation, question, answer, outcome, mode, result) "
                f"VALUES ('{at}', 'bob@example.org', 'chat', 'c1', '{question}', 'a', 'answered', 'extractive', '{{}}')"
            ))
    records = open_records(Settings(data_dir=tmp_path, database_url=url))
    [conversation] = records.conversations.of("bob@example.org")
    assert (conversation.id, conversation.title, conversation.started_at, conversation.updated_at, conversation.questions) == (
        "c1", "Who chairs the alliance?", "2026-11-01T09:00:00+00:00", "2026-11-01T09:05:00+00:00", 2
    )
