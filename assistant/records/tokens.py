"""Bearer tokens for the HTTP API: created and revoked by an admin (``python -m assistant token …``), stored hashed.

Only a token's SHA-256 is kept: a copy of the data folder gives no one a working token. Tokens are long random
strings, so a plain hash (no salt, no slow hash) is enough: there is no dictionary to try.
"""

from __future__ import annotations

import hashlib
import secrets
from dataclasses import dataclass

from sqlalchemy import Engine, insert, select, update
from sqlalchemy.exc import IntegrityError

from assistant.errors import AssistantError
from assistant.records.database import tokens_table, utc_now

PREFIX = "eca_"
"""Marks the string as one of ours (secret scanners and people recognise it)."""


@dataclass(frozen=True)
class ApiToken:
    name: str
    created_at: str
    revoked_at: str | None

    def line(self) -> str:
        state = f"revoked {self.revoked_at}" if self.revoked_at else "active"
        return f"{self.name}  created {self.created_at}  {state}"


def digest(token: str) -> str:
    return hashlib.sha256(token.encode("utf-8")).hexdigest()


class TokenStore:
    def __init__(self, engine: Engine) -> None:
        self.engine = engine

    def create(self, name: str) -> str:
        """A new token for ``name`` (a tool or person); the only time it is shown. Names are unique."""
        name = name.strip()
        if not name:
            raise AssistantError("A token needs a name (who or what will use it).")
        token = PREFIX + secrets.token_urlsafe(32)
        try:
            with self.engine.begin() as connection:
                connection.execute(insert(tokens_table).values(name=name, sha256=digest(token), created_at=utc_now()))
        except IntegrityError as exc:
            raise AssistantError(f"A token named {name!r} already exists; revoke it or choose another name.") from exc
        return token

    def revoke(self, name: str) -> None:
        with self.engine.begin() as connection:
            found = connection.execute(select(tokens_table.c.revoked_at).where(tokens_table.c.name == name)).first()
            if found is None:
                raise AssistantError(f"No token is named {name!r} (python -m assistant token list shows them).")
            if found[0] is None:
                connection.execute(update(tokens_table).where(tokens_table.c.name == name).values(revoked_at=utc_now()))

    def holder(self, token: str) -> str | None:
        """The name of an active token, None for an unknown or revoked one."""
        with self.engine.connect() as connection:
            active = (tokens_table.c.sha256 == digest(token), tokens_table.c.revoked_at.is_(None))
            found = connection.execute(select(tokens_table.c.name).where(*active)).first()
        return found[0] if found else None

    def tokens(self) -> list[ApiToken]:
        with self.engine.connect() as connection:
            columns = (tokens_table.c.name, tokens_table.c.created_at, tokens_table.c.revoked_at)
            rows = connection.execute(select(*columns).order_by(tokens_table.c.created_at)).all()
        return [ApiToken(*row) for row in rows]
