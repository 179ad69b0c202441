"""Every admin action and API call (who, what, when, result) in the records database: ``python -m assistant audit``."""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import Engine, insert, select

from assistant.records.database import audit_table, utc_now


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
    def __init__(self, engine: Engine) -> None:
        self.engine = engine

    def record(self, who: str, action: str, target: str, result: str) -> None:
        with self.engine.begin() as connection:
            connection.execute(
                insert(audit_table).values(at=utc_now(), who=who, action=action, target=target, result=result)
            )

    def entries(self, since: str | None = None) -> list[AuditEntry]:
        """Oldest first; ``since`` is an ISO timestamp (UTC) the entries are at or after."""
        query = select(audit_table).order_by(audit_table.c.id)
        if since is not None:
            query = query.where(audit_table.c.at >= since)
        with self.engine.connect() as connection:
            rows = connection.execute(query).all()
        return [AuditEntry(*row) for row in rows]
