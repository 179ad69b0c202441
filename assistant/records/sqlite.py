"""The one way records reach their SQLite file: a connection per statement, closed after it (several processes and
threads write the same files), the schema created on first use."""

from __future__ import annotations

import sqlite3
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime, timezone
from pathlib import Path
from typing import Any


def utc_now() -> str:
    return datetime.now(timezone.utc).isoformat(timespec="seconds")


@dataclass(frozen=True)
class Executed:
    rows: list[tuple[Any, ...]]
    last_id: int


class SqliteFile:
    def __init__(self, path: Path, schema: str, upgrade: Callable[[sqlite3.Connection], None] | None = None) -> None:
        """``upgrade``: brings a file written by an older version up to ``schema`` (run after it)."""
        self.path = path
        path.parent.mkdir(parents=True, exist_ok=True)
        connection = self._connect()
        try:
            with connection:
                connection.executescript(schema)
                if upgrade is not None:
                    upgrade(connection)
        finally:
            connection.close()

    def _connect(self) -> sqlite3.Connection:
        return sqlite3.connect(self.path, timeout=30)

    def run(self, statement: str, parameters: tuple[Any, ...] = ()) -> Executed:
        """One statement in its own transaction."""
        connection = self._connect()
        try:
            with connection:
                cursor = connection.execute(statement, parameters)
                return Executed(cursor.fetchall(), int(cursor.lastrowid or 0))
        finally:
            connection.close()
