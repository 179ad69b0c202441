"""Bearer tokens for the HTTP API: created and revoked by an admin (``python -m assistant token …``), stored hashed.

Only a token's SHA-256 is kept: a copy of the data folder gives no one a working token. Tokens are long random
strings, so a plain hash (no salt, no slow hash) is enough: there is no dictionary to try.
"""

from __future__ import annotations

import hashlib
import secrets
import sqlite3
from dataclasses import dataclass
from pathlib import Path

from assistant.errors import AssistantError
from assistant.records.sqlite import SqliteFile, utc_now

SCHEMA = """
CREATE TABLE IF NOT EXISTS api_tokens (
    name TEXT PRIMARY KEY, sha256 TEXT NOT NULL UNIQUE, created_at TEXT NOT NULL, revoked_at TEXT
);
"""
PREFIX = "eca_"
"""Marks the string as one of ours (secret scanners and people recognise it)."""


@dataclass(frozen=True)
class ApiToken:
    name: str
    created_at: str
    revoked_at: str | None

    def line(self) -> str:
        return f"{self.name}  created {self.created_at}  " + (f"revoked {self.revoked_at}" if self.revoked_at else "active")


def digest(token: str) -> str:
    return hashlib.sha256(token.encode("utf-8")).hexdigest()


class TokenStore:
    def __init__(self, path: Path) -> None:
        self.path = path
        self._file = SqliteFile(path, SCHEMA)

    def _run(self, statement: str, parameters: tuple[str, ...] = ()) -> list[tuple[str, ...]]:
        return self._file.run(statement, parameters).rows

    def create(self, name: str) -> str:
        """A new token for ``name`` (a tool or person); the only time it is shown. Names are unique."""
        name = name.strip()
        if not name:
            raise AssistantError("A token needs a name (who or what will use it).")
        token = PREFIX + secrets.token_urlsafe(32)
        try:
            self._run("INSERT INTO api_tokens(name, sha256, created_at) VALUES (?,?,?)", (name, digest(token), utc_now()))
        except sqlite3.IntegrityError as exc:
            raise AssistantError(f"A token named {name!r} already exists; revoke it or choose another name.") from exc
        return token

    def revoke(self, name: str) -> None:
        rows = self._run("SELECT revoked_at FROM api_tokens WHERE name = ?", (name,))
        if not rows:
            raise AssistantError(f"No token is named {name!r} (python -m assistant token list shows them).")
        if rows[0][0] is None:
            self._run("UPDATE api_tokens SET revoked_at = ? WHERE name = ?", (utc_now(), name))

    def holder(self, token: str) -> str | None:
        """The name of an active token, None for an unknown or revoked one."""
        rows = self._run("SELECT name FROM api_tokens WHERE sha256 = ? AND revoked_at IS NULL", (digest(token),))
        return rows[0][0] if rows else None

    def tokens(self) -> list[ApiToken]:
        return [ApiToken(*row) for row in self._run("SELECT name, created_at, revoked_at FROM api_tokens ORDER BY created_at")]
