"""Every admin action (who, what, when, result) in a local SQLite log: ``python -m assistant audit``."""

from __future__ import annotations

import sqlite3
from dataclasses import dataclass
from datetime import datetime, timezone
from pathlib import Path

SCHEMA = """
CREATE TABLE IF NOT EXISTS audit (
    id INTEGER PRIMARY KEY AUTOINCREMENT, at TEXT NOT NULL, who TEXT NOT NULL, action TEXT NOT NULL,
    target TEXT NOT NULL, result TEXT NOT NULL
);
"""


@dataclass(frozen=True)
class AuditEntry:
    id: int
    at: str
    who: str
    action: str
    target: str
    result: str

    def line(self) -> str:
        return f"{self.at}  {self.who}  {self.action}  {self.target}  {self.result}"


class AuditLog:
    def __init__(self, path: Path) -> None:
        self.path = path
        path.parent.mkdir(parents=True, exist_ok=True)
        with self._connect() as connection:
            connection.executescript(SCHEMA)

    def _connect(self) -> sqlite3.Connection:
        return sqlite3.connect(self.path, timeout=30)

    def record(self, who: str, action: str, target: str, result: str) -> None:
        connection = self._connect()
        try:
            with connection:
                connection.execute(
                    "INSERT INTO audit(at, who, action, target, result) VALUES (?,?,?,?,?)",
                    (datetime.now(timezone.utc).isoformat(timespec="seconds"), who, action, target, result),
                )
        finally:
            connection.close()

    def entries(self) -> list[AuditEntry]:
        connection = self._connect()
        try:
            rows = connection.execute("SELECT id, at, who, action, target, result FROM audit ORDER BY id").fetchall()
        finally:
            connection.close()
        return [AuditEntry(*row) for row in rows]
