"""Every admin action (who, what, when, result) in a local SQLite log: ``python -m assistant audit``."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from assistant.records.sqlite import SqliteFile, utc_now

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
        self._file = SqliteFile(path, SCHEMA)

    def record(self, who: str, action: str, target: str, result: str) -> None:
        self._file.run(
            "INSERT INTO audit(at, who, action, target, result) VALUES (?,?,?,?,?)", (utc_now(), who, action, target, result)
        )

    def entries(self) -> list[AuditEntry]:
        rows = self._file.run("SELECT id, at, who, action, target, result FROM audit ORDER BY id").rows
        return [AuditEntry(*row) for row in rows]
