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

    def entries(self) -> list[AuditEntry]:
        with self.engine.connect() as connection:
            rows = connection.execute(select(audit_table).order_by(audit_table.c.id)).all()
        return [AuditEntry(*row) for row in rows]
