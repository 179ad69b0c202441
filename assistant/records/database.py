"""One database for what the assistant keeps (questions and conversations, feedback, the audit log, API tokens),
shared by every instance.

SQLite in the data folder by default (nothing to set up); PostgreSQL (or any SQLAlchemy URL) when
``ASSISTANT_DATABASE_URL`` is set, so that several instances behind one proxy keep one feedback log and one audit
log. The schema is Alembic's migrations (``assistant/records/migrations``), applied when the database is opened.
The SQLite files of earlier versions (``feedback.sqlite``, ``audit.sqlite`` in the data folder) are imported once.
"""

from __future__ import annotations

import sqlite3
import threading
from dataclasses import dataclass
from pathlib import Path

from datetime import datetime, timezone
from typing import TYPE_CHECKING

from sqlalchemy import Column, Engine, Integer, MetaData, String, Table, Text, create_engine, event, insert, select

if TYPE_CHECKING:
    from assistant.records.audit import AuditLog
    from assistant.records.conversations import Conversations
    from assistant.records.feedback import FeedbackLog
    from assistant.records.questions import QuestionLog
    from assistant.records.tokens import TokenStore
    from assistant.settings import Settings

MIGRATIONS = Path(__file__).parent / "migrations"

metadata = MetaData()
feedback_table = Table(
    "feedback", metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("created_at", String(40), nullable=False),
    Column("rating", Integer, nullable=False),
    Column("comment", Text, nullable=False, default=""),
    Column("question", Text, nullable=False),
    Column("answer", Text, nullable=False),
    Column("citations", Text, nullable=False),
    Column("mode", String(200), nullable=False),
    Column("user", String(320), nullable=False, default=""),
    Column("link", String(32), nullable=True),
)
audit_table = Table(
    "audit", metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("at", String(40), nullable=False),
    Column("who", String(320), nullable=False),
    Column("action", String(200), nullable=False),
    Column("target", Text, nullable=False),
    Column("result", Text, nullable=False),
)
tokens_table = Table(
    "api_tokens", metadata,
    Column("name", String(200), primary_key=True),
    Column("sha256", String(64), nullable=False, unique=True),
    Column("created_at", String(40), nullable=False),
    Column("revoked_at", String(40), nullable=True),
)
questions_table = Table(
    "questions", metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("asked_at", String(40), nullable=False, index=True),
    Column("user", String(320), nullable=False, index=True),
    Column("channel", String(40), nullable=False),
    Column("conversation", String(64), nullable=False),
    Column("question", Text, nullable=False),
    Column("answer", Text, nullable=False),
    Column("outcome", String(20), nullable=False),
    Column("mode", String(200), nullable=False),
    Column("result", Text, nullable=False),
    # the answer's permalink key: random, so that one link does not lead to the others
    Column("link", String(32), nullable=True, unique=True),
)
conversations_table = Table(
    "conversations", metadata,
    # keyed by user too: an API client's conversation id comes from its opening question, which others may ask
    Column("user", String(320), primary_key=True),
    Column("id", String(64), primary_key=True),
    Column("title", Text, nullable=False),
    Column("started_at", String(40), nullable=False),
    Column("updated_at", String(40), nullable=False, index=True),
)
imports_table = Table(
    "imported_files", metadata,
    Column("path", String(1000), primary_key=True),
    Column("imported_at", String(40), nullable=False),
)


def utc_now() -> str:
    return datetime.now(timezone.utc).isoformat(timespec="seconds")


def migrate(engine: Engine) -> None:
    """Bring the schema to the newest migration (a no-op when it is there already)."""
    from alembic import command
    from alembic.config import Config

    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS))
    with engine.begin() as connection:
        config.attributes["connection"] = connection
        command.upgrade(config, "head")


_engines: dict[str, Engine] = {}
_engines_lock = threading.Lock()


def engine_for(url: str) -> Engine:
    """One engine (and connection pool) per database in a process, migrated on first use."""
    with _engines_lock:
        if url not in _engines:
            engine = create_engine(url, pool_pre_ping=True)
            if engine.dialect.name == "sqlite":
                Path(engine.url.database or ".").parent.mkdir(parents=True, exist_ok=True)

                @event.listens_for(engine, "connect")
                def wait_for_writers(connection, _record) -> None:  # type: ignore[no-untyped-def]
                    connection.execute("PRAGMA busy_timeout = 30000")  # several processes write one file

            migrate(engine)
            _engines[url] = engine
        return _engines[url]


@dataclass(frozen=True)
class LegacyFiles:
    """The per-instance SQLite logs of earlier versions, imported into the database once."""

    feedback: Path
    audit: Path


def import_legacy(engine: Engine, files: LegacyFiles) -> None:
    with engine.begin() as connection:
        done = {row[0] for row in connection.execute(select(imports_table.c.path))}
        logs = ((files.feedback, feedback_table, _old_feedback), (files.audit, audit_table, _old_audit))
        for path, table, read in logs:
            key = str(path.resolve())
            if key in done or not path.exists():
                continue
            rows = read(path)
            if rows:
                connection.execute(insert(table), rows)
            connection.execute(insert(imports_table).values(path=key, imported_at=utc_now()))


def _read_sqlite(path: Path, query: str) -> list[sqlite3.Row]:
    connection = sqlite3.connect(path)
    connection.row_factory = sqlite3.Row
    try:
        return connection.execute(query).fetchall()
    except sqlite3.OperationalError:  # not a log of ours (no such table): nothing to import
        return []
    finally:
        connection.close()


def _old_feedback(path: Path) -> list[dict[str, object]]:
    rows = _read_sqlite(path, "SELECT * FROM feedback ORDER BY id")
    return [
        {
            "created_at": r["created_at"], "rating": r["rating"], "comment": r["comment"], "question": r["question"],
            "answer": r["answer"], "citations": r["citations"], "mode": r["mode"],
            "user": r["user"] if "user" in r.keys() else "",  # logs written before sign-in have no user
        }
        for r in rows
    ]


def _old_audit(path: Path) -> list[dict[str, object]]:
    rows = _read_sqlite(path, "SELECT * FROM audit ORDER BY id")
    return [{k: r[k] for k in ("at", "who", "action", "target", "result")} for r in rows]


@dataclass(frozen=True)
class Records:
    feedback: FeedbackLog
    audit: AuditLog
    tokens: TokenStore
    questions: QuestionLog
    conversations: Conversations


def open_records(settings: Settings) -> Records:
    """The logs of the configured database, this instance's earlier SQLite files imported into it once."""
    from assistant.records.audit import AuditLog
    from assistant.records.conversations import Conversations
    from assistant.records.feedback import FeedbackLog
    from assistant.records.questions import QuestionLog
    from assistant.records.tokens import TokenStore

    engine = engine_for(settings.records_url)
    import_legacy(engine, LegacyFiles(settings.data_dir / "feedback.sqlite", settings.data_dir / "audit.sqlite"))
    return Records(
        FeedbackLog(engine), AuditLog(engine), TokenStore(engine), QuestionLog(engine, settings.history_days),
        Conversations(engine),
    )
