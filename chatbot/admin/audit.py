"""The audit log: who uploaded, edited, built, published or rolled back what, and when.

Rows are inserted and never deleted; ``detail`` holds what the action was about (file hashes,
versions, changed fields) as JSON so a citizen's screenshot can be traced back to a decision. The
one row that changes is a burst's (:func:`record_burst`): attempts refused over and over, such as
a throttled sign-in, count up in one row instead of filling the log. With DATABASE_URL every host
writes and shows the same log."""
from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import datetime, timedelta, timezone

from sqlalchemy import insert, select, update

from chatbot.storage.database import Database
from chatbot.storage.locks import transaction_lock
from chatbot.storage.tables import audit

BURST_GAP = 15 * 60          # seconds of quiet after which the same refusal starts a new row


def utc_now(moment: datetime | None = None) -> str:
    return (moment or datetime.now(timezone.utc)).strftime("%Y-%m-%dT%H:%M:%SZ")


@dataclass(frozen=True)
class AuditEntry:
    id: int
    at: str
    actor: str
    action: str
    target: str
    detail: dict
    ip: str


def record(db: Database, actor: str, action: str, target: str = "", detail: dict | None = None,
           ip: str = "") -> None:
    with db.write() as conn:
        conn.execute(insert(audit).values(at=utc_now(), actor=actor, action=action, target=target,
                                          detail=json.dumps(detail or {}, ensure_ascii=False), ip=ip))


def record_burst(db: Database, action: str, target: str, ip: str, gap: float = BURST_GAP) -> None:
    """One row per burst of the same refusal (action, target, address): the first inserts
    ``{attempts: 1, since, last}``, each later one within ``gap`` seconds of the last adds one to
    ``attempts``. Read and written under one lock per burst, so workers and hosts counting at once
    neither lose a count nor split the row."""
    moment = datetime.now(timezone.utc)
    now, quiet_since = utc_now(moment), utc_now(moment - timedelta(seconds=gap))
    with db.write() as conn:
        transaction_lock(conn, json.dumps(["audit-burst", action, target, ip]))
        row = conn.execute(select(audit.c.id, audit.c.detail)
                           .where(audit.c.action == action, audit.c.target == target, audit.c.ip == ip)
                           .order_by(audit.c.id.desc()).limit(1)).first()
        detail = json.loads(row.detail) if row else {}
        if row and str(detail.get("last", "")) >= quiet_since:
            detail.update(attempts=int(detail.get("attempts", 1)) + 1, last=now)
            conn.execute(update(audit).where(audit.c.id == row.id).values(detail=json.dumps(detail)))
        else:
            conn.execute(insert(audit).values(at=now, actor=target, action=action, target=target, ip=ip,
                                              detail=json.dumps({"attempts": 1, "since": now, "last": now})))


def entries(db: Database, action: str = "", target: str = "", limit: int = 200, before: int | None = None
            ) -> list[AuditEntry]:
    """Newest first; ``action`` matches a prefix ("catalog." finds every catalog action)."""
    query = select(audit).where(audit.c.action.startswith(action, autoescape=True))
    if target:
        query = query.where(audit.c.target == target)
    if before is not None:
        query = query.where(audit.c.id < before)
    with db.read() as conn:
        rows = conn.execute(query.order_by(audit.c.id.desc()).limit(limit)).all()
    return [AuditEntry(r.id, r.at, r.actor, r.action, r.target, json.loads(r.detail), r.ip) for r in rows]
